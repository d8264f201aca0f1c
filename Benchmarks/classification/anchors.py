"""Peer systems for the classification benchmark (Benchmarks/classification/run.sh).

TF-IDF (word 1-2-grams, sublinear tf) with scikit-learn and HiClass, and fastText,
trained on a split of wn-noun-gloss (or any single-path corpus in the same JSONL
form). Writes one prediction file per system (`{"id", "labels": [path]}`) and
prints a JSON line per system with hF1 (micro, Kiritchenko et al. 2006, root
excluded), exact path accuracy, training seconds and documents classified per
second.

usage: anchors.py TRAIN.jsonl TEST.jsonl OUTDIR [--systems a,b,c]
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def h_scores(gold_paths, pred_paths):
    """Micro hF1 and exact path accuracy for single-path records (labels are full paths)."""
    inter = gold_total = pred_total = exact = 0
    for g, p in zip(gold_paths, pred_paths):
        gs, ps = set(g), set(p)
        inter += len(gs & ps)
        gold_total += len(gs)
        pred_total += len(ps)
        exact += gs == ps
    hp, hr = inter / pred_total, inter / gold_total
    return 2 * hp * hr / (hp + hr), exact / len(gold_paths)


def tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)


def run_flat_svc(train, test):
    from sklearn.svm import LinearSVC
    leaf_path = {r["labels"][-1]: r["labels"] for r in train}
    start = time.perf_counter()
    vec = tfidf()
    x = vec.fit_transform([r["text"] for r in train])
    model = LinearSVC().fit(x, [r["labels"][-1] for r in train])
    trained = time.perf_counter()
    leaves = model.predict(vec.transform([r["text"] for r in test]))
    done = time.perf_counter()
    return [leaf_path[l] for l in leaves], trained - start, done - trained


def run_hiclass(train, test, estimator):
    from hiclass import LocalClassifierPerParentNode
    start = time.perf_counter()
    vec = tfidf()
    x = vec.fit_transform([r["text"] for r in train])
    model = LocalClassifierPerParentNode(local_classifier=estimator, n_jobs=1)
    model.fit(x, np.array([r["labels"] for r in train]))
    trained = time.perf_counter()
    pred = model.predict(vec.transform([r["text"] for r in test]))
    done = time.perf_counter()
    return [[str(l) for l in row if str(l) != ""] for row in pred], trained - start, done - trained


def run_fasttext(train, test, outdir):
    import fasttext
    leaf_path = {r["labels"][-1]: r["labels"] for r in train}
    path = os.path.join(outdir, "fasttext.train.txt")
    with open(path, "w", encoding="utf-8") as f:
        for r in train:
            f.write("__label__" + r["labels"][-1] + " " + r["text"].replace("\n", " ") + "\n")
    start = time.perf_counter()
    model = fasttext.train_supervised(path, epoch=25, wordNgrams=2, thread=2, seed=0, verbose=0)
    trained = time.perf_counter()
    labels, _ = model.predict([r["text"].replace("\n", " ") for r in test])
    done = time.perf_counter()
    return [leaf_path[l[0][len("__label__"):]] for l in labels], trained - start, done - trained


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("test")
    parser.add_argument("outdir")
    parser.add_argument("--systems", default="flat-svc,hiclass-svc,hiclass-lr,fasttext")
    args = parser.parse_args()
    train, test = read(args.train), read(args.test)
    os.makedirs(args.outdir, exist_ok=True)
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC
    systems = {
        "flat-svc": lambda: run_flat_svc(train, test),
        "hiclass-svc": lambda: run_hiclass(train, test, LinearSVC()),
        "hiclass-lr": lambda: run_hiclass(train, test, LogisticRegression(max_iter=1000)),
        "fasttext": lambda: run_fasttext(train, test, args.outdir),
    }
    for name in args.systems.split(","):
        paths, train_s, predict_s = systems[name]()
        with open(os.path.join(args.outdir, name + ".pred.jsonl"), "w", encoding="utf-8") as f:
            for r, p in zip(test, paths):
                f.write(json.dumps({"id": r["id"], "labels": p}) + "\n")
        hf1, exact = h_scores([r["labels"] for r in test], paths)
        print(json.dumps({"system": name, "hF1": round(hf1, 4), "exact": round(exact, 4),
                          "train_seconds": round(train_s, 2), "docs_per_second": round(len(test) / predict_s, 1)}))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
