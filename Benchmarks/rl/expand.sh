#!/usr/bin/env bash
# Issue 7 on wn-noun-expand: fine-tune the expansion model's top-down position policy (ExpansionPolicy:
# the retrieval scorer's softmax over candidates, factored down the tree) with `arbor finetune --reward
# wup` on leaf pseudo-queries of the taxonomy, keeping the best checkpoint on other leaf pseudo-queries
# (--val), and score `arbor expand` on the dev and test terms before and after with
# `arbor eval --task expansion` (Acc, MRR, Wu&P). One run per seed (the seed draws the pseudo-queries
# and drives sampling); the table gives each seed and the mean.
#
#   Benchmarks/rl/expand.sh [--record] [--model PATH] [--train 4000] [--val 2000] [--steps 250] [--lr 1e-3]
#                           [--temperature 0.3] [--seeds "0 1 2"]
#
# The model defaults to Benchmarks/out/expand/builtin.arbor (Benchmarks/expand/run.sh --encoders builtin),
# copied, never modified. Builds the corpus under corpora/out/ when missing; writes records, models and
# logs under Benchmarks/out/rl/expand/; with --record writes the rl-expand section of docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=0
MODEL=Benchmarks/out/expand/builtin.arbor
TRAIN=4000
VAL=2000
STEPS=250
LR=1e-3
TEMPERATURE=0.3
SEEDS="0 1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --record) RECORD=1; shift ;;
    --model) MODEL="$2"; shift 2 ;;
    --train) TRAIN="$2"; shift 2 ;;
    --val) VAL="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --lr) LR="$2"; shift 2 ;;
    --temperature) TEMPERATURE="$2"; shift 2 ;;
    --seeds) SEEDS="$2"; shift 2 ;;
    *) echo "usage: $0 [--record] [--model PATH] [--train N] [--val M] [--steps N] [--lr X] [--temperature T]" \
         "[--seeds LIST]" >&2
       exit 2 ;;
  esac
done
CORPUS=corpora/out/wn-noun-expand
OUT=Benchmarks/out/rl/expand
mkdir -p "$OUT"
[ -f "$CORPUS/dev.gold.jsonl" ] || python3 corpora/wn-noun-expand/build.py >&2
[ -f "$MODEL" ] || { echo "missing $MODEL: run Benchmarks/expand/run.sh --encoders builtin" >&2; exit 1; }
cp "$MODEL" "$OUT/before.arbor"
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor

score() {  # MODEL SPLIT -> metrics JSON of arbor expand on the split's terms
  "$ARBOR" expand --taxonomy "$CORPUS/taxonomy.json" --terms "$CORPUS/$2.terms.jsonl" --model "$1" \
    --report "$1.$2.jsonl" --top-k 10 2> "$1.$2.log"
  "$ARBOR" eval --task expansion --taxonomy "$CORPUS/taxonomy.json" --gold "$CORPUS/$2.gold.jsonl" \
    --pred "$1.$2.jsonl" --k 1,5,10 --json
}

