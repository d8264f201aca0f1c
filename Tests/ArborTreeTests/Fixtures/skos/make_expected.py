#!/usr/bin/env python3
"""Reference expectations for animals.rdf, computed with rdflib (an independent RDF/XML parser).

Applies the rules docs/formats.md gives for Arbor's SKOS reader to rdflib's graph and writes
animals.expected-LANG.json for LANG in en and de: every concept with its label, alternative labels
(as a set), definition, and the set of edges, the synthetic root's edges included. Node and parent
order are not part of the reference (an RDF graph has none); the Swift tests check those by hand.

Usage: python3 make_expected.py   (creates a virtual environment with rdflib on first use)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(os.path.expanduser("~"), ".cache", "arbor", "venv-skos-reference")


def ensure_venv():
    python = os.path.join(VENV, "bin", "python")
    if sys.prefix != VENV:
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([python, "-m", "pip", "install", "-q", "rdflib==7.6.0"])
        os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


def main():
    from rdflib import Graph, Literal, Namespace, RDF, RDFS, URIRef

    SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
    g = Graph()
    g.parse(os.path.join(HERE, "animals.rdf"), format="xml")

    schemes = set(g.subjects(RDF.type, SKOS.ConceptScheme))
    collections = set(g.subjects(RDF.type, SKOS.Collection))
    concepts = set(g.subjects(RDF.type, SKOS.Concept))
    for s, o in g.subject_objects(SKOS.broader):
        concepts |= {s, o}
    for s, o in g.subject_objects(SKOS.narrower):
        concepts |= {s, o}
    concepts |= set(g.objects(None, SKOS.hasTopConcept))
    concepts |= set(g.subjects(SKOS.topConceptOf, None))
    concepts -= schemes | collections

    def chosen(literals, language):
        literals = [l for l in literals if isinstance(l, Literal)]
        if not literals:
            return []
        tag = lambda l: (l.language or "").lower() or None
        exact = [l for l in literals if tag(l) == language]
        if exact:
            return exact
        ranged = sorted({tag(l) for l in literals if tag(l) and tag(l).startswith(language + "-")})
        if ranged:
            if len(ranged) > 1:
                raise SystemExit("ambiguous language range; the reference needs document order")
            return [l for l in literals if tag(l) == ranged[0]]
        untagged = [l for l in literals if tag(l) is None]
        if untagged:
            return untagged
        if len({tag(l) for l in literals}) > 1:
            raise SystemExit("several fallback languages; the reference needs document order")
        return literals

    def one(literals):
        if len(literals) > 1:
            raise SystemExit("several literals of the chosen language; the reference needs document order")
        return str(literals[0]) if literals else None

    for language in ("en", "de"):
        edges = set()
        for s, o in g.subject_objects(SKOS.broader):
            edges.add((str(o), str(s)))
        for s, o in g.subject_objects(SKOS.narrower):
            edges.add((str(s), str(o)))
        has_parent = {child for _, child in edges}
        tops = set(g.objects(None, SKOS.hasTopConcept)) | set(g.subjects(SKOS.topConceptOf, None))
        roots = [str(c) for c in concepts if str(c) not in has_parent]
        roots += [str(t) for t in tops if str(t) in has_parent]
        nodes = {}
        for c in concepts:
            label = one(chosen(list(g.objects(c, SKOS.prefLabel)), language)) or str(c)
            nodes[str(c)] = {
                "label": label,
                "altLabels": sorted(str(l) for l in chosen(list(g.objects(c, SKOS.altLabel)), language)),
                "definition": one(chosen(list(g.objects(c, SKOS.definition)), language)),
            }
        root = None
        if len(roots) > 1 or any(str(t) in has_parent for t in tops):
            (scheme,) = schemes
            root = {"id": str(scheme), "label": one(chosen(list(g.objects(scheme, SKOS.prefLabel)), language))}
            edges |= {(str(scheme), r) for r in roots}
        out = {
            "nodes": dict(sorted(nodes.items())),
            "edges": sorted([list(e) for e in edges]),
            "syntheticRoot": root,
        }
        path = os.path.join(HERE, f"animals.expected-{language}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote {path}: {len(nodes)} concepts, {len(edges)} edges", file=sys.stderr)


if __name__ == "__main__":
    ensure_venv()
    main()
