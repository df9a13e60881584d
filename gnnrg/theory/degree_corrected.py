r"""Neighbour-count laws of degree-corrected cSBM graphs, as :func:`gnnrg.csbm` draws them.

With ``degree_law`` the generator gives every node a propensity θ (drawn from the law, then
normalised to mean 1 within its class) and the pair (i, j) Poisson(p θ_i θ_j) edges, merged into
one: the edge is present with probability 1 − exp(−p θ_i θ_j). Given θ_i, node i's neighbours in
a class are a sum of independent Bernoullis, approximated here by a binomial with the same mean,

.. math::

    q(\theta_i) = \frac{1}{n_c}\sum_j \left(1 - e^{-p\,\theta_i\theta_j}\right)
    = p\,\theta_i\,\bar\theta - \frac{1}{n_c}\sum_j g(p\,\theta_i\theta_j),
    \qquad g(x) = x - 1 + e^{-x},

where the mean θ̄ of the node's own class excludes θ_i itself (the normalisation makes it
(n_c − θ_i)/(n_c − 1)) and the merging term g is averaged over a seeded population of
normalised propensities. The nodes are then grouped into strata of θ (finer in the tail) and
each stratum becomes one :class:`gnnrg.theory.kclass.Component`: the one-layer accuracy of a
degree-corrected graph is the mixture of the plain count laws over the strata.

Approximations, measured in ``theory/accuracy.md``: the Bernoulli sum as a binomial, one count
law per stratum, and the population sample of propensities.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from gnnrg._checks import check_choice, check_real
from gnnrg.generators.degrees import DEGREE_LAWS, sample_propensities
from gnnrg.theory.kclass import Component

__all__ = ["DEGREE_LAWS", "propensity_components"]

#: Upper edges of the strata in probability (quantiles of θ): 30 equal strata up to 0.9,
#: then ever finer ones into the tail, where the hubs are.
_EDGES = np.concatenate([np.linspace(0, 0.9, 31)[1:], 1 - 0.1 * np.geomspace(1, 2e-4, 18)[1:], [1]])
#: Log-spaced bins of the products θ_i θ_j (per decade).
_PER_DECADE = 40


@cache
def _pair_sums(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per stratum of θ_i: how many nodes, the histogram (count, sum) of the products
    θ_i θ_j over the node's own class (j ≠ i) and over another class, on log bins and per
    stratum of θ_j, and the stratum's mean θ and its largest θ.

    Depends on the propensity law only, not on p, so a (λ, μ) grid computes it once."""
    replicas = max(2, math.ceil(population / size))
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(replicas), size)
    theta = sample_propensities(labels, law, rng, exponent=exponent, sigma=sigma).reshape(
        replicas, size
    )
    rank = np.argsort(np.argsort(theta.ravel(), kind="stable"), kind="stable").reshape(theta.shape)
    bounds = np.unique(np.round(_EDGES * theta.size).astype(int))
    stratum = np.searchsorted(bounds, rank, side="right")
    strata = len(bounds)
    low = math.floor(math.log10(max(theta.min(), 1e-300) ** 2 + 1e-300))
    high = math.ceil(math.log10(theta.max() ** 2)) + 1
    bins = (high - low) * _PER_DECADE
    cap = min(size, 4_000)  # partners per node: all of them, or an unbiased subset
    cells = strata * strata * bins
    counts = np.zeros((2, cells))
    sums = np.zeros((2, cells))
    for r in range(replicas):
        own, other = theta[r], theta[(r + 1) % replicas]
        for which, partners in enumerate((own, other)):
            pick = np.arange(size) if cap == size else rng.choice(size, cap, replace=False)
            y = own[:, None] * partners[None, pick]
            keep = np.ones(y.shape, dtype=bool)
            if which == 0:
                keep[pick, np.arange(len(pick))] = False  # no self pairs
            y = y[keep]
            where = np.clip(((np.log10(np.maximum(y, 1e-300)) - low) * _PER_DECADE).astype(int),
                            0, bins - 1)  # fmt: skip
            mate = stratum[r if which == 0 else (r + 1) % replicas][pick]
            pair = stratum[r][:, None] * strata + mate[None, :]
            index = pair[keep] * bins + where
            scale = (size - (1 if which == 0 else 0)) / (len(pick) - (1 if which == 0 else 0))
            counts[which] += scale * np.bincount(index, minlength=cells)
            sums[which] += scale * np.bincount(index, weights=y, minlength=cells)
    nodes = np.bincount(stratum.ravel(), minlength=strata).astype(float)
    shape = (2, strata, strata, bins)
    theta_mean = np.bincount(stratum.ravel(), theta.ravel(), strata) / np.maximum(nodes, 1)
    upper = np.full(strata, -np.inf)
    np.maximum.at(upper, stratum.ravel(), theta.ravel())
    upper = np.maximum.accumulate(upper)  # an empty stratum: its lower neighbour's bound
    return nodes, counts.reshape(shape), sums.reshape(shape), theta_mean, upper


