#!/usr/bin/env bash
# Issue 7 on wn-noun-expand: fine-tune the expansion model's top-down position policy (ExpansionPolicy:
# the retrieval scorer's softmax over candidates, factored down the tree) with `arbor finetune --reward
# wup` on leaf pseudo-queries of the taxonomy, keeping the best checkpoint on other leaf pseudo-queries
# (--val), and score `arbor expand` on the dev and test terms before and after with
# `arbor eval --task expansion` (Acc, MRR, Wu&P).
#
#   Benchmarks/rl/expand.sh [--record] [--model PATH] [--train 2000] [--val 500] [--steps 200] [--lr 3e-3]
#                           [--seed 0]
#
# The model defaults to Benchmarks/out/expand/builtin.arbor (Benchmarks/expand/run.sh --encoders builtin),
# copied, never modified. Builds the corpus under corpora/out/ when missing; writes records, models and
# logs under Benchmarks/out/rl/; with --record writes the rl-expand section of docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=0
MODEL=Benchmarks/out/expand/builtin.arbor
TRAIN=2000
VAL=500
STEPS=200
LR=3e-3
SEED=0
while [ $# -gt 0 ]; do
  case "$1" in
    --record) RECORD=1; shift ;;
    --model) MODEL="$2"; shift 2 ;;
    --train) TRAIN="$2"; shift 2 ;;
    --val) VAL="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --lr) LR="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    *) echo "usage: $0 [--record] [--model PATH] [--train N] [--val M] [--steps N] [--lr X] [--seed S]" >&2
       exit 2 ;;
  esac
done
CORPUS=corpora/out/wn-noun-expand
OUT=Benchmarks/out/rl
mkdir -p "$OUT"
[ -f "$CORPUS/dev.gold.jsonl" ] || python3 corpora/wn-noun-expand/build.py >&2
[ -f "$MODEL" ] || { echo "missing $MODEL: run Benchmarks/expand/run.sh --encoders builtin" >&2; exit 1; }
cp "$MODEL" "$OUT/expand-before.arbor"
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor
python3 Benchmarks/rl/expand_records.py "$CORPUS" "$OUT" --train "$TRAIN" --val "$VAL" --seed "$SEED"

score() {  # MODEL SPLIT -> metrics JSON of arbor expand on the split's terms
  "$ARBOR" expand --taxonomy "$CORPUS/taxonomy.json" --terms "$CORPUS/$2.terms.jsonl" --model "$1" \
    --report "$1.$2.jsonl" --top-k 10 2> "$1.$2.log"
  "$ARBOR" eval --task expansion --taxonomy "$CORPUS/taxonomy.json" --gold "$CORPUS/$2.gold.jsonl" \
    --pred "$1.$2.jsonl" --k 1,5,10 --json
}

for SPLIT in dev test; do score "$OUT/expand-before.arbor" $SPLIT > "$OUT/expand-before.$SPLIT.json"; done
/usr/bin/time -f "%e %U %S" -o "$OUT/expand-finetune.time" \
  "$ARBOR" finetune --model "$OUT/expand-before.arbor" --taxonomy "$CORPUS/taxonomy.json" \
  --train "$OUT/expand-train.jsonl" --dev "$OUT/expand-val.jsonl" --reward wup --estimator tempo \
  --group-size 8 --batch-size 16 --steps "$STEPS" --eval-every 25 --learning-rate "$LR" --seed "$SEED" \
  --out "$OUT/expand-after.arbor" > "$OUT/expand-finetune.json" 2> "$OUT/expand-finetune.log"
cat "$OUT/expand-finetune.json" >&2
for SPLIT in dev test; do score "$OUT/expand-after.arbor" $SPLIT > "$OUT/expand-after.$SPLIT.json"; done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
TABLE=$(python3 - "$OUT" "$TRAIN" "$VAL" "$STEPS" "$LR" "$SEED" "$LOAD" <<'PY'
import json, os, sys
out, train, val, steps, lr, seed, load = sys.argv[1:8]
def metrics(name):
    return json.load(open(os.path.join(out, name + ".json")))["metrics"]
run = json.load(open(os.path.join(out, "expand-finetune.json")))
seconds = open(os.path.join(out, "expand-finetune.time")).read().split()[0]
rows = ["| `arbor expand`, builtin model | split | Acc | MRR | Wu&P | Hit@5 | Hit@10 |",
        "|---|---|---|---|---|---|---|"]
gains = {}
for split in ("dev", "test"):
    before, after = metrics(f"expand-before.{split}"), metrics(f"expand-after.{split}")
    gains[split] = after["wu-palmer"] - before["wu-palmer"]
    for title, m in (("before fine-tuning", before), ("after `arbor finetune --reward wup`", after)):
        rows.append(f"| {title} | {split} | {m['accuracy']:.3f} | {m['mrr']:.4f} | {m['wu-palmer']:.4f} | "
                    f"{m['hit@5']:.3f} | {m['hit@10']:.3f} |")
print("Issue 7 check: fine-tuning the expansion model's top-down position policy (`ExpansionPolicy`, the "
      "retrieval scorer's softmax over candidates factored down the tree; trainable: the scorer's MLP) with "
      "reward Wu&Palmer on wn-noun-expand (1,000 dev and 1,000 test terms), scored by `arbor eval --task "
      "expansion` (Wu&P with root depth 1).\n")
print("\n".join(rows))
print(f"\nWu&P change: dev {gains['dev']:+.4f} ({'raised' if gains['dev'] > 0 else 'not raised'}), "
      f"test {gains['test']:+.4f}. The policy's own greedy top-down decoding on the {val} validation "
      f"pseudo-queries (`arbor finetune`'s dev reward): Wu&P {run['initial_dev_reward']:.4f} -> "
      f"{run['dev_reward']:.4f} (best at step {run['best_step']}), exact {run['initial_dev_exact_path']:.3f} -> "
      f"{run['dev_exact_path']:.3f}. Training: {train} leaf pseudo-queries (seed {seed}, own node hidden), "
      f"{steps} steps of 16 queries x 8 paths, tempo estimator, AdamW lr {lr}, best checkpoint by validation "
      f"reward every 25 steps ({val} other leaves; dev and test terms are not used in training or selection); "
      f"{run['sampled_paths']} sampled paths, {float(seconds):.0f} s wall for `arbor finetune` (index, "
      f"contexts, training, evaluations). Load average at the end: {load} (2 cores shared).")
PY
)
echo "$TABLE"
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py rl-expand "Benchmarks/rl/expand.sh --record --train $TRAIN --val $VAL --steps $STEPS --lr $LR --seed $SEED" "$TABLE"
fi
