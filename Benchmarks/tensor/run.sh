#!/usr/bin/env bash
# Benchmark: 50 training steps of a 512-512-1000 classifier (Linear, LayerNorm, exact GELU, Linear,
# cross-entropy, clipping, AdamW with warm-up/decay) on a fixed batch of 256, in ArborTensor (release
# build) and in numpy with hand-written backward passes, from the same initial weights, in one run.
# Both use one OpenBLAS thread. Prints the ratio; with --record, writes docs/benchmarks.md's section.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
OUT=Benchmarks/out/tensor
STEPS=50
mkdir -p "$OUT"
VENV=Benchmarks/.venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import numpy, scipy, safetensors" 2>/dev/null || "$VENV/bin/pip" install -q numpy scipy safetensors

swift build -c release --product arbor-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
rm -f "$OUT/init.safetensors"
export OPENBLAS_NUM_THREADS=1
# Three runs each, alternating; the minimum time is compared (the machine may be busy).
best() { sort -g | head -1; }
arbor_times=(); peer_times=()
for run in 1 2 3; do
  arbor_out=$("$BIN/arbor-bench" tensor "$OUT" "$STEPS")
  peer_out=$("$VENV/bin/python" Benchmarks/tensor/peer_numpy.py "$OUT" "$STEPS")
  echo "run $run Arbor: $(echo "$arbor_out" | tr '\n' ' ')"
  echo "run $run numpy: $(echo "$peer_out" | tr '\n' ' ')"
  # Same start, same arithmetic up to rounding: first and last losses agree to 1e-3 relative.
  python3 - "$(echo "$arbor_out" | head -1)" "$(echo "$peer_out" | head -1)" <<'PY'
import sys
a = [float(v) for v in sys.argv[1].split()[1:]]
b = [float(v) for v in sys.argv[2].split()[1:]]
if any(abs(x - y) > 1e-3 * max(abs(x), abs(y)) for x, y in zip(a, b)):
    sys.exit(f"losses differ: Arbor {a}, numpy {b}: the two did not compute the same thing")
PY
  arbor_times+=("$(echo "$arbor_out" | awk '/^seconds/ {print $2}')")
  peer_times+=("$(echo "$peer_out" | awk '/^seconds/ {print $2}')")
done
echo "losses agree: $(echo "$arbor_out" | head -1)"
a_time=$(printf '%s\n' "${arbor_times[@]}" | best)
p_time=$(printf '%s\n' "${peer_times[@]}" | best)
ratio=$(python3 -c "print(f'{$p_time / $a_time:.2f}')")
a_step=$(python3 -c "print(f'{$a_time / $STEPS * 1000:.1f}')")
p_step=$(python3 -c "print(f'{$p_time / $STEPS * 1000:.1f}')")
echo "best of 3: Arbor ${a_step} ms/step, numpy ${p_step} ms/step: Arbor is ${ratio}x faster"
if [ "${1:-}" = "--record" ]; then
  versions=$("$VENV/bin/python" -c 'import numpy, scipy; print(f"numpy {numpy.__version__}, scipy {scipy.__version__}")')
  python3 scripts/bench/record.py "tensor" "Benchmarks/tensor/run.sh --record" \
    "Training step of a 512-512-1000 classifier (Linear, LayerNorm, exact GELU, Linear, cross-entropy, clip at global norm 1, AdamW with warm-up/decay), batch 256, ${STEPS} steps from the same initial weights (first and last losses agree to 1e-3), one OpenBLAS thread each, best of 3. Peer: the same model in ${versions} with hand-written backward passes. Arbor ${a_step} ms/step, numpy ${p_step} ms/step: **${ratio}x**."
fi
