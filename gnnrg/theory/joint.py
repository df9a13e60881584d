r"""Bayes-optimal accuracy from features and edges together: two-class cSBM, dense limit.

With the class means known (they are learnable exactly when F is fixed and n grows), a node's
features reduce to the scalar :math:`x_i \cdot m = \mu v_i + \sigma z_i`: a Gaussian channel
of signal-to-noise :math:`s = \mu^2/\sigma^2`, whose log-odds enter AMP as a fixed external
field :math:`h^0_i = \mu\, x_i\cdot m / \sigma^2`. The graph adds, as in
:mod:`gnnrg.theory.graph_only`, a channel :math:`\sqrt\gamma\, v + Z` whose strength follows
the state evolution

.. math:: \gamma_{t+1} = \lambda^2\, \mathbb E\big[\tanh\big((\gamma_t + s)
          + \sqrt{\gamma_t + s}\, Z\big)\big],

(the two channels add: signal :math:`\gamma + s`, noise variance :math:`\gamma + s`), and the
Bayes-optimal accuracy is :math:`\Phi(\sqrt{\gamma^* + s})` at the largest fixed point. It is
the features-only :math:`\Phi(\mu/\sigma)` at λ = 0, the graph-only curve at μ = 0, and above
both elsewhere — the ceiling every GNN is measured against (Deshpande et al. 2018; Duranthon &
Zdeborová 2024 for the sparse, finite-F case). Measured against AMP run with the feature field
on gnnrg's own graphs in ``tests/theory/test_joint.py``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from gnnrg.theory.graph_only import _effective, _state_evolution

__all__ = ["joint_bayes_accuracy"]


def joint_bayes_accuracy(
    lam: float | np.ndarray,
    mu: float | np.ndarray,
    sigma: float = 1.0,
    *,
    n: int | None = None,
    avg_degree: float | None = None,
    tol: float = 1e-12,
) -> np.ndarray:
    """Bayes-optimal accuracy from features and edges, Φ(√(γ* + μ²/σ²)), dense limit.

    Parameters
    ----------
    lam, mu : float or array
        Graph signal λ (either sign) and feature signal μ; broadcast against each other.
    sigma : float, default 1.0
        Feature noise σ > 0.
    n, avg_degree : optional
        As for :func:`~gnnrg.theory.graph_only.graph_only_bayes_accuracy` (finite-n noise
        variance of the centred adjacency).
    tol : float
        Fixed-point tolerance on γ.

    Returns
    -------
    ndarray
        Accuracy per broadcast (λ, μ).

    Examples
    --------
    >>> joint_bayes_accuracy([0.0, 1.0, 2.0], 0.5).round(4).tolist()
    [0.6915, 0.7962, 0.9769]
    """
    if not sigma > 0:
        raise ValueError(f"sigma={sigma} must be > 0")
    mu = np.asarray(mu, dtype=float)
    if np.any(mu < 0):
        raise ValueError(f"mu={mu.tolist()} must be >= 0")
    lam2, s = np.broadcast_arrays(np.square(_effective(lam, n, avg_degree)), (mu / sigma) ** 2)
    return ndtr(np.sqrt(_state_evolution(lam2, s, tol) + s))
