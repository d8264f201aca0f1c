"""Writes 5,000 WordNet 3.0 glosses (nouns and verbs, seeded sample), one per line."""
import random
import sys

glosses = []
for path in ("/usr/share/wordnet/data.noun", "/usr/share/wordnet/data.verb"):
  with open(path, encoding="utf-8") as handle:
    for line in handle:
      if not line.startswith("  ") and " | " in line:
        glosses.append(line.split(" | ", 1)[1].strip())
sample = random.Random(20261125).sample(glosses, int(sys.argv[2]) if len(sys.argv) > 2 else 5000)
with open(sys.argv[1], "w", encoding="utf-8") as handle:
  handle.write("\n".join(sample) + "\n")
