#!/usr/bin/env bash
# Organize benchmark: Arbor's topic trees against scikit-learn's top-down k-means, bottom-up k-means,
# ward and bisecting k-means on the same MiniLM embeddings of the wn-noun-gloss test split, plus the
# 117,659-gloss builtin timing; prints the table and records it in docs/benchmarks.md (key "organize").
#
# usage: Benchmarks/organize/run.sh            (ORGANIZE_SKIP_WARD=1 / ORGANIZE_SKIP_BIG=1 to skip parts)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
[ -f corpora/out/wn-noun-gloss/test.jsonl ] || python3 corpora/wn-noun-gloss/build.py
[ -f corpora/out/wn-glosses/glosses.jsonl ] || python3 corpora/wn-glosses/build.py
swift build -c release --product arbor
# Reuse the shared benchmark venv when it has scikit-learn; otherwise make our own.
python=""
for candidate in "$root/Benchmarks/.venv/bin/python" /work/main/Benchmarks/.venv/bin/python; do
  if [ -x "$candidate" ] && "$candidate" -c "import sklearn, numpy" 2>/dev/null; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then
  python3 -m venv "$here/.venv"
  "$here/.venv/bin/pip" install --quiet "scikit-learn>=1.5" numpy
  python="$here/.venv/bin/python"
fi
version="$("$python" -c 'import sklearn; print(sklearn.__version__)')"
table="$("$python" "$here/bench.py")"
echo "$table"
python3 scripts/bench/record.py organize "Benchmarks/organize/run.sh" \
  "wn-noun-gloss test split (14,697 glosses), all-MiniLM-L6-v2 embeddings shared by every method; scikit-learn $version. \
Scores by \`arbor eval --task clustering\` (per-level NMI/ARI against the reference levels, dendrogram purity over \
same-leaf pairs) and \`--tree\` (label-only navigation: at each level the children's labels alone are embedded and the \
most similar is taken; scikit-learn trees named by their top-5 c-TF-IDF words). Fit seconds with embeddings given \
(Arbor: its clustering phase; end to end with a warm embedding cache in brackets); ratio = fit time / scikit-learn \
top-down k-means in this run.

$table"
