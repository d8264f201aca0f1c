#!/usr/bin/env python3
"""TF-IDF anchors for taxonomy expansion on wn-noun-expand (issue 6).

Both use scikit-learn's TfidfVectorizer (word 1-2-grams, defaults otherwise) fitted on the node texts
(`lemmas: gloss`, the `text` field of the terms files uses the same form):

- similarity: rank every node by cosine similarity to the query (the ranking is the candidate list);
- sibling vote: each of the 30 nodes most similar to the query votes for its parents with its cosine;
  parents are ranked by their summed votes.

Writes one prediction JSONL per anchor ({"id", "ranking": [top 100 ids]}) for `arbor eval --task
expansion`, and prints timings as JSON.

usage: anchors.py CORPUS_DIR OUT_DIR [--split test]
"""
import argparse
import json
import os
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


def text(label, alts, definition):
    t = ", ".join([label] + list(alts or []))
    return t + (": " + definition if definition else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--split", default="test")
    parser.add_argument("--votes", type=int, default=30)
    args = parser.parse_args()
    start = time.time()
    nodes = json.load(open(os.path.join(args.corpus, "taxonomy.json")))["nodes"]
    ids = [n["id"] for n in nodes]
    texts = [text(n["label"], n.get("altLabels"), n.get("definition")) for n in nodes]
    position = {i: k for k, i in enumerate(ids)}
    parents = [[position[p] for p in n.get("parents", [])] for n in nodes]
    terms = [json.loads(line) for line in open(os.path.join(args.corpus, f"{args.split}.terms.jsonl"))]
    queries = [text(t["label"], t.get("altLabels"), t.get("definition")) for t in terms]
    vectorizer = TfidfVectorizer(ngram_range=(1, 2))
    matrix = vectorizer.fit_transform(texts)
    q = vectorizer.transform(queries)
    sims = (q @ matrix.T).toarray()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "anchor-similarity.jsonl"), "w") as f_sim, \
            open(os.path.join(args.out, "anchor-vote.jsonl"), "w") as f_vote:
        for row, term in enumerate(terms):
            s = sims[row]
            top = np.argsort(-s, kind="stable")[:100]
            f_sim.write(json.dumps({"id": term["id"], "ranking": [ids[k] for k in top]}) + "\n")
            votes = {}
            for k in np.argsort(-s, kind="stable")[: args.votes]:
                for p in parents[k]:
                    votes[p] = votes.get(p, 0.0) + float(s[k])
            ranked = sorted(votes, key=lambda p: (-votes[p], p))[:100]
            f_vote.write(json.dumps({"id": term["id"], "ranking": [ids[p] for p in ranked]}) + "\n")
    print(json.dumps({"seconds": time.time() - start, "queries": len(terms)}))


if __name__ == "__main__":
    main()
