#!/usr/bin/env python3
"""Benchmark: reading WordNet nouns as Arbor XML, `arbor` (release) against a Python/lxml peer.

Both sides do the same work on the same file: parse with libxml2 (lxml wraps it too), validate against
Schemas/taxonomy.xsd, and build the node table with every node's fields and parents, checking that
every parent exists. Arbor's side is `arbor taxonomy validate wordnet.xml` (read, build, print counts),
which also checks for cycles and computes depths. Prints the best of N wall-clock times for each and
their ratio.

Usage: python3 scripts/bench/xml_read.py [--runs 3] [--record]
(--record writes the result into docs/benchmarks.md through scripts/bench/record.py)
(creates a virtual environment with lxml on first use; builds arbor in release mode if needed)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV = os.path.join(os.path.expanduser("~"), ".cache", "arbor", "venv-bench-xml")
NS = "{https://arbor.dev/ns/taxonomy/1}"


def ensure_venv():
    python = os.path.join(VENV, "bin", "python")
    if sys.prefix != VENV:
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([python, "-m", "pip", "install", "-q", "lxml==6.1.3"])
        os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


def python_peer(path, schema_path):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    schema = etree.XMLSchema(etree.parse(schema_path))
    document = etree.parse(path, parser)
    schema.assertValid(document)
    nodes = {}
    order = []
    for node in document.getroot().iterchildren(NS + "node"):
        record = {"label": None, "altLabels": [], "definition": None, "parents": [], "attributes": {}}
        for child in node:
            tag = child.tag
            if tag == NS + "label":
                record["label"] = child.text or ""
            elif tag == NS + "altLabel":
                record["altLabels"].append(child.text or "")
            elif tag == NS + "definition":
                record["definition"] = child.text or ""
            elif tag == NS + "parent":
                record["parents"].append(child.get("ref"))
            elif tag == NS + "attribute":
                record["attributes"][child.get("key")] = child.text or ""
        node_id = node.get("id")
        if node_id in nodes:
            raise SystemExit(f"duplicate id {node_id}")
        nodes[node_id] = record
        order.append(node_id)
    for node_id in order:
        for parent in nodes[node_id]["parents"]:
            if parent not in nodes:
                raise SystemExit(f"unknown parent {parent}")
    return len(nodes)


def best_of(runs, work):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="write the result into docs/benchmarks.md")
    args = parser.parse_args()
    wordnet = "/usr/share/wordnet/data.noun"
    if not os.path.exists(wordnet):
        raise SystemExit(f"{wordnet} is missing (Debian package wordnet-base)")
    subprocess.check_call(["swift", "build", "-c", "release", "--product", "arbor"], cwd=ROOT,
                          stdout=subprocess.DEVNULL)
    arbor = os.path.join(ROOT, ".build", "release", "arbor")
    schema = os.path.join(ROOT, "Schemas", "taxonomy.xsd")
    with tempfile.TemporaryDirectory() as directory:
        xml = os.path.join(directory, "wordnet.xml")
        subprocess.check_call([arbor, "taxonomy", "convert", wordnet, xml])
        size = os.path.getsize(xml) / 1e6

        def run_arbor():
            out = subprocess.run([arbor, "taxonomy", "validate", xml], check=True, capture_output=True, text=True)
            return out.stdout.strip()

        arbor_seconds, arbor_output = best_of(args.runs, run_arbor)
        python_seconds, count = best_of(args.runs, lambda: python_peer(xml, schema))
    print(f"WordNet nouns as Arbor XML: {size:.1f} MB, {count} nodes")
    print(f"  arbor (release), read + validate + build: {arbor_seconds:.3f} s  ({arbor_output})")
    print(f"  python {sys.version.split()[0]} + lxml, parse + validate + table: {python_seconds:.3f} s")
    ratio = python_seconds / arbor_seconds
    print(f"  ratio python/arbor: {ratio:.2f}x (above 1: arbor is faster)")
    if args.record:
        import lxml.etree

        text = (
            f"WordNet 3.0 nouns written as Arbor XML ({size:.1f} MB, {count:,} nodes), read and validated against "
            f"Schemas/taxonomy.xsd, best of {args.runs} runs each. Arbor (release, `arbor taxonomy validate`, "
            f"whole process: read, XSD validation, build with cycle check and depths) {arbor_seconds:.3f} s; "
            f"Python {sys.version.split()[0]} + lxml {lxml.etree.__version__} (in-process: parse, XSD validation, "
            f"node table with parent check) {python_seconds:.3f} s: **{ratio:.2f}x**. Goal: a couple of seconds "
            f"at most for Arbor."
        )
        subprocess.check_call([
            sys.executable, os.path.join(ROOT, "scripts", "bench", "record.py"), "xml-read",
            "python3 scripts/bench/xml_read.py --record", text,
        ])


if __name__ == "__main__":
    ensure_venv()
    main()
