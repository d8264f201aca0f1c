"""Records for `arbor finetune` of an expansion model on wn-noun-expand (issue 7).

usage: expand_records.py CORPUS OUT_DIR [--train N] [--val M] [--seed S]

Writes OUT_DIR/expand-train.jsonl: N leaves of the taxonomy as pseudo-queries (as the expansion
trainer makes them; `arbor finetune` hides a record's own node when its "id" names one), each with its
label, altLabels, definition and "labels" = its parents; OUT_DIR/expand-val.jsonl: M other leaves the
same way (checkpoint selection); and OUT_DIR/expand-dev.jsonl: the dev terms joined with their gold
parents. Standard library only.
"""
import json
import os
import random
import sys

corpus, out = sys.argv[1], sys.argv[2]
count, validation, seed = 2000, 500, 0
args = sys.argv[3:]
while args:
    if args[0] == "--train":
        count = int(args[1])
    elif args[0] == "--val":
        validation = int(args[1])
    elif args[0] == "--seed":
        seed = int(args[1])
    else:
        sys.exit(__doc__)
    args = args[2:]

nodes = json.load(open(os.path.join(corpus, "taxonomy.json")))["nodes"]
has_child = {p for n in nodes for p in n.get("parents", [])}
leaves = sorted(n["id"] for n in nodes if n["id"] not in has_child and n.get("parents"))
sample = random.Random(seed).sample(leaves, min(count + validation, len(leaves)))
for name, chosen in (("expand-train.jsonl", set(sample[:count])), ("expand-val.jsonl", set(sample[count:]))):
    with open(os.path.join(out, name), "w") as f:
        for n in nodes:
            if n["id"] in chosen:
                record = {"id": n["id"], "label": n["label"], "altLabels": n.get("altLabels", []),
                          "definition": n.get("definition"), "labels": n["parents"]}
                f.write(json.dumps(record) + "\n")
gold = {}
for line in open(os.path.join(corpus, "dev.gold.jsonl")):
    record = json.loads(line)
    gold[record["id"]] = record["labels"]
with open(os.path.join(out, "expand-dev.jsonl"), "w") as f:
    for line in open(os.path.join(corpus, "dev.terms.jsonl")):
        record = json.loads(line)
        record["labels"] = gold[record["id"]]
        f.write(json.dumps(record) + "\n")
