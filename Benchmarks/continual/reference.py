"""Python reference of the continual-learning baselines (issue 10), on the same stream and vectors as Arbor.

One linear head per level on frozen vectors; Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8); one update per
stream batch of 16, plus 16 rehearsal samples for the methods with a memory; evaluation every 1,000 stream
samples (and at each task's end) on the test documents whose class at that level has appeared in the stream.
Per-level prediction is the argmax of that level's head over the classes it knows (as HLE does), so the
consistency rate is measured, not enforced.

Methods:
  finetune      no memory, the stream label's level only
  er            reservoir memory (Chaudhry et al. 2019), the stream label's level only
  er-hier       reservoir memory, the known hierarchy: a label also trains its ancestors' heads
  er-hier-lb    er-hier with a level- and class-balanced memory (each level an equal share of the budget,
                each class an equal share of its level's; a random sample of the class furthest above its
                share is evicted), as Arbor's `balanced` policy
  joint         offline: 3 epochs over all stream records, shuffled, batch 16, labels plus ancestors

Growing a head with Adam state carried over is computed as one full-size head whose unseen classes are
masked out of the softmax: a masked row receives no gradient, so its weights and Adam moments stay zero
until its class appears, and the step count is shared, exactly as when a row (with zero moments) is
appended to a grown head.

usage: reference.py --stream S.jsonl --train-vectors TRAIN.safetensors --test-vectors TEST.safetensors
                    --test TEST.jsonl --taxonomy T.json --method M --seed N [--memory 2000] [--json]
"""
import argparse
import json
import struct
import sys
import time

import numpy as np


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    info = header["embeddings"]
    start, end = info["data_offsets"]
    array = np.frombuffer(data[start:end], dtype=np.float32).reshape(info["shape"])
    return array, json.loads(meta["ids"])


