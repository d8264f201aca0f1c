"""Organize benchmark: Arbor's topic trees against scikit-learn's hierarchical clusterings on the same
MiniLM embeddings of the wn-noun-gloss test split (see Benchmarks/organize/run.sh, docs/organize.md).

Every method's tree is scored by the same code: `arbor eval --task clustering` (per-level NMI and ARI,
dendrogram purity) and `--tree` (label-only navigation). The scikit-learn trees are named BERTopic's way,
each node by its top-5 class-based TF-IDF words against its siblings. Times are clustering seconds with
embeddings given (Arbor: its own clustering + naming report; end to end separately).
"""
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ARBOR = os.path.join(ROOT, ".build", "release", "arbor")
CORPUS = os.environ.get("ORGANIZE_CORPUS", os.path.join(ROOT, "corpora", "out", "wn-noun-gloss"))
OUT = os.path.join(ROOT, "Benchmarks", "out", "organize")
LEVELS = [11, 47, 129]
SEED = 0


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    entry = header["embeddings"]
    start, end = entry["data_offsets"]
    array = np.frombuffer(data[8 + length + start:8 + length + end], dtype="<f4").reshape(entry["shape"])
    return array, json.loads(header["__metadata__"]["ids"])


def arbor(*args):
    return subprocess.run([ARBOR, *args], check=True, capture_output=True, text=True)


def allocate(sizes, total):
    sizes = np.asarray(sizes, float)
    floor = 2 if total >= 2 * len(sizes) else 1
    counts = np.minimum(sizes, np.maximum(floor, np.floor(total * sizes / sizes.sum()))).astype(int)
    while counts.sum() > total:
        j = max((i for i in range(len(counts)) if counts[i] > floor), key=lambda i: counts[i])
        counts[j] -= 1
    while counts.sum() < total:
        gap = total * sizes / sizes.sum() - counts
        gap[counts >= sizes] = -np.inf
        counts[int(np.argmax(gap))] += 1
    return counts


def top_down(x):
    """SCYCHIC's top-down mode: k-means level by level, children in proportion to size."""
    n = len(x)
    groups = [np.arange(n)]
    labels = []
    for total in LEVELS:
        counts = allocate([len(g) for g in groups], total)
        level = np.zeros(n, int)
        new_groups = []
        for g, k in zip(groups, counts):
            if k <= 1 or len(g) <= k:
                parts = [g] if k <= 1 else [g[i:i + 1] for i in range(len(g))]
            else:
                assignment = KMeans(k, n_init=4, random_state=SEED).fit(x[g]).labels_
                parts = [g[assignment == c] for c in range(k) if (assignment == c).any()]
            for part in parts:
                level[part] = len(new_groups)
                new_groups.append(part)
        groups = new_groups
        labels.append(level)
    return labels


def bottom_up(x):
    """SCYCHIC's bottom-up mode: k-means of the documents, then of the cluster centroids, level by level."""
    fit = KMeans(LEVELS[-1], n_init=4, random_state=SEED).fit(x)
    documents = fit.labels_
    centroids = fit.cluster_centers_
    cluster_of = np.arange(LEVELS[-1])
    labels = [documents]
    for total in reversed(LEVELS[:-1]):
        coarser = KMeans(total, n_init=4, random_state=SEED).fit(centroids)
        cluster_of = coarser.labels_[cluster_of]
        labels.insert(0, cluster_of[documents])
        centroids = coarser.cluster_centers_
    return labels


def ward(x):
    """Agglomerative ward, one dendrogram cut at each level size."""
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=0, linkage="ward",
                                    compute_full_tree=True).fit(x)
    n = len(x)
    labels = []
    for k in LEVELS:
        find_parent = list(range(2 * n - 1))
        for step, (a, b) in enumerate(model.children_[: n - k]):
            find_parent[a] = n + step
            find_parent[b] = n + step

        def root(i):
            while find_parent[i] != i:
                find_parent[i] = find_parent[find_parent[i]]
                i = find_parent[i]
            return i

        labels.append(np.array([root(i) for i in range(n)]))
    return labels


