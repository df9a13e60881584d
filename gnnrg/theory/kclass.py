r"""Accuracy of one-layer linear GCNs when a node's neighbour counts follow binomial laws.

The cSBM with k classes (orthogonal unit class means e_c, as :func:`gnnrg.csbm` draws them for
k > 2) and the oracle readout argmax_c ⟨e_c, h_i⟩. For any linear filter K the scores are
⟨e_c, h_i⟩ = μ N_c + σ ‖K_{i,:}‖ g_c with N_c = (K 1_c)_i and g_c independent N(0, 1) (the
projections of isotropic noise on orthonormal directions), so a node of class y is right with
probability

.. math::

    P(\text{correct}_i \mid G) = \int \varphi(t) \prod_{c \ne y}
        \Phi\!\left(t + s\,\frac{N_y - N_c}{\lVert K_{i,:}\rVert}\right) dt,

a one-dimensional integral (Gauss–Hermite, 24 nodes: 5e-7). For one layer of ``sum``, ``sum-self``
or ``mean``, N_y − N_c = δ + k_y − k_c and ‖K_{i,:}‖² ∝ δ + k_y + Σ_c k_c, with δ = 1 for a
self loop, so only the node's counts per class enter: k_y ~ Bin(n_y − 1, q_same) and the k − 1
others k_c ~ Bin(n_c, q_other), independent.

The average over the counts is a mixture of *components* (one for the plain cSBM, one per
degree-propensity stratum for degree-corrected graphs, :mod:`gnnrg.theory.degree_corrected`):

- two classes: the exact double sum of :math:`\Phi(s\,r)` over (k_y, k_d) per component;
- k > 2: the shared norm couples the k − 1 other counts, so the expectation is taken over a
  seeded *stratified* population: (component, k_y, M = Σ_c k_c) by systematic sampling of
  their exact law, then M split over the rivals by its exact (hypergeometric) law. The
  stratification leaves only the spread of the split; the population grows until its Monte
  Carlo error is below 2e-4 or it holds 50 000 nodes (measured spread over seeds: 1e-5–3e-4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr

from gnnrg.theory.counts import count_law, expect_phi, pair_ratio

__all__ = [
    "Component",
    "argmax_probability",
    "chebyshev_eval",
    "chebyshev_points",
    "count_accuracy",
    "on_nodes",
    "readouts",
]


def _rule(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Hermite nodes and weights for E f(Z), Z ~ N(0, 1)."""
    t, w = np.polynomial.hermite_e.hermegauss(nodes)
    return t, w / math.sqrt(2.0 * math.pi)


#: The rule of the argmax integral (24 nodes, error below 5e-7), and a 12-node one (error
#: 3e-4) for the batch means that only decide when to stop sampling.
(_T, _W), _PILOT = _rule(24), _rule(12)


@dataclass(frozen=True)
class Component:
    """One law of a node's neighbour counts: a share of the nodes whose same-class count is
    Bin(``same_trials``, ``same_p``) and each other class's count Bin(``other_trials``,
    ``other_p``), all independent; ``propensity``: the stratum's mean propensity θ (degree
    correction). ``same_shape``, where given, is the same-class law's trials instead (the
    mean kept): a sum of Bernoullis with unequal probabilities (a node's edges to nodes of
    unequal propensities) varies less than the binomial of its mean, and the binomial with
    fewer trials matches its variance (see :meth:`law`)."""

    weight: float
    same_trials: int
    same_p: float
    other_trials: int
    other_p: float
    propensity: float | None = None
    same_shape: int | None = None

    def law(self, same: bool) -> tuple[int, float]:
        """(trials, p) of the count law into the node's own class (``same``) or another: the
        partners and their mean edge probability, or into its own class ``same_shape`` trials
        with the same mean.

        Examples
        --------
        >>> Component(1.0, 100, 0.04, 100, 0.01, same_shape=50).law(True)
        (50, 0.08)
        """
        if not same:
            return self.other_trials, self.other_p
        if self.same_shape is None:
            return self.same_trials, self.same_p
        return self.same_shape, self.same_p * self.same_trials / self.same_shape


