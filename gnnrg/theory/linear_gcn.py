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
from gnnrg.theory.neighbourhood import neighbourhood_accuracy
from gnnrg.theory.norms import METHODS
from gnnrg.theory.two_layer import two_layer_accuracy

__all__ = ["METHODS", "linear_gcn_accuracy", "skeleton_samples"]


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
    classes: int = 2,
    degree_law: str | None = None,
    degree_exponent: float = 2.5,
    degree_sigma: float = 1.0,
    samples: int | None = None,
    graphs: int = 10,
) -> dict[str, Any]:
    """Accuracy of a one- or two-layer linear GCN on the cSBM, at every μ at once.

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
    method : {"auto", "exact", "moment", "neighbourhood", "tree", "graph"}, default "auto"
        ``auto``/``exact``: the exact one-layer forms; two layers: the degree-conditioned moment
        form (``moment``, finite n, sparse or dense; two plain classes) or, with k > 2 plain
        classes, the neighbourhood population form (``neighbourhood``,
        :func:`~gnnrg.theory.neighbourhood.neighbourhood_accuracy`; it also takes degree
        correction, approximately). ``tree``: the study's Theorem 2 (two layers,
        ``sum``/``sum-self``, Poisson tree). ``graph``: the exact nodewise formula averaged
        over ``graphs`` sampled graphs, with each graph's one-layer accuracy (known exactly) as
        a control variate for two layers: unbiased, slower, the reference the others are
        measured against, and what ``auto`` uses for two degree-corrected layers.
    classes : int, default 2
        Number of balanced classes k (orthogonal class means for k > 2; argmax readout).
    degree_law : {"powerlaw", "lognormal"}, optional
        Karrer–Newman degree correction, as :func:`gnnrg.csbm` draws it.
    degree_exponent, degree_sigma : float
        The power-law exponent (> 2) or the lognormal spread.
    samples : int, optional
        Monte Carlo size of the tree form's inner average (default 100 000) and of the moment
        form's skeleton correction (default 400 000 at one μ, error 1e-4 at d ≈ 5; 100 000 for
        an array of μ, error 3e-4, four times faster;
        :func:`~gnnrg.theory.two_layer.two_layer_accuracy`). The neighbourhood form sizes its
        own population (8 000–20 000 neighbourhoods, until its standard error is below 7e-4).
    graphs : int, default 10
        Graphs sampled by ``method="graph"``.

    Returns
    -------
    dict
        ``accuracy`` (oracle read-out), ``accuracy_flipped`` (the flipped read-out: 1 − accuracy
        for two classes, argmin for k) and ``accuracy_best_sign`` (the better of the two) as
        arrays shaped like ``mu`` (0-d for a scalar), and ``method``, the evaluator used, in
        words; ``stderr`` (Monte Carlo: over the sampled graphs or neighbourhoods) with
        ``graph`` and ``neighbourhood``.

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
    law = {"degree_law": degree_law, "degree_exponent": degree_exponent,
           "degree_sigma": degree_sigma}  # fmt: skip
    variant = classes != 2 or degree_law is not None
    if variant and method == "auto" and layers == 2:
        # k plain classes: the neighbourhood form (within 0.0007 of graph averages); with
        # degree correction the unbiased graph average (the neighbourhood form is within
        # 0.0010 there, theory/accuracy.md, but takes 10–130 s a point)
        method = "graph" if degree_law is not None else "neighbourhood"
    if method == "neighbourhood" and layers != 2:
        raise ValueError("method='neighbourhood' is for two layers; one layer is exact")
    if variant and method in ("moment", "tree"):
        raise ValueError(
            f"method={method!r} is for two plain classes; use 'auto', 'neighbourhood' or "
            f"'graph' with classes={classes}, degree_law={degree_law!r}"
        )
    if method == "graph":
        result = graph_average_accuracy(
            n, layers=layers, norm=norm, graphs=graphs, p_in=p_in, p_out=p_out, mu=flat,
            sigma=sigma, classes=classes, control=True, **(law if degree_law else {}),
        )  # fmt: skip
        label = f"graph-averaged exact ({graphs} graphs)"
        if layers > 1:
            label = f"graph-averaged exact ({graphs} graphs, one-layer control variate)"
    elif method == "neighbourhood":
        result = neighbourhood_accuracy(
            n, p_in, p_out, flat, sigma, norm=norm, classes=classes, **law
        )
        label = "neighbourhood population (exact counts, sampled neighbourhoods)"
        if degree_law:
            label = f"{degree_law} degrees: propensity strata, " + label
    elif layers == 1:
        if method not in ("auto", "exact"):
            raise ValueError(f"method={method!r} is for two layers; one layer is exact")
        result = one_layer_accuracy(n, p_in, p_out, flat, sigma, norm=norm, classes=classes, **law)
        label = "exact (binomial counts)"
        if classes > 2:
            label = f"{classes} classes: exact counts, sampled rival split"
        if degree_law:
            label = f"{degree_law} degrees: propensity strata, " + label
        if norm == "sym":
            label += ", sampled neighbour degrees"
    elif method in ("auto", "exact", "moment"):
        skeleton = skeleton_samples(mus.size) if samples is None else samples
        result = two_layer_accuracy(n, p_in, p_out, flat, sigma, norm=norm, samples=skeleton)
        label = "degree-conditioned moments (finite n)"
    else:
        if norm not in ("sum", "sum-self"):
            raise ValueError(f"method='tree' supports norm 'sum' or 'sum-self', not {norm!r}")
        c_s, c_d = expected_neighbours(n, p_in, p_out)
        result = two_layer_tree_accuracy(
            c_s, c_d, flat, sigma, norm=norm, samples=100_000 if samples is None else samples
        )
        label = "tree (study's Theorem 2, Poisson)"
    out = {
        key: np.asarray(result[key], dtype=float).reshape(mus.shape)
        for key in ("accuracy", "accuracy_flipped", "accuracy_best_sign")
    }
    if "stderr" in result:
        out["stderr"] = np.asarray(result["stderr"], dtype=float).reshape(mus.shape)
    out["method"] = label
    return out


def skeleton_samples(points: int) -> int:
    """The moment form's skeleton population when none is given: 400 000 nodes when one point
    is asked (Monte Carlo error 1e-4 at d ≈ 5), 100 000 per column of a grid (3e-4; a grid's
    time goes into it).

    Examples
    --------
    >>> skeleton_samples(1), skeleton_samples(200)
    (400000, 100000)
    """
    return 400_000 if points == 1 else 100_000
