#!/usr/bin/env bash
# `arbor learn` on wn-noun-gloss: the level-3 labels of some level-2 subtrees withheld, then learnt.
#
# 1. learn_cut.py cuts the taxonomy (children of the chosen level-2 nodes removed), labels the train
#    documents under those nodes at level 2, and holds out 1,000 of them, with full labels, as the new
#    documents. 2. arbor train on the cut data (flat; LOSS=softmax for the SGD trainer, 10 epochs,
#    lr 2). 3. arbor learn of the 1,000 new documents with the grown (full) taxonomy, timed.
#    4. Reference: arbor train from scratch on train + new with the full taxonomy, timed.
# Scores: level-3 accuracy on the test documents of the new classes (with chance: uniform among
# siblings), and hierarchical micro-F1 (arbor eval) on the test documents of the old classes.
# No Python peer exists for this; the ratio's reference is retraining from scratch.
# 5. Speed on the retrained model (all 51,689 train documents, full taxonomy): arbor learn of 1,000 dev
#    documents drawn at random with the seed, no new labels; test hF1 before and after.
# usage: scripts/bench/learn.sh [--no-record]      (env: SEED, NEW, METHOD, EPOCHS, LR, LEARN_ARGS)
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED=${SEED:-0}
NEW=${NEW:-1000}
EPOCHS=${EPOCHS:-10}
METHOD=${METHOD:-flat}
LR=${LR:-2}
# arbor train's trainer: svm (the default) or softmax (SGD; the numbers recorded before 2026-11-25 16:00).
LOSS=${LOSS:-svm}
LEARN_ARGS=${LEARN_ARGS:-}
corpus=corpora/out/wn-noun-gloss
[ -f "$corpus/train.jsonl" ] || python3 corpora/wn-noun-gloss/build.py
work=.build/learn-bench
mkdir -p "$work"
swift build -c release --product arbor >&2
arbor=.build/release/arbor
score=scripts/bench/learn_score.py

python3 scripts/bench/learn_cut.py "$corpus" "$work" --new "$NEW" --seed "$SEED" >&2
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }
evaluate() { # model → "new-acc chance old-hF1"
  "$arbor" classify --model "$1" "$work/test_new.jsonl" >"$work/pred_new.jsonl"
  "$arbor" classify --model "$1" "$work/test_old.jsonl" >"$work/pred_old.jsonl"
  local accuracy hf1
  accuracy=$(python3 "$score" "$work/test_new.jsonl" "$work/pred_new.jsonl" "$work/grown.json")
  hf1=$("$arbor" eval --taxonomy "$work/grown.json" --gold "$work/test_old.jsonl" --pred "$work/pred_old.jsonl" \
    --metrics h-micro-f1 --json | python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['metrics']['h-micro-f1']:.4f}\")")
  echo "$accuracy $hf1"
}

t0=$(now)
"$arbor" train --taxonomy "$work/cut.json" --train "$work/train.jsonl" --epochs "$EPOCHS" --lr "$LR" --loss "$LOSS" \
  --method "$METHOD" --seed "$SEED" --out "$work/base.arbor" >&2
t1=$(now)
read -r base_new chance base_old <<<"$(evaluate "$work/base.arbor")"
t2=$(now)
# shellcheck disable=SC2086
"$arbor" learn --model "$work/base.arbor" "$work/new.jsonl" --taxonomy "$work/grown.json" --seed "$SEED" \
  --out "$work/learned.arbor" $LEARN_ARGS >&2
t3=$(now)
read -r learned_new _ learned_old <<<"$(evaluate "$work/learned.arbor")"
t4=$(now)
"$arbor" train --taxonomy "$work/grown.json" --train "$work/train_new.jsonl" --epochs "$EPOCHS" --lr "$LR" --loss "$LOSS" \
  --method "$METHOD" --seed "$SEED" --out "$work/retrained.arbor" >&2
t5=$(now)
read -r retrained_new _ retrained_old <<<"$(evaluate "$work/retrained.arbor")"
python3 -c "import random, sys; lines = open('$corpus/dev.jsonl').readlines(); random.Random($SEED).shuffle(lines); \
sys.stdout.write(''.join(lines[:1000]))" >"$work/dev1000.jsonl"
t6=$(now)
# shellcheck disable=SC2086
"$arbor" learn --model "$work/retrained.arbor" "$work/dev1000.jsonl" --seed "$SEED" --out "$work/dev.arbor" \
  $LEARN_ARGS >&2
t7=$(now)
dev_s=$(elapsed "$t6" "$t7")
# shellcheck disable=SC2086
"$arbor" learn --model "$work/retrained.arbor" "$work/dev1000.jsonl" --seed "$SEED" --out "$work/dev_new.arbor" \
  --adjust new $LEARN_ARGS >&2
hf1_all() { # model → hF1 on the whole test split
  "$arbor" classify --model "$1" "$corpus/test.jsonl" >"$work/pred_all.jsonl"
  "$arbor" eval --taxonomy "$work/grown.json" --gold "$corpus/test.jsonl" --pred "$work/pred_all.jsonl" \
    --metrics h-micro-f1 --json | python3 -c "import json,sys; print(f\"{json.load(sys.stdin)['metrics']['h-micro-f1']:.4f}\")"
}
retrained_all=$(hf1_all "$work/retrained.arbor")
dev_all=$(hf1_all "$work/dev.arbor")
dev_new_all=$(hf1_all "$work/dev_new.arbor")

learn_s=$(elapsed "$t2" "$t3")
retrain_s=$(elapsed "$t4" "$t5")
base_s=$(elapsed "$t0" "$t1")
ratio=$(python3 -c "print(f'{$retrain_s / $learn_s:.1f}')")
drop=$(python3 -c "print(f'{100 * ($base_old - $learned_old):.2f}')")
classes=$(python3 -c "import json; print(len({json.loads(l)['labels'][-1] for l in open('$work/new.jsonl')}))")
cut=$(python3 -c "import json; print(open('$work/cut.txt').read().split().__len__())")
text="wn-noun-gloss, $cut level-2 subtrees' level-3 labels withheld (seed $SEED), $NEW new documents \
labelled at those classes; $METHOD models, \`arbor train --loss $LOSS\` ($EPOCHS epochs; lr $LR for softmax); arbor learn defaults ${LEARN_ARGS:-(none)}.

| model | level-3 accuracy, new classes (chance $chance) | hF1, old classes | seconds |
|---|---|---|---|
| trained on the cut taxonomy | $base_new | $base_old | $base_s (train) |
| + \`arbor learn\` of the new documents | $learned_new | $learned_old | **$learn_s** (learn) |
| retrained from scratch on train + new | $retrained_new | $retrained_old | $retrain_s (train) |

arbor learn: $learn_s s for $NEW documents with $classes new labels (goal < 5 s), $ratio x faster than retraining; \
$dev_s s for 1,000 dev documents into the model retrained on all 51,689 train documents (its test hF1 \
$retrained_all before, $dev_all after, $dev_new_all after with \`--adjust new\`); old classes' \
hF1 drop $drop points (goal <= ~1). Seconds are wall-clock on a 2-core machine shared with other jobs."
echo "$text"
if [ "${1:-}" != "--no-record" ]; then
  python3 scripts/bench/record.py learn "scripts/bench/learn.sh" "$text"
fi
