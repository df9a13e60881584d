r"""Graph-only baselines of the two-class SBM: Bayes-optimal (AMP) and spectral, dense limit.

Centred and scaled, the adjacency of the two-class SBM with ``p_in = (d + λ√d)/n`` and
``p_out = (d − λ√d)/n`` is a rank-one spike in noise,
:math:`Y = (A - \tfrac{d}{n} 1 1^\top)/\sqrt d \approx \tfrac{\lambda}{n} v v^\top + W`
with :math:`v \in \{\pm 1\}^n` the classes and :math:`W` of variance ``1/n`` (exact for
``1 ≪ d ≪ n``; Deshpande, Abbe & Montanari 2017). In that limit:

- **Bayes-optimal** (graph only): approximate message passing reaches the Bayes overlap; its state
  evolution is the scalar channel :math:`y = \sqrt{\gamma}\,v + Z` with
  :math:`\gamma = \lambda^2\,\mathbb E[\tanh(\gamma + \sqrt\gamma Z)]`, so the accuracy of the
  best labelling from edges alone is :math:`\Phi(\sqrt{\gamma^*})` at the largest fixed point;
  ½ for :math:`|\lambda| \le 1` (no weak recovery below Kesten–Stigum).
- **Spectral**: the leading eigenvector of ``Y`` has squared overlap :math:`1 - 1/\lambda^2`
  with ``v`` (BBP transition), hence accuracy :math:`\Phi(\sqrt{\lambda^2 - 1})` for
  :math:`|\lambda| > 1` when its entries are Gaussian around :math:`\pm` the overlap.

Both are *dense-limit* forms; on sparse graphs (d ≈ 10) they are optimistic (the
Bethe–Hessian ``spectral`` model and :func:`amp_labels` measure the finite case). The sign of
``λ`` does not matter: heterophily flips the labelling, and both report the best sign.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy.special import ndtr

from gnnrg._checks import check_int
from gnnrg.theory.baselines import best_of_rivals

__all__ = ["amp_labels", "graph_only_bayes_accuracy", "graph_only_spectral_accuracy"]

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(81)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


def _overlap(gamma: np.ndarray) -> np.ndarray:
    """:math:`\\mathbb E[\\tanh(\\gamma + \\sqrt\\gamma Z)]` by Gauss–Hermite quadrature."""
    g = np.asarray(gamma, dtype=float)[..., None]
    return (np.tanh(g + np.sqrt(g) * _NODES) * _WEIGHTS).sum(-1)


def _effective(lam, n, avg_degree) -> np.ndarray:
    lam = np.asarray(lam, dtype=float)
    if n is None or avg_degree is None:
        return lam
    if not 0 < avg_degree < n:
        raise ValueError(f"avg_degree={avg_degree} must be in (0, n={n})")
    return lam / np.sqrt(1.0 - avg_degree / n)  # entries of Y have variance (1 - d/n)/n


def graph_only_bayes_accuracy(
    lam: float | np.ndarray,
    *,
    n: int | None = None,
    avg_degree: float | None = None,
    tol: float = 1e-12,
    classes: int = 2,
) -> np.ndarray:
    """Bayes-optimal accuracy from edges alone in the dense limit, Φ(√γ*).

    Parameters
    ----------
    lam : float or array
        Graph signal λ (either sign).
    n, avg_degree : optional
        With both, the noise variance ``(1 − d/n)/n`` of the centred adjacency is used
        (``λ → λ/√(1 − d/n)``), which matters for dense finite graphs.
    tol : float
        Fixed-point tolerance on γ.
    classes : int, default 2
        k > 2 (λ the Kesten–Stigum signal, :mod:`gnnrg.parameters`): the state evolution of the
        rank-(k − 1) spike (:func:`_k_class_amp`), from an uninformative start — what AMP
        reaches. For k >= 5 a hard phase below λ² = 1 exists where the Bayes accuracy is
        higher than this.

    Returns
    -------
    ndarray
        Accuracy per ``lam`` (1/k where ``|λ| ≤ 1``).

    Examples
    --------
    >>> graph_only_bayes_accuracy([0.5, 1.5, 3.0]).round(4).tolist()
    [0.5, 0.894, 0.9986]
    >>> graph_only_bayes_accuracy([0.5, 1.5, 3.0], classes=3).round(3).tolist()
    [0.333, 0.914, 1.0]
    """
    lam2 = np.square(_effective(lam, n, avg_degree))
    if classes != 2:
        return _k_class_amp(lam2, check_int("classes", classes, low=2))
    return ndtr(np.sqrt(_state_evolution(lam2, np.zeros_like(lam2), tol)))


def _state_evolution(lam2: np.ndarray, side: np.ndarray, tol: float) -> np.ndarray:
    """Largest fixed point of ``γ = λ² E[tanh((γ + s) + √(γ + s) Z)]`` (``s``: the SNR of any
    side channel; 0 for edges alone), iterated down from ``γ = λ²``."""
    from scipy.optimize import brentq

    shape = np.broadcast_shapes(np.shape(lam2), np.shape(side))
    lam2, side = (a.astype(float).ravel() for a in np.broadcast_arrays(lam2, side))
    # no side channel and λ² ≤ 1: γ* = 0 exactly (iterating would only creep towards it)
    lam2 = np.where((side == 0) & (lam2 <= 1.0), 0.0, lam2)
    gamma = lam2.copy()
    active = np.ones(len(gamma), dtype=bool)
    for _ in range(300):  # the map is increasing: from above, the iterates fall to γ*
        new = np.maximum(lam2[active] * _overlap(gamma[active] + side[active]), 0.0)
        done = np.abs(new - gamma[active]) <= tol * np.maximum(1.0, new)
        gamma[active] = new
        active[np.flatnonzero(active)[done]] = False
        if not active.any():
            break
    for i in np.flatnonzero(active):  # slow near Kesten–Stigum: solve f(γ) = 0 instead

        def excess(g, i=i):
            return lam2[i] * float(_overlap(g + side[i])) - g

        lows = [0.0] if side[i] > 0 else gamma[i] * 10.0 ** -np.arange(1, 13)
        low = next((g for g in lows if excess(g) > 0), None)  # f > 0 below the root
        if low is None:  # at the threshold to rounding: γ* = 0
            gamma[i] = 0.0
        elif excess(gamma[i]) < 0:  # the largest root lies in (low, γ_300)
            gamma[i] = brentq(excess, low, gamma[i], xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return gamma.reshape(shape)


def graph_only_spectral_accuracy(
    lam: float | np.ndarray,
    *,
    n: int | None = None,
    avg_degree: float | None = None,
    classes: int = 2,
) -> np.ndarray:
    """Accuracy of the leading eigenvector(s) in the dense limit, Φ(√(λ² − 1)) for two classes.

    ``n`` and ``avg_degree`` as for :func:`graph_only_bayes_accuracy`. k classes: the k − 1
    leading eigenvectors each keep a squared overlap 1 − 1/λ² with the class subspace (BBP),
    so a node's embedding is its class centroid plus isotropic Gaussian noise and the nearest
    centroid is right with probability ∫ φ(t) Φ(t + √(k(λ² − 1)))^(k−1) dt (two classes:
    Φ(√(λ² − 1))).

    Examples
    --------
    >>> graph_only_spectral_accuracy([0.5, 1.5, 3.0]).round(4).tolist()
    [0.5, 0.8682, 0.9977]
    >>> graph_only_spectral_accuracy([0.5, 1.5], classes=3).round(4).tolist()
    [0.3333, 0.855]
    """
    lam2 = np.square(_effective(lam, n, avg_degree))
    k = check_int("classes", classes, low=2)
    signal = np.sqrt(np.maximum(k * (lam2 - 1.0), 0.0))
    return np.where(lam2 > 1.0, best_of_rivals(signal, k), 1.0 / k)


@cache
def _softmax_overlap(classes: int):
    """m(γ), the overlap (k/(k−1))(E[π_y] − 1/k) of the posterior of the k-class Gaussian
    channel whose class scores are a² δ_{cy} + a z_c with a² = γk/(k−1), as a monotone
    interpolant of its values on a log grid of γ (the expectation by scrambled Sobol points,
    2¹⁵ of them, error about 1e-5; the same points at every γ)."""
    from scipy.interpolate import PchipInterpolator
    from scipy.special import ndtri
    from scipy.stats import qmc

    k = classes
    u = qmc.Sobol(k, scramble=True, seed=12345).random(2**15)
    z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    gammas = np.concatenate([[0.0], np.geomspace(1e-5, 400.0, 500)])
    overlap = np.empty(len(gammas))
    for i, gamma in enumerate(gammas):
        a = np.sqrt(gamma * k / (k - 1))
        scores = a * z
        scores[:, 0] += a * a
        scores -= scores.max(axis=1, keepdims=True)
        weights = np.exp(scores)
        overlap[i] = (k / (k - 1)) * (np.mean(weights[:, 0] / weights.sum(axis=1)) - 1.0 / k)
    return gammas, PchipInterpolator(gammas, np.maximum.accumulate(np.maximum(overlap, 0.0)))


def _k_class_amp(lam2: np.ndarray, classes: int) -> np.ndarray:
    """Accuracy at the smallest positive fixed point of γ = (k − 1) λ² m(γ) (AMP from an
    uninformative start): ∫ φ(t) Φ(t + √(γk/(k − 1)))^(k−1) dt; 1/k where λ² <= 1."""
    from scipy.optimize import brentq

    k = classes
    gammas, overlap = _softmax_overlap(k)
    lam2 = np.asarray(lam2, dtype=float)
    gamma = np.zeros(lam2.size)
    grid = overlap(gammas)
    for i, value in enumerate(lam2.ravel()):
        if value <= 1.0:
            continue
        excess = (k - 1) * value * grid - gammas  # > 0 just above γ = 0 when λ² > 1
        below = np.flatnonzero((excess[1:] <= 0) & (gammas[1:] > 0))
        j = below[0] + 1 if len(below) else len(gammas) - 1
        gamma[i] = brentq(
            lambda g, v=value: (k - 1) * v * float(overlap(g)) - g, gammas[j - 1], gammas[j]
        ) if excess[j] <= 0 < excess[j - 1] else gammas[j]  # fmt: skip
    signal = np.sqrt(gamma.reshape(lam2.shape) * k / (k - 1))
    return np.where(lam2 > 1.0, best_of_rivals(signal, k), 1.0 / k)


def amp_labels(
    edges: np.ndarray,
    n: int,
    *,
    avg_degree: float,
    lam: float,
    iterations: int = 200,
    seed: int | np.random.Generator | None = 0,
    field: np.ndarray | None = None,
) -> np.ndarray:
    """Bayes-AMP on one graph: returns the posterior means ``tanh(h)``.

    Each iteration is ``O(n + E)``: ``Y m = (A m − (d/n) Σm)/√d`` never forms ``Y``;
    ``h ← λ Y m − λ² b m_prev + h⁰`` with the Onsager coefficient ``b = mean(1 − m²)`` and an
    optional external field ``h⁰`` (each node's prior log-odds, e.g. from its features: see
    :mod:`gnnrg.theory.joint`). From edges alone the start is random and uninformative and the
    sign of the result arbitrary (take the best sign); with a field it starts from the field.

    Parameters
    ----------
    edges : int array of shape (2, m)
        Undirected edges, each listed once (as :func:`~gnnrg.generators.csbm.sample_block_graph`
        returns them).
    n : int
    avg_degree, lam : float
        The model's d and λ.
    iterations : int, default 200
    seed : int or Generator
    field : float array of shape (n,), optional
        External field ``h⁰``, half the log-odds of ``v_i = +1`` given each node's own data.

    Examples
    --------
    >>> from gnnrg.generators.csbm import sample_block_graph
    >>> from gnnrg.parameters import block_probabilities
    >>> p_in, p_out = block_probabilities(2000, 100, 2.0, 2)
    >>> edges, labels = sample_block_graph(2000, 2, p_in, p_out, np.random.default_rng(0))
    >>> m = amp_labels(edges, 2000, avg_degree=100, lam=2.0)
    >>> acc = np.mean(np.sign(m) == 2 * labels - 1)
    >>> bool(max(acc, 1 - acc) > 0.9)
    True
    """
    import scipy.sparse as sp

    n = check_int("n", n, low=1)
    edges = np.asarray(edges, dtype=np.int64)
    if edges.ndim != 2 or edges.shape[0] != 2:
        raise ValueError(f"edges has shape {edges.shape}; expected (2, m)")
    a = sp.coo_matrix((np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(n, n)).tocsr()
    a = a + a.T
    d, scale = float(avg_degree), 1.0 / np.sqrt(float(avg_degree))
    if field is None:
        field = np.zeros(n)
        h = 0.1 * np.random.default_rng(seed).standard_normal(n)
    else:
        field = np.asarray(field, dtype=float)
        if field.shape != (n,):
            raise ValueError(f"field has shape {field.shape}; expected ({n},)")
        h = field
    m, m_prev = np.tanh(h), np.zeros(n)
    for _ in range(iterations):
        ym = (a @ m - (d / n) * m.sum()) * scale
        onsager = lam * lam * np.mean(1.0 - m * m)
        h = lam * ym - onsager * m_prev + field
        m_prev, m = m, np.tanh(h)
    return m
