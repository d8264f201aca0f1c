#!/usr/bin/env bash
# Installs what is missing, builds Arbor in release mode and runs it on bundled data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product arbor
ARBOR="$(swift build -c release --show-bin-path)/arbor"
OUT="${ARBOR_QUICKSTART_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
NOUNS=$(corpora/wordnet/locate.sh data.noun)

echo "== arbor taxonomy stats (WordNet 3.0 nouns from $NOUNS)"
"$ARBOR" taxonomy stats "$NOUNS"
echo
echo "== arbor taxonomy convert: WordNet -> Arbor JSON -> Arbor XML"
"$ARBOR" taxonomy convert "$NOUNS" "$OUT/wordnet-noun.json"
"$ARBOR" taxonomy convert "$OUT/wordnet-noun.json" "$OUT/wordnet-noun.xml"
ls -l "$OUT/wordnet-noun.json" "$OUT/wordnet-noun.xml"
echo
echo "== arbor taxonomy validate"
"$ARBOR" taxonomy validate "$OUT/wordnet-noun.xml"
echo
echo "== arbor taxonomy show --node wn:02084071 --depth 1 (dog and its kinds)"
"$ARBOR" taxonomy show "$OUT/wordnet-noun.json" --node wn:02084071 --depth 1 | head -20
echo
SAMPLE=corpora/wn-noun-gloss/sample
echo "== arbor train: a hierarchical classifier on the bundled wn-noun-gloss sample ($(wc -l < $SAMPLE/train.jsonl) documents)"
"$ARBOR" train --taxonomy $SAMPLE/taxonomy.json --train $SAMPLE/train.jsonl --dev $SAMPLE/dev.jsonl \
  --method flat --out "$OUT/classifier.arbor"
echo
echo "== arbor classify: the sample's test part ($(wc -l < $SAMPLE/test.jsonl) documents); first two predictions:"
"$ARBOR" classify --model "$OUT/classifier.arbor" $SAMPLE/test.jsonl > "$OUT/predictions.jsonl"
head -2 "$OUT/predictions.jsonl"
echo
echo "== arbor eval: path-based hierarchical metrics of those predictions"
"$ARBOR" eval --taxonomy $SAMPLE/taxonomy.json --gold $SAMPLE/test.jsonl --pred "$OUT/predictions.jsonl" --per-level
echo
ARBOR="$ARBOR" ARBOR_QUICKSTART_OUT="$OUT" scripts/quickstart-expand.sh
echo
ARBOR="$ARBOR" ARBOR_QUICKSTART_OUT="$OUT" scripts/quickstart-organize.sh
echo
echo "Outputs are in $OUT"
