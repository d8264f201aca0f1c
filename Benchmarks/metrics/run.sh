#!/usr/bin/env bash
# Benchmark: arbor eval (full classification metric set) vs hiclass.metrics.f1 on the same
# 1,000,000 WordNet-noun predictions, in one run. Appends a row to docs/benchmarks.md with --record.
#
#   Benchmarks/metrics/run.sh [--count N] [--record]
#
# Creates Benchmarks/metrics/.venv (hiclass, numpy), writes data under Benchmarks/out/metrics/,
# builds arbor in release mode. HiClass is timed on prepared numpy arrays (hiclass.metrics.f1 call
# only); arbor is timed as a whole process: reading the WordNet taxonomy and both JSONL files,
# and computing every classification metric with --per-level.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=1000000
RECORD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --record) RECORD=1; shift ;;
    *) echo "usage: $0 [--count N] [--record]" >&2; exit 2 ;;
  esac
done
WORDNET=${WORDNET:-/usr/share/wordnet/data.noun}
VENV=Benchmarks/metrics/.venv
OUT=Benchmarks/out/metrics/$COUNT
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q hiclass numpy scikit-learn
fi
if [ ! -f "$OUT/pred.jsonl" ]; then
  "$VENV/bin/python" Benchmarks/metrics/make_wordnet_data.py "$WORDNET" "$OUT" "$COUNT" 7 >&2
fi
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor

echo "hiclass.metrics.f1 (micro) ..." >&2
HICLASS_JSON=$("$VENV/bin/python" Benchmarks/metrics/hiclass_f1.py "$OUT")
echo "arbor eval (full classification set, --per-level) ..." >&2
best=""
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$ARBOR" eval --taxonomy "$WORDNET" --gold "$OUT/gold.jsonl" --pred "$OUT/pred.jsonl" --json --per-level \
    > "$OUT/arbor.json" 2> "$OUT/arbor.stderr"
  end=$(date +%s.%N)
  t=$(echo "$end - $start" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
done
RESULT=$("$VENV/bin/python" - "$HICLASS_JSON" "$OUT/arbor.json" "$best" "$COUNT" <<'PY'
import json, sys
h = json.loads(sys.argv[1]); a = json.load(open(sys.argv[2])); t = float(sys.argv[3])
hf = h["hf1_micro"]; af = a["metrics"]["h-micro-f1"]
ratio = h["seconds_micro"] / t
print(f"samples={sys.argv[4]} hiclass_f1_micro_s={h['seconds_micro']:.3f} arbor_eval_full_s={t:.3f} "
      f"speedup={ratio:.1f}x hF1_hiclass={hf!r} hF1_arbor={af!r} diff={abs(hf-af):.2e} "
      f"metrics={len(a['metrics'])}+{3*len(a.get('levels', []))}")
PY
)
echo "$RESULT"
if [ "$RECORD" = 1 ]; then
  {
    echo ""
    echo "- $(date -u +%Y-%m-%d) \`Benchmarks/metrics/run.sh --count $COUNT\` ($(nproc) cores, $(uname -m)): $RESULT"
  } >> docs/benchmarks.md
fi
