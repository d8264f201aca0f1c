#!/usr/bin/env python3
"""Builds the wn-noun-gloss corpus from WordNet 3.0's data.noun.

Single-path, 3-level hierarchical text classification. Exactly as the
classification issue defines it:

- every synset is parsed; its hypernyms are its `@` and `@i` pointers in file
  order; its first-hypernym chain follows the first hypernym up to the root
  (`entity`, offset 00001740, depth 0);
- documents are the synsets whose chain puts them at depth >= 6; a document's
  labels are its chain nodes at depths 2, 3 and 4;
- documents whose depth-4 label covers fewer than 20 documents are dropped;
- text: the lemmas (underscores to spaces) joined by ", ", then ": ", then the
  gloss; id `wn:` + offset; labels `wn:` + offset;
- split by crc32 (IEEE) of the 8 ASCII digits of the offset, mod 10: 0-1 test,
  2 dev, 3-9 train.

Writes OUT/{train,dev,test}.jsonl (`{"id", "text", "labels": [l1, l2, l3]}`) and
OUT/taxonomy.json (Arbor JSON: `entity` as the root, the label nodes below it,
lemmas as labels, glosses as definitions). With --sample DIR it also writes a
small deterministic sample for tests and the quickstart. Prints counts and
SHA-256 checksums. Standard library only.

usage: build.py [--wordnet data.noun] [--out DIR] [--sample DIR]
"""
import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys
import zlib

ROOT = "00001740"


def locate_wordnet():
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.check_output([os.path.join(here, "..", "wordnet", "locate.sh"), "data.noun"], text=True).strip()


def parse(path):
    synsets = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("  "):
                continue
            fields_part, _, gloss = line.partition("|")
            fields = fields_part.split()
            offset = fields[0]
            w_cnt = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(w_cnt)]
            cursor = 4 + 2 * w_cnt
            p_cnt = int(fields[cursor])
            cursor += 1
            hypernyms = []
            for _ in range(p_cnt):
                symbol, target = fields[cursor], fields[cursor + 1]
                if symbol in ("@", "@i"):
                    hypernyms.append(target)
                cursor += 4
            synsets[offset] = (lemmas, hypernyms, gloss.strip())
    return synsets


def chain(synsets, offset):
    """The first-hypernym chain from the root down to the synset."""
    path = [offset]
    while synsets[path[-1]][1]:
        path.append(synsets[path[-1]][1][0])
    assert path[-1] == ROOT, path
    return path[::-1]


def text_of(synset):
    lemmas, _, gloss = synset
    return ", ".join(lemmas) + ": " + gloss


def split_of(offset):
    bucket = zlib.crc32(offset.encode("ascii")) % 10
    return "test" if bucket <= 1 else "dev" if bucket == 2 else "train"


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def write_taxonomy(path, synsets, label_nodes):
    """Arbor JSON: the root, then the label nodes level by level in offset order."""
    nodes = [{"id": "wn:" + ROOT, "label": synsets[ROOT][0][0], "definition": synsets[ROOT][2], "parents": []}]
    for level in (2, 3, 4):
        for offset in sorted(o for o, (d, _) in label_nodes.items() if d == level):
            lemmas, _, gloss = synsets[offset]
            parent = label_nodes[offset][1]
            node = {"id": "wn:" + offset, "label": lemmas[0]}
            if len(lemmas) > 1:
                node["altLabels"] = lemmas[1:]
            node["definition"] = gloss
            node["parents"] = ["wn:" + (parent if level > 2 else ROOT)]
            nodes.append(node)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{\n  "format": "arbor-taxonomy",\n  "version": 1,\n  "nodes": [\n')
        f.write(",\n".join("    " + json.dumps(n, ensure_ascii=False) for n in nodes))
        f.write("\n  ]\n}\n")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", help="path of WordNet 3.0 data.noun (default: the installed one)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "out", "wn-noun-gloss"))
    parser.add_argument("--sample", help="also write a small sample here")
    args = parser.parse_args()
    synsets = parse(args.wordnet or locate_wordnet())

    documents = []
    for offset in synsets:
        path = chain(synsets, offset)
        if len(path) - 1 >= 6:
            documents.append((offset, path[2], path[3], path[4]))
    coverage = collections.Counter(d[3] for d in documents)
    documents = [d for d in documents if coverage[d[3]] >= 20]

    label_nodes = {}  # offset -> (depth, parent offset)
    for offset, l1, l2, l3 in documents:
        label_nodes[l1] = (2, ROOT)
        label_nodes[l2] = (3, l1)
        label_nodes[l3] = (4, l2)

    splits = {"train": [], "dev": [], "test": []}
    for offset, l1, l2, l3 in documents:
        record = {"id": "wn:" + offset, "text": text_of(synsets[offset]), "labels": ["wn:" + l1, "wn:" + l2, "wn:" + l3]}
        splits[split_of(offset)].append(record)

    os.makedirs(args.out, exist_ok=True)
    for name, records in splits.items():
        write_jsonl(os.path.join(args.out, name + ".jsonl"), records)
    write_taxonomy(os.path.join(args.out, "taxonomy.json"), synsets, label_nodes)

    levels = [sum(1 for d, _ in label_nodes.values() if d == level) for level in (2, 3, 4)]
    print(f"wn-noun-gloss: {len(splits['train'])} train, {len(splits['dev'])} dev, {len(splits['test'])} test documents")
    print(f"labels per level: {levels[0]}, {levels[1]}, {levels[2]}")
    test_levels = [len({r["labels"][i] for r in splits["test"]}) for i in range(3)]
    print(f"labels present in test: {test_levels[0]}, {test_levels[1]}, {test_levels[2]}")
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl", "taxonomy.json"):
        path = os.path.join(args.out, name)
        print(f"sha256 {sha256(path)}  {os.path.normpath(path)}")

    if args.sample:
        # About 5% of each split, chosen by a second crc32 so the sample is stable.
        os.makedirs(args.sample, exist_ok=True)
        for name, records in splits.items():
            picked = [r for r in records if zlib.crc32(("sample:" + r["id"]).encode("ascii")) % 20 == 0]
            write_jsonl(os.path.join(args.sample, name + ".jsonl"), picked)
            print(f"sample {name}: {len(picked)} documents")
        write_taxonomy(os.path.join(args.sample, "taxonomy.json"), synsets, label_nodes)


if __name__ == "__main__":
    sys.exit(main())
