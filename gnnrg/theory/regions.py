r"""Where a linear GCN can beat the features-only classifier on the two-class cSBM.

For each (λ, μ) the best accuracy over the linear GCNs gnnrg computes — one layer with ``sum``,
``sum-self``, ``mean`` and ``sym`` (exact, finite n) and two layers with the same four
aggregations (the degree-conditioned moment form, :mod:`gnnrg.theory.two_layer`) — with the best
sign of the read-out, against the features-only Bayes accuracy Φ(μ/σ). By the
linearisation theorem (:mod:`gnnrg.theory.linearisation`) a bias-free two-layer ReLU GCN's
cross-entropy is no better than its linear counterpart's under the model's reflection symmetry,
so the ``no_gain`` region is where graph convolution is not worth it for this family.

At λ = 0 no aggregation gains (neighbours carry only noise); in the dense mean-field limit a
one-layer ``sum-self`` GCN gains iff :math:`(1 + c_s - c_d)^2 > 1 + c_s + c_d`
(:func:`gnnrg.theory.baselines.gcn_beats_features`).
"""

from __future__ import annotations

import numpy as np

from gnnrg.theory.accuracy import NORMS
from gnnrg.theory.baselines import features_only_accuracy
from gnnrg.theory.grid import accuracy_grid

__all__ = ["gcn_gain"]


def gcn_gain(
    lam: np.ndarray | float,
    mu: np.ndarray | float,
    *,
    n: int = 1000,
    avg_degree: float = 10.0,
    sigma: float = 1.0,
    tol: float = 1e-3,
) -> dict[str, np.ndarray]:
    """Best linear-GCN accuracy against features only on a (λ, μ) grid.

    Parameters
    ----------
    lam, mu : float or 1-D array
    n, avg_degree, sigma : model parameters
    tol : float
        A gain at most ``tol`` (about the two-layer form's error) counts as none.

    Returns
    -------
    dict
        ``best`` (len(lam), len(mu)), ``best_model`` (names such as ``"2-sum-self"``),
        ``features_only`` (len(mu),), ``gain`` = best − features only, ``no_gain`` (bool).

    Examples
    --------
    >>> r = gcn_gain([0.0, 2.0], [0.3])
    >>> r["no_gain"].ravel().tolist(), r["best_model"][1, 0]
    ([True, False], '2-sum-self')
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    mu = np.atleast_1d(np.asarray(mu, dtype=float))
    names = [f"{layers}-{norm}" for layers in (1, 2) for norm in NORMS]
    table = np.array([
        accuracy_grid(n, avg_degree, lam, mu, sigma, layers=layers, norm=norm, strict=True)[
            "accuracy_best_sign"
        ].T
        for layers in (1, 2) for norm in NORMS
    ])  # fmt: skip
    best = table.max(0)
    features = np.asarray(features_only_accuracy(mu, sigma), dtype=float)
    gain = best - features[None, :]
    return {
        "best": best,
        "best_model": np.asarray(names, dtype=object)[table.argmax(0)],
        "features_only": features,
        "gain": gain,
        "no_gain": gain <= tol,
    }
