"""Level-3 accuracy of `arbor classify` predictions: the share of gold records whose deepest gold
label is among the predicted labels; with a taxonomy, also the chance level of guessing uniformly
among the siblings of that label.

usage: learn_score.py GOLD.jsonl PRED.jsonl [TAXONOMY.json]      (standard library only)
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
result = f"{hits / max(1, len(gold)):.4f}"
if len(sys.argv) > 3:
    children = {}
    for node in json.load(open(sys.argv[3]))["nodes"]:
        for parent in node.get("parents", []):
            children.setdefault(parent, []).append(node["id"])
    chance = sum(1 / len(children[record["labels"][-2]]) for record in gold) / max(1, len(gold))
    result += f" {chance:.4f}"
print(result)
