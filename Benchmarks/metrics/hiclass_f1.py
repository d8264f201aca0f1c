#!/usr/bin/env python3
"""Times hiclass.metrics.f1 (micro and macro) on prepared arrays; prints JSON.

usage: hiclass_f1.py DIR   (DIR holds hiclass_true.npy and hiclass_pred.npy)
The timing covers hiclass.metrics.f1 itself (with its own input validation), not loading.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
from hiclass import metrics

warnings.filterwarnings("ignore")
d = sys.argv[1]
y_true = np.load(os.path.join(d, "hiclass_true.npy"), allow_pickle=True)
y_pred = np.load(os.path.join(d, "hiclass_pred.npy"), allow_pickle=True)
start, cpu_start = time.perf_counter(), time.process_time()
micro = metrics.f1(y_true, y_pred, average="micro")
micro_seconds, micro_cpu = time.perf_counter() - start, time.process_time() - cpu_start
out = {"samples": len(y_true), "hf1_micro": float(micro), "seconds_micro": micro_seconds, "cpu_micro": micro_cpu}
if "--macro" in sys.argv:
    # HiClass's macro divides by zero on an all-empty prediction row: score those samples 0.
    keep = np.array([any(x != "" for x in row) for row in y_pred])
    start = time.perf_counter()
    macro = metrics.f1(y_true[keep], y_pred[keep], average="macro")
    out["seconds_macro"] = time.perf_counter() - start
    out["hf1_sample"] = float(macro) * int(keep.sum()) / len(y_true)
print(json.dumps(out))
