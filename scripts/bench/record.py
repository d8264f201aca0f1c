"""Replaces (or adds) one benchmark's section in docs/benchmarks.md.

usage: record.py KEY COMMAND TEXT
A section runs from '<!-- bench:KEY -->' to '<!-- /bench:KEY -->'.
"""
import datetime
import os
import platform
import sys

key, command, text = sys.argv[1], sys.argv[2], sys.argv[3]
path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "benchmarks.md")
try:
    doc = open(path).read()
except FileNotFoundError:
    doc = "# Benchmarks\n\nEach section is written by the command it names, which measures Arbor and its peer in the same run.\n"
cpu = platform.processor() or platform.machine()
section = (
    f"<!-- bench:{key} -->\n## {key}\n\n{text}\n\n"
    f"Reproduce: `{command}` (recorded {datetime.date.today().isoformat()}, {os.cpu_count()} cores, {cpu}).\n"
    f"<!-- /bench:{key} -->\n"
)
start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
if start in doc and end in doc:
    before = doc[: doc.index(start)]
    after = doc[doc.index(end) + len(end) :].lstrip("\n")
    doc = before + section + ("\n" + after if after else "")
else:
    doc = doc.rstrip("\n") + "\n\n" + section
open(path, "w").write(doc)
