#!/usr/bin/env bash
# Issue 7 on real data: fine-tuning the verbalizer classifier (built-in encoder) on wn-noun-gloss with
# `arbor finetune --reward exact`, against the same model before fine-tuning, 3 seeds, 4-shot and full
# training data. Test hF1 and exact-path accuracy come from `arbor classify` + `arbor eval`, before and
# after; the fine-tuning keeps the best checkpoint on the dev split (all 7,475 documents, or --dev-size N:
# a seeded random sample of N). Paths are sampled at --full-temperature (2) on the full data and at
# --shot-temperature (3) in the K-shot settings, where the classifier already fits every training record
# and untempered groups agree; the learning rate decays linearly to 0 on the full data (--full-schedule
# linear) and stays constant in the K-shot settings (--shot-schedule constant). All four were chosen on
# dev (docs/rl.md).
#
#   Benchmarks/rl/wordnet.sh [--record] [--settings "4 full"] [--seeds "0 1 2"] [--steps 8000] [--lr 3e-4]
#                            [--batch-size 32] [--eval-every 500] [--dev-size N] [--full-temperature 2]
#                            [--shot-temperature 3] [--full-schedule linear] [--shot-schedule constant]
#
# Builds the corpus under corpora/out/ when missing; writes models and logs under Benchmarks/out/rl/.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=0
SETTINGS="4 full"
SEEDS="0 1 2"
STEPS=8000
LR=3e-4
BATCH=32
EVAL_EVERY=500
DEV_SIZE=all
FULL_TEMPERATURE=2
SHOT_TEMPERATURE=3
FULL_SCHEDULE=linear
SHOT_SCHEDULE=constant
while [ $# -gt 0 ]; do
  case "$1" in
    --record) RECORD=1; shift ;;
    --settings) SETTINGS="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --lr) LR="$2"; shift 2 ;;
    --batch-size) BATCH="$2"; shift 2 ;;
    --eval-every) EVAL_EVERY="$2"; shift 2 ;;
    --dev-size) DEV_SIZE="$2"; shift 2 ;;
    --full-temperature) FULL_TEMPERATURE="$2"; shift 2 ;;
    --shot-temperature) SHOT_TEMPERATURE="$2"; shift 2 ;;
    --full-schedule) FULL_SCHEDULE="$2"; shift 2 ;;
    --shot-schedule) SHOT_SCHEDULE="$2"; shift 2 ;;
    *) echo "usage: $0 [--record] [--settings \"4 full\"] [--seeds \"0 1 2\"] [--steps N]" >&2; exit 2 ;;
  esac
done
CORPUS=corpora/out/wn-noun-gloss
OUT=Benchmarks/out/rl
mkdir -p "$OUT"
[ -f "$CORPUS/train.jsonl" ] || python3 corpora/wn-noun-gloss/build.py >&2
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor
if [ "$DEV_SIZE" = all ]; then
  DEV="$CORPUS/dev.jsonl"
else
  DEV="$OUT/dev$DEV_SIZE.jsonl"
  python3 -c "import random, sys; lines = open(sys.argv[1]).readlines(); random.Random(0).shuffle(lines); \
open(sys.argv[2], 'w').writelines(lines[:int(sys.argv[3])])" "$CORPUS/dev.jsonl" "$DEV" "$DEV_SIZE"
fi
DEV_COUNT=$(wc -l < "$DEV")

score() {  # MODEL -> "hF1 exact"
  "$ARBOR" classify --model "$1" "$CORPUS/test.jsonl" > "$1.pred.jsonl"
  "$ARBOR" eval --taxonomy "$CORPUS/taxonomy.json" --gold "$CORPUS/test.jsonl" --pred "$1.pred.jsonl" \
    --metrics h-micro-f1,exact-match --json |
    python3 -c 'import json,sys; m=json.load(sys.stdin)["metrics"]; print(m["h-micro-f1"], m["exact-match"])'
}

