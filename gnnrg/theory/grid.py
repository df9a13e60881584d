r"""Linear-GCN accuracy over a (λ, μ) grid: what a phase diagram's theory, the CLI's grid mode
and the gain map ask for, in one call.

Every evaluator of :func:`~gnnrg.theory.linear_gcn_accuracy` takes all μ of a λ column at once.
The one-layer forms are exact and fast and run at every λ. The two-layer forms are population
averages (0.1–1 s a column); their accuracy is an analytic function of (p_in, p_out), hence of
λ, so they run at the Chebyshev–Lobatto points of the λ range

.. math:: λ_j = \tfrac{λ_{lo} + λ_{hi}}{2} + \tfrac{λ_{hi} - λ_{lo}}{2} \cos\frac{\pi j}{m - 1},
    \qquad j = 0, \dots, m - 1,

and the interpolating polynomial carries them to every λ: m = 13, or 25 (which reuses the 13)
when the last three Chebyshev coefficients exceed 10⁻³ plus three standard deviations of a
coefficient made of Monte Carlo noise alone (SE·√(2/m)). The argmax and argmin accuracies are
carried separately and the best sign taken after (their maximum has a kink where they cross).
Measured (n = 1000, d = 10, 121 λ × 200 μ): the one-layer exact form interpolated from 13
columns is within 1.1e-6 of every column evaluated; the two-layer forms (25 columns for two
classes, 13 for five) differ from their column-by-column maps by 2e-4–4e-4 on average and
2e-3 at most, their Monte Carlo noise (``docs/benchmarks.md``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.polynomial import chebyshev

from gnnrg._checks import check_int
from gnnrg.parameters import block_probabilities, lam_range
from gnnrg.theory.linear_gcn import linear_gcn_accuracy

__all__ = ["LOBATTO_COLUMNS", "accuracy_grid"]

#: λ columns evaluated when a grid is interpolated: the first count, then the second when the
#: first's Chebyshev tail is above its tolerance (the second contains the first)
LOBATTO_COLUMNS = (13, 25)
_READOUTS = ("accuracy", "accuracy_flipped")
#: seconds of columns left (the second column's time × the columns left) above which a grid
#: with ``jobs`` > 1 hands them to worker processes (which take a second or two to start)
WORKERS_AFTER = 3.0


def accuracy_grid(
    n: int,
    avg_degree: float,
    lams: Any,
    mus: Any,
    sigma: float = 1.0,
    *,
    layers: int = 1,
    norm: str = "mean",
    classes: int = 2,
    lam_convention: str = "kesten-stigum",
    interpolate: bool | None = None,
    strict: bool = False,
    progress: bool = False,
    jobs: int = 1,
    **options: Any,
) -> dict[str, Any]:
    """Accuracy of a one- or two-layer linear GCN at every (λ, μ) of a grid.

    Parameters
    ----------
    n : int
        Number of nodes.
    avg_degree : float
        Expected mean degree d.
    lams, mus : array-like
        The edge signals λ (columns) and feature signals μ (rows). A λ outside
        :func:`gnnrg.parameters.lam_range` gives a NaN column, or with ``strict`` the error
        :func:`gnnrg.parameters.block_probabilities` raises for it, before any work.
    sigma : float, default 1.0
    layers, norm, classes :
        As :func:`~gnnrg.theory.linear_gcn_accuracy`.
    lam_convention : {"kesten-stigum", "study"}, default "kesten-stigum"
        How (d, λ) set (p_in, p_out) for k > 2 classes.
    interpolate : bool, optional
        Evaluate at Chebyshev–Lobatto λ columns and interpolate (see the module). Default:
        for two layers (sampled forms) when the grid has more distinct valid λ than the
        first column count; ``False`` evaluates every λ.
    strict : bool, default False
        Raise for a λ out of range instead of leaving its column NaN.
    progress : bool, default False
        A progress bar over the columns evaluated.
    jobs : int, default 1
        Worker processes (joblib's loky) evaluating λ columns side by side, once the second
        column says the rest would take more than :data:`WORKERS_AFTER` seconds here (workers
        take a second or two to start). Every column is seeded on its own, so the grid is the
        same for any ``jobs``.
    **options
        Passed to :func:`~gnnrg.theory.linear_gcn_accuracy`: ``method``, ``degree_law``,
        ``degree_exponent``, ``degree_sigma``, ``samples``, ``graphs``.

    Returns
    -------
    dict
        ``accuracy``, ``accuracy_flipped``, ``accuracy_best_sign`` and, from the sampled
        evaluators, ``stderr``, arrays of shape (len(mus), len(lams)); ``method`` (the
        evaluator in words, with the interpolation) and ``columns`` (the λ evaluated).

    Examples
    --------
    >>> import numpy as np
    >>> lams = np.linspace(-2, 2, 41)
    >>> g = accuracy_grid(1000, 10.0, lams, [0.5, 1.0], interpolate=True)
    >>> g["accuracy_best_sign"].shape, len(g["columns"]), g["method"]
    ((2, 41), 13, 'exact (binomial counts), λ interpolated from 13 columns')
    >>> exact = accuracy_grid(1000, 10.0, lams, [0.5, 1.0])  # every column evaluated
    >>> bool(np.abs(g["accuracy"] - exact["accuracy"]).max() < 1e-6)
    True
    """
    from tqdm.auto import tqdm

    jobs = check_int("jobs", jobs, low=1)
    lams = np.atleast_1d(np.asarray(lams, dtype=float))
    mus = np.atleast_1d(np.asarray(mus, dtype=float))
    low, high = lam_range(avg_degree, classes, lam_convention)
    valid = (lams >= low - 1e-12) & (lams <= high + 1e-12)
    if strict and not valid.all():
        block_probabilities(n, avg_degree, float(lams[~valid][0]), classes, lam_convention)
    distinct = np.unique(lams[valid])
    if interpolate is None:
        interpolate = layers == 2
    interpolate = bool(interpolate) and len(distinct) > LOBATTO_COLUMNS[0]
    done: dict[float, dict[str, Any]] = {}
    bar = tqdm(desc="theory", unit="λ", disable=not progress, leave=False)

    def column(lam: float) -> dict[str, Any]:
        p_in, p_out = block_probabilities(n, avg_degree, lam, classes, lam_convention)
        return linear_gcn_accuracy(n, p_in, p_out, mus, sigma, layers=layers, norm=norm,
                                   classes=classes, **options)  # fmt: skip

    def columns(values: np.ndarray) -> dict[str, np.ndarray]:
        """The evaluator at each λ in ``values`` (each evaluated once), as (λ, μ) tables."""
        missing = [lam for lam in dict.fromkeys(map(float, values)) if lam not in done]
        bar.total = len(done) + len(missing)
        for lam, result in zip(missing, _evaluate(column, missing, jobs), strict=True):
            done[lam] = result
            bar.update()
        first = done[float(values[0])]
        keys = [*_READOUTS, *(["stderr"] if "stderr" in first else [])]
        return {key: np.array([np.atleast_1d(done[float(v)][key]) for v in values]) for key in keys}

    at: dict[str, np.ndarray] = {}
    if interpolate:
        lo, hi = float(distinct[0]), float(distinct[-1])
        finest = lo + (1 - np.cos(np.pi * np.arange(LOBATTO_COLUMNS[-1])
                                  / (LOBATTO_COLUMNS[-1] - 1))) * (hi - lo) / 2  # fmt: skip
        for count in LOBATTO_COLUMNS:
            nodes = finest[:: (LOBATTO_COLUMNS[-1] - 1) // (count - 1)]
            table = columns(nodes)
            if count == LOBATTO_COLUMNS[-1] or _converged(table, count):
                break
        x, x_nodes = (2 * (v - lo) / (hi - lo) - 1 for v in (lams[valid], nodes))
        for key in _READOUTS:
            at[key] = chebyshev.chebval(x, chebyshev.chebfit(x_nodes, table[key], len(nodes) - 1))
        if "stderr" in table:
            at["stderr"] = np.array(
                [np.interp(lams[valid], nodes, row) for row in table["stderr"].T]
            )
    elif valid.any():
        at = {key: value.T for key, value in columns(lams[valid]).items()}
    bar.close()
    out: dict[str, Any] = {}
    for key in (*_READOUTS, "stderr"):
        if key in at or key in _READOUTS:
            out[key] = np.full((len(mus), len(lams)), np.nan)
            if key in at:
                out[key][:, valid] = np.clip(at[key], 0.0, 1.0)
    out["accuracy_best_sign"] = np.fmax(out["accuracy"], out["accuracy_flipped"])
    method = next(iter(done.values()))["method"] if done else ""
    if interpolate:
        method += f", λ interpolated from {len(nodes)} columns"
    out["method"] = method
    out["columns"] = np.array(sorted(done))
    return out


def _evaluate(fn: Callable[[float], Any], values: list[float], jobs: int) -> Iterator[Any]:
    """``fn`` at each of ``values``, in order: the first two here (the first may fill caches);
    the rest here too, or in up to ``jobs`` loky workers when the second took so long that
    the rest would take more than :data:`WORKERS_AFTER` seconds here."""
    for value in values[:1]:
        yield fn(value)
    start = time.perf_counter()
    for value in values[1:2]:
        yield fn(value)
    rest = values[2:]
    if jobs == 1 or len(rest) < 2 or (time.perf_counter() - start) * len(rest) < WORKERS_AFTER:
        yield from map(fn, rest)
        return
    from joblib import Parallel, delayed

    workers = Parallel(n_jobs=min(jobs, len(rest)), backend="loky", return_as="generator")
    yield from workers(delayed(fn)(value) for value in rest)


def _converged(table: dict[str, np.ndarray], count: int) -> bool:
    """Whether the last three Chebyshev coefficients of every μ row (both read-outs) are below
    1e-3 plus three standard deviations of a coefficient made of Monte Carlo noise alone."""
    x = -np.cos(np.pi * np.arange(count) / (count - 1))
    noise = float(np.nanmax(table["stderr"])) if "stderr" in table else 0.0
    tol = 1e-3 + 3 * noise * math.sqrt(2 / count)
    tail = max(np.abs(chebyshev.chebfit(x, table[key], count - 1)[-3:]).max() for key in _READOUTS)
    return bool(tail <= tol)