def argmax_probability(
    margins: np.ndarray, *, rule: tuple[np.ndarray, np.ndarray] | None = None
) -> np.ndarray:
    r""":math:`\int \varphi(t) \prod_c \Phi(t + m_c)\,dt` over the last axis of ``margins``.

    The probability that N(0, 1) plus a margin m_c beats k − 1 independent N(0, 1) rivals.

    Parameters
    ----------
    margins : ndarray of shape (..., k − 1)
    rule : (nodes, weights), optional
        Another Gauss–Hermite rule (default: 24 nodes, error below 5e-7).

    Returns
    -------
    ndarray of shape (...)

    Examples
    --------
    >>> round(float(argmax_probability(np.zeros(2))), 6)  # three equal classes
    0.333333
    """
    nodes, weights = (_T, _W) if rule is None else rule
    margins = np.asarray(margins, dtype=float)
    values = ndtr(margins[..., None] + nodes).prod(axis=-2)
    return values @ weights


def chebyshev_points(s: np.ndarray, nodes: int) -> np.ndarray:
    """The distinct values of ``s`` if there are at most ``nodes``, else ``nodes`` Chebyshev
    points spanning them (see :func:`chebyshev_eval`).

    Examples
    --------
    >>> chebyshev_points(np.array([0.5, 0.0, 0.5]), 4).tolist()
    [0.0, 0.5]
    >>> len(chebyshev_points(np.linspace(0, 2, 200), 8))
    8
    """
    distinct = np.unique(np.asarray(s, dtype=float))
    if len(distinct) <= nodes:
        return distinct
    low, high = float(distinct[0]), float(distinct[-1])
    x = np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes)
    return low + (x + 1) * (high - low) / 2


def _chebyshev_coef(points: np.ndarray, values: np.ndarray) -> np.ndarray:
    low, high = float(points.min()), float(points.max())
    x = 2 * (points - low) / (high - low) - 1
    return np.polynomial.chebyshev.chebfit(x, values, len(points) - 1)