def bisecting(x):
    """Bisecting k-means (largest-inertia cluster split by 2-means), cut after 10, 46 and 128 splits."""
    n = len(x)
    current = np.zeros(n, int)
    clusters = {0: np.arange(n)}
    labels = []
    next_id = 1
    targets = set(LEVELS)
    if 1 in targets:
        labels.append(current.copy())
    while len(clusters) < LEVELS[-1]:
        def inertia(members):
            c = x[members].mean(0)
            return float(((x[members] - c) ** 2).sum())
        largest = max(clusters, key=lambda c: inertia(clusters[c]) if len(clusters[c]) > 1 else -1)
        members = clusters.pop(largest)
        split = KMeans(2, n_init=1, random_state=SEED).fit(x[members]).labels_
        for side in (0, 1):
            part = members[split == side]
            clusters[next_id] = part
            current[part] = next_id
            next_id += 1
        if len(clusters) in targets:
            labels.append(current.copy())
    return labels


WORD = re.compile(r"(?u)\b\w\w+\b")
STOP = set("a an the of to in and or for with by on at from as is are be that this which who whom its it "
           "their his her than into used use".split())


def words(text):
    return [w for w in WORD.findall(text.lower()) if w not in STOP]


def ctfidf_labels(texts, paths):
    """BERTopic's naming: the top-5 class-based TF-IDF words of each node against its siblings."""
    tokens = [words(t) for t in texts]
    children = {}
    members = {}
    for d, path in enumerate(paths):
        parent = "root"
        for node in path:
            children.setdefault(parent, set()).add(node)
            members.setdefault(node, []).append(d)
            parent = node
    labels = {}
    for parent, kids in children.items():
        kids = sorted(kids)
        counts = {k: Counter(w for d in members[k] for w in tokens[d]) for k in kids}
        totals = {k: max(1, sum(counts[k].values())) for k in kids}
        average = sum(totals.values()) / len(kids)
        overall = Counter()
        for k in kids:
            overall.update(counts[k])
        for k in kids:
            scored = sorted(counts[k], key=lambda w: (-counts[k][w] / totals[k] * math.log(1 + average / overall[w]), w))
            labels[k] = " ".join(scored[:5]) or k
    return labels


def write_tree(prefix, labels_per_level, texts, ids):
    paths = [[f"L{level + 1}:{labels[d]}" for level, labels in enumerate(labels_per_level)] for d in range(len(ids))]
    names = ctfidf_labels(texts, paths)
    nodes = {}
    for path in paths:
        parent = None
        for node in path:
            nodes.setdefault(node, {"id": node, "label": names[node], **({"parents": [parent]} if parent else {})})
            parent = node
    tree_path = os.path.join(OUT, prefix + "-tree.json")
    with open(tree_path, "w") as f:
        json.dump({"format": "arbor-taxonomy", "version": 1, "nodes": list(nodes.values())}, f)
    assignments = os.path.join(OUT, prefix + "-assignments.jsonl")
    with open(assignments, "w") as f:
        for i, path in zip(ids, paths):
            f.write(json.dumps({"id": i, "path": path}) + "\n")
    return tree_path, assignments


def score(tree_path, assignments):
    result = arbor("eval", "--task", "clustering", "--taxonomy", os.path.join(CORPUS, "taxonomy.json"),
                   "--gold", os.path.join(CORPUS, "test.jsonl"), "--pred", assignments, "--json",
                   "--tree", tree_path, "--encoder", "minilm")
    report = json.loads(result.stdout)
    metrics = report.get("metrics", report)
    if isinstance(metrics, list):
        metrics = {m["name"]: m["value"] for m in metrics}
    return metrics


