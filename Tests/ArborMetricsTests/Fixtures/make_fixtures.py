#!/usr/bin/env python3
"""Generates the ArborMetrics test fixtures and their reference values.

Run: python3 Tests/ArborMetricsTests/Fixtures/make_fixtures.py
It creates Tests/ArborMetricsTests/Fixtures/.venv (ignored) with hiclass, scikit-learn and numpy,
re-runs itself there, and writes for each case <case>/taxonomy.json, gold.jsonl, pred.jsonl and
expected.json (full-precision floats). Every random choice comes from a seeded generator.

References used:
- hierarchical micro and sample-average P/R/F1: hiclass.metrics.precision/recall/f1 (micro/macro),
  on HiClass's 3-D label-path arrays (one row per root-to-node path of every label, "" padding);
  in DAGs a node has several paths and their union is its ancestor closure. HiClass divides by
  zero on an empty prediction, so samples with empty predictions are scored 0 (Arbor's documented
  convention) and HiClass's macro is taken over the others and re-weighted.
- flat, per-level and label-macro P/R/F1: sklearn precision_score/recall_score/f1_score on
  binarised label matrices (zero_division=0), labels = every non-root node (or the occurring ones).
- NMI / ARI: sklearn normalized_mutual_info_score / adjusted_rand_score.
- HierVerb's P- and C-metric, exact match, consistency, per-level accuracy, NDCG, taxonomy-expansion
  metrics and dendrogram purity: Python transcriptions of the formulas in docs/metrics.md
  (HierVerb: Ji et al., ACL 2023; Annif's NDCG; Wu & Palmer 1994; Heller & Ghahramani 2005),
  written independently of the Swift code, dendrogram purity by brute force over all pairs.
"""
import json
import math
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")


def ensure_venv():
    if os.environ.get("ARBOR_FIXTURE_VENV") == "1":
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "hiclass", "scikit-learn", "numpy"])
    env = dict(os.environ, ARBOR_FIXTURE_VENV="1", PYTHONHASHSEED="0")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


# ---------------------------------------------------------------- taxonomy


class Tax:
    def __init__(self, nodes):
        """nodes: list of (id, [parent ids]) in an order where parents come first; nodes[0] is the root."""
        self.ids = [n for n, _ in nodes]
        self.parents = {n: list(ps) for n, ps in nodes}
        self.root = nodes[0][0]
        self.children = {n: [] for n in self.ids}
        for n, ps in nodes:
            for p in ps:
                self.children[p].append(n)
        # shortest-path depth by BFS
        self.depth = {self.root: 0}
        frontier = [self.root]
        while frontier:
            nxt = []
            for n in frontier:
                for c in self.children[n]:
                    if c not in self.depth:
                        self.depth[c] = self.depth[n] + 1
                        nxt.append(c)
            frontier = nxt
        self.index = {n: i for i, n in enumerate(self.ids)}
        self._anc = {}

    def ancestors_incl(self, n):
        """n and all its ancestors, root included."""
        if n not in self._anc:
            out = {n}
            for p in self.parents[n]:
                out |= self.ancestors_incl(p)
            self._anc[n] = out
        return self._anc[n]

    def closure(self, labels):
        out = set()
        for n in labels:
            out |= self.ancestors_incl(n)
        out.discard(self.root)
        return out

    def paths_to(self, n):
        if n == self.root:
            return [[]]
        out = []
        for p in self.parents[n]:
            for path in self.paths_to(p):
                out.append(path + [n])
        return out

    def leaves(self):
        return [n for n in self.ids if not self.children[n] and n != self.root]

    def labelled(self):
        return [n for n in self.ids if n != self.root]

    def to_json(self):
        lines = ['{"format": "arbor-taxonomy", "version": 1, "nodes": [']
        rows = []
        for n in self.ids:
            node = {"id": n, "label": "Node " + n}
            if self.parents[n]:
                node["parents"] = self.parents[n]
            rows.append("  " + json.dumps(node))
        lines.append(",\n".join(rows))
        lines.append("]}")
        return "\n".join(lines) + "\n"


