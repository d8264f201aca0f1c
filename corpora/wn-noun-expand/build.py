#!/usr/bin/env python3
"""Builds the wn-noun-expand taxonomy-expansion benchmark from WordNet 3.0's data.noun.

Exactly as the taxonomy-expansion issue defines it:

- the taxonomy is every noun synset with every `@` and `@i` edge; node text as
  in wn-noun-gloss (lemmas joined by ", ", then ": ", then the gloss);
- the leaves are the synsets with no hyponym; they are ordered by (crc32 of the
  ASCII string "wn-expand:" + the 8-digit offset, then the offset); the first
  1,000 are the test queries, the next 1,000 the dev queries; all 2,000 are
  removed from the taxonomy (80,115 nodes remain);
- a query's gold answer is the set of all its hypernyms.

Writes OUT/taxonomy.json (Arbor JSON: label = first lemma, altLabels = the
other lemmas, definition = gloss, parents in file order), OUT/{test,dev}.terms.jsonl
(`{"id", "label", "altLabels", "definition", "text"}`) and OUT/{test,dev}.gold.jsonl
(`{"id", "labels": [gold parent ids]}`). Prints counts and SHA-256 checksums.
Standard library only.

usage: build.py [--wordnet data.noun] [--out DIR]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wn-noun-gloss"))
from build import parse, locate_wordnet, text_of, write_jsonl, sha256  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", help="path of WordNet 3.0 data.noun (default: the installed one)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "out", "wn-noun-expand"))
    args = parser.parse_args()
    synsets = parse(args.wordnet or locate_wordnet())

    has_hyponym = set()
    for lemmas, hypernyms, gloss in synsets.values():
        has_hyponym.update(hypernyms)
    leaves = [o for o in synsets if o not in has_hyponym]
    leaves.sort(key=lambda o: (zlib.crc32(("wn-expand:" + o).encode("ascii")), o))
    test, dev = leaves[:1000], leaves[1000:2000]
    removed = set(test) | set(dev)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "taxonomy.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "format": "arbor-taxonomy",\n  "version": 1,\n  "nodes": [\n')
        lines = []
        for offset, (lemmas, hypernyms, gloss) in synsets.items():
            if offset in removed:
                continue
            node = {"id": "wn:" + offset, "label": lemmas[0]}
            if len(lemmas) > 1:
                node["altLabels"] = lemmas[1:]
            node["definition"] = gloss
            node["parents"] = ["wn:" + h for h in dict.fromkeys(hypernyms)]
            lines.append("    " + json.dumps(node, ensure_ascii=False))
        f.write(",\n".join(lines))
        f.write("\n  ]\n}\n")

    multi = {}
    for name, queries in (("test", test), ("dev", dev)):
        terms, gold = [], []
        for offset in queries:
            lemmas, hypernyms, gloss = synsets[offset]
            terms.append({"id": "wn:" + offset, "label": lemmas[0], "altLabels": lemmas[1:], "definition": gloss,
                          "text": text_of(synsets[offset])})
            gold.append({"id": "wn:" + offset, "labels": ["wn:" + h for h in dict.fromkeys(hypernyms)]})
        write_jsonl(os.path.join(args.out, name + ".terms.jsonl"), terms)
        write_jsonl(os.path.join(args.out, name + ".gold.jsonl"), gold)
        multi[name] = sum(1 for g in gold if len(g["labels"]) >= 2)

    print(f"wn-noun-expand: {len(synsets) - len(removed)} taxonomy nodes, {len(leaves)} leaves before removal")
    print(f"queries: {len(test)} test ({multi['test']} with two or more gold parents), "
          f"{len(dev)} dev ({multi['dev']} with two or more)")
    for name in ("taxonomy.json", "test.terms.jsonl", "test.gold.jsonl", "dev.terms.jsonl", "dev.gold.jsonl"):
        path = os.path.join(args.out, name)
        print(f"sha256 {sha256(path)}  {os.path.normpath(path)}")


if __name__ == "__main__":
    sys.exit(main())
