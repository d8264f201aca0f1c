#!/usr/bin/env bash
# Quickstart step for `arbor organize`: organizes the bundled wn-noun-gloss sample (706 glosses) into a
# labelled topic tree with the builtin encoder (no model download), writes the tree (Arbor JSON and SKOS),
# the assignments, the HTML view and the model, grows it with `organize add`, and scores the tree.
# Called by scripts/quickstart.sh with ARBOR and ARBOR_QUICKSTART_OUT set; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${ARBOR:-}" ]; then
  swift build -c release --product arbor
  ARBOR="$(swift build -c release --show-bin-path)/arbor"
fi
OUT="${ARBOR_QUICKSTART_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
SAMPLE=corpora/wn-noun-gloss/sample

echo "== arbor organize build: the sample's $(wc -l < $SAMPLE/test.jsonl) test glosses into a 3-level topic tree"
"$ARBOR" organize build $SAMPLE/test.jsonl --encoder builtin --levels 4,10,24 --seed 1 \
  --out "$OUT/topics.json" --assignments "$OUT/topics-assignments.jsonl" --html "$OUT/topics.html" \
  --tree-model "$OUT/topics.safetensors" --title "wn-noun-gloss sample"
"$ARBOR" taxonomy convert "$OUT/topics.json" "$OUT/topics.rdf"
echo "top-level topics:"
"$ARBOR" taxonomy show "$OUT/topics.json" --depth 1 | head -12
echo "first assignment: $(head -1 "$OUT/topics-assignments.jsonl")"
echo "HTML view: $OUT/topics.html"
echo
echo "== arbor organize add: the sample's dev glosses placed into that tree (leaves above 40 documents split)"
"$ARBOR" organize add --tree "$OUT/topics.safetensors" $SAMPLE/dev.jsonl --max-leaf 40 \
  --out "$OUT/topics-grown.safetensors" --taxonomy "$OUT/topics-grown.json" \
  --assignments "$OUT/topics-added.jsonl"
echo
echo "== arbor eval --task clustering: the tree against WordNet's levels, with label-only navigation"
"$ARBOR" eval --task clustering --taxonomy $SAMPLE/taxonomy.json --gold $SAMPLE/test.jsonl \
  --pred "$OUT/topics-assignments.jsonl" --tree "$OUT/topics.json" --encoder builtin