def propensity_components(
    n: int,
    classes: int,
    p_in: float,
    p_out: float,
    law: str,
    *,
    exponent: float = 2.5,
    sigma: float = 1.0,
    population: int = 40_000,
    seed: int = 0,
) -> list[Component]:
    """The neighbour-count laws of a degree-corrected cSBM, one per stratum of θ.

    Parameters
    ----------
    n, classes : int
        Nodes and (balanced) classes; a class holds n // classes nodes.
    p_in, p_out : float
        Edge probabilities within and between classes before degree correction.
    law : {"powerlaw", "lognormal"}
        The propensity law (:func:`gnnrg.generators.degrees.sample_propensities`).
    exponent, sigma : float
        Its power-law exponent (> 2) or lognormal spread.
    population, seed : int
        Size and seed of the population of normalised propensities (classes of n // classes
        nodes, normalised as the generator does).

    Returns
    -------
    list of Component
        Weights summing to 1; the same-class count of a node in stratum b is
        Bin(n_c − 1, q_in,b), each other class's Bin(n_c, q_out,b).

    Examples
    --------
    >>> comps = propensity_components(1000, 2, 0.015, 0.005, "powerlaw", exponent=2.5)
    >>> round(sum(c.weight for c in comps), 12), len(comps) > 40
    (1.0, True)
    >>> mean_degree = sum(c.weight * (499 * c.same_p + 500 * c.other_p) for c in comps)
    >>> round(mean_degree, 1)   # 10.0 before the hubs' multi-edges are merged
    8.9
    """
    law = check_choice("degree_law", law, DEGREE_LAWS)
    if law == "powerlaw":
        exponent = check_real("degree_exponent", exponent, low=2.0, low_open=True)
    else:
        sigma = check_real("degree_sigma", sigma, low=0.0)
    size = n // classes
    nodes, counts, sums, theta, _ = _pair_sums(
        size, law, float(exponent), float(sigma), int(population), int(seed)
    )
    counts, sums = counts.sum(axis=2), sums.sum(axis=2)
    components = []
    for b, weight in enumerate(nodes / nodes.sum()):
        if weight == 0:
            continue
        q = []
        for which, (p, trials) in enumerate(((p_in, size - 1), (p_out, size))):
            mean_y = np.divide(sums[which, b], counts[which, b], where=counts[which, b] > 0,
                               out=np.zeros_like(sums[which, b]))  # fmt: skip
            edges = counts[which, b] @ -np.expm1(-p * mean_y)
            q.append(float(np.clip(edges / (nodes[b] * trials), 0.0, 1.0)))
        components.append(
            Component(float(weight), size - 1, q[0], size, q[1], propensity=float(theta[b]))
        )
    return components


