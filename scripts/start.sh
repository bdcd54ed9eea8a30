#!/usr/bin/env bash
# Install, index the bundled sample corpus and serve the assistant on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
.venv/bin/rathaus ingest samples/corpus --collection allgemein || echo "(some files were not indexed, see above)"
exec .venv/bin/rathaus serve --host "${RATHAUS_HOST:-127.0.0.1}" --port "${RATHAUS_PORT:-7860}"