def random_tree(rng, depth, branching, prefix="n"):
    nodes = [("root", [])]
    frontier = ["root"]
    count = 0
    for _ in range(depth):
        nxt = []
        for parent in frontier:
            for _ in range(rng.randint(*branching)):
                count += 1
                nid = f"{prefix}{count}"
                nodes.append((nid, [parent]))
                nxt.append(nid)
        frontier = nxt
    return nodes


def random_dag(rng):
    nodes = random_tree(rng, 3, (2, 3), prefix="d")
    tax = Tax(nodes)
    by_depth = {}
    for n in tax.ids:
        by_depth.setdefault(tax.depth[n], []).append(n)
    out = []
    for n, ps in nodes:
        ps = list(ps)
        d = tax.depth[n]
        if d >= 2 and rng.random() < 0.35:
            # A second parent one level up (same depth as the first) ...
            extra = rng.choice(by_depth[d - 1])
            if extra not in ps:
                ps.append(extra)
        if d == 3 and rng.random() < 0.1:
            # ... or, rarely, two levels up, so shortest-path depth matters.
            extra = rng.choice(by_depth[1])
            if extra not in ps and all(extra not in tax.ancestors_incl(p) for p in ps):
                ps.append(extra)
        out.append((n, ps))
    return out


# ---------------------------------------------------------------- data


def noisy_prediction(rng, tax, gold_leaves, style):
    labelled = tax.labelled()
    pred = set()
    for g in gold_leaves:
        r = rng.random()
        if r < 0.45:
            target = g
        elif r < 0.7:
            # a sibling or cousin: a random node at the same depth
            same = [n for n in labelled if tax.depth[n] == tax.depth[g]]
            target = rng.choice(same)
        elif r < 0.85:
            # stop early: an ancestor
            anc = sorted(tax.closure([g]), key=lambda n: (tax.depth[n], tax.index[n]))
            target = rng.choice(anc)
        else:
            target = rng.choice(labelled)
        if style == "full":
            pred |= tax.closure([target])
        elif style == "leaf":
            pred.add(target)
        else:  # partial: the path with some ancestors dropped, plus dangling labels
            path = sorted(tax.closure([target]), key=tax.index.get)
            pred |= {n for n in path if n == target or rng.random() < 0.6}
    if style != "full" and rng.random() < 0.3:
        pred.add(rng.choice(labelled))
    return pred


def classification_case(rng, tax, n, multi, ranking):
    leaves = tax.leaves()
    labelled = tax.labelled()
    gold, pred = [], []
    for i in range(n):
        k = rng.choice([1, 2]) if multi else 1
        targets = []
        for _ in range(k):
            # mostly leaves, sometimes an inner node
            targets.append(rng.choice(leaves) if rng.random() < 0.8 else rng.choice(labelled))
        gstyle = rng.choice(["full", "leaf"])
        glabels = set()
        for t in targets:
            glabels |= tax.closure([t]) if gstyle == "full" else {t}
        gold.append({"id": f"s{i}", "labels": sorted(glabels, key=tax.index.get)})
        if rng.random() < 0.08:
            continue  # missing prediction
        style = rng.choice(["full", "full", "leaf", "partial"])
        plabels = noisy_prediction(rng, tax, targets, style)
        if rng.random() < 0.05:
            plabels = set()
        rec = {"id": f"s{i}", "labels": sorted(plabels, key=tax.index.get)}
        if ranking:
            cands = sorted(plabels, key=tax.index.get) + rng.sample(labelled, 4)
            scores = {}
            for c in cands:
                scores[c] = round(rng.random() * (2 if c in plabels else 1), 2)
            if rng.random() < 0.5:
                rec["scores"] = scores
            else:
                order = sorted(scores, key=lambda c: (-scores[c], cands.index(c)))
                rec["ranking"] = order
        pred.append(rec)
    # extra predictions without gold
    for j in range(3):
        pred.append({"id": f"extra{j}", "labels": [rng.choice(labelled)]})
    rng.shuffle(pred)
    return gold, pred


