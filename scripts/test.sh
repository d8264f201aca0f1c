#!/usr/bin/env bash
# Installs what is missing, builds Arbor and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
# The tests run concurrently in one process, and some code under test sets OpenBLAS's process-wide thread
# count for a while (SentenceEncoder's batch workers, the continual runner). A matrix product running
# meanwhile in another test can then round differently in the last digits, which breaks the tests that
# train twice and compare bit for bit. One BLAS thread for the whole run keeps them exact.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
swift test --skip-build --disable-xctest "$@"
