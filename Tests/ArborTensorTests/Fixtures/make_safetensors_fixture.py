#!/usr/bin/env python3
"""Writes tiny.safetensors and tiny.expected.json for ArborTensorTests.

The fixture is written by the reference `safetensors` package (not by Arbor), and the expected
values are what numpy reads back, so the Swift reader is checked against an independent writer.
Run from anywhere: python3 make_safetensors_fixture.py (it creates its own virtual environment).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(os.environ.get("TMPDIR", "/tmp"), "arbor-tensor-fixture-venv")


def ensure_venv():
    python = os.path.join(VENV, "bin", "python")
    if sys.executable != python:
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([python, "-m", "pip", "install", "-q",
                                   "numpy==2.*", "safetensors==0.8.*", "ml_dtypes"])
        os.execv(python, [python, os.path.abspath(__file__)])


def main():
    import ml_dtypes
    import numpy as np
    from safetensors.numpy import save_file

    f32 = np.array([[0.5, -1.25, 3.0], [1e-3, 123456.78, -0.0]], dtype=np.float32)
    # Half precision: one, minus two, the largest finite half, the smallest subnormal, a normal
    # fraction that is rounded, and the smallest normal.
    f16 = np.array([1.0, -2.0, 65504.0, 2.0 ** -24, 0.1, 2.0 ** -14], dtype=np.float16)
    bf16 = np.array([[1.0, -3.140625], [1e30, 0.1]], dtype=ml_dtypes.bfloat16)
    ids = np.arange(4, dtype=np.int64)
    scalar = np.array(7.5, dtype=np.float32)
    empty = np.zeros((0, 3), dtype=np.float32)
    tensors = {"f32.matrix": f32, "f16.vector": f16, "bf16.matrix": bf16, "i64.ids": ids,
               "scalar": scalar, "empty": empty}
    metadata = {"format": "arbor-test", "note": "caf\u00e9 \"quoted\""}
    path = os.path.join(HERE, "tiny.safetensors")
    save_file(tensors, path, metadata=metadata)

    expected = {}
    for name, array in tensors.items():
        if array.dtype == np.int64:
            continue
        expected[name] = {"shape": list(array.shape),
                          "values": [float(v) for v in array.astype(np.float32).ravel()]}
    with open(os.path.join(HERE, "tiny.expected.json"), "w") as handle:
        json.dump({"tensors": expected, "metadata": metadata}, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    ensure_venv()
    main()