# ---------------------------------------------------------------- reference metrics


def hiclass_arrays(tax, sets, width=0, depth=1):
    """HiClass 3-D arrays: samples x paths x levels, '' padding.

    Gold and prediction must share the width: HiClass zips a sample's gold and predicted paths
    pairwise, so a narrower array would silently drop paths of the other."""
    rows = []
    for s in sets:
        paths = []
        for n in sorted(s, key=tax.index.get):
            # every root-to-node path of every label; the union of their nodes is the closure
            paths.extend(tax.paths_to(n))
        rows.append(paths if paths else [[]])
    width = max(width, max(len(r) for r in rows))
    depth = max(depth, max(len(p) for r in rows for p in r))
    import numpy as np

    arr = np.full((len(rows), width, depth), "", dtype=object)
    for i, r in enumerate(rows):
        for j, p in enumerate(r):
            for k, n in enumerate(p):
                arr[i, j, k] = n
    return arr


def hierarchical_reference(tax, gold_sets, pred_sets):
    import numpy as np
    from hiclass import metrics as hm

    shape = hiclass_arrays(tax, gold_sets + pred_sets).shape
    y_true = hiclass_arrays(tax, gold_sets, shape[1], shape[2])
    y_pred = hiclass_arrays(tax, pred_sets, shape[1], shape[2])
    out = {
        "h-micro-precision": float(hm.precision(y_true, y_pred, average="micro")),
        "h-micro-recall": float(hm.recall(y_true, y_pred, average="micro")),
        "h-micro-f1": float(hm.f1(y_true, y_pred, average="micro", zero_division="warn")),
    }
    keep = [i for i, s in enumerate(pred_sets) if tax.closure(s)]
    n = len(gold_sets)
    if keep:
        t, p = y_true[keep], y_pred[keep]
        out["h-sample-precision"] = float(hm.precision(t, p, average="macro")) * len(keep) / n
        out["h-sample-recall"] = float(hm.recall(t, p, average="macro")) * len(keep) / n
        out["h-sample-f1"] = float(hm.f1(t, p, average="macro", zero_division="warn")) * len(keep) / n
    return out


def binarize(sets, labels):
    import numpy as np

    col = {n: j for j, n in enumerate(labels)}
    m = np.zeros((len(sets), len(labels)), dtype=int)
    for i, s in enumerate(sets):
        for n in s:
            if n in col:
                m[i, col[n]] = 1
    return m


def prf(y, p, labels, average):
    from sklearn.metrics import f1_score, precision_score, recall_score

    if len(labels) == 0:
        return 0.0, 0.0, 0.0
    Y, P = binarize(y, labels), binarize(p, labels)
    kw = dict(average=average, zero_division=0)
    return (float(precision_score(Y, P, **kw)), float(recall_score(Y, P, **kw)), float(f1_score(Y, P, **kw)))


def occurring(labels, *set_lists):
    seen = set()
    for sets in set_lists:
        for s in sets:
            seen |= s
    return [n for n in labels if n in seen]