for SPLIT in dev test; do score "$OUT/before.arbor" $SPLIT > "$OUT/before.$SPLIT.json"; done
for SEED in $SEEDS; do
  RUN="$OUT/seed$SEED"
  mkdir -p "$RUN"
  python3 Benchmarks/rl/expand_records.py "$CORPUS" "$RUN" --train "$TRAIN" --val "$VAL" --seed "$SEED"
  echo "== seed $SEED: arbor finetune" >&2
  /usr/bin/time -f "%e %U %S" -o "$RUN/finetune.time" \
    "$ARBOR" finetune --model "$OUT/before.arbor" --taxonomy "$CORPUS/taxonomy.json" \
    --train "$RUN/expand-train.jsonl" --dev "$RUN/expand-val.jsonl" --reward wup --estimator tempo \
    --group-size 8 --batch-size 16 --steps "$STEPS" --eval-every 25 --learning-rate "$LR" --temperature "$TEMPERATURE" --seed "$SEED" \
    --out "$RUN/after.arbor" > "$RUN/finetune.json" 2> "$RUN/finetune.log"
  cat "$RUN/finetune.json" >&2
  for SPLIT in dev test; do score "$RUN/after.arbor" $SPLIT > "$RUN/after.$SPLIT.json"; done
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
TABLE=$(python3 - "$OUT" "$TRAIN" "$VAL" "$STEPS" "$LR" "$SEEDS" "$LOAD" "$TEMPERATURE" <<'PY'
import json, os, sys
out, train, val, steps, lr, seeds, load, temperature = sys.argv[1:9]
seeds = seeds.split()
def metrics(path):
    return json.load(open(os.path.join(out, path)))["metrics"]
keys = ("accuracy", "mrr", "wu-palmer", "hit@5", "hit@10")
def row(title, split, m):
    return (f"| {title} | {split} | {m['accuracy']:.3f} | {m['mrr']:.4f} | {m['wu-palmer']:.4f} | "
            f"{m['hit@5']:.3f} | {m['hit@10']:.3f} |")
rows = ["| `arbor expand`, builtin model | split | Acc | MRR | Wu&P | Hit@5 | Hit@10 |",
        "|---|---|---|---|---|---|---|"]
gains, notes, seconds = {}, [], []
for split in ("dev", "test"):
    before = metrics(f"before.{split}.json")
    rows.append(row("before fine-tuning", split, before))
    afters = [metrics(f"seed{s}/after.{split}.json") for s in seeds]
    for s, m in zip(seeds, afters):
        rows.append(row(f"after `arbor finetune --reward wup`, seed {s}", split, m))
    mean = {k: sum(m[k] for m in afters) / len(afters) for k in keys}
    rows.append(row(f"after, mean of {len(seeds)} seeds", split, mean))
    gains[split] = (mean["wu-palmer"] - before["wu-palmer"], [m["wu-palmer"] - before["wu-palmer"] for m in afters],
                    mean["accuracy"] - before["accuracy"])
for s in seeds:
    run = json.load(open(os.path.join(out, f"seed{s}", "finetune.json")))
    seconds.append(float(open(os.path.join(out, f"seed{s}", "finetune.time")).read().split()[0]))
    notes.append(f"seed {s}: Wu&P {run['initial_dev_reward']:.4f} -> {run['dev_reward']:.4f} (best step "
                 f"{run['best_step']}), exact {run['initial_dev_exact_path']:.3f} -> {run['dev_exact_path']:.3f}")
print("Issue 7 check: fine-tuning the expansion model's top-down position policy (`ExpansionPolicy`, the "
      "retrieval scorer's softmax over candidates factored down the tree; trainable: the scorer's MLP) with "
      "reward Wu&Palmer on wn-noun-expand (1,000 dev and 1,000 test terms), scored by `arbor eval --task "
      "expansion` (Wu&P with root depth 1).\n")
print("\n".join(rows))
def change(split):
    mean, each, accuracy = gains[split]
    return (f"{split} {mean:+.4f} (seeds: {', '.join(f'{g:+.4f}' for g in each)}; accuracy {accuracy:+.3f})")
print(f"\nMean Wu&P change: {change('dev')}; {change('test')}. Dev Wu&P "
      f"{'raised' if gains['dev'][0] > 0 else 'NOT raised'} on average. `arbor expand`'s top-1 "
      f"ranking of each seed's {val} validation pseudo-queries (`arbor finetune`'s checkpoint criterion): "
      + "; ".join(notes) + f". Training: {train} leaf pseudo-queries per seed (own node hidden), {steps} steps "
      f"of 16 queries x 8 paths sampled at temperature {temperature}, tempo estimator, AdamW lr {lr}, best checkpoint by validation reward every "
      f"25 steps ({val} other leaves; dev and test terms are used neither in training nor in selection); "
      f"`arbor finetune` (index, contexts, training, evaluations) {min(seconds):.0f}-{max(seconds):.0f} s wall "
      f"per seed. Load average at the end: {load} (2 cores shared).")
PY
)
echo "$TABLE"
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py rl-expand \
    "Benchmarks/rl/expand.sh --record --train $TRAIN --val $VAL --steps $STEPS --lr $LR --temperature $TEMPERATURE --seeds \"$SEEDS\"" "$TABLE"
fi
