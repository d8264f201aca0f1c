#!/usr/bin/env bash
# Benchmark: taxonomy expansion on wn-noun-expand (issue 6). In one run, on the same test split:
# the two TF-IDF anchors (scikit-learn, word 1-2-grams: rank nodes by similarity; sibling vote of the
# 30 most similar nodes) and Arbor (`arbor expand train` + `arbor expand`) with the builtin and the
# MiniLM encoder. Every system's predictions are scored by `arbor eval --task expansion`.
# With --record, writes the "expand" section of docs/benchmarks.md (scripts/bench/record.py).
#
#   Benchmarks/expand/run.sh [--record] [--encoders "builtin minilm"] [--pseudo-queries 8000] [--epochs 3]
#
# Creates Benchmarks/expand/.venv (scikit-learn, numpy), builds the corpus under corpora/out/ when
# missing, writes models, reports and logs under Benchmarks/out/expand/, builds arbor in release mode.
# MiniLM node vectors come from the embedding cache ($ARBOR_CACHE_DIR or ~/.cache/arbor/embeddings);
# a cold cache adds the encoding of 82,115 texts (about 20-30 minutes on two busy cores) to the
# first MiniLM training run, which is reported separately.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD=0
ENCODERS="builtin minilm"
PSEUDO=16000
EPOCHS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --record) RECORD=1; shift ;;
    --encoders) ENCODERS="$2"; shift 2 ;;
    --pseudo-queries) PSEUDO="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    *) echo "usage: $0 [--record] [--encoders LIST] [--pseudo-queries N] [--epochs E]" >&2; exit 2 ;;
  esac
done
CORPUS=corpora/out/wn-noun-expand
OUT=Benchmarks/out/expand
VENV=Benchmarks/expand/.venv
mkdir -p "$OUT"
[ -f "$CORPUS/test.gold.jsonl" ] || python3 corpora/wn-noun-expand/build.py >&2
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q scikit-learn numpy
fi
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor

evaluate() {  # NAME PREDICTIONS -> JSON line of metrics
  "$ARBOR" eval --task expansion --taxonomy "$CORPUS/taxonomy.json" --gold "$CORPUS/test.gold.jsonl" \
    --pred "$2" --k 1,5,10,100 --json > "$OUT/$1.metrics.json"
}

echo "== TF-IDF anchors (scikit-learn)" >&2
"$VENV/bin/python" Benchmarks/expand/anchors.py "$CORPUS" "$OUT" > "$OUT/anchors.time.json"
evaluate anchor-similarity "$OUT/anchor-similarity.jsonl"
evaluate anchor-vote "$OUT/anchor-vote.jsonl"

for ENC in $ENCODERS; do
  echo "== arbor expand train --encoder $ENC" >&2
  start=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S" -o "$OUT/$ENC.train.time" \
    "$ARBOR" expand train --taxonomy "$CORPUS/taxonomy.json" --out "$OUT/$ENC.arbor" --encoder "$ENC" \
    --pseudo-queries "$PSEUDO" --epochs "$EPOCHS" 2> "$OUT/$ENC.train.log"
  cat "$OUT/$ENC.train.log" >&2
  echo "== arbor expand (1,000 test terms, warm cache) --encoder $ENC" >&2
  /usr/bin/time -f "%e %U %S" -o "$OUT/$ENC.expand.time" \
    "$ARBOR" expand --taxonomy "$CORPUS/taxonomy.json" --terms "$CORPUS/test.terms.jsonl" \
    --model "$OUT/$ENC.arbor" --report "$OUT/$ENC.test.jsonl" --top-k 100 2> "$OUT/$ENC.expand.log"
  cat "$OUT/$ENC.expand.log" >&2
  evaluate "arbor-$ENC" "$OUT/$ENC.test.jsonl"
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
TABLE=$("$VENV/bin/python" - "$OUT" "$ENCODERS" "$LOAD" "$PSEUDO" "$EPOCHS" <<'PY'
import json, os, sys
out, encoders, load, pseudo, epochs = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4], sys.argv[5]
def metrics(name):
    m = json.load(open(os.path.join(out, name + ".metrics.json")))["metrics"]
    return m
rows = [("TF-IDF: rank nodes by similarity (scikit-learn)", "anchor-similarity"),
        ("TF-IDF: sibling vote of the 30 most similar nodes (scikit-learn)", "anchor-vote")]
rows += [(f"Arbor, {e} encoder", f"arbor-{e}") for e in encoders]
lines = ["| system | Acc | MRR | Wu&P | Hit@5 | Hit@10 | Hit@100 (Arbor: retrieval recall@100) |",
         "|---|---|---|---|---|---|---|"]
for title, key in rows:
    m = metrics(key)
    lines.append(f"| {title} | {m['accuracy']:.3f} | {m['mrr']:.4f} | {m['wu-palmer']:.4f} | "
                 f"{m['hit@5']:.3f} | {m['hit@10']:.3f} | {m['hit@100']:.3f} |")
timing = []
anchor_seconds = json.load(open(os.path.join(out, "anchors.time.json")))["seconds"]
timing.append(f"anchors (fit, 1,000 queries, both rankings): {anchor_seconds:.0f} s")
for e in encoders:
    tr = open(os.path.join(out, f"{e}.train.time")).read().split()
    ex = open(os.path.join(out, f"{e}.expand.time")).read().split()
    log = open(os.path.join(out, f"{e}.train.log")).read()
    encoded = [l for l in log.splitlines() if "nodes encoded" in l]
    timing.append(f"{e}: training {float(tr[0]):.0f} s wall ({float(tr[1]) + float(tr[2]):.0f} s CPU)"
                  + (f", of which node encoding: {encoded[0].split('(')[-1].rstrip(')')}" if encoded else "")
                  + f"; expanding the 1,000 test terms with a warm cache {float(ex[0]):.1f} s wall "
                  f"({float(ex[1]) + float(ex[2]):.1f} s CPU)")
print("wn-noun-expand test (1,000 leaf queries, 27 with several gold parents), scored by `arbor eval --task expansion` "
      "(Wu&P with root depth 1). Issue 6 anchors as measured there: similarity 0.050 / 0.114 / 0.642, "
      "sibling vote 0.402 / 0.506 / 0.739 (Acc / MRR / Wu&P).\n")
print("\n".join(lines))
for e in encoders:
    log = open(os.path.join(out, f"{e}.train.log")).read().splitlines()
    held = [l.split("held-out pseudo-queries: ", 1)[1] for l in log if "held-out pseudo-queries:" in l]
    print(f"\n{e}, on 400 held-out leaves of the taxonomy (self-supervised tuning): " + "; ".join(held) + ".")
print(f"\nTraining: {pseudo} leaf pseudo-queries, 400 held out, {epochs} coherence epochs, seed 17. "
      + "; ".join(timing) + f". Load average at the end: {load} (2 cores shared with other jobs). Node encodings come from the "
      "embedding cache; filling it cold for MiniLM (82,115 texts, `arbor embed --encoder minilm --threads 2`) "
      "took 34 minutes on these busy cores, once.")
PY
)
echo "$TABLE"
if [ "$RECORD" = 1 ]; then
  python3 scripts/bench/record.py expand "Benchmarks/expand/run.sh --record --encoders \"$ENCODERS\"" "$TABLE"
fi