def hf(c, p, g):
    P = c / p if p else 0.0
    R = c / g if g else 0.0
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def hierverb_reference(tax, gold_given, pred_given, scope):
    """HierVerb's P-metric and C-metric, transcribed from docs/metrics.md (Ji et al. 2023)."""
    leaves = tax.leaves()
    labelled = tax.labelled()
    pc = {l: 0 for l in leaves}
    gc = {l: 0 for l in leaves}
    rc = {l: 0 for l in leaves}
    wrong = 0
    gold_atoms = 0
    cr = {n: 0 for n in labelled}
    cp = {n: 0 for n in labelled}
    cg = {n: 0 for n in labelled}
    for g, p in zip(gold_given, pred_given):
        G = tax.closure(g)
        valid = set()
        for l in leaves:
            path = tax.closure([l])
            if path <= p:
                pc[l] += 1
                valid |= path
                if l in G:
                    rc[l] += 1
            if l in G:
                gc[l] += 1
        wrong += len(p) - len(valid)
        gold_atoms += len(G)
        right = p & G
        for n in right:
            if tax.closure([n]) <= right:
                cr[n] += 1
        for n in p:
            cp[n] += 1
        for n in G:
            cg[n] += 1
    x = wrong / gold_atoms if gold_atoms else 0.0
    gamma = 1 - 2 * (1 / (1 + math.exp(-x)) - 0.5)

    def micro(r, p_, g_, keys):
        return hf(sum(r[k] for k in keys), sum(p_[k] for k in keys), sum(g_[k] for k in keys))[2]

    def macro(r, p_, g_, keys):
        if scope == "occurring":
            keys = [k for k in keys if p_[k] or g_[k]]
        if not keys:
            return 0.0
        return sum(hf(r[k], p_[k], g_[k])[2] for k in keys) / len(keys)

    return {
        "p-micro-f1": gamma * micro(rc, pc, gc, leaves),
        "p-macro-f1": gamma * macro(rc, pc, gc, leaves),
        "p-gamma": gamma,
        "c-micro-f1": micro(cr, cp, cg, labelled),
        "c-macro-f1": macro(cr, cp, cg, labelled),
    }


def hierverb_code_reference(tax, gold_given, pred_given):
    """HierVerb's util/eval.py compute_based_on_path, followed literally on a tree (value2slot =
    each node's single parent), with gold written as full paths as HierVerb's data sets have it.

    Differs from hierverb_reference only in `valid_count`, which sums the lengths of the complete
    predicted paths (shared ancestors counted once per path)."""
    leaves = tax.leaves()
    labelled = tax.labelled()
    parent = {n: (tax.parents[n][0] if tax.parents[n] and tax.parents[n][0] != tax.root else None) for n in labelled}
    path_set = [(tax.closure([l]), l) for l in leaves]
    right_c = [0] * len(path_set)
    gold_c = [0] * len(path_set)
    pred_c = [0] * len(path_set)
    wrong = 0
    gold_atoms = 0
    c_right = {n: 0 for n in labelled}
    c_gold = {n: 0 for n in labelled}
    c_pred = {n: 0 for n in labelled}
    for g_given, p in zip(gold_given, pred_given):
        gold = sorted(tax.closure(g_given), key=tax.index.get)  # full path
        pred = sorted(p, key=tax.index.get)
        gold_atoms += len(gold)
        predicted, golds = [], []
        for idx, (path, _) in enumerate(path_set):
            if len(path & set(pred)) == len(path):
                pred_c[idx] += 1
                predicted.append(idx)
            if len(path & set(gold)) == len(path):
                gold_c[idx] += 1
                golds.append(idx)
        for idx in set(golds) & set(predicted):
            right_c[idx] += 1
        wrong += len(pred) - sum(len(path_set[idx][0]) for idx in predicted)
        right_idxs = [g for g in gold for l in pred if g == l]
        for r in right_idxs:
            flag = True
            up = parent[r]
            while up is not None:
                if up not in right_idxs:
                    flag = False
                    break
                up = parent[up]
            if flag:
                c_right[r] += 1
        for g in gold:
            c_gold[g] += 1
        for l in pred:
            c_pred[l] += 1
    x = wrong / gold_atoms
    a = 1 - 2 * (1 / (1 + math.e ** (-x)) - 0.5)
    p_micro = hf(sum(right_c), sum(pred_c), sum(gold_c))[2]
    p_macro = sum(hf(r, p_, g)[2] for r, p_, g in zip(right_c, pred_c, gold_c)) / len(path_set)
    c_micro = hf(sum(c_right.values()), sum(c_pred.values()), sum(c_gold.values()))[2]
    c_macro = sum(hf(c_right[n], c_pred[n], c_gold[n])[2] for n in labelled) / len(labelled)
    return {"p-micro-f1": a * p_micro, "p-macro-f1": a * p_macro, "p-gamma": a, "c-micro-f1": c_micro,
            "c-macro-f1": c_macro}