def chebyshev_eval(points: np.ndarray, values: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Values at ``points`` (from :func:`chebyshev_points`) carried to every entry of ``s``:
    looked up, or through the interpolating polynomial.

    Examples
    --------
    >>> s = np.linspace(0, 1, 50)
    >>> points = chebyshev_points(s, 6)
    >>> bool(np.allclose(chebyshev_eval(points, points**2, s), s**2))
    True
    """
    s = np.asarray(s, dtype=float)
    distinct = np.unique(s)
    if len(distinct) == len(points) and np.array_equal(distinct, points):
        return values[np.searchsorted(points, s)]
    low, high = float(points.min()), float(points.max())
    coef = _chebyshev_coef(points, values)
    return np.polynomial.chebyshev.chebval(2 * (s - low) / (high - low) - 1, coef)


def on_nodes(
    fn: Callable[[np.ndarray], np.ndarray],
    s: np.ndarray,
    nodes: int = 24,
    *,
    tol: float = 1e-7,
    most: int = 192,
    grow: float = 2.0,
) -> np.ndarray:
    """``fn`` at every entry of ``s``; when ``s`` has many distinct values, ``fn`` runs at
    Chebyshev points of s >= 0 and of s < 0 separately and the polynomial carries it over.
    The points grow by ``grow`` (up to ``most``) until the last coefficients are below
    ``tol``.

    Examples
    --------
    >>> s = np.linspace(-2, 2, 400)
    >>> float(np.abs(on_nodes(lambda v: ndtr(8 * v), s) - ndtr(8 * s)).max()) < 1e-6
    True
    """
    s = np.asarray(s, dtype=float)
    out = np.empty(s.shape)
    for side in (s >= 0, s < 0):
        if not side.any():
            continue
        count = nodes
        while True:
            points = chebyshev_points(s[side], count)
            values = fn(points)
            if len(points) < count or count >= most:
                break
            if np.abs(_chebyshev_coef(points, values)[-3:]).max() < tol:
                break
            count = round(count * grow)
        out[side] = chebyshev_eval(points, values, s[side])
    return out


def _two_class(s: np.ndarray, components: list[Component], delta: int) -> np.ndarray:
    """Exact: Σ over components and (k_y, k_d) of P · Φ(s r) (ties ½). The components'
    probabilities are first added up per (k_y, k_d), so Φ runs once per count pair."""
    ks, kd, weight = _joint(components, 1)
    ratio = np.round(pair_ratio(ks, kd, bool(delta)), 13)
    return on_nodes(lambda v: expect_phi(v, ratio, weight), s)


def _joint(components: list[Component], rivals: int) -> tuple[np.ndarray, ...]:
    """(k_y, M, probability) of every cell above 1e-13 (dropped: below 1e-8 in all) of the
    components' mixture: k_y by its law (:meth:`Component.law`) and M, the total of ``rivals``
    other classes, ~ Bin(rivals · other_trials, other_p), added up per (k_y, M)."""
    laws = [
        (c.weight, count_law(*c.law(True)), count_law(rivals * c.other_trials, c.other_p))
        for c in components
    ]
    grid = np.zeros((max(int(a[0][-1]) for _, a, _ in laws) + 1,
                     max(int(b[0][-1]) for _, _, b in laws) + 1))  # fmt: skip
    for weight, (ks, ps), (ms, pm) in laws:
        grid[np.ix_(ks, ms)] += weight * np.outer(ps, pm)
    ky, total = np.nonzero(grid > 1e-13)
    return ky, total, grid[ky, total]


def _cells(
    components: list[Component], classes: int, *, merge: bool = True
) -> tuple[np.ndarray, ...]:
    """Every (k_y, M) with its exact probability summed over the components (M = Σ_c k_c the
    others' total, a sum of iid binomials: Bin((k − 1) n_c, q)), cells under 1e-13 dropped;
    with ``merge=False`` every (component, k_y, M).

    The cells are ordered by the margin of a node whose rivals split M evenly, so that the
    systematic sample of :func:`_population` takes neighbouring strata of nearly equal accuracy
    (across components too: a node's counts, not its stratum, set its margins). Returns
    (rival class size, k_y, M, cumulative probability, component), one entry per cell
    (component -1 when merged).
    """
    parts = []
    groups = (
        [(t, [c for c in components if c.other_trials == t], -1)
         for t in sorted({c.other_trials for c in components})]
        if merge else [(c.other_trials, [c], b) for b, c in enumerate(components)]
    )  # fmt: skip
    for trials, members, index in groups:
        ky, total, prob = _joint(members, classes - 1)
        parts.append((np.full(len(ky), trials), ky, total, prob, np.full(len(ky), index)))
    trials, ky, total, prob, component = (np.concatenate(a) for a in zip(*parts, strict=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        even = (1 + ky - total / (classes - 1)) / np.sqrt(1 + ky + total)
    order = np.argsort(even, kind="stable")
    cumulative = np.cumsum(prob[order])
    return (trials[order], ky[order], total[order], cumulative / cumulative[-1],
            component[order])  # fmt: skip


def _population(
    size: int, cells: tuple[np.ndarray, ...], classes: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A stratified population: (k_y, M) by systematic sampling of their exact law, then M
    split over the k − 1 other classes by its exact (hypergeometric) law given M.
    Returns k_y (W,), the others (W, k − 1) and each node's component (-1: cells merged)."""
    trials_all, ky_all, total_all, cumulative, component = cells
    pick = np.searchsorted(cumulative, (np.arange(size) + rng.random(size)) / size)
    pick = np.minimum(pick, len(cumulative) - 1)
    trials, ky, left = trials_all[pick], ky_all[pick], total_all[pick].copy()
    others = np.empty((size, classes - 1), dtype=np.int64)
    for c in range(classes - 2):
        others[:, c] = rng.hypergeometric(trials, (classes - 2 - c) * trials, left)
        left -= others[:, c]
    others[:, -1] = left
    return ky, others, component[pick]


def count_accuracy(
    s: np.ndarray,
    components: list[Component],
    classes: int,
    *,
    self_loop: bool,
    samples: int = 50_000,
    tol: float = 2e-4,
    seed: int = 0,
    margins: Callable[[np.ndarray, np.ndarray, np.random.Generator], np.ndarray] | None = None,
) -> np.ndarray:
    """Mean accuracy of the argmax readout at each s when the counts follow ``components``.

    Parameters
    ----------
    s : ndarray
        Signal-to-noise ratios μ/σ (negative values give the flipped readout, argmin).
    components : list of Component
        The mixture of count laws (weights summing to 1).
    classes : int
        k >= 2.
    self_loop : bool
        δ = 1 (``sum-self``, ``mean``) or 0 (``sum``).
    samples : int, default 50000
        Most nodes in the population for k > 2 (and for ``margins``).
    tol : float, default 2e-4
        The population grows in stratified batches of 2 500 (at least four) until the Monte
        Carlo standard error of the mean (from the spread of the batch means) is below
        ``tol`` at the two ends of the range of s, or ``samples`` is reached.
    seed : int
    margins : callable, optional
        ``margins(ky, others, rng)`` → the (W, k − 1) ratios (N_y − N_c)/‖K_i‖ of another
        aggregation (``sym``), replacing the count ratios.

    Returns
    -------
    ndarray shaped like ``s``

    Examples
    --------
    >>> comp = [Component(1.0, 332, 0.02, 333, 0.0074)]
    >>> acc = count_accuracy(np.array([0.0, 1.0]), comp, 3, self_loop=True)
    >>> acc.round(3).tolist()
    [0.333, 0.713]
    """
    s = np.asarray(s, dtype=float)
    delta = 1 if self_loop else 0
    if classes == 2 and margins is None:
        return _two_class(s, components, delta)
    rng = np.random.default_rng(seed)
    cells = _cells(components, classes)
    pilot = chebyshev_points(s, 2)  # the population grows until the mean is sharp here
    means, drawn, batches = [], 0, []
    while drawn < samples:  # stratified batches: their means are independent estimates
        size = min(2_500, samples - drawn)
        batch = _rows(rng, size, cells, classes, margins)
        batches.append(batch)
        rows, counts = _distinct(batch)
        means.append(counts @ _accuracies(_ratios(rows, delta), pilot, rule=_PILOT) / size)
        drawn += size
        if sharp(means, tol):
            break
    rows, counts = _distinct(np.concatenate(batches))
    ratios, share = _ratios(rows, delta), counts / drawn  # the integral once per distinct node
    return on_nodes(lambda v: share @ _accuracies(ratios, v), s, nodes=16, tol=1e-6)


def sharp(means: list, tol: float) -> bool:
    """Whether a population grown in independent stratified batches may stop: at least four
    batch means (rows: each a vector over the pilot points) whose standard error of the mean is
    below ``tol`` at every point.

    Examples
    --------
    >>> sharp([np.array([0.5]), np.array([0.51]), np.array([0.5]), np.array([0.49])], 0.01)
    True
    """
    if len(means) < 4:
        return False
    return bool(np.std(means, axis=0, ddof=1).max() / math.sqrt(len(means)) < tol)


def _distinct(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows and how often each occurs; integer rows through one integer key each
    (a 1-d sort, several times faster than comparing rows), when the key fits."""
    if rows.dtype.kind == "i" and rows.size:
        try:
            key = np.ravel_multi_index(rows.T, (int(rows.max()) + 1,) * rows.shape[1])
        except ValueError:  # the key would overflow: compare rows
            pass
        else:
            _, first, counts = np.unique(key, return_index=True, return_counts=True)
            return rows[first], counts.astype(float)
    distinct, counts = np.unique(rows, axis=0, return_counts=True)
    return distinct, counts.astype(float)


def _ratios(rows: np.ndarray, delta: int) -> np.ndarray:
    """The margins (N_y − N_c)/‖K_i‖ of count rows (k_y, sorted k_c); float rows are margins
    already."""
    if rows.dtype.kind != "i":
        return rows
    ky, others = rows[:, :1], rows[:, 1:]
    norm = delta + ky + others.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (delta + ky - others) / np.sqrt(norm)
    return np.where(norm > 0, ratio, 0.0)  # an isolated node (sum): a 1/k tie


def _accuracies(rows: np.ndarray, points: np.ndarray, rule: Any = None) -> np.ndarray:
    """The probability of a correct read-out for every row of ratios at every s in ``points``:
    the argmax integral, or Φ(s r) for two classes (means ±u, the sign read-out)."""
    if rows.shape[1] == 1:
        return ndtr(np.multiply.outer(rows[:, 0], points))
    nodes, weights = (_T, _W) if rule is None else rule
    # the ratios come from integer counts: few distinct values, so Φ is tabulated on them once
    # per s and the rows gather it (the same sum as argmax_probability, several times faster)
    values, inverse = np.unique(rows, return_inverse=True)
    inverse = inverse.reshape(rows.shape)
    out = np.empty((len(rows), len(points)))
    for i, v in enumerate(points):
        table = ndtr(v * values[:, None] + nodes)
        product = table[inverse[:, 0]]
        for c in range(1, rows.shape[1]):
            product *= table[inverse[:, c]]
        out[:, i] = product @ weights
    return out


def _rows(
    rng: np.random.Generator,
    size: int,
    cells: tuple[np.ndarray, ...],
    classes: int,
    margins: Callable | None,
) -> np.ndarray:
    """A stratified batch of nodes: integer rows (k_y, k_c sorted) of their counts, or the
    float margins of ``margins``, sorted (the product is symmetric in the rivals)."""
    ky, others, _ = _population(size, cells, classes, rng)
    if margins is not None:
        return np.sort(margins(ky, others, rng), axis=1)
    return np.column_stack([ky, np.sort(others, axis=1)]).astype(np.int64)


def best_sign(accuracy: Callable[[np.ndarray], np.ndarray], s: np.ndarray) -> dict[str, Any]:
    """``accuracy`` (argmax readout), ``accuracy_flipped`` (argmin) and ``accuracy_best_sign``,
    the better of the two chosen once for all nodes (a trained readout can flip under
    heterophily); for two classes argmin is 1 − argmax.

    Parameters
    ----------
    accuracy : callable
        The argmax accuracy at an array of s (negative s: the argmin read-out).
    s : ndarray

    Returns
    -------
    dict
        ``accuracy``, ``accuracy_flipped`` and ``accuracy_best_sign``, shaped like ``s``.

    Examples
    --------
    >>> best_sign(lambda v: ndtr(-v), np.array([1.0]))["accuracy_best_sign"].round(4).tolist()
    [0.8413]
    """
    both = accuracy(np.concatenate([s.ravel(), -s.ravel()]))
    return readouts(both[: s.size].reshape(s.shape), both[s.size :].reshape(s.shape))


def readouts(plus: Any, minus: Any) -> dict[str, Any]:
    """The evaluators' result from the argmax (or sign) accuracy ``plus`` and the flipped
    read-out's ``minus``: ``accuracy``, ``accuracy_flipped`` and ``accuracy_best_sign`` (the
    better of the two), clipped to [0, 1] (a sum of probabilities can round past 1 in the last
    bit); floats for 0-d input.

    Examples
    --------
    >>> readouts(0.3, 0.7)
    {'accuracy': 0.3, 'accuracy_flipped': 0.7, 'accuracy_best_sign': 0.7}
    """
    plus, minus = (np.clip(np.asarray(v, dtype=float), 0.0, 1.0) for v in (plus, minus))
    out = {
        "accuracy": plus,
        "accuracy_flipped": minus,
        "accuracy_best_sign": np.maximum(plus, minus),
    }
    if plus.ndim == 0:
        return {key: float(value) for key, value in out.items()}
    return out
