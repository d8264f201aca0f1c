#!/usr/bin/env bash
# How docs/rl.md chose the fine-tuning schedule: checkpoints are chosen on one half of the wn-noun-gloss
# dev split (odd lines) and the chosen model is scored on the other half (even lines), which took no part
# in the choice, so settings compare without the upward bias of scoring a best checkpoint on the documents
# that chose it. Uses the base models Benchmarks/rl/wordnet.sh leaves under Benchmarks/out/rl/.
#
#   Benchmarks/rl/heldout_dev.sh SETTING TEMPERATURE [arbor finetune flags...]
#   e.g. Benchmarks/rl/heldout_dev.sh full 2 --lr-schedule linear
#        Benchmarks/rl/heldout_dev.sh 4 3 --lr-schedule constant
#
# Prints, per seed 0-2, hF1 and exact path on the held-out half and on test, then the means.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 SETTING TEMPERATURE [finetune flags]" >&2; exit 2; }
SETTING=$1 TEMPERATURE=$2
shift 2
CORPUS=corpora/out/wn-noun-gloss
OUT=Benchmarks/out/rl/heldout
mkdir -p "$OUT"
awk 'NR % 2 == 1' "$CORPUS/dev.jsonl" > "$OUT/dev-choose.jsonl"
awk 'NR % 2 == 0' "$CORPUS/dev.jsonl" > "$OUT/dev-score.jsonl"
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor
TAG="$SETTING-T$TEMPERATURE$(printf '%s' "$*" | tr -c 'A-Za-z0-9.' '_')"
rows=""
for SEED in 0 1 2; do
  BASE=Benchmarks/out/rl/verbalizer-$SETTING-seed$SEED
  [ -f "$BASE.arbor" ] || { echo "missing $BASE.arbor: run Benchmarks/rl/wordnet.sh first" >&2; exit 1; }
  TRAIN="$CORPUS/train.jsonl"
  [ "$SETTING" = full ] || TRAIN="$BASE.train.jsonl"
  MODEL="$OUT/$TAG-seed$SEED.arbor"
  "$ARBOR" finetune --model "$BASE.arbor" --train "$TRAIN" --dev "$OUT/dev-choose.jsonl" --reward exact \
    --estimator tempo --steps 8000 --batch-size 32 --eval-every 500 --learning-rate 3e-4 \
    --temperature "$TEMPERATURE" --seed "$SEED" --out "$MODEL" "$@" > "$MODEL.json" 2> "$MODEL.log"
  row="$SEED"
  for GOLD in "$OUT/dev-score.jsonl" "$CORPUS/test.jsonl"; do
    "$ARBOR" classify --model "$MODEL" "$GOLD" > "$MODEL.pred"
    row+=" $("$ARBOR" eval --taxonomy "$CORPUS/taxonomy.json" --gold "$GOLD" --pred "$MODEL.pred" \
      --metrics h-micro-f1,exact-match --json |
      python3 -c 'import json,sys; m=json.load(sys.stdin)["metrics"]; print(m["h-micro-f1"], m["exact-match"])')"
  done
  rows+="$row"$'\n'
done
printf '%s' "$rows" | python3 -c '
import sys
rows = [[float(x) for x in l.split()] for l in sys.stdin if l.strip()]
print("| seed | held-out dev hF1 | held-out dev exact | test hF1 | test exact |")
print("|---|---|---|---|---|")
for r in rows:
    print(f"| {int(r[0])} | {r[1]:.4f} | {r[2]:.4f} | {r[3]:.4f} | {r[4]:.4f} |")
m = [sum(r[i] for r in rows) / len(rows) for i in range(1, 5)]
print(f"| mean | {m[0]:.4f} | {m[1]:.4f} | {m[2]:.4f} | {m[3]:.4f} |")'