def ranking_reference(gold_given, rankings, ks):
    from sklearn.metrics import f1_score, precision_score, recall_score

    labels = sorted({n for s in gold_given for n in s} | {n for r in rankings for n in r})
    out = {}
    Y = binarize(gold_given, labels)
    for k in ks:
        top = [set(r[:k]) for r in rankings]
        T = binarize(top, labels)
        kw = dict(average="samples", zero_division=0)
        out[f"p@{k}"] = float(precision_score(Y, T, **kw))
        out[f"r@{k}"] = float(recall_score(Y, T, **kw))
        out[f"f1@{k}"] = float(f1_score(Y, T, **kw))
        total = 0.0
        for g, r in zip(gold_given, rankings):
            dcg = sum(1 / math.log2(i + 2) for i, n in enumerate(r[:k]) if n in g)
            idcg = sum(1 / math.log2(i + 2) for i in range(min(k, len(g))))
            total += dcg / idcg if idcg > 0 else 1.0
        out[f"ndcg@{k}"] = total / len(gold_given)
    return out


def classification_reference(tax, gold, pred, scope="all", ks=(1, 3, 5)):
    by_id = {r["id"]: r for r in pred}
    gold_given = [set(r["labels"]) for r in gold]
    pred_records = [by_id.get(r["id"], {"labels": []}) for r in gold]
    pred_given = [set(r["labels"]) for r in pred_records]
    gold_closed = [tax.closure(s) for s in gold_given]
    pred_closed = [tax.closure(s) for s in pred_given]
    labelled = tax.labelled()
    out = {}
    macro_labels = labelled if scope == "all" else occurring(labelled, gold_given, pred_given)
    p, r, f = prf(gold_given, pred_given, labelled, "micro")
    out.update({"flat-micro-precision": p, "flat-micro-recall": r, "flat-micro-f1": f})
    p, r, f = prf(gold_given, pred_given, macro_labels, "macro")
    out.update({"flat-macro-precision": p, "flat-macro-recall": r, "flat-macro-f1": f})
    out.update(hierarchical_reference(tax, gold_given, pred_given))
    h_macro_labels = labelled if scope == "all" else occurring(labelled, gold_closed, pred_closed)
    p, r, f = prf(gold_closed, pred_closed, h_macro_labels, "macro")
    out.update({"h-label-macro-precision": p, "h-label-macro-recall": r, "h-label-macro-f1": f})
    out.update(hierverb_reference(tax, gold_given, pred_given, scope))
    n = len(gold)
    out["exact-match"] = sum(1 for g, p in zip(gold_closed, pred_closed) if g == p) / n
    out["consistency"] = sum(1 for p, pc in zip(pred_given, pred_closed) if p == pc) / n
    ranked = any("scores" in r or "ranking" in r for r in pred)
    if ranked:
        rankings = []
        for rec in pred_records:
            if "scores" in rec:
                items = list(rec["scores"].items())
                order = sorted(range(len(items)), key=lambda i: (-items[i][1], i))
                rankings.append([items[i][0] for i in order])
            elif "ranking" in rec:
                rankings.append(rec["ranking"])
            else:
                rankings.append(rec["labels"])
        out.update(ranking_reference(gold_given, rankings, ks))
    levels = []
    for d in range(1, max(tax.depth.values()) + 1):
        nodes = [x for x in labelled if tax.depth[x] == d]
        gl = [{x for x in s if tax.depth[x] == d} for s in gold_closed]
        pl = [{x for x in s if tax.depth[x] == d} for s in pred_closed]
        counted = [(a, b) for a, b in zip(gl, pl) if a or b]
        acc = sum(1 for a, b in counted if a == b) / len(counted) if counted else 0.0
        micro = prf(gl, pl, nodes, "micro")[2]
        mlabels = nodes if scope == "all" else occurring(nodes, gl, pl)
        macro = prf(gl, pl, mlabels, "macro")[2]
        levels.append({"depth": d, "samples": len(counted), "accuracy": acc, "micro-f1": micro, "macro-f1": macro})
    return out, levels


