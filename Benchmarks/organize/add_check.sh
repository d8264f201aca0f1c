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
# NMI over 1,000 documents and 129 clusters is biased upward by the sample size; a seeded sample of 1,000
# built documents is the like-for-like reference.
python3 - "$out" <<'PY'
import random, sys
lines = open(sys.argv[1] + "/built.jsonl").read().splitlines()
random.Random(5).shuffle(lines)
open(sys.argv[1] + "/built1000.jsonl", "w").write("\n".join(lines[:1000]) + "\n")
PY
cp $out/built-assignments.jsonl $out/built1000-assignments.jsonl
for part in built built1000 held; do
  $arbor eval --task clustering --taxonomy $corpus/taxonomy.json --gold $out/$part.jsonl \
    --pred $out/$part-assignments.jsonl --json 2>/dev/null > $out/$part-eval.json
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def metrics(path):
    report = json.load(open(path))
    m = report.get("metrics", report)
    return m if isinstance(m, dict) else {x["name"]: x["value"] for x in m}
built, sample, held = (metrics(out + f"/{p}-eval.json") for p in ("built", "built1000", "held"))
worst = 0
for level in (1, 2, 3):
    b, s, h = (m[f"level-{level}-nmi"] for m in (built, sample, held))
    worst = max(worst, abs(s - h))
    print(f"level {level}: NMI built (13,697) {b:.3f}, built sample (1,000) {s:.3f}, added (1,000) {h:.3f}, "
          f"added - sample {h - s:+.3f}")
print(f"largest |added - built sample| difference: {worst:.3f} (goal <= 0.02)")
ids = lambda p: {n["id"] for n in json.load(open(p))["nodes"]}
before, after = ids(out + "/tree.json"), ids(out + "/split.json")
print(f"node ids: {len(before)} before, {len(after)} after adding with --max-leaf 100; all kept: {before <= after}")
PY
