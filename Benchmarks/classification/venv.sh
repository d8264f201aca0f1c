# Sourced by the classification benchmarks: the Python venv of the anchors (scikit-learn, HiClass,
# fastText), created at Benchmarks/.venv when missing; sets VENV.
VENV=Benchmarks/.venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import sklearn, hiclass, fasttext" 2>/dev/null \
  || "$VENV/bin/pip" install -q scikit-learn hiclass fasttext-wheel networkx
