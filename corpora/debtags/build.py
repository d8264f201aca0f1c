#!/usr/bin/env python3
"""Builds the debtags corpus from the Debian package metadata on this machine.

Multi-path hierarchical text classification with two levels, as the
classification issue defines it: level 1 is the Debtags facet, level 2 the tag
`facet::tag`; the `role` and `special` facets and tags with fewer than 20
packages are left out; a package's text is its name, short description and long
description; the split is crc32 (IEEE) of the package name mod 10: 0-1 test,
2 dev, 3-9 train. Packages left with no tag are dropped.

Package records come from `apt-cache dumpavail` (Package, Description,
Description-md5, Tag); long descriptions from apt's Translation-en lists, which
Debian's container images do not download by default: the script fetches them
once with `apt-get -o Acquire::Languages=en update` (root) when they are absent.
Its counts depend on the package lists, so it prints them with SHA-256 checksums.

Writes OUT/{train,dev,test}.jsonl (`{"id", "text", "labels": [facet, facet::tag, ...]}`)
and OUT/taxonomy.json (Arbor JSON: root `debtags`, facets, tags). Standard library only.

usage: build.py [--out DIR]
"""
import argparse
import collections
import glob
import hashlib
import json
import os
import subprocess
import sys
import zlib

LISTS = "/var/lib/apt/lists"
LEFT_OUT_FACETS = {"role", "special"}
MINIMUM_PACKAGES = 20


def stanzas(text):
    """Yields each RFC 822 stanza as a dict; continuation lines are joined with newlines."""
    record, key = {}, None
    for line in text.split("\n"):
        if not line.strip():
            if record:
                yield record
            record, key = {}, None
        elif line[0] in " \t" and key:
            record[key] += "\n" + line[1:]
        elif ":" in line:
            key, _, value = line.partition(":")
            record[key] = value.strip()
    if record:
        yield record


def translations():
    files = glob.glob(os.path.join(LISTS, "*_i18n_Translation-en*"))
    if not files:
        print("fetching Translation-en lists: apt-get -o Acquire::Languages=en update", file=sys.stderr)
        subprocess.run(["apt-get", "-o", "Acquire::Languages=en", "update", "-qq"], check=True)
        files = glob.glob(os.path.join(LISTS, "*_i18n_Translation-en*"))
    long_by_md5 = {}
    for path in sorted(files):
        text = subprocess.check_output(["/usr/lib/apt/apt-helper", "cat-file", path], text=True)
        for record in stanzas(text):
            description = record.get("Description-en", "")
            md5 = record.get("Description-md5")
            if md5 and description:
                long_by_md5[md5] = description
    return long_by_md5


def long_text(description):
    """The long description with Debian's ' .' paragraph markers removed."""
    lines = description.split("\n")[1:]
    return " ".join(l.strip() for l in lines if l.strip() != ".").strip()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "out", "debtags"))
    args = parser.parse_args()
    long_by_md5 = translations()
    packages = {}
    dump = subprocess.check_output(["apt-cache", "dumpavail"], text=True)
    for record in stanzas(dump):
        name = record.get("Package")
        if not name or name in packages or "Tag" not in record:
            continue
        tags = [t.strip() for t in record["Tag"].replace("\n", " ").split(",") if "::" in t]
        tags = [t for t in tags if t.split("::")[0] not in LEFT_OUT_FACETS]
        short = record.get("Description", "").split("\n")[0]
        body = long_text(long_by_md5.get(record.get("Description-md5", ""), ""))
        packages[name] = (tags, " ".join(p for p in (name, short, body) if p))
    counts = collections.Counter(t for tags, _ in packages.values() for t in set(tags))
    kept_tags = sorted(t for t, c in counts.items() if c >= MINIMUM_PACKAGES)
    kept = set(kept_tags)
    facets = sorted({t.split("::")[0] for t in kept_tags})

    splits = {"train": [], "dev": [], "test": []}
    for name in sorted(packages):
        tags, text = packages[name]
        labels = sorted({t for t in tags if t in kept})
        if not labels:
            continue
        full = sorted({t.split("::")[0] for t in labels}) + labels
        bucket = zlib.crc32(name.encode("utf-8")) % 10
        split = "test" if bucket <= 1 else "dev" if bucket == 2 else "train"
        splits[split].append({"id": name, "text": text, "labels": full})

    os.makedirs(args.out, exist_ok=True)
    for split, records in splits.items():
        with open(os.path.join(args.out, split + ".jsonl"), "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    nodes = [{"id": "debtags", "label": "Debtags", "parents": []}]
    nodes += [{"id": f, "label": f, "parents": ["debtags"]} for f in facets]
    nodes += [{"id": t, "label": t.split("::")[1], "parents": [t.split("::")[0]]} for t in kept_tags]
    with open(os.path.join(args.out, "taxonomy.json"), "w", encoding="utf-8") as f:
        f.write('{\n  "format": "arbor-taxonomy",\n  "version": 1,\n  "nodes": [\n')
        f.write(",\n".join("    " + json.dumps(n, ensure_ascii=False) for n in nodes))
        f.write("\n  ]\n}\n")

    with_long = sum(1 for n, (tags, text) in packages.items() if text.count(" ") > 30)
    print(f"debtags: {len(packages)} tagged packages read ({with_long} with a long description)")
    print(f"labels: {len(facets)} facets, {len(kept_tags)} tags with >= {MINIMUM_PACKAGES} packages")
    print(f"documents: {len(splits['train'])} train, {len(splits['dev'])} dev, {len(splits['test'])} test")
    paths = [len([l for l in r["labels"] if "::" in l]) for s in splits.values() for r in s]
    print(f"tags per document: mean {sum(paths) / max(1, len(paths)):.2f}, max {max(paths, default=0)}")
    for name in ("train.jsonl", "dev.jsonl", "test.jsonl", "taxonomy.json"):
        path = os.path.join(args.out, name)
        print(f"sha256 {sha256(path)}  {os.path.normpath(path)}")


if __name__ == "__main__":
    sys.exit(main())
