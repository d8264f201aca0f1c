"""One-vs-rest linear anchors on debtags (issue 5): TF-IDF (word 1-2-grams, sublinear tf) and a
LinearSVC or LogisticRegression per label (facets and facet::tag labels alike), predicting every label
with a positive decision value, or the best one when none is positive. No hierarchy is used (the
"HiClass-free" anchor of the issue). Writes {"id", "labels"} JSONL and prints fit/predict seconds.

usage: debtags_anchor.py TRAIN.jsonl TEST.jsonl OUTDIR
"""
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

train_path, test_path, out = sys.argv[1:4]
train = [json.loads(line) for line in open(train_path)]
test = [json.loads(line) for line in open(test_path)]
binarizer = MultiLabelBinarizer()
y = binarizer.fit_transform([r["labels"] for r in train])
for name, make in [
    ("ovr-linearsvc", lambda: LinearSVC(C=1.0)),
    ("ovr-logreg", lambda: LogisticRegression(C=10.0, max_iter=1000)),
]:
    start = time.time()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    x = vectorizer.fit_transform([r["text"] for r in train])
    model = OneVsRestClassifier(make(), n_jobs=1).fit(x, y)
    fitted = time.time()
    scores = model.decision_function(vectorizer.transform([r["text"] for r in test]))
    predicted = time.time()
    with open(f"{out}/anchor-{name}.pred.jsonl", "w") as f:
        for record, row in zip(test, scores):
            chosen = np.flatnonzero(row > 0)
            if chosen.size == 0:
                chosen = [int(np.argmax(row))]
            labels = [binarizer.classes_[i] for i in chosen]
            f.write(json.dumps({"id": record["id"], "labels": labels}) + "\n")
    print(json.dumps({"system": name, "fit_s": round(fitted - start, 2), "predict_s": round(predicted - fitted, 2)}))
