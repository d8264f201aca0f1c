"""Level-3 accuracy of `arbor classify` predictions: the share of gold records whose deepest gold
label is among the predicted labels.

usage: learn_score.py GOLD.jsonl PRED.jsonl      (standard library only)
"""
import json
import sys

gold = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
predicted = {}
for line in open(sys.argv[2]):
    if line.strip():
        record = json.loads(line)
        predicted[record["id"]] = set(record["labels"])
hits = sum(record["labels"][-1] in predicted.get(record["id"], set()) for record in gold)
print(f"{hits / max(1, len(gold)):.4f}")
