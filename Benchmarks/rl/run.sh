#!/usr/bin/env bash
# Synthetic tree-path RL experiment (issue 7): a complete 5-ary tree of depth 4, a linear softmax policy
# per node, every advantage estimator (grpo with group and batch scaling, rloo, tempo, node-grouped,
# tree-td, exact-value) against the exact-gradient oracle, 5 seeds, a learning-rate sweep per arm.
# Writes docs/rl-synthetic.md and docs/rl-synthetic.svg; with --record, also docs/benchmarks.md's section.
# Extra arguments go to `arbor-bench rl` (e.g. --steps 200 --seeds 2 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/../.."
record=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--record" ]; then record=1; else args+=("$arg"); fi
done
swift build -c release --product arbor-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
export OPENBLAS_NUM_THREADS=1
out=$("$BIN/arbor-bench" rl --out docs "${args[@]+"${args[@]}"}")
echo "$out"
if [ "$record" = 1 ]; then
  table=$(echo "$out" | grep '^|')
  ratio=$(echo "$out" | grep '^tempo / grpo')
  seconds=$(echo "$out" | awk '/^seconds/ {print $2}')
  python3 scripts/bench/record.py "rl-synthetic" "Benchmarks/rl/run.sh --record${args[*]+ ${args[*]}}" \
    "Synthetic tree-path RL (docs/rl-synthetic.md): complete 5-ary tree of depth 4, linear softmax policy per node, reward hF1, group size 8, 5 seeds, learning rate picked per arm. ${ratio} (goal: tempo at most 0.6x grpo). ${seconds} s wall with 2 worker threads on a shared 2-core machine.

${table}"
fi
