#!/usr/bin/env python3
"""Writes training_init.safetensors and training_reference.json for OptimizerTests.

A small classifier (Linear -> LayerNorm -> exact GELU -> Linear -> cross-entropy, gradients clipped
at global norm 1, AdamW with decoupled weight decay and a linear warm-up/decay schedule) is trained
for 20 steps on one fixed batch, here in numpy with hand-written backward passes. The Swift test
trains the same model with ArborTensor from the same initial weights and compares every loss and
the final parameters. Creates its own virtual environment (numpy, scipy, safetensors).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(os.environ.get("TMPDIR", "/tmp"), "arbor-tensor-fixture-venv")
STEPS, WARMUP, LR, WD, CLIP = 20, 4, 0.01, 0.05, 0.5


def ensure_venv():
    python = os.path.join(VENV, "bin", "python")
    if sys.executable != python:
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "numpy==2.*", "scipy", "safetensors==0.8.*",
                               "ml_dtypes"])
        os.execv(python, [python, os.path.abspath(__file__)])


def main():
    import numpy as np
    from safetensors.numpy import save_file
    from scipy.special import erf

    rng = np.random.default_rng(20261125)
    batch, inputs, hidden, classes = 16, 12, 10, 5
    init = {
        "x": rng.standard_normal((batch, inputs)).astype(np.float32),
        "labels": rng.integers(0, classes, batch).astype(np.float32),
        "w1": (rng.standard_normal((inputs, hidden)) * 0.4).astype(np.float32),
        "b1": (rng.standard_normal(hidden) * 0.1).astype(np.float32),
        "gamma": (1 + rng.standard_normal(hidden) * 0.1).astype(np.float32),
        "beta": (rng.standard_normal(hidden) * 0.1).astype(np.float32),
        "w2": (rng.standard_normal((hidden, classes)) * 0.4).astype(np.float32),
        "b2": np.zeros(classes, dtype=np.float32),
    }
    save_file(init, os.path.join(HERE, "training_init.safetensors"))

    x, labels = init["x"].astype(np.float64), init["labels"].astype(np.int64)
    p = {k: init[k].astype(np.float64) for k in ["w1", "b1", "gamma", "beta", "w2", "b2"]}
    decay = {"w1": True, "b1": False, "gamma": False, "beta": False, "w2": True, "b2": False}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(val) for k, val in p.items()}
    rows = np.arange(batch)
    losses, norms = [], []
    for step in range(STEPS):
        h = x @ p["w1"] + p["b1"]
        centered = h - h.mean(axis=1, keepdims=True)
        rstd = 1 / np.sqrt((centered ** 2).mean(axis=1, keepdims=True) + 1e-5)
        xhat = centered * rstd
        ln = xhat * p["gamma"] + p["beta"]
        cdf = 0.5 * (1 + erf(ln / np.sqrt(2)))
        a = ln * cdf
        logits = a @ p["w2"] + p["b2"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        losses.append(float(np.mean(np.log(sums[:, 0]) - shifted[rows, labels])))
        dlogits = exps / sums
        dlogits[rows, labels] -= 1
        dlogits /= batch
        g = {"w2": a.T @ dlogits, "b2": dlogits.sum(axis=0)}
        dln = (dlogits @ p["w2"].T) * (cdf + ln * np.exp(-0.5 * ln * ln) / np.sqrt(2 * np.pi))
        g["gamma"] = (dln * xhat).sum(axis=0)
        g["beta"] = dln.sum(axis=0)
        dxhat = dln * p["gamma"]
        dh = (rstd / hidden) * (hidden * dxhat - dxhat.sum(axis=1, keepdims=True)
                                - xhat * (dxhat * xhat).sum(axis=1, keepdims=True))
        g["w1"] = x.T @ dh
        g["b1"] = dh.sum(axis=0)
        norm = float(np.sqrt(sum((gv ** 2).sum() for gv in g.values())))
        norms.append(norm)
        coef = CLIP / (norm + 1e-6)
        if coef < 1:
            g = {k: gv * coef for k, gv in g.items()}
        mult = step / WARMUP if step < WARMUP else max(0.0, (STEPS - step) / (STEPS - WARMUP))
        rate = LR * mult
        t = step + 1
        for k in p:
            if decay[k]:
                p[k] = p[k] - rate * WD * p[k]
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            v[k] = 0.999 * v[k] + 0.001 * g[k] ** 2
            p[k] = p[k] - rate * (m[k] / (1 - 0.9 ** t)) / (np.sqrt(v[k] / (1 - 0.999 ** t)) + 1e-8)
    reference = {
        "steps": STEPS, "warmup": WARMUP, "learning_rate": LR, "weight_decay": WD, "clip": CLIP,
        "losses": losses, "gradient_norms": norms,
        "final": {k: [float(e) for e in val.ravel()] for k, val in p.items()},
    }
    with open(os.path.join(HERE, "training_reference.json"), "w") as handle:
        json.dump(reference, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    ensure_venv()
    main()
