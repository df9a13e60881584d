"""Theory grid speed: the full 121 × 200 (λ, μ) grid, against baselines measured in the run.

    python benchmarks/theory.py

The grid is :func:`gnnrg.theory.grid.accuracy_grid` (two layers: Chebyshev λ columns,
interpolated), in this process and with ``jobs=2`` (the same map; worker processes take the
columns when they are slow enough to be worth it, their start-up counted in the first row that
uses them). Two-layer rows: against evaluating every λ column (3 columns between the
Chebyshev ones, scaled to 121), with the largest difference there ("max Δ": interpolation and
Monte Carlo error together). Two-class rows: against one call per point (the scalar API, a
sample of points scaled to the full grid). Every row: against simulating the same accuracies —
the exact nodewise formula averaged over 40 sampled graphs per λ column (all μ at once;
features integrated, so this is the cheapest Monte Carlo that reaches a standard error of about
0.001), measured on 2 columns and scaled to 121.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from gnnrg.parameters import block_probabilities, lam_range
from gnnrg.theory import graph_average_accuracy, linear_gcn_accuracy
from gnnrg.theory.grid import accuracy_grid

N, D = 1000, 10.0
#: the aggregation of each row by layer count
NORM = {1: "mean", 2: "sym"}
MUS = np.linspace(0, 2, 200)
#: (label, layers, classes, degree law) of each row
SETTINGS: list[tuple[str, int, int, dict[str, Any]]] = [
    ("2 classes, 1 layer", 1, 2, {}),
    ("2 classes, 2 layers (sym)", 2, 2, {}),
    ("3 classes", 1, 3, {}),
    ("5 classes", 1, 5, {}),
    ("7 classes", 1, 7, {}),
    ("5 classes, 2 layers (sym)", 2, 5, {}),
    ("7 classes, 2 layers (sym)", 2, 7, {}),
    ("power law 2.5, 2 classes", 1, 2, {"degree_law": "powerlaw", "degree_exponent": 2.5}),
    ("power law 3, 7 classes", 1, 7, {"degree_law": "powerlaw", "degree_exponent": 3.0}),
    ("lognormal, 5 classes", 1, 5, {"degree_law": "lognormal", "degree_sigma": 1.0}),
    ("power law 2.5, 2 layers (sym)", 2, 2, {"degree_law": "powerlaw", "degree_exponent": 2.5}),
]


def lams(classes: int) -> np.ndarray:
    low, high = lam_range(D, classes)
    return np.linspace(max(low, -3.0) * 0.999, min(high, 3.0) * 0.999, 121)


def grid(
    layers: int, classes: int, law: dict[str, Any], jobs: int = 1
) -> tuple[float, dict[str, Any]]:
    norm = NORM[layers]
    start = time.perf_counter()
    g = accuracy_grid(N, D, lams(classes), MUS, layers=layers, norm=norm, classes=classes,
                      jobs=jobs, **law)  # fmt: skip
    return time.perf_counter() - start, g


def by_column(
    layers: int, classes: int, law: dict[str, Any], g: dict[str, Any], columns: int = 3
) -> tuple[float, float]:
    """Every λ evaluated (timed on ``columns`` λ between the grid's columns, scaled to 121),
    and the largest |grid − column| there."""
    grid_lams = lams(classes)
    between = [j for j, lam in enumerate(grid_lams) if not np.isclose(g["columns"], lam).any()]
    picks = between[len(between) // (2 * columns) :: len(between) // columns][:columns]
    start = time.perf_counter()
    each = accuracy_grid(N, D, grid_lams[picks], MUS, layers=layers, norm=NORM[layers],
                         classes=classes, interpolate=False, **law)  # fmt: skip
    gap = float(np.abs(each["accuracy"] - g["accuracy"][:, picks]).max())
    return (time.perf_counter() - start) / len(picks) * len(grid_lams), gap


def pointwise(layers: int, points: int = 40) -> float:
    rng = np.random.default_rng(0)
    norm = NORM[layers]
    start = time.perf_counter()
    for _ in range(points):
        lam, mu = rng.choice(lams(2)), rng.choice(MUS)
        p_in, p_out = block_probabilities(N, D, lam)
        linear_gcn_accuracy(N, p_in, p_out, mu, layers=layers, norm=norm)
    return (time.perf_counter() - start) / points * len(lams(2)) * len(MUS)


def simulated(layers: int, classes: int, law: dict[str, Any], columns: int = 2) -> float:
    norm = NORM[layers]
    start = time.perf_counter()
    for lam in lams(classes)[:: len(lams(classes)) // columns][:columns]:
        p_in, p_out = block_probabilities(N, D, lam, classes)
        graph_average_accuracy(
            N, layers=layers, norm=norm, graphs=40, classes=classes, p_in=p_in, p_out=p_out,
            mu=MUS, **law,
        )  # fmt: skip
    return (time.perf_counter() - start) / columns * len(lams(classes))


def main() -> None:
    print(
        f"{'setting':<30} {'grid s':>7} {'2 workers s':>12} {'by column s':>12} {'ratio':>6} "
        f"{'max Δ':>7} {'per point s':>12} {'ratio':>6} {'simulated s':>12} {'ratio':>6}"
    )
    for label, layers, classes, law in SETTINGS:
        t_grid, g = grid(layers, classes, law)
        t_two, g_two = grid(layers, classes, law, jobs=2)
        assert np.array_equal(g_two["accuracy"], g["accuracy"], equal_nan=True)
        column = ""
        if layers == 2:
            t_column, gap = by_column(layers, classes, law, g)
            column = f"{t_column:>12.1f} {t_column / t_grid:>5.1f}x {gap:>7.4f}"
        point = ""
        if classes == 2 and not law:
            t_point = pointwise(layers)
            point = f"{t_point:>12.1f} {t_point / t_grid:>5.0f}x"
        t_sim = simulated(layers, classes, law)
        print(
            f"{label:<30} {t_grid:>7.1f} {t_two:>12.1f} {column:>27} {point:>19} {t_sim:>12.1f} "
            f"{t_sim / t_grid:>5.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
