#!/usr/bin/env bash
# Compares arbor eval's hierarchical F1 with HiClass's own on any gold/prediction pair.
#
#   scripts/bench/hiclass_hf1_check.sh TAXONOMY GOLD.jsonl PRED.jsonl
#
# GOLD and PRED are JSONL records {"id": ..., "labels": [node ids of one path, top-down]}, the
# format of the corpora and of Benchmarks/classification/anchors.py's prediction files (other fields,
# such as "text", are ignored). The labels of a record become one row of HiClass's 2-D array ("" padding)
# in gold order; a missing prediction is an all-"" row. Prints hiclass.metrics.f1 micro and macro and
# arbor's h-micro-f1 and h-sample-f1, and exits 1 when they differ by more than 1e-9.
#
# HiClass does not close labels under ancestors: the comparison holds when every record names a full
# path (arbor's "consistency" is then 1; the script prints it). HiClass's macro divides by zero on an
# empty prediction; those samples are scored 0, as arbor does.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 TAXONOMY GOLD.jsonl PRED.jsonl" >&2
  exit 2
fi
cd "$(dirname "$0")/../.."
TAXONOMY=$1 GOLD=$2 PRED=$3
VENV=Benchmarks/metrics/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q hiclass numpy scikit-learn
fi
swift build -c release --product arbor >&2
ARBOR=$(swift build -c release --show-bin-path)/arbor
ARBOR_JSON=$("$ARBOR" eval --taxonomy "$TAXONOMY" --gold "$GOLD" --pred "$PRED" --json \
  --metrics h-micro-f1,h-sample-f1,consistency)
"$VENV/bin/python" - "$GOLD" "$PRED" "$ARBOR_JSON" <<'PY'
import json, sys, warnings
import numpy as np
from hiclass import metrics
warnings.filterwarnings("ignore")
def read(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            out[str(r["id"])] = r.get("labels", [])
    return out
gold, pred = read(sys.argv[1]), read(sys.argv[2])
ids = list(gold)
depth = max(1, max(len(v) for v in list(gold.values()) + list(pred.values())))
y_true = np.full((len(ids), depth), "", dtype=object)
y_pred = np.full((len(ids), depth), "", dtype=object)
for i, k in enumerate(ids):
    y_true[i, : len(gold[k])] = gold[k]
    p = pred.get(k, [])
    y_pred[i, : len(p)] = p
micro = float(metrics.f1(y_true, y_pred, average="micro"))
keep = np.array([any(x != "" for x in row) for row in y_pred])
macro = float(metrics.f1(y_true[keep], y_pred[keep], average="macro")) * int(keep.sum()) / len(ids)
a = json.loads(sys.argv[3])["metrics"]
print(f"samples            {len(ids)}")
print(f"hiclass f1 micro   {micro!r}")
print(f"arbor h-micro-f1   {a['h-micro-f1']!r}   diff {abs(micro - a['h-micro-f1']):.2e}")
print(f"hiclass f1 macro   {macro!r}   (per-sample mean; empty predictions scored 0)")
print(f"arbor h-sample-f1  {a['h-sample-f1']!r}   diff {abs(macro - a['h-sample-f1']):.2e}")
print(f"arbor consistency  {a['consistency']!r}")
sys.exit(0 if abs(micro - a["h-micro-f1"]) <= 1e-9 and abs(macro - a["h-sample-f1"]) <= 1e-9 else 1)
PY
