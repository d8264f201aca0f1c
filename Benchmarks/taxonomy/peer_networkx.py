"""The networkx side of Benchmarks/taxonomy/run.sh: the same work as `arbor-bench taxonomy`.

Loads the edge list into a DiGraph, computes every node's shortest-path depth from the
root, and for each pair the common ancestor (each node its own ancestor) of greatest
depth, the definition Arbor uses. Prints the same checksums and the timings.
"""
import sys
import time

import networkx as nx


def main(edges_path, pairs_path):
    with open(pairs_path) as f:
        pairs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    start = time.perf_counter()
    graph = nx.DiGraph()
    with open(edges_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) == 1:
                graph.add_node(fields[0])
            else:
                graph.add_edge(fields[0], fields[1])
    loaded = time.perf_counter()
    roots = [n for n, d in graph.in_degree() if d == 0]
    assert len(roots) == 1, roots
    depth = nx.single_source_shortest_path_length(graph, roots[0])
    depth_sum = sum(depth.values())
    depths = time.perf_counter()
    checksum = 0
    for a, b in pairs:
        above_a = nx.ancestors(graph, a)
        above_a.add(a)
        above_b = nx.ancestors(graph, b)
        above_b.add(b)
        checksum += max(depth[n] for n in above_a & above_b)
    end = time.perf_counter()
    print(f"nodes {graph.number_of_nodes()} depth_sum {depth_sum} lca_pairs {len(pairs)} lca_depth_sum {checksum}")
    print(f"seconds load {loaded - start:.6f} depths {depths - loaded:.6f} lca {end - depths:.6f} total {end - start:.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
