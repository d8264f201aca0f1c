"""Builds the wn-glosses corpus: every synset gloss of WordNet 3.0 (nouns, verbs, adjectives, adverbs).

One JSONL record per synset, {"id": "wn:<pos>:<offset>", "text": ..., "pos": "n|v|a|s|r"}, the text as in
wn-noun-gloss: the lemmas (underscores to spaces) joined by ", ", then ": ", then the gloss. Used to time
`arbor organize build` on 117,659 documents (Benchmarks/organize/run.sh). Prints counts and the sha256 of
the output.

usage: python3 corpora/wn-glosses/build.py [--out corpora/out/wn-glosses]
"""
import argparse
import hashlib
import os
import subprocess

FILES = ["data.noun", "data.verb", "data.adj", "data.adv"]


def locate(name):
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.check_output([os.path.join(here, "..", "wordnet", "locate.sh"), name], text=True).strip()


def records(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("  "):
                continue
            fields_part, _, gloss = line.partition("|")
            fields = fields_part.split()
            offset, pos = fields[0], fields[2]
            count = int(fields[3], 16)
            lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(count)]
            # Adjective lemmas may carry a syntactic marker such as "(a)" or "(p)".
            lemmas = [lemma.split("(")[0] if lemma.endswith(")") else lemma for lemma in lemmas]
            yield {"id": f"wn:{pos}:{offset}", "text": ", ".join(lemmas) + ": " + gloss.strip(), "pos": pos}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "out", "wn-glosses"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "glosses.jsonl")
    counts = {}
    temporary = path + ".tmp"
    import json
    with open(temporary, "w", encoding="utf-8") as out:
        for name in FILES:
            for record in records(locate(name)):
                counts[name] = counts.get(name, 0) + 1
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(temporary, path)
    for name in FILES:
        print(f"{name}: {counts.get(name, 0)} synsets")
    print(f"total: {sum(counts.values())} documents")
    with open(path, "rb") as f:
        print(f"sha256 {hashlib.sha256(f.read()).hexdigest()}  {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
