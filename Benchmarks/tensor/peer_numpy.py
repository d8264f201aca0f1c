"""The numpy side of Benchmarks/tensor/run.sh: the same training as `arbor-bench tensor`.

Linear -> LayerNorm -> GELU (exact erf form) -> Linear -> cross-entropy on one fixed batch, with
hand-written backward passes, clipping at global norm 1 (as torch.nn.utils.clip_grad_norm_) and
AdamW (decoupled decay, bias correction) with a linear warm-up/decay schedule whose first update
uses multiplier(0), as with torch's LambdaLR. Starts from DIR/init.safetensors written by Arbor.
Prints the first and last losses and the training time.
"""
import sys
import time

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf


def main(directory, steps):
    t = load_file(directory + "/init.safetensors")
    x = t["x"]
    labels = t["labels"].astype(np.int64)
    params = {k: t[k].copy() for k in ["w1", "b1", "gamma", "beta", "w2", "b2"]}
    decay = {"w1": True, "b1": False, "gamma": False, "beta": False, "w2": True, "b2": False}
    lr, wd, b1m, b2m, eps, warmup = 1e-3, 0.01, 0.9, 0.999, 1e-8, 5
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(val) for k, val in params.items()}
    n = x.shape[0]
    rows = np.arange(n)
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        p = params
        h = x @ p["w1"] + p["b1"]
        mu = h.mean(axis=1, keepdims=True)
        centered = h - mu
        var = (centered * centered).mean(axis=1, keepdims=True)
        rstd = 1.0 / np.sqrt(var + np.float32(1e-5))
        xhat = centered * rstd
        ln = xhat * p["gamma"] + p["beta"]
        cdf = np.float32(0.5) * (1 + erf(ln * np.float32(0.7071067811865476)))
        a = ln * cdf
        logits = a @ p["w2"] + p["b2"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(sums[:, 0]) - shifted[rows, labels]))
        losses.append(loss)
        # Backward.
        dlogits = exps / sums
        dlogits[rows, labels] -= 1
        dlogits /= n
        g = {"w2": a.T @ dlogits, "b2": dlogits.sum(axis=0)}
        da = dlogits @ p["w2"].T
        pdf = np.exp(np.float32(-0.5) * ln * ln) * np.float32(0.3989422804014327)
        dln = da * (cdf + ln * pdf)
        g["gamma"] = (dln * xhat).sum(axis=0)
        g["beta"] = dln.sum(axis=0)
        dxhat = dln * p["gamma"]
        width = h.shape[1]
        dh = (rstd / width) * (width * dxhat - dxhat.sum(axis=1, keepdims=True)
                               - xhat * (dxhat * xhat).sum(axis=1, keepdims=True))
        g["w1"] = x.T @ dh
        g["b1"] = dh.sum(axis=0)
        # Clip by global norm 1.
        norm = np.sqrt(sum(float((gv.astype(np.float64) ** 2).sum()) for gv in g.values()))
        coef = 1.0 / (norm + 1e-6)
        if coef < 1:
            for k in g:
                g[k] *= np.float32(coef)
        # AdamW.
        mult = step / max(1, warmup) if step < warmup else max(0.0, (steps - step) / max(1, steps - warmup))
        rate = np.float32(lr * mult)
        t_ = step + 1
        c1 = np.float32(1 - b1m ** t_)
        c2 = np.float32(1 - b2m ** t_)
        for k in params:
            if decay[k]:
                params[k] *= np.float32(1 - rate * wd)
            m[k] = np.float32(b1m) * m[k] + np.float32(1 - b1m) * g[k]
            v[k] = np.float32(b2m) * v[k] + np.float32(1 - b2m) * g[k] * g[k]
            params[k] -= rate * (m[k] / c1) / (np.sqrt(v[k] / c2) + np.float32(eps))
    seconds = time.perf_counter() - start
    print(f"losses {losses[0]} {losses[-1]}")
    print(f"seconds {seconds} per_step_ms {seconds / steps * 1000}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
