#!/usr/bin/env bash
# Ablations of Arbor's method and of PL-FMS's parts on the multi-depth stream (seeds 0 1 2), MiniLM vectors.
# Prints a Markdown table (mean ± std); run after run.sh (it reuses its streams). Accuracy only: the
# timings of run.sh are the ones to quote.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/Benchmarks/continual"
DATA=${ARBOR_CORPUS_DIR:-$ROOT/corpora/out/wn-noun-gloss}
OUT="$HERE/.out"
ARBOR="$ROOT/.build/release/arbor"
RESULTS="$OUT/ablation.jsonl"
: > "$RESULTS"
variants=(
  "arbor|--method arbor"
  "arbor, no class prior|--method arbor --prior-weight 0"
  "arbor, per-level argmax|--method arbor --decoding argmax"
  "arbor + linear heads (weight 1)|--method arbor --head-weight 1"
  "arbor, shrinkage 0.1|--method arbor --shrinkage 0.1"
  "arbor, inferred hierarchy|--method arbor --hierarchy inferred"
  "er-hier + class means, valid paths|--method er-hier --prototype-weight 1 --decoding path"
  "pl-fms|--method pl-fms"
  "pl-fms, reservoir memory|--method pl-fms --reservoir"
  "pl-fms, no flexible sampling|--method pl-fms --no-flexible-sampling"
  "pl-fms, known hierarchy|--method pl-fms --hierarchy known"
)
for seed in 0 1 2; do
  stream="$OUT/multi-depth-$seed.jsonl"
  [ -f "$stream" ] || "$ARBOR" continual stream --corpus "$DATA/train.jsonl" --taxonomy "$DATA/taxonomy.json" \
    --scenario multi-depth --seed "$seed" --out "$stream"
  for variant in "${variants[@]}"; do
    name=${variant%%|*}
    flags=${variant#*|}
    # shellcheck disable=SC2086
    line=$("$ARBOR" continual run --stream "$stream" --test "$DATA/test.jsonl" --taxonomy "$DATA/taxonomy.json" \
      --encoder minilm --seed "$seed" --json $flags)
    echo "{\"name\":\"$name\",\"seed\":$seed,\"result\":$line}" >> "$RESULTS"
    echo "$name seed $seed done" >&2
  done
done
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
names = []
for r in rows:
    if r["name"] not in names:
        names.append(r["name"])
def ms(v):
    v = [x * 100 for x in v if x is not None]
    return f"{statistics.mean(v):.1f} ± {statistics.stdev(v) if len(v) > 1 else 0:.1f}"
print("| variant (multi-depth, seeds 0-2) | A_auc L1 / L2 / L3 | A_last L3 | path acc | consistency |")
print("|---|---|---|---|---|")
for name in names:
    rs = [r["result"] for r in rows if r["name"] == name]
    auc = " / ".join(ms([r["levels"][l]["A_auc"] for r in rs]) for l in range(3))
    print(f"| {name} | {auc} | {ms([r['levels'][2]['A_last'] for r in rs])} | "
          f"{ms([r['path_accuracy'] for r in rs])} | {ms([r['consistency'] for r in rs])} |")
PY
