"""The PyTorch side of the encoder benchmark: sentence-transformers all-MiniLM-L6-v2 on two threads.

usage: peer_sentence_transformers.py TEXTS.txt MODEL_DIR [--vectors OUT.f32] [--repeat N]
Prints 'seconds S texts_per_second R' for the best of N runs (batch 32, max length 128).
"""
import argparse
import time

import torch

torch.set_num_threads(2)
torch.set_num_interop_threads(1)

from sentence_transformers import SentenceTransformer  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("texts")
parser.add_argument("model")
parser.add_argument("--vectors")
parser.add_argument("--repeat", type=int, default=3)
args = parser.parse_args()
texts = [line for line in open(args.texts, encoding="utf-8").read().split("\n") if line]
model = SentenceTransformer(args.model, device="cpu")
model.max_seq_length = 128
with torch.inference_mode():
  model.encode(texts[:64], batch_size=32)  # warm-up
  best = float("inf")
  for _ in range(args.repeat):
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, convert_to_numpy=True)
    best = min(best, time.perf_counter() - start)
if args.vectors:
  vectors.astype("<f4").tofile(args.vectors)
print(f"torch {torch.__version__} threads {torch.get_num_threads()}")
print(f"seconds {best} texts_per_second {len(texts) / best}")
