"""Cuts wn-noun-gloss for the `arbor learn` experiment: level-3 labels of some level-2 subtrees withheld.

usage: learn_cut.py CORPUS_DIR OUT_DIR [--new 1000] [--seed 0] [--min-subtrees 3]

CORPUS_DIR holds taxonomy.json and {train,test}.jsonl whose records carry "labels" = [level-1,
level-2, level-3 node ids]. Chooses level-2 nodes with at least two children (seeded, in a random
order) until their train documents number at least 2 x --new and at least --min-subtrees are chosen,
then writes to OUT_DIR:
  cut.json        the taxonomy without the children of the chosen nodes (the model's taxonomy)
  grown.json      the full taxonomy (what `arbor learn --taxonomy` receives)
  train.jsonl     every train document not held out; those under chosen nodes labelled at level 2
  new.jsonl       --new train documents under chosen nodes, full labels (the new documents)
  train_new.jsonl train.jsonl with new.jsonl's documents at full depth (for retraining from scratch)
  test_old.jsonl  test documents outside the chosen subtrees (old classes)
  test_new.jsonl  test documents inside them, full labels (new classes)
  cut.txt         the chosen nodes, one id a line
Standard library only; deterministic for a seed.
"""
import argparse
import json
import os
import random


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, records):
    with open(path, "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("out")
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-subtrees", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    taxonomy = json.load(open(os.path.join(args.corpus, "taxonomy.json")))
    nodes = taxonomy["nodes"]
    children = {}
    for node in nodes:
        for parent in node.get("parents", []):
            children.setdefault(parent, []).append(node["id"])
    train = read_jsonl(os.path.join(args.corpus, "train.jsonl"))
    test = read_jsonl(os.path.join(args.corpus, "test.jsonl"))

    per_level2 = {}
    for record in train:
        per_level2.setdefault(record["labels"][1], []).append(record)
    candidates = sorted(node for node, docs in per_level2.items() if len(children.get(node, [])) >= 2)
    rng = random.Random(args.seed)
    rng.shuffle(candidates)
    chosen, count = [], 0
    for node in candidates:
        if count >= 2 * args.new and len(chosen) >= args.min_subtrees:
            break
        chosen.append(node)
        count += len(per_level2[node])
    chosen_set = set(chosen)
    removed = {child for node in chosen for child in children[node]}
    # Deeper descendants too (none in the 3-level corpus, but keep the taxonomy valid if present).
    frontier = list(removed)
    while frontier:
        node = frontier.pop()
        for child in children.get(node, []):
            if child not in removed:
                removed.add(child)
                frontier.append(child)

    cut = dict(taxonomy)
    cut["nodes"] = [node for node in nodes if node["id"] not in removed]
    json.dump(cut, open(os.path.join(args.out, "cut.json"), "w"), indent=1)
    json.dump(taxonomy, open(os.path.join(args.out, "grown.json"), "w"), indent=1)

    inside = [r for r in train if r["labels"][1] in chosen_set]
    rng.shuffle(inside)
    new = sorted(inside[: args.new], key=lambda r: r["id"])
    new_ids = {r["id"] for r in new}
    kept, full = [], []
    for record in train:
        if record["id"] in new_ids:
            full.append(record)
            continue
        if record["labels"][1] in chosen_set:
            record = dict(record, labels=record["labels"][:2])
        kept.append(record)
        full.append(record)
    write_jsonl(os.path.join(args.out, "train.jsonl"), kept)
    write_jsonl(os.path.join(args.out, "new.jsonl"), new)
    write_jsonl(os.path.join(args.out, "train_new.jsonl"), full)
    write_jsonl(os.path.join(args.out, "test_old.jsonl"), [r for r in test if r["labels"][1] not in chosen_set])
    write_jsonl(os.path.join(args.out, "test_new.jsonl"), [r for r in test if r["labels"][1] in chosen_set])
    with open(os.path.join(args.out, "cut.txt"), "w") as f:
        f.write("\n".join(chosen) + "\n")
    new_classes = {r["labels"][2] for r in new}
    print(
        f"chose {len(chosen)} level-2 subtrees ({len(removed)} level-3 classes withheld, "
        f"{len(new_classes)} in the new documents); {len(kept)} train, {len(new)} new, "
        f"test {sum(r['labels'][1] not in chosen_set for r in test)} old / "
        f"{sum(r['labels'][1] in chosen_set for r in test)} new"
    )


if __name__ == "__main__":
    main()