def stratum_pairs(
    n: int, classes: int, p_in: float, p_out: float, law: str, *, exponent: float = 2.5,
    sigma: float = 1.0, population: int = 40_000, seed: int = 0,
) -> dict[bool, tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """For a node i of stratum a and the strata b of the nodes j of its own class (``True``)
    or of another class (``False``): the share of those j in b (the class as i sees it: a
    class's normalisation ties its propensities together, so a node with a large θ has fewer
    hubs beside it) and the mean edge probability 1 − exp(−p θ_i θ_j) over those pairs
    (S × S each)."""
    size = n // classes
    nodes, counts, sums, theta, _ = _pair_sums(
        size, law, float(exponent), float(sigma), int(population), int(seed)
    )
    out = {}
    for which, p in enumerate((p_in, p_out)):
        pairs = counts[which].sum(axis=2)  # (S, S)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_y = np.where(counts[which] > 0, sums[which] / counts[which], 0.0)
            edges = (counts[which] * -np.expm1(-p * mean_y)).sum(axis=2)
            edge = np.where(pairs > 0, edges / pairs, -np.expm1(-p * np.outer(theta, theta)))
            frac = pairs / pairs.sum(axis=1, keepdims=True)
        frac = np.where(np.isfinite(frac), frac, nodes / nodes.sum())
        out[which == 0] = (frac, edge)
    return out


#: x = p θ grid of the replicas' reach tables (log-spaced, 12 per decade)
_REACH_X = np.geomspace(1e-6, 1e2, 8 * 12 + 1)
#: class samples of propensities whose spread the reach covariance measures
_REPLICAS = 1_000


@cache
def _reach_table(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> np.ndarray:
    """T[r, b, x] = Σ_{j in stratum b} (1 − exp(−x θ_j)) over the ``_REPLICAS`` class samples
    r of normalised propensities (as the generator draws one class of one graph), strata by
    the population's θ bounds."""
    upper = _pair_sums(size, law, exponent, sigma, population, seed)[4]
    rng = np.random.default_rng([seed, 1])
    labels = np.repeat(np.arange(_REPLICAS), size)
    theta = sample_propensities(labels, law, rng, exponent=exponent, sigma=sigma).reshape(
        _REPLICAS, size
    )
    stratum = np.minimum(np.searchsorted(upper, theta, side="left"), len(upper) - 1)
    table = np.zeros((_REPLICAS, len(upper), len(_REACH_X)))
    for r in range(_REPLICAS):
        reach = -np.expm1(-np.multiply.outer(theta[r], _REACH_X))  # size × x
        np.add.at(table[r], stratum[r], reach)
    return table


def reach_factors(
    n: int, classes: int, x: np.ndarray, rho: np.ndarray, law: str, *, exponent: float = 2.5,
    sigma: float = 1.0, population: int = 40_000, seed: int = 0, rank: int = 8,
) -> np.ndarray:  # fmt: skip
    """Factors U (len(x) × rank), U Uᵀ ≈ the covariance over graphs of a class's weighted
    reach Σ_j ρ_{b(j)} (1 − exp(−x_a θ_j)) at the x values asked: how one graph's draw of a
    class's propensities moves the expected edges into that class of all nodes together
    (the normalisation shares a hub's mass out, and hubs saturate)."""
    table = _reach_table(n // classes, law, float(exponent), float(sigma), int(population),
                         int(seed))  # fmt: skip
    logx = np.log(_REACH_X)
    at = np.clip(np.log(np.maximum(x, 1e-300)), logx[0], logx[-1])
    left = np.minimum(np.searchsorted(logx, at, side="right") - 1, len(logx) - 2)
    frac = (at - logx[left]) / (logx[left + 1] - logx[left])
    weighted = np.einsum("rbx,b->rx", table, rho)
    values = weighted[:, left] * (1 - frac) + weighted[:, left + 1] * frac  # replicas × x
    values -= values.mean(axis=0)
    eigval, eigvec = np.linalg.eigh(values.T @ values / (len(values) - 1))
    top = np.argsort(eigval)[::-1][:rank]
    return eigvec[:, top] * np.sqrt(np.maximum(eigval[top], 0.0))
