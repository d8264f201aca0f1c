#!/usr/bin/env bash
# Prints the path of an installed WordNet 3.0 database file (default data.noun).
# Looks at $WNSEARCHDIR, then Debian's wordnet-base location.
set -euo pipefail
name="${1:-data.noun}"
for dir in "${WNSEARCHDIR:-}" /usr/share/wordnet /usr/local/share/wordnet /usr/share/wordnet/dict; do
  if [ -n "$dir" ] && [ -f "$dir/$name" ]; then
    echo "$dir/$name"
    exit 0
  fi
done
echo "WordNet file $name not found; install it with: apt-get install wordnet-base" >&2
exit 1
