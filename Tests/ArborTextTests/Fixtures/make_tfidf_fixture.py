"""Makes tfidf_cases.json: scikit-learn TF-IDF weights (sublinear tf, smoothed idf, L2 norm) of word
unigrams, the reference for ArborText's TFIDFModel with unigram-only features.

Texts are WordNet glosses made lower-case ASCII letters and digits, so that scikit-learn's word pattern
and ArborText's word splitting see the same words. Run via make_fixtures.sh.
"""
import json
import os
import random
import re

from sklearn.feature_extraction.text import TfidfVectorizer

import fixture_strings

HERE = os.path.dirname(os.path.abspath(__file__))

rng = random.Random(20240403)
texts = []
for gloss in rng.sample(fixture_strings.wordnet_glosses(), 300):
  text = re.sub(r"[^a-z0-9]+", " ", gloss.lower()).strip()
  if text:
    texts.append(text)
vectorizer = TfidfVectorizer(
  token_pattern=r"[a-z0-9]+", lowercase=False, sublinear_tf=True, smooth_idf=True, norm="l2")
matrix = vectorizer.fit_transform(texts)
vocabulary = vectorizer.get_feature_names_out()
queries = texts[:20] + ["unseen words zzzz qqqq and the", "the the the of"]
rows = vectorizer.transform(queries)
weights = []
for index in range(len(queries)):
  row = rows[index]
  weights.append({vocabulary[column]: float(value) for column, value in zip(row.indices, row.data)})
with open(os.path.join(HERE, "tfidf_cases.json"), "w", encoding="utf-8") as handle:
  json.dump({"fit": texts, "queries": queries, "weights": weights}, handle, separators=(",", ":"))