# ---------------------------------------------------------------- expansion


def expansion_reference(tax, gold, pred, ks=(1, 5, 10)):
    by_id = {r["id"]: r for r in pred}
    n = len(gold)
    hits = {k: 0 for k in ks}
    rr = 0.0
    wup = {1: 0.0, 0: 0.0}

    def lca_depth(a, b):
        common = tax.ancestors_incl(a) & tax.ancestors_incl(b)
        return max(tax.depth[c] for c in common)

    for g in gold:
        golds = g["labels"]
        rec = by_id.get(g["id"])
        if rec is None:
            continue
        if "scores" in rec:
            items = list(rec["scores"].items())
            order = [items[i][0] for i in sorted(range(len(items)), key=lambda i: (-items[i][1], i))]
            ranks = [1 + sum(1 for _, s in items if s > rec["scores"][x]) for x in golds if x in rec["scores"]]
        else:
            order = list(dict.fromkeys(rec.get("ranking", rec.get("labels", []))))
            ranks = [order.index(x) + 1 for x in golds if x in order]
        if ranks:
            best = min(ranks)
            rr += 1 / best
            for k in ks:
                if best <= k:
                    hits[k] += 1
        if order:
            p = order[0]
            for shift in (1, 0):
                vals = []
                for x in golds:
                    den = tax.depth[p] + tax.depth[x] + 2 * shift
                    vals.append(1.0 if den == 0 else 2 * (lca_depth(p, x) + shift) / den)
                wup[shift] += max(vals) if vals else 0.0
    out = {"accuracy": hits[1] / n}
    for k in ks:
        out[f"hit@{k}"] = hits[k] / n
    out["mrr"] = rr / n
    out["wu-palmer"] = wup[1] / n
    out["wu-palmer-root0"] = wup[0] / n
    return out


def expansion_case(rng, tax, n):
    labelled = tax.labelled()
    gold, pred = [], []
    for i in range(n):
        k = rng.choice([1, 1, 2])
        parents = rng.sample(tax.ids, k)  # the root may be a gold parent
        gold.append({"id": f"q{i}", "labels": sorted(parents, key=tax.index.get)})
        if rng.random() < 0.07:
            continue
        cands = rng.sample(tax.ids, 8)
        if rng.random() < 0.6:
            cands = [x for x in cands if x not in parents]
            for x in parents:
                cands.insert(rng.randrange(len(cands) + 1), x)
            cands = cands[:8]
        if rng.random() < 0.5:
            pred.append({"id": f"q{i}", "scores": {c: round(rng.random(), 1) for c in cands}})
        else:
            pred.append({"id": f"q{i}", "ranking": cands})
    return gold, pred


# ---------------------------------------------------------------- clustering


def clustering_reference(tax, gold, pred):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    by_id = {r["id"]: r for r in pred}
    items = []
    for g in gold:
        rec = by_id.get(g["id"])
        path = rec.get("path", []) if rec else []
        items.append((g["labels"], path))

    def class_at(labels, d):
        cands = [x for x in tax.closure(labels) if tax.depth[x] == d]
        return min(cands, key=tax.index.get) if cands else None

    def deepest(labels):
        return min(labels, key=lambda x: (-tax.depth[x], tax.index[x])) if labels else None

    def purity(classes, paths):
        num, pairs = 0.0, 0
        m = len(classes)
        for i in range(m):
            for j in range(i + 1, m):
                if classes[i] != classes[j]:
                    continue
                a, b = paths[i], paths[j]
                l = 0
                while l < min(len(a), len(b)) and a[l] == b[l]:
                    l += 1
                prefix = a[:l]
                under = [c for c, p in zip(classes, paths) if p[:l] == prefix]
                num += sum(1 for c in under if c == classes[i]) / len(under)
                pairs += 1
        return num / pairs if pairs else 0.0

    out, levels = {}, []
    for d in range(1, max(tax.depth.values()) + 1):
        cls, clu, paths = [], [], []
        for labels, path in items:
            c = class_at(labels, d)
            if c is None or len(path) < d:
                continue
            cls.append(c)
            clu.append("/".join(path[:d]))
            paths.append(path)
        if not cls:
            continue
        nmi = float(normalized_mutual_info_score(cls, clu))
        ari = float(adjusted_rand_score(cls, clu))
        dp = purity(cls, paths)
        out[f"level-{d}-nmi"] = nmi
        out[f"level-{d}-ari"] = ari
        out[f"level-{d}-dendrogram-purity"] = dp
        levels.append({"depth": d, "samples": len(cls), "nmi": nmi, "ari": ari, "dendrogram-purity": dp})
    fin = [(deepest(labels), path) for labels, path in items if labels]
    out["dendrogram-purity"] = purity([c for c, _ in fin], [p for _, p in fin])
    return out, levels


