#!/usr/bin/env bash
# Taxonomy expansion quick start (docs/expand.md): a small SKOS taxonomy and six new terms in, the
# expanded SKOS file and a JSONL report out. Meant to be pasted into (or called from)
# scripts/quickstart.sh after `swift build -c release --product arbor`; standalone it builds arbor.
set -euo pipefail
cd "$(dirname "$0")/.."
ARBOR="${ARBOR:-}"
if [ -z "$ARBOR" ]; then
  swift build -c release --product arbor >&2
  ARBOR="$(swift build -c release --show-bin-path)/arbor"
fi
OUT="${ARBOR_QUICKSTART_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
EXAMPLE=docs/examples/expand

echo "== arbor expand train: learn placements from the taxonomy itself (builtin encoder, no download)"
"$ARBOR" expand train --taxonomy "$EXAMPLE/kitchen.rdf" --out "$OUT/kitchen.arbor" --pseudo-queries 200
echo
echo "== arbor expand: place the new terms of $EXAMPLE/new-terms.jsonl"
cat "$EXAMPLE/new-terms.jsonl"
"$ARBOR" expand --taxonomy "$EXAMPLE/kitchen.rdf" --terms "$EXAMPLE/new-terms.jsonl" --model "$OUT/kitchen.arbor" \
  --out "$OUT/kitchen-expanded.rdf" --report "$OUT/kitchen-report.jsonl" --top-k 3
echo
echo "== report: each term, where it went, and its top 3 positions"
cut -c1-240 "$OUT/kitchen-report.jsonl"
echo
echo "== the expanded SKOS file has $(grep -c '<skos:Concept ' "$OUT/kitchen-expanded.rdf") concepts (30 before)"
"$ARBOR" taxonomy stats "$OUT/kitchen-expanded.rdf" | head -3