rows=""
for SETTING in $SETTINGS; do
  for SEED in $SEEDS; do
    NAME="$OUT/verbalizer-$SETTING-seed$SEED"
    if [ "$SETTING" = full ]; then
      TRAIN="$CORPUS/train.jsonl"; EPOCHS=5; TEMPERATURE=$FULL_TEMPERATURE; SCHEDULE=$FULL_SCHEDULE
    else
      TRAIN="$NAME.train.jsonl"; EPOCHS=30; TEMPERATURE=$SHOT_TEMPERATURE; SCHEDULE=$SHOT_SCHEDULE
      "$ARBOR" sample --taxonomy "$CORPUS/taxonomy.json" --train "$CORPUS/train.jsonl" --shots "$SETTING" \
        --seed "$SEED" --out "$TRAIN"
    fi
    echo "== $SETTING, seed $SEED: train" >&2
    "$ARBOR" train --taxonomy "$CORPUS/taxonomy.json" --train "$TRAIN" --method verbalizer \
      --epochs "$EPOCHS" --seed "$SEED" --out "$NAME.arbor" 2> "$NAME.train.log"
    before=$(score "$NAME.arbor")
    echo "== $SETTING, seed $SEED: finetune" >&2
    start=$(date +%s.%N)
    "$ARBOR" finetune --model "$NAME.arbor" --train "$TRAIN" --dev "$DEV" --reward exact \
      --estimator tempo --steps "$STEPS" --batch-size "$BATCH" --eval-every "$EVAL_EVERY" --learning-rate "$LR" \
      --temperature "$TEMPERATURE" --lr-schedule "$SCHEDULE" --seed "$SEED" --out "$NAME.tuned.arbor" > "$NAME.finetune.json" 2> "$NAME.finetune.log"
    seconds=$(python3 -c "import time; print(round(time.time() - $start, 1))")
    after=$(score "$NAME.tuned.arbor")
    echo "$SETTING $SEED $before $after $seconds" >&2
    rows+="$SETTING $SEED $before $after $seconds"$'\n'
  done
done
table=$(printf '%s' "$rows" | python3 -c '
import sys, statistics as st
rows = [l.split() for l in sys.stdin if l.strip()]
print("| training data | seed | hF1 before | hF1 after | exact before | exact after | fine-tuning s |")
print("|---|---|---|---|---|---|---|")
for s, seed, hb, eb, ha, ea, sec in rows:
    print(f"| {s}-shot | {seed} | {float(hb):.4f} | {float(ha):.4f} | {float(eb):.4f} | {float(ea):.4f} | {sec} |".replace("full-shot", "full"))
for s in dict.fromkeys(r[0] for r in rows):
    part = [r for r in rows if r[0] == s]
    m = lambda i: st.mean(float(r[i]) for r in part)
    name = "full" if s == "full" else f"{s}-shot"
    print(f"| **{name}, mean** | {len(part)} seeds | {m(2):.4f} | {m(4):.4f} | {m(3):.4f} | {m(5):.4f} | "
          f"exact {100 * (m(5) - m(3)):+.2f} pts, hF1 {100 * (m(4) - m(2)):+.2f} pts |")
')
echo "$table"
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py "rl-wordnet" "Benchmarks/rl/wordnet.sh --record --settings \"$SETTINGS\" --seeds \"$SEEDS\" --steps $STEPS --lr $LR --batch-size $BATCH --eval-every $EVAL_EVERY --dev-size $DEV_SIZE --full-temperature $FULL_TEMPERATURE --shot-temperature $SHOT_TEMPERATURE --full-schedule $FULL_SCHEDULE --shot-schedule $SHOT_SCHEDULE" \
    "Fine-tuning the verbalizer classifier (built-in encoder) on wn-noun-gloss with \`arbor finetune --reward exact --estimator tempo\` (group size 8, batch $BATCH, $STEPS steps, AdamW $LR, best of every $EVAL_EVERY steps on $DEV_COUNT dev documents; paths sampled at temperature $FULL_TEMPERATURE on the full data and $SHOT_TEMPERATURE in the K-shot settings, where the classifier already fits its training records; learning-rate schedule $FULL_SCHEDULE on the full data, $SHOT_SCHEDULE in the K-shot settings), against the same model before fine-tuning; test split (14,697 documents), scored by \`arbor eval\`. Issue 7's goal: exact path +1 point or more (mean of 3 seeds) with hF1 not lower.

$table"
fi
