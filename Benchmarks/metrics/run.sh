#!/usr/bin/env bash
# Benchmark: arbor eval (full classification metric set) vs hiclass.metrics.f1 on the same
# 1,000,000 WordNet-noun predictions, in one run. With --record, writes the "metrics" section of
# docs/benchmarks.md (scripts/bench/record.py).
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
WORDNET=${WORDNET:-$(corpora/wordnet/locate.sh data.noun)}
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
swift build -c release --product arbor-bench >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor

# Arbor first (five runs, the fastest counts: the machine may be busy), then HiClass once
# (it takes minutes), then Arbor's phases for the record.
echo "arbor eval (full classification set, --per-level), 5 runs ..." >&2
best=""
best_cpu=""
for run in 1 2 3 4 5; do
  /usr/bin/time -f "%e %U %S" -o "$OUT/arbor.time" \
    "$ARBOR" eval --taxonomy "$WORDNET" --gold "$OUT/gold.jsonl" --pred "$OUT/pred.jsonl" --json --per-level \
    > "$OUT/arbor.json" 2> "$OUT/arbor.stderr"
  read -r t user sys < <(tail -1 "$OUT/arbor.time")
  cpu=$(echo "$user + $sys" | bc -l)
  echo "run $run: arbor eval $t s wall, $cpu s CPU" >&2
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc -l)" = 1 ]; then best_cpu=$cpu; fi
done
echo "hiclass.metrics.f1 (micro) on prepared arrays ..." >&2
HICLASS_JSON=$("$VENV/bin/python" Benchmarks/metrics/hiclass_f1.py "$OUT")
echo "$HICLASS_JSON" >&2
PHASES=$("$(swift build -c release --show-bin-path)/arbor-bench" metrics "$WORDNET" "$OUT/gold.jsonl" "$OUT/pred.jsonl" \
  | grep " s$" | tr '\n' ';' | sed 's/;$//; s/;/; /g')
LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
RESULT=$("$VENV/bin/python" - "$HICLASS_JSON" "$OUT/arbor.json" "$best" "$COUNT" "$PHASES" "$LOAD" "$best_cpu" <<'PY'
import json, sys
h = json.loads(sys.argv[1]); a = json.load(open(sys.argv[2])); t = float(sys.argv[3])
hf = h["hf1_micro"]; af = a["metrics"]["h-micro-f1"]
n_metrics = len(a["metrics"]) + 3 * len(a.get("levels", []))
print(f"{int(sys.argv[4]):,} predictions over WordNet 3.0 nouns (single-path synsets, full paths, 1% missing). "
      f"`arbor eval --json --per-level` (whole process: WordNet taxonomy, both JSONL files, {n_metrics} values: "
      f"flat, hierarchical, HierVerb P/C, exact, consistency, per level), best of 5: {t:.3f} s. "
      f"`hiclass.metrics.f1(average=\"micro\")` on prepared numpy arrays (its call only): {h['seconds_micro']:.3f} s. "
      f"**{h['seconds_micro'] / t:.1f}x** wall (goal >= 20x; full set goal < 5 s). "
      f"CPU time (user + system): Arbor {float(sys.argv[7]):.2f} s (best of 5, 2 threads), HiClass "
      f"{h['cpu_micro']:.2f} s: {h['cpu_micro'] / float(sys.argv[7]):.1f}x. "
      f"hF1: Arbor {af!r}, HiClass {hf!r} (difference {abs(hf - af):.1e}). "
      f"One further run of `arbor-bench metrics` by phase: {sys.argv[5]}. "
      f"Load average during the run: {sys.argv[6]} (the machine is shared; wall times vary by run).")
PY
)
echo "$RESULT"
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py metrics "Benchmarks/metrics/run.sh --count $COUNT --record" "$RESULT"
fi
