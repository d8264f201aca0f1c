#!/usr/bin/env bash
# Continual-learning benchmark (issue 10): every method of `arbor continual run` and the numpy reference of
# the baselines (reference.py), on the same stream files and the same frozen MiniLM vectors, seeds 0 1 2,
# all scenarios; prints mean ± std tables and the speed ratio, and records them in docs/benchmarks.md
# (section `continual`).
#
# usage: Benchmarks/continual/run.sh            (all scenarios; 30-40 minutes on 2 shared cores)
#        SCENARIOS="multi-depth" SEEDS="0" Benchmarks/continual/run.sh   (a subset; not recorded)
# Needs corpora/out/wn-noun-gloss (python3 corpora/wn-noun-gloss/build.py) and the MiniLM weights.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Benchmarks/continual"
DATA=${ARBOR_CORPUS_DIR:-$ROOT/corpora/out/wn-noun-gloss}
OUT="$HERE/.out"
SCENARIOS=${SCENARIOS:-"multi-depth single-depth dual-label"}
SEEDS=${SEEDS:-"0 1 2"}
ARBOR_METHODS=${ARBOR_METHODS:-"arbor pl-fms er-hier-lb er-hier er ewc finetune joint"}
REFERENCE_METHODS=${REFERENCE_METHODS:-"er-hier-lb er-hier er finetune joint"}
mkdir -p "$OUT"

if [ ! -f "$DATA/train.jsonl" ]; then
  echo "missing $DATA/train.jsonl: run python3 corpora/wn-noun-gloss/build.py first" >&2
  exit 1
fi
if [ ! -x "$HERE/.venv/bin/python" ]; then
  python3 -m venv "$HERE/.venv"
  "$HERE/.venv/bin/pip" install --quiet numpy
fi
PY="$HERE/.venv/bin/python"

(cd "$ROOT" && swift build -c release --product arbor >&2)
ARBOR="$ROOT/.build/release/arbor"

# Embed once (the embedding cache makes later runs, and `continual run --encoder minilm`, lookups only).
for split in train test; do
  [ -f "$OUT/$split.safetensors" ] || "$ARBOR" embed "$DATA/$split.jsonl" --encoder minilm --out "$OUT/$split.safetensors"
done

RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
for scenario in $SCENARIOS; do
  for seed in $SEEDS; do
    stream="$OUT/$scenario-$seed.jsonl"
    "$ARBOR" continual stream --corpus "$DATA/train.jsonl" --taxonomy "$DATA/taxonomy.json" \
      --scenario "$scenario" --seed "$seed" --out "$stream"
    for method in $ARBOR_METHODS; do
      line=$("$ARBOR" continual run --stream "$stream" --test "$DATA/test.jsonl" --taxonomy "$DATA/taxonomy.json" \
        --method "$method" --memory 2000 --encoder minilm --seed "$seed" --json)
      echo "{\"impl\":\"arbor\",\"scenario\":\"$scenario\",\"seed\":$seed,\"result\":$line}" >> "$RESULTS"
      echo "arbor     $scenario seed $seed $method done" >&2
    done
    for method in $REFERENCE_METHODS; do
      line=$("$PY" "$HERE/reference.py" --stream "$stream" --train-vectors "$OUT/train.safetensors" \
        --test-vectors "$OUT/test.safetensors" --test "$DATA/test.jsonl" --taxonomy "$DATA/taxonomy.json" \
        --method "$method" --seed "$seed" --memory 2000)
      echo "{\"impl\":\"python\",\"scenario\":\"$scenario\",\"seed\":$seed,\"result\":$line}" >> "$RESULTS"
      echo "reference $scenario seed $seed $method done" >&2
    done
  done
done

"$PY" "$HERE/summarize.py" "$RESULTS" > "$OUT/summary.md"
cat "$OUT/summary.md"
if [ "$SCENARIOS" = "multi-depth single-depth dual-label" ] && [ "$SEEDS" = "0 1 2" ]; then
  python3 "$ROOT/scripts/bench/record.py" continual "Benchmarks/continual/run.sh" "$(cat "$OUT/summary.md")"
fi
