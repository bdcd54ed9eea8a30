#!/usr/bin/env bash
# Install everything (incl. system packages for OCR and browser tests) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
.venv/bin/ruff check --quiet .   # house style: pycodestyle, pyflakes, import order ([tool.ruff.lint])
exec .venv/bin/python -m pytest --durations=30 "$@"  # the 30 slowest steps, for CI time
