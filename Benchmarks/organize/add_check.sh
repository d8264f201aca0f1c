#!/usr/bin/env bash
# The issue's check of `arbor organize add`: hold out 1,000 glosses of the wn-noun-gloss test split (every
# 14th-or-so line, by a seeded shuffle), build a tree from the other 13,697 with MiniLM and --levels
# 11,47,129, add the 1,000, and compare their per-level NMI against the reference with the built
# documents' own (goal: within 0.02); then check that every node id of the built tree is still there.
#
# usage: Benchmarks/organize/add_check.sh [ENCODER]      (default minilm)
set -euo pipefail
cd "$(dirname "$0")/../.."
encoder="${1:-minilm}"
corpus=corpora/out/wn-noun-gloss
[ -f $corpus/test.jsonl ] || python3 corpora/wn-noun-gloss/build.py
swift build -c release --product arbor >&2
arbor=.build/release/arbor
out=Benchmarks/out/organize-add
mkdir -p $out
python3 - "$corpus/test.jsonl" "$out" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
order = list(range(len(lines)))
random.Random(9).shuffle(order)
held = set(order[:1000])
with open(sys.argv[2] + "/built.jsonl", "w") as b, open(sys.argv[2] + "/held.jsonl", "w") as h:
    for i, line in enumerate(lines):
        (h if i in held else b).write(line + "\n")
PY
$arbor organize build $out/built.jsonl --encoder "$encoder" --levels 11,47,129 --out $out/tree.json \
  --assignments $out/built-assignments.jsonl --tree-model $out/tree.safetensors
$arbor organize add --tree $out/tree.safetensors $out/held.jsonl --max-leaf 1000000 --out $out/grown.safetensors \
  --taxonomy $out/grown.json --assignments $out/held-assignments.jsonl
$arbor organize add --tree $out/tree.safetensors $out/held.jsonl --max-leaf 100 --out $out/split.safetensors \
  --taxonomy $out/split.json --assignments $out/split-assignments.jsonl
# NMI over 1,000 documents and 129 clusters is biased upward by the sample size, so the like-for-like
# reference is the built documents' NMI on samples of 1,000. One sample's NMI varies by about 0.01 (as
# much as half the goal's tolerance), so the reference is the mean over 40 seeded samples; the single
# sample of earlier runs (seed 5) is printed beside it.
python3 - "$out" <<'PY'
import random, sys
lines = open(sys.argv[1] + "/built.jsonl").read().splitlines()
for seed in range(40):
    sample = list(lines)
    random.Random(seed if seed else 5).shuffle(sample)
    open(sys.argv[1] + f"/built1000-{seed}.jsonl", "w").write("\n".join(sample[:1000]) + "\n")
PY
for part in built held $(seq -f "built1000-%g" 0 39); do
  $arbor eval --task clustering --taxonomy $corpus/taxonomy.json --gold $out/$part.jsonl \
    --pred $out/$([ "$part" = held ] && echo held || echo built)-assignments.jsonl --json 2>/dev/null > $out/$part-eval.json
done
python3 - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
def metrics(path):
    report = json.load(open(path))
    m = report.get("metrics", report)
    return m if isinstance(m, dict) else {x["name"]: x["value"] for x in m}
built, held = metrics(out + "/built-eval.json"), metrics(out + "/held-eval.json")
samples = [metrics(out + f"/built1000-{seed}-eval.json") for seed in range(40)]
worst = 0
for level in (1, 2, 3):
    key = f"level-{level}-nmi"
    values = [m[key] for m in samples]
    mean, sd = statistics.mean(values), statistics.stdev(values)
    worst = max(worst, abs(held[key] - mean))
    print(f"level {level}: NMI built (13,697) {built[key]:.3f}; built samples of 1,000: mean {mean:.3f} "
          f"(sd {sd:.3f}, seed-5 sample {values[0]:.3f}); added (1,000) {held[key]:.3f}, "
          f"added - mean {held[key] - mean:+.3f} (added - seed-5 sample {held[key] - values[0]:+.3f})")
print(f"largest |added - mean of built samples| difference: {worst:.3f} (goal <= 0.02)")
ids = lambda p: {n["id"] for n in json.load(open(p))["nodes"]}
before, after = ids(out + "/tree.json"), ids(out + "/split.json")
print(f"node ids: {len(before)} before, {len(after)} after adding with --max-leaf 100; all kept: {before <= after}")
PY
