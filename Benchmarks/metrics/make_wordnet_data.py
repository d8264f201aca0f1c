#!/usr/bin/env python3
"""Writes seeded gold/prediction JSONL over the WordNet 3.0 noun taxonomy for benchmarks.

usage: make_wordnet_data.py DATA_NOUN OUT_DIR COUNT [SEED]

Nodes are WordNet noun synsets with Arbor's ids (wn:<offset>); parents are hypernym (@) and
instance-hypernym (@i) pointers. Only synsets with a single path to the root are sampled, so
HiClass's one-path-per-sample arrays hold exactly the ancestor closure Arbor computes. Each gold
record names a synset's full path (root excluded, top-down); each prediction a full path to the
same synset (60%), a sibling (20%), the parent (10%) or a random synset (10%). About 1% of the
predictions are missing. Also writes hiclass_true.npy / hiclass_pred.npy (object arrays, ""
padding) with the same content in HiClass's 2-D format; a missing prediction is an all-"" row.
"""
import json
import os
import random
import sys

import numpy as np


def load(path):
    parents = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("  "):
                continue
            head = line.split(" | ")[0].split()
            offset = head[0]
            w = int(head[3], 16)
            i = 4 + 2 * w
            p = int(head[i])
            i += 1
            ps = []
            for _ in range(p):
                sym, off, pos = head[i], head[i + 1], head[i + 2]
                i += 4
                if sym in ("@", "@i") and pos == "n":
                    ps.append("wn:" + off)
            parents["wn:" + offset] = ps
    return parents


def main():
    data, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 7
    rng = random.Random(seed)
    parents = load(data)
    children = {n: [] for n in parents}
    for n, ps in parents.items():
        for p in ps:
            children[p].append(n)
    roots = [n for n, ps in parents.items() if not ps]
    assert len(roots) == 1, roots
    root = roots[0]
    # Single-path synsets and their paths (root excluded, top-down).
    path = {root: []}
    order = [root]
    for n in order:
        for c in children[n]:
            if len(parents[c]) == 1 and c not in path:
                path[c] = path[n] + [c]
                order.append(c)
    nodes = [n for n in order if n != root]
    os.makedirs(out, exist_ok=True)
    depth = max(len(path[n]) for n in nodes)
    y_true = np.full((count, depth), "", dtype=object)
    y_pred = np.full((count, depth), "", dtype=object)
    with open(os.path.join(out, "gold.jsonl"), "w") as g, open(os.path.join(out, "pred.jsonl"), "w") as p:
        for i in range(count):
            node = rng.choice(nodes)
            gp = path[node]
            g.write('{"id": "d%d", "labels": %s}\n' % (i, json.dumps(gp)))
            y_true[i, : len(gp)] = gp
            r = rng.random()
            if r < 0.01:
                continue
            if r < 0.61:
                target = node
            elif r < 0.81:
                up = parents[node][0]
                sib = [c for c in children[up] if c in path]
                target = rng.choice(sib)
            elif r < 0.91:
                target = parents[node][0] if parents[node][0] != root else node
            else:
                target = rng.choice(nodes)
            pp = path[target]
            p.write('{"id": "d%d", "labels": %s}\n' % (i, json.dumps(pp)))
            y_pred[i, : len(pp)] = pp
    np.save(os.path.join(out, "hiclass_true.npy"), y_true, allow_pickle=True)
    np.save(os.path.join(out, "hiclass_pred.npy"), y_pred, allow_pickle=True)
    print(f"wrote {count} records over {len(nodes)} single-path synsets (depth <= {depth}) to {out}")


if __name__ == "__main__":
    main()
