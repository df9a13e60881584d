"""Theory grid speed: the full 121 × 200 (λ, μ) grid, vectorised over μ vs one call per point.

    python benchmarks/theory.py

The baseline evaluates a sample of grid points one at a time (the scalar API) and is scaled to
the full grid; the ratio is measured in the same run.
"""

from __future__ import annotations

import time

import numpy as np

from gnnrg.parameters import block_probabilities
from gnnrg.theory import one_layer_accuracy, two_layer_accuracy

N, D = 1000, 10.0
LAMS, MUS = np.linspace(-3, 3, 121), np.linspace(0, 2, 200)


def grid(layers: int) -> float:
    start = time.perf_counter()
    for lam in LAMS:
        p_in, p_out = block_probabilities(N, D, lam)
        if layers == 1:
            one_layer_accuracy(N, p_in, p_out, MUS)
        else:
            two_layer_accuracy(N, p_in, p_out, MUS, norm="sym")
    return time.perf_counter() - start


def pointwise(layers: int, points: int = 40) -> float:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(points):
        lam, mu = rng.choice(LAMS), rng.choice(MUS)
        p_in, p_out = block_probabilities(N, D, lam)
        if layers == 1:
            one_layer_accuracy(N, p_in, p_out, mu)
        else:
            two_layer_accuracy(N, p_in, p_out, mu, norm="sym")
    return (time.perf_counter() - start) / points * len(LAMS) * len(MUS)


def main() -> None:
    print(f"{'layers':>6} {'grid s':>8} {'per-point s (projected)':>24} {'ratio':>7}")
    for layers in (1, 2):
        t_grid, t_point = grid(layers), pointwise(layers)
        print(f"{layers:>6} {t_grid:>8.2f} {t_point:>24.1f} {t_point / t_grid:>6.0f}x")


if __name__ == "__main__":
    main()