def row(name, metrics, seconds, sizes):
    nmi = [metrics[f"level-{i}-nmi"] for i in (1, 2, 3)]
    ari = [metrics[f"level-{i}-ari"] for i in (1, 2, 3)]
    return {
        "method": name, "nmi": nmi, "nmi_mean": sum(nmi) / 3, "ari_mean": sum(ari) / 3,
        "purity": metrics["dendrogram-purity"], "navigation": metrics["navigation-exact"],
        "navigation_levels": [metrics.get(f"navigation-level-{i}-accuracy", float("nan")) for i in (1, 2, 3)],
        "seconds": seconds, "sizes": sizes,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    test = os.path.join(CORPUS, "test.jsonl")
    records = [json.loads(line) for line in open(test)]
    texts = [r["text"] for r in records]
    embeddings = os.path.join(OUT, "test-minilm.safetensors")
    arbor("embed", test, "--out", embeddings, "--encoder", "minilm")
    x, ids = read_safetensors(embeddings)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    rows = []
    anchors = [("sklearn top-down k-means (SCYCHIC)", top_down), ("sklearn bottom-up k-means", bottom_up),
               ("sklearn ward, cut at 3 levels", ward), ("sklearn bisecting k-means", bisecting)]
    if os.environ.get("ORGANIZE_SKIP_WARD"):
        anchors = [a for a in anchors if a[1] is not ward]
    for name, method in anchors:
        start = time.perf_counter()
        labels = method(x)
        seconds = time.perf_counter() - start
        tree_path, assignments = write_tree(method.__name__, labels, texts, ids)
        rows.append(row(name, score(tree_path, assignments), seconds, [len(set(l)) for l in labels]))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)

    for name, extra in [("Arbor --levels 11,47,129 (default: --lexical-weight 0.8,0.7,0.4)", ["--levels", "11,47,129"]),
                        ("Arbor --levels 11,47,129 --lexical-weight 0.8", ["--levels", "11,47,129", "--lexical-weight", "0.8"]),
                        ("Arbor --levels 11,47,129 --lexical-weight 0.4", ["--levels", "11,47,129", "--lexical-weight", "0.4"]),
                        ("Arbor --levels 11,47,129 --lexical-weight 0", ["--levels", "11,47,129", "--lexical-weight", "0"]),
                        ("Arbor data-driven (--max-depth 3, default lexical weights)", [])]:
        prefix = os.path.join(OUT, "arbor-" + str(len(rows)))
        start = time.perf_counter()
        result = arbor("organize", "build", test, "--encoder", "minilm", "--out", prefix + "-tree.json",
                       "--assignments", prefix + "-assignments.jsonl", *extra)
        wall = time.perf_counter() - start
        timing = re.search(r"clustering ([0-9.]+) s", result.stderr)
        sizes = re.search(r"levels ([0-9/]+)", result.stderr).group(1)
        seconds = float(timing.group(1)) if timing else wall
        metrics = score(prefix + "-tree.json", prefix + "-assignments.jsonl")
        rows.append(row(name, metrics, seconds, [int(s) for s in sizes.split("/")]))
        rows[-1]["wall"] = wall
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)

    big = os.path.join(ROOT, "corpora", "out", "wn-glosses", "glosses.jsonl")
    big_seconds = None
    if os.path.exists(big) and not os.environ.get("ORGANIZE_SKIP_BIG"):
        start = time.perf_counter()
        result = arbor("organize", "build", big, "--encoder", "builtin", "--levels", "11,47,129",
                       "--out", os.path.join(OUT, "glosses-tree.json"),
                       "--assignments", os.path.join(OUT, "glosses-assignments.jsonl"))
        big_seconds = time.perf_counter() - start
        print(result.stderr, file=sys.stderr)

    reference = rows[0]["seconds"]
    lines = ["| method | level sizes | NMI L1/L2/L3 (mean) | ARI mean | dendrogram purity | label navigation exact "
             "(L1/L2/L3) | fit s | time vs sklearn top-down |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['method']} | {'/'.join(map(str, r['sizes']))} | "
            f"{'/'.join(f'{v:.3f}' for v in r['nmi'])} ({r['nmi_mean']:.3f}) | {r['ari_mean']:.3f} | "
            f"{r['purity']:.3f} | {r['navigation']:.3f} ({'/'.join(f'{v:.2f}' for v in r['navigation_levels'])}) | "
            f"{r['seconds']:.1f}{' (end to end %.1f)' % r['wall'] if 'wall' in r else ''} | "
            f"{r['seconds'] / reference:.2f} |")
    table = "\n".join(lines)
    if big_seconds is not None:
        table += (f"\n\nAll 117,659 WordNet 3.0 synset glosses (corpora/wn-glosses/build.py), builtin encoder, "
                  f"`--levels 11,47,129`, end to end: {big_seconds:.1f} s (goal < 120 s).")
    print(table)
    with open(os.path.join(OUT, "table.md"), "w") as f:
        f.write(table + "\n")


if __name__ == "__main__":
    main()
