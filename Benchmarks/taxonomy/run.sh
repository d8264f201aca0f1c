#!/usr/bin/env bash
# Benchmark: load WordNet 3.0 nouns as an edge list, compute every depth and 100,000 random LCAs,
# in Arbor (release build) and in Python with networkx on the same edge list, in one run.
# Prints the ratio; with --record, appends the result to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
OUT=Benchmarks/out/taxonomy
mkdir -p "$OUT"
VENV=Benchmarks/.venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import networkx" 2>/dev/null || "$VENV/bin/pip" install -q networkx

swift build -c release --product arbor >/dev/null
swift build -c release --product arbor-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
NOUNS=$(corpora/wordnet/locate.sh data.noun)
"$BIN/arbor" taxonomy convert "$NOUNS" "$OUT/nouns.tsv"
"$VENV/bin/python" - "$OUT/nouns.tsv" "$OUT/pairs.tsv" <<'PY'
import random, sys
nodes = []
seen = set()
for line in open(sys.argv[1]):
    for n in line.rstrip("\n").split("\t"):
        if n not in seen:
            seen.add(n); nodes.append(n)
rng = random.Random(20261125)
with open(sys.argv[2], "w") as f:
    for _ in range(100_000):
        f.write(f"{rng.choice(nodes)}\t{rng.choice(nodes)}\n")
PY
# Three runs each, alternating; the minimum total is compared (the machine may be busy).
best() { sort -g | head -1; }
arbor_totals=(); peer_totals=()
for run in 1 2 3; do
  arbor_out=$("$BIN/arbor-bench" taxonomy "$OUT/nouns.tsv" "$OUT/pairs.tsv")
  peer_out=$("$VENV/bin/python" Benchmarks/taxonomy/peer_networkx.py "$OUT/nouns.tsv" "$OUT/pairs.tsv")
  echo "run $run Arbor:    $(echo "$arbor_out" | tail -1)"
  echo "run $run networkx: $(echo "$peer_out" | tail -1)"
  if [ "$(echo "$arbor_out" | head -1)" != "$(echo "$peer_out" | head -1)" ]; then
    echo "checksums differ: the two did not compute the same thing" >&2
    echo "$arbor_out" >&2; echo "$peer_out" >&2
    exit 1
  fi
  arbor_totals+=("$(echo "$arbor_out" | awk '/^seconds/ {print $9}')")
  peer_totals+=("$(echo "$peer_out" | awk '/^seconds/ {print $9}')")
done
echo "checksums agree: $(echo "$arbor_out" | head -1)"
a_total=$(printf '%s\n' "${arbor_totals[@]}" | best)
p_total=$(printf '%s\n' "${peer_totals[@]}" | best)
ratio=$(python3 -c "print(f'{$p_total / $a_total:.1f}')")
echo "best of 3: Arbor ${a_total}s, networkx ${p_total}s: Arbor is ${ratio}x faster (goal: >= 10x)"
if [ "${1:-}" = "--record" ]; then
  python3 scripts/bench/record.py "taxonomy" "Benchmarks/taxonomy/run.sh --record" \
    "WordNet 3.0 nouns (82,115 nodes) as an edge list: load + all depths + 100,000 random LCAs (common ancestor of greatest shortest-path depth), best of 3 runs each. networkx $("$VENV/bin/python" -c 'import networkx; print(networkx.__version__)'). Arbor ${a_total} s, networkx ${p_total} s: **${ratio}x** (goal >= 10x)."
fi