def load_taxonomy(path):
    doc = json.load(open(path))
    parent = {}
    for node in doc["nodes"]:
        parent[node["id"]] = node["parents"][0] if node["parents"] else None
    depth = {}

    def d(n):
        if n in depth:
            return depth[n]
        depth[n] = 0 if parent[n] is None else d(parent[n]) + 1
        return depth[n]

    for n in parent:
        d(n)
    return parent, depth


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Heads:
    """One linear head per level over every class of that level; rows of unseen classes are masked."""

    def __init__(self, classes_per_level, dim, lr=1e-3):
        self.W = [np.zeros((c, dim), np.float32) for c in classes_per_level]
        self.b = [np.zeros(c, np.float32) for c in classes_per_level]
        self.mW = [np.zeros_like(w) for w in self.W]
        self.vW = [np.zeros_like(w) for w in self.W]
        self.mb = [np.zeros_like(b) for b in self.b]
        self.vb = [np.zeros_like(b) for b in self.b]
        self.known = [np.zeros(c, bool) for c in classes_per_level]
        self.t = 0
        self.lr = lr
        self.fisher = None

    def logits(self, level, x):
        z = x @ self.W[level].T + self.b[level]
        z[:, ~self.known[level]] = -np.inf
        return z

    def grads(self, x, y):
        """Mean-over-batch summed per-level cross-entropy gradients; y[:, level] = class or -1."""
        gW, gb = [], []
        n = x.shape[0]
        for level in range(len(self.W)):
            rows = y[:, level] >= 0
            if not rows.any() or not self.known[level].any():
                gW.append(None)
                gb.append(None)
                continue
            xs = x[rows]
            z = self.logits(level, xs)
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(xs)), y[rows, level]] -= 1.0
            p /= n
            gW.append(p.T @ xs)
            gb.append(p.sum(axis=0))
        return gW, gb

    def step(self, gW, gb, extra=None):
        self.t += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        c1 = 1 - b1**self.t
        c2 = 1 - b2**self.t
        for level in range(len(self.W)):
            if gW[level] is None:
                continue
            for p, g, m, v in ((self.W[level], gW[level], self.mW[level], self.vW[level]),
                               (self.b[level], gb[level], self.mb[level], self.vb[level])):
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                p -= self.lr * (m / c1) / (np.sqrt(v / c2) + eps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stream", required=True)
    ap.add_argument("--train-vectors", required=True)
    ap.add_argument("--test-vectors", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--taxonomy", required=True)
    ap.add_argument("--method", default="er")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--memory", type=int, default=2000)
    ap.add_argument("--eval-every", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    parent, depth = load_taxonomy(args.taxonomy)
    levels = max(depth.values())
    level_nodes = [[n for n in parent if depth[n] == lv] for lv in range(1, levels + 1)]
    for nodes in level_nodes:
        nodes.sort()
    col = [{n: i for i, n in enumerate(nodes)} for nodes in level_nodes]

    train_x, train_ids = load_safetensors(args.train_vectors)
    test_x, test_ids = load_safetensors(args.test_vectors)
    row_of = {i: r for r, i in enumerate(train_ids)}
    stream = read_jsonl(args.stream)
    test = read_jsonl(args.test)
    test_row = {i: r for r, i in enumerate(test_ids)}
    tx = test_x[[test_row[r["id"]] for r in test]]
    ty = np.full((len(test), levels), -1, np.int64)
    for i, r in enumerate(test):
        for label in r["labels"]:
            ty[i, depth[label] - 1] = col[depth[label] - 1][label]

    t0 = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    method = args.method
    hier = method in ("er-hier", "er-hier-lb", "joint")
    use_memory = method in ("er", "er-hier", "er-hier-lb")

    def targets(record):
        y = np.full(levels, -1, np.int64)
        node = record["label"]
        lv = depth[node]
        y[lv - 1] = col[lv - 1][node]
        if hier:
            node = parent[node]
            while node is not None and depth[node] > 0:
                y[depth[node] - 1] = col[depth[node] - 1][node]
                node = parent[node]
        return y

    sx = train_x[[row_of[r["id"]] for r in stream]]
    sy = np.stack([targets(r) for r in stream])
    tasks = np.array([r["task"] for r in stream])
    heads = Heads([len(n) for n in level_nodes], sx.shape[1])
    exposed = [np.zeros(len(n), bool) for n in level_nodes]  # stream labels seen (for evaluation)

    evals = []  # (samples_seen, per-level accuracy, per-level per-class accuracy, task_end)

    def evaluate(seen, task_end):
        accs, per_class, preds = [], [], []
        for lv in range(levels):
            if heads.known[lv].any():
                preds.append(np.argmax(heads.logits(lv, tx), axis=1))
            else:
                preds.append(np.full(len(tx), -1))
        for lv in range(levels):
            mask = (ty[:, lv] >= 0) & exposed[lv][np.maximum(ty[:, lv], 0)]
            if mask.sum() == 0:
                accs.append(None)
                per_class.append({})
                continue
            correct = preds[lv][mask] == ty[mask, lv]
            accs.append(float(correct.mean()))
            cls = {}
            for c in np.unique(ty[mask, lv]):
                sel = ty[mask, lv] == c
                cls[int(c)] = float(correct[sel].mean())
            per_class.append(cls)
        evals.append((seen, accs, per_class, task_end))
        return preds

    def fit_batch(x, y):
        gW, gb = heads.grads(x, y)
        heads.step(gW, gb)

    memory_x, memory_y, memory_level, memory_class = [], [], [], []
    class_slots = {}  # (level, class) -> memory slots

    def balanced_victim(incoming):
        """Level- and class-balanced eviction: each level an equal share of the budget, each class an
        equal share of its level's; evict a random sample of the class furthest above its share (the
        incoming sample counted)."""
        counts = {c: len(v) for c, v in class_slots.items() if v}
        counts[incoming] = counts.get(incoming, 0) + 1
        per_level = {}
        for c in counts:
            per_level[c[0]] = per_level.get(c[0], 0) + 1
        level_share = args.memory / len(per_level)
        victim = max(counts, key=lambda c: (counts[c] - level_share / per_level[c[0]], -c[0], -c[1]))
        cand = class_slots.get(victim, [])
        if not cand:
            victim = max((c for c in counts if c != incoming), key=lambda c: (counts[c], -c[0], -c[1]))
            cand = class_slots[victim]
        return cand[rng.integers(len(cand))]
    seen_count = 0
    batch_size = 16
    if method == "joint":
        for r in sy:
            for lv in range(levels):
                if r[lv] >= 0:
                    heads.known[lv][r[lv]] = True
                    exposed[lv][r[lv]] = True
        n = len(sx)
        for epoch in range(3):
            order = rng.permutation(n)
            for s in range(0, n, batch_size):
                idx = order[s:s + batch_size]
                fit_batch(sx[idx], sy[idx])
        # Exposure for evaluation: the stream's own labels only.
        exposed = [np.zeros(len(nn), bool) for nn in level_nodes]
        for r in stream:
            lv = depth[r["label"]] - 1
            exposed[lv][col[lv][r["label"]]] = True
        preds = evaluate(len(sx), True)
    else:
        n = len(sx)
        next_eval = args.eval_every
        s = 0
        while s < n:
            # A batch never spans two tasks, so each task's last evaluation sees that task only.
            e = min(n, s + batch_size)
            change = np.nonzero(tasks[s + 1:e] != tasks[s])[0]
            if len(change):
                e = s + 1 + int(change[0])
            for i in range(s, e):
                for lv in range(levels):
                    if sy[i, lv] >= 0:
                        heads.known[lv][sy[i, lv]] = True
                lv = depth[stream[i]["label"]] - 1
                exposed[lv][col[lv][stream[i]["label"]]] = True
            bx, by = sx[s:e], sy[s:e]
            if use_memory and memory_x:
                k = min(batch_size, len(memory_x))
                pick = rng.choice(len(memory_x), size=k, replace=False)
                bx = np.concatenate([bx, np.stack([memory_x[j] for j in pick])])
                by = np.concatenate([by, np.stack([memory_y[j] for j in pick])])
            fit_batch(bx, by)
            if use_memory:
                for i in range(s, e):
                    seen_count += 1
                    lv = depth[stream[i]["label"]] - 1
                    cls = (lv, int(sy[i, lv]))
                    if len(memory_x) < args.memory:
                        memory_x.append(sx[i]); memory_y.append(sy[i])
                        memory_level.append(lv); memory_class.append(cls)
                        class_slots.setdefault(cls, []).append(len(memory_x) - 1)
                    elif method == "er-hier-lb":
                        j = balanced_victim(cls)
                        class_slots[memory_class[j]].remove(j)
                        memory_x[j] = sx[i]; memory_y[j] = sy[i]
                        memory_level[j] = lv; memory_class[j] = cls
                        class_slots.setdefault(cls, []).append(j)
                        continue
                    else:
                        j = rng.integers(seen_count)
                        if j < args.memory:
                            memory_x[j] = sx[i]; memory_y[j] = sy[i]
                            memory_level[j] = lv; memory_class[j] = cls
            task_end = e == n or tasks[e] != tasks[e - 1]
            if e >= next_eval or task_end:
                preds = evaluate(e, task_end)
                while next_eval <= e:
                    next_eval += args.eval_every
            s = e
        if evals[-1][0] != n:
            preds = evaluate(n, True)
    seconds = time.perf_counter() - t0

    result = summarize(evals, preds, ty, levels, level_nodes, parent, col, method == "joint")
    result["seconds"] = seconds
    result["method"] = method
    print(json.dumps(result))


def summarize(evals, preds, ty, levels, level_nodes, parent, col, offline):
    out = {"levels": []}
    task_ends = [e for e in evals if e[3]]
    for lv in range(levels):
        curve = [e[1][lv] for e in evals if e[1][lv] is not None]
        a_auc = float(np.mean(curve)) if curve and not offline else None
        ends = [e[1][lv] for e in task_ends if e[1][lv] is not None]
        a_avg = float(np.mean(ends)) if ends and not offline else None
        a_last = evals[-1][1][lv]
        forgetting = 0.0
        if len(task_ends) > 1 and not offline:
            final = task_ends[-1][2][lv]
            drops = []
            for c, acc in final.items():
                before = [e[2][lv][c] for e in task_ends[:-1] if c in e[2][lv]]
                if before:
                    drops.append(max(before) - acc)
            forgetting = float(np.mean(drops)) if drops else 0.0
        out["levels"].append({"level": lv + 1, "A_auc": a_auc, "A_avg": a_avg, "A_last": a_last,
                              "F_last": None if offline else forgetting})
    active = [lv for lv in range(levels) if evals[-1][1][lv] is not None]
    full = np.ones(len(ty), bool)
    right = np.ones(len(ty), bool)
    for lv in active:
        full &= ty[:, lv] >= 0
        right &= preds[lv] == ty[:, lv]
    out["path_accuracy"] = float(right[full].mean()) if full.any() else 0.0
    # Consistent: each predicted node lies below the predicted node of the nearest predicted level above.
    node_of = [level_nodes[lv] for lv in range(levels)]
    ancestors = {}

    def ancestor_set(node):
        if node not in ancestors:
            found, up = set(), parent[node]
            while up is not None:
                found.add(up)
                up = parent[up]
            ancestors[node] = found
        return ancestors[node]

    consistent = np.ones(len(ty), bool)
    for i in range(len(ty)):
        previous = None
        for lv in range(levels):
            p = preds[lv][i]
            if p < 0:
                continue
            node = node_of[lv][p]
            if previous is not None and previous not in ancestor_set(node):
                consistent[i] = False
                break
            previous = node
    out["consistency"] = float(consistent.mean())
    return out


if __name__ == "__main__":
    main()