def clustering_case(rng, tax, n):
    leaves = tax.leaves()
    gold, pred = [], []
    for i in range(n):
        leaf = rng.choice(leaves)
        gold.append({"id": f"c{i}", "labels": [leaf]})
        path = sorted(tax.closure([leaf]), key=lambda x: (tax.depth[x], tax.index[x]))
        cl = []
        for d, node in enumerate(path):
            # cluster ids derived from the true node, with noise and some merges
            r = rng.random()
            if r < 0.7:
                cl.append("k" + node)
            elif r < 0.85:
                cl.append("k" + str(rng.randint(0, 2)))
            else:
                cl.append("x" + str(d))
        if rng.random() < 0.15:
            cl = cl[: rng.randint(0, len(cl))]
        pred.append({"id": f"c{i}", "path": cl})
    return gold, pred


# ---------------------------------------------------------------- main


def write_case(name, tax, gold, pred, expected):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "taxonomy.json"), "w") as f:
        f.write(tax.to_json())
    for fname, recs in (("gold.jsonl", gold), ("pred.jsonl", pred)):
        with open(os.path.join(d, fname), "w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    ensure_venv()
    import warnings

    warnings.filterwarnings("ignore")
    rng = random.Random(20261125)
    cases = [
        ("tree-single", Tax(random_tree(rng, 3, (2, 4))), False, False),
        ("tree-multi", Tax(random_tree(rng, 4, (1, 3))), True, True),
        ("dag-multi", Tax(random_dag(rng)), True, True),
    ]
    for name, tax, multi, ranking in cases:
        gold, pred = classification_case(rng, tax, 120, multi, ranking)
        expected = {}
        for scope in ("all", "occurring"):
            metrics, levels = classification_reference(tax, gold, pred, scope)
            expected[scope] = {"metrics": metrics, "levels": levels}
        if not any(len(ps) > 1 for ps in tax.parents.values()):
            by_id = {r["id"]: r for r in pred}
            pred_given = [set(by_id.get(r["id"], {"labels": []})["labels"]) for r in gold]
            code = hierverb_code_reference(tax, [set(r["labels"]) for r in gold], pred_given)
            ours = expected["all"]["metrics"]
            diff = {k: abs(v - ours[k]) for k, v in code.items()}
            print(f"{name}: HierVerb's code vs the transcription: largest difference {max(diff.values()):.2e}")
            expected["hierverb-code"] = code
        write_case(name, tax, gold, pred, expected)
    for name, tax in (("expansion-tree", Tax(random_tree(rng, 3, (2, 4)))), ("expansion-dag", Tax(random_dag(rng)))):
        gold, pred = expansion_case(rng, tax, 100)
        write_case(name, tax, gold, pred, {"metrics": expansion_reference(tax, gold, pred)})
    tax = Tax(random_tree(rng, 3, (2, 3)))
    gold, pred = clustering_case(rng, tax, 90)
    metrics, levels = clustering_reference(tax, gold, pred)
    write_case("clustering", tax, gold, pred, {"metrics": metrics, "levels": levels})
    print("wrote fixtures to", HERE)


if __name__ == "__main__":
    main()
