#!/usr/bin/env python3
"""Reference values for the BibTeX reader on biblatex's biblatex-examples.bib.

Run: python3 Tests/ArborOrganizeTests/Fixtures/make_biblatex_reference.py [PATH/biblatex-examples.bib]
(default: $ARBOR_BIBLATEX_EXAMPLES, else the Debian texlive-bibtex-extra path). It creates
Tests/ArborOrganizeTests/Fixtures/.venv (ignored) with bibtexparser 1.x and pylatexenc 2.x, re-runs
itself there and writes biblatex-examples.reference.json: for every entry, the id, the entry type
and the title, abstract, keywords and year as these two independent libraries read and decode them.

References: bibtexparser parses entries, @string macros (with # concatenation and the month names)
and comments; pylatexenc's LatexNodes2Text turns LaTeX into Unicode. Their output is normalised the
way Arbor documents its own (docs/organize-input.md): whitespace runs (U+00A0 from ~ included) become
one space, NFC. Arbor's reader must give the same values; where the two conventions differ on
purpose, the difference is listed in KNOWN_DIFFERENCES below and applied here, in the open.
"""
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
DEFAULT = "/usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib"

# Arbor's documented conventions where pylatexenc differs (each applied to the LaTeX before decoding):
KNOWN_DIFFERENCES = [
    # biblatex's \hyphen is a breakable hyphen; pylatexenc does not know the macro and drops it.
    (r"\\hyphen\s*", "-"),
    # pylatexenc does not know \TeX and drops it; Arbor writes "TeX" and, like TeX, skips the spaces after
    # the command word ("{\TeX book}" is "TeXbook").
    (r"\\TeX\s*", "TeX"),
]


def ensure_venv():
    if os.environ.get("ARBOR_FIXTURE_VENV") == "1":
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call(
            [python, "-m", "pip", "install", "-q", "bibtexparser>=1.4,<2", "pylatexenc>=2.10,<3"])
    env = dict(os.environ, ARBOR_FIXTURE_VENV="1")
    sys.exit(subprocess.call([python, os.path.abspath(__file__)] + sys.argv[1:], env=env))


def main():
    ensure_venv()
    import bibtexparser
    from bibtexparser.bparser import BibTexParser
    from pylatexenc.latex2text import LatexNodes2Text

    path = (sys.argv[1] if len(sys.argv) > 1 else None) or os.environ.get("ARBOR_BIBLATEX_EXAMPLES") or DEFAULT
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False, interpolate_strings=True)
    with open(path, encoding="utf-8") as handle:
        database = bibtexparser.load(handle, parser=parser)
    to_text = LatexNodes2Text()

    def decode(latex):
        for pattern, replacement in KNOWN_DIFFERENCES:
            latex = re.sub(pattern, replacement, latex)
        text = to_text.latex_to_text(latex)
        text = " ".join(text.replace("\u00a0", " ").split())
        return unicodedata.normalize("NFC", text)

    def year(entry):
        for field in ("year", "date"):
            match = re.search(r"\d+", decode(entry.get(field, "")))
            if match and len(match.group(0)) <= 4:
                return int(match.group(0))
        return None

    records = []
    for entry in database.entries:
        keywords = [k for k in (part.strip() for part in re.split(r"[,;]", decode(entry.get("keywords", "")))) if k]
        records.append({
            "id": entry["ID"],
            "entrytype": entry["ENTRYTYPE"].lower(),
            "title": decode(entry.get("title", "")),
            "text": decode(entry.get("abstract", "")),
            "keywords": keywords,
            "year": year(entry),
        })
    out = os.path.join(HERE, "biblatex-examples.reference.json")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"source": os.path.basename(path), "records": records}, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    print(f"wrote {len(records)} entries to {out}")


if __name__ == "__main__":
    main()
