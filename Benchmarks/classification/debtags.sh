#!/usr/bin/env bash
# Classification benchmark on debtags (multi-path, 2 levels; issue 5): one-vs-rest linear anchors on
# TF-IDF (scikit-learn, no hierarchy) and Arbor's flat and local methods with --multi-path, trained and
# tested on the same split in one run, all scored by `arbor eval` (micro, per-sample and label-macro hF1).
# Prints a table; with --record, writes it to docs/benchmarks.md (key classification-debtags).
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=0
[ "${1:-}" = "--record" ] && RECORD=1
OUT=Benchmarks/out/classification-debtags
mkdir -p "$OUT"
VENV=Benchmarks/.venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import sklearn" 2>/dev/null || "$VENV/bin/pip" install -q scikit-learn
CORPUS=corpora/out/debtags
[ -f "$CORPUS/train.jsonl" ] || python3 corpora/debtags/build.py >&2
swift build -c release --product arbor >&2
ARBOR="$(swift build -c release --show-bin-path)/arbor"

evaluate() {  # PRED -> "micro sample macro"
  "$ARBOR" eval --taxonomy "$CORPUS/taxonomy.json" --gold "$CORPUS/test.jsonl" --pred "$1" \
    --metrics h-micro-f1,h-sample-f1,h-label-macro-f1 --json |
    python3 -c 'import json,sys; m=json.load(sys.stdin)["metrics"]; print(m["h-micro-f1"], m["h-sample-f1"], m["h-label-macro-f1"])'
}

echo "== anchors" >&2
"$VENV/bin/python" Benchmarks/classification/debtags_anchor.py "$CORPUS/train.jsonl" "$CORPUS/test.jsonl" "$OUT" \
  > "$OUT/anchors.times.jsonl"
rows=""
while read -r line; do
  name=$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["system"])')
  fit=$(echo "$line" | python3 -c 'import json,sys; print(json.load(sys.stdin)["fit_s"])')
  rows+="scikit-learn $name (TF-IDF 1-2-grams)|$(evaluate "$OUT/anchor-$name.pred.jsonl")|$fit"$'\n'
done < "$OUT/anchors.times.jsonl"

for method in flat local; do
  echo "== arbor $method" >&2
  start=$(date +%s.%N)
  "$ARBOR" train --taxonomy "$CORPUS/taxonomy.json" --train "$CORPUS/train.jsonl" --multi-path \
    --method "$method" --epochs 10 --out "$OUT/$method.arbor" 2> "$OUT/$method.train.log"
  fit=$(python3 -c "import time; print(round(time.time() - $start, 2))")
  "$ARBOR" classify --model "$OUT/$method.arbor" "$CORPUS/test.jsonl" > "$OUT/arbor-$method.pred.jsonl"
  rows+="Arbor $method --multi-path (built-in TF-IDF)|$(evaluate "$OUT/arbor-$method.pred.jsonl")|$fit"$'\n'
done

table=$(printf '%s' "$rows" | python3 -c '
import sys
print("| system | h-micro-F1 | h-sample-F1 | h-label-macro-F1 | fit s |")
print("|---|---|---|---|---|")
for line in sys.stdin:
    if not line.strip(): continue
    name, scores, fit = line.rstrip("\n").split("|")
    micro, sample, macro = (float(v) for v in scores.split())
    print(f"| {name} | {micro:.4f} | {sample:.4f} | {macro:.4f} | {fit} |")
')
echo "$table"
counts=$(wc -l < "$CORPUS/train.jsonl")/$(wc -l < "$CORPUS/test.jsonl")
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py "classification-debtags" "Benchmarks/classification/debtags.sh --record" \
    "debtags (Debian package descriptions; train/test $counts documents; multi-path, facets and facet::tag labels), every system scored by \`arbor eval\` on the ancestor-closed label sets. h-sample-F1 is the mean per-document hF1 (HiClass's \"macro\"), h-label-macro-F1 the macro average over labels.

$table"
fi
