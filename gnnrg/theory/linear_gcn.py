"""One entry point for the accuracy of a linear GCN on the two-class cSBM: the layer count,
the aggregation and the method choose the evaluator, so the command line, the phase diagrams
and the gain map ask one function and get one return type."""

from __future__ import annotations

from typing import Any

import numpy as np

from gnnrg.parameters import expected_neighbours
from gnnrg.theory.accuracy import (
    NORMS,
    graph_average_accuracy,
    one_layer_accuracy,
    two_layer_tree_accuracy,
)
from gnnrg.theory.two_layer import two_layer_accuracy

__all__ = ["METHODS", "linear_gcn_accuracy"]

#: Evaluators by method name; ``auto`` picks the exact one-layer form or the two-layer
#: degree-conditioned moment form.
METHODS = ("auto", "exact", "moment", "tree", "graph")


def linear_gcn_accuracy(
    n: int,
    p_in: float,
    p_out: float,
    mu: Any,
    sigma: float = 1.0,
    *,
    layers: int = 1,
    norm: str = "mean",
    method: str = "auto",
    samples: int = 100_000,
    graphs: int = 10,
) -> dict[str, Any]:
    """Accuracy of a one- or two-layer linear GCN on the two-class cSBM, at every μ at once.

    Parameters
    ----------
    n : int
        Number of nodes.
    p_in, p_out : float
        Edge probabilities within and between the classes
        (:func:`gnnrg.parameters.block_probabilities` converts (d, λ)).
    mu : float or array
        Feature signal(s) μ >= 0.
    sigma : float, default 1.0
        Feature noise σ > 0.
    layers : {1, 2}, default 1
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"
        Aggregation (:data:`gnnrg.theory.NORMS`).
    method : {"auto", "exact", "moment", "tree", "graph"}, default "auto"
        ``auto``/``exact``: the exact one-layer forms; two layers: the degree-conditioned moment
        form (``moment``, finite n, sparse or dense). ``tree``: the study's Theorem 2 (two
        layers, ``sum``/``sum-self``, Poisson tree). ``graph``: the exact nodewise formula
        averaged over ``graphs`` sampled graphs.
    samples : int, default 100000
        Monte Carlo size of the tree form's inner average.
    graphs : int, default 10
        Graphs sampled by ``method="graph"``.

    Returns
    -------
    dict
        ``accuracy`` (oracle read-out) and ``accuracy_best_sign`` as arrays shaped like ``mu``
        (0-d for a scalar), and ``method``, the evaluator used, in words.

    Raises
    ------
    ValueError
        An unknown ``layers``, ``norm`` or ``method``, or a method that does not apply.

    Examples
    --------
    >>> from gnnrg.parameters import block_probabilities
    >>> p_in, p_out = block_probabilities(1000, 10.0, 1.0)
    >>> r = linear_gcn_accuracy(1000, p_in, p_out, [0.5, 1.0], layers=2)
    >>> r["accuracy"].round(3).tolist(), r["method"]
    ([0.76, 0.862], 'degree-conditioned moments (finite n)')
    """
    if layers not in (1, 2):
        raise ValueError(f"layers={layers!r} must be 1 or 2")
    if norm not in NORMS:
        raise ValueError(f"norm={norm!r} is not valid; choose one of {list(NORMS)}")
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not valid; choose one of {list(METHODS)}")
    mus = np.asarray(mu, dtype=float)
    flat = np.atleast_1d(mus)
    if layers == 1:
        if method not in ("auto", "exact"):
            raise ValueError(f"method={method!r} is for two layers; one layer is exact")
        result = one_layer_accuracy(n, p_in, p_out, flat, sigma, norm=norm)
        label = "exact (binomial counts)"
        if norm == "sym":
            label = "exact counts, sampled neighbour degrees"
    elif method in ("auto", "exact", "moment"):
        result = two_layer_accuracy(n, p_in, p_out, flat, sigma, norm=norm)
        label = "degree-conditioned moments (finite n)"
    elif method == "tree":
        if norm not in ("sum", "sum-self"):
            raise ValueError(f"method='tree' supports norm 'sum' or 'sum-self', not {norm!r}")
        c_s, c_d = expected_neighbours(n, p_in, p_out)
        result = two_layer_tree_accuracy(c_s, c_d, flat, sigma, norm=norm, samples=samples)
        label = "tree (study's Theorem 2, Poisson)"
    else:
        per_mu = [
            graph_average_accuracy(
                n, layers=2, norm=norm, graphs=graphs, p_in=p_in, p_out=p_out, mu=float(m),
                sigma=sigma,
            )
            for m in flat
        ]  # fmt: skip
        result = {k: np.array([r[k] for r in per_mu]) for k in ("accuracy", "accuracy_best_sign")}
        label = f"graph-averaged exact ({graphs} graphs)"
    out = {
        key: np.asarray(result[key], dtype=float).reshape(mus.shape)
        for key in ("accuracy", "accuracy_best_sign")
    }
    out["method"] = label
    return out
