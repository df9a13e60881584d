r"""Neighbour-count laws of degree-corrected cSBM graphs, as :func:`gnnrg.csbm` draws them.

With ``degree_law`` the generator gives every node a propensity θ (drawn from the law, then
normalised to mean 1 within its class) and the pair (i, j) Poisson(p θ_i θ_j) edges, merged into
one: the edge is present with probability 1 − exp(−p θ_i θ_j). Given θ_i, node i's neighbours in
a class are a sum of independent Bernoullis, approximated here by a binomial with its mean,

.. math::

    q(\theta_i) = \frac{1}{n_c}\sum_j \left(1 - e^{-p\,\theta_i\theta_j}\right)
    = p\,\theta_i\,\bar\theta - \frac{1}{n_c}\sum_j g(p\,\theta_i\theta_j),
    \qquad g(x) = x - 1 + e^{-x},

where the mean θ̄ of the node's own class excludes θ_i itself (the normalisation makes it
(n_c − θ_i)/(n_c − 1)) and the merging term g is averaged over a seeded population of
normalised propensities. The nodes are then grouped into strata of θ (finer in the tail) and
each stratum becomes one :class:`gnnrg.theory.kclass.Component`: the one-layer accuracy of a
degree-corrected graph is the mixture of the plain count laws over the strata. A stratum's
binomial into its own class also has the Bernoulli sum's variance (:func:`count_dispersion`:
fewer trials, the mean kept), which is below the binomial of its mean where the hubs make the
probabilities unequal.

The population is importance-sampled in each class sample's largest propensity (power law:
the rare class whose largest raw θ outweighs the rest carries the tail's expectations), and it
also serves the two-layer neighbourhood form: the strata's pair statistics as a node sees its
own and another class (:func:`stratum_pairs`), how a class sample moves a class's reach
(:func:`class_reach`) and, from the same class samples, the strata's expected degrees
(:func:`stratum_degrees`).

Approximations, measured in ``theory/accuracy.md``: the Bernoulli sum as a binomial of its
mean and variance, one count law per stratum, and the population sample of propensities.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from gnnrg._checks import check_choice, check_real
from gnnrg.generators.degrees import DEGREE_LAWS, sample_propensities
from gnnrg.theory.kclass import Component

__all__ = [
    "DEGREE_LAWS",
    "class_reach",
    "count_dispersion",
    "propensity_components",
    "stratum_degrees",
    "stratum_pairs",
]

#: Upper edges of the strata in probability (quantiles of θ): 30 equal strata up to 0.9,
#: then ever finer ones into the tail, where the hubs are.
_EDGES = np.concatenate([np.linspace(0, 0.9, 31)[1:], 1 - 0.1 * np.geomspace(1, 2e-4, 18)[1:], [1]])
#: Log-spaced bins of the products θ_i θ_j (per decade).
_PER_DECADE = 40


#: Decades of 1 − U the power law's largest propensity is importance-sampled over
_TAIL_DECADES = 6


def _log_bin(values: np.ndarray, low: float, bins: int) -> np.ndarray:
    """The bin of each value on the log grid of ``_PER_DECADE`` bins a decade from 10^low."""
    where = (np.log10(np.maximum(values, 1e-300)) - low) * _PER_DECADE
    return np.clip(where.astype(int), 0, bins - 1)


def _class_samples(
    size: int, law: str, exponent: float, sigma: float, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` classes of ``size`` normalised propensities as the generator draws one
    class of one graph, and each class's importance weight (mean 1).

    A heavy tail's expectations hang on the rare class whose largest raw propensity
    outweighs the rest, so for the power law the largest is drawn from its exact law
    F(x)^size at U stratified half uniformly and half log-uniformly in 1 − U (down to
    1e-6), weighted by 1 / (the mixture's density); the other size − 1 are drawn below it
    (truncated). The lognormal is drawn plainly, weights 1."""
    if law != "powerlaw":
        labels = np.repeat(np.arange(count), size)
        theta = sample_propensities(labels, law, rng, exponent=exponent, sigma=sigma)
        return theta.reshape(count, size), np.ones(count)
    alpha = exponent - 1.0
    half = count // 2
    u = (np.arange(count - half) + rng.random(count - half)) / (count - half)
    tail = 10.0 ** (-_TAIL_DECADES * (np.arange(half) + rng.random(half)) / half)
    top = np.concatenate([u, 1.0 - tail])
    gap = np.concatenate([1.0 - u, tail])
    spread = _TAIL_DECADES * math.log(10.0)
    density = 0.5 + 0.5 * np.where(gap >= 10.0**-_TAIL_DECADES, 1.0 / (gap * spread), 0.0)
    largest = (-np.expm1(np.log(np.maximum(top, 1e-300)) / size)) ** (-1.0 / alpha)
    below = 1.0 - largest ** (-alpha)  # F(largest)
    raw = (1.0 - rng.random((count, size - 1)) * below[:, None]) ** (-1.0 / alpha)
    theta = np.column_stack([largest, raw])
    theta *= size / theta.sum(axis=1, keepdims=True)
    weight = 1.0 / density
    return theta, weight / weight.mean()


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
    theta, chance = _class_samples(size, law, exponent, sigma, replicas, rng)
    node_weight = np.repeat(chance, size)
    order = np.argsort(theta.ravel(), kind="stable")
    position = np.empty(theta.size)
    cumulative = np.cumsum(node_weight[order])
    position[order] = (cumulative - node_weight[order] / 2) / cumulative[-1]
    stratum = np.minimum(np.searchsorted(_EDGES, position, side="right"), len(_EDGES) - 1)
    stratum = stratum.reshape(theta.shape)
    strata = len(_EDGES)
    low = math.floor(math.log10(max(theta.min(), 1e-300) ** 2 + 1e-300))
    high = math.ceil(math.log10(theta.max() ** 2)) + 1
    bins = (high - low) * _PER_DECADE
    cap = min(size, 4_000)  # partners per node: all of them, or an unbiased subset
    cells = strata * strata * bins
    counts = np.zeros((2, cells))
    sums = np.zeros((2, cells))
    batch: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for r in range(replicas):  # the own class: pairs inside one class sample
        own = theta[r]
        pick = np.arange(size) if cap == size else rng.choice(size, cap, replace=False)
        y = own[:, None] * own[None, pick]
        keep = np.ones(y.shape, dtype=bool)
        keep[pick, np.arange(len(pick))] = False  # no self pairs
        y = y[keep]
        index = (stratum[r][:, None] * strata + stratum[r][pick][None, :])[keep] * bins
        index += _log_bin(y, low, bins)
        scale = np.full(len(y), chance[r] * (size - 1) / (len(pick) - 1))
        batch.append((index, y, scale))
        if sum(len(b[0]) for b in batch) > 2_000_000 or r == replicas - 1:  # one bincount
            index, y, scale = (np.concatenate(part) for part in zip(*batch, strict=True))
            counts[0] += np.bincount(index, scale, minlength=cells)
            sums[0] += np.bincount(index, scale * y, minlength=cells)
            batch = []
    # another class is an independent sample: its pairs' histogram is the product of the
    # weighted histograms of log θ per stratum (their convolution in log θ)
    half = _log_bin(theta.ravel(), low / 2, bins)  # θ on the same grid as θ²'s halves
    flat = stratum.ravel() * bins + half
    count = np.bincount(flat, node_weight, strata * bins).reshape(strata, bins)
    total = np.bincount(flat, node_weight * theta.ravel(), strata * bins).reshape(strata, bins)
    share = count / count.sum()
    mass = total / count.sum()
    for a in range(strata):
        for b in range(strata):
            at = (a * strata + b) * bins
            counts[1, at : at + bins] = size * np.convolve(count[a], share[b])[:bins]
            sums[1, at : at + bins] = size * np.convolve(total[a], mass[b])[:bins]
    nodes = np.bincount(stratum.ravel(), node_weight, minlength=strata)
    shape = (2, strata, strata, bins)
    theta_mean = np.divide(np.bincount(stratum.ravel(), node_weight * theta.ravel(), strata),
                           nodes, out=np.ones(strata), where=nodes > 0)  # fmt: skip
    upper = np.full(strata, -np.inf)
    np.maximum.at(upper, stratum.ravel(), theta.ravel())
    upper = np.maximum.accumulate(upper)  # an empty stratum: its lower neighbour's bound
    return nodes, counts.reshape(shape), sums.reshape(shape), theta_mean, upper


@cache
def _stratum_sums(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_pair_sums` per stratum of θ_i alone (the partners' strata summed out), once
    per law: what every λ column of the one-layer forms reads."""
    nodes, counts, sums, theta, _ = _pair_sums(size, law, exponent, sigma, population, seed)
    return nodes, counts.sum(axis=2), sums.sum(axis=2), theta


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
        Weights summing to 1; the same-class count of a node in stratum b is a binomial of
        mean (n_c − 1) q_in,b, with fewer trials where :func:`count_dispersion` finds the
        counts vary less (:meth:`Component.law`); each other class's is Bin(n_c, q_out,b).

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
    nodes, counts, sums, theta = _stratum_sums(
        size, law, float(exponent), float(sigma), int(population), int(seed)
    )
    # the own class's law with its counts' variance; another class's keeps the binomial of its
    # mean (its variance within 1–2% of it: shaped too, the one-layer rows of the error table
    # moved by at most 0.0002, and a grid's rivals no longer shared their trials, 30–60% slower)
    spread = _own_dispersion(_spread_tables(size, law, float(exponent), float(sigma),
                                            int(population), int(seed)), p_in)  # fmt: skip
    components = []
    for b, weight in enumerate(nodes / nodes.sum()):  # an empty stratum: weight 0, kept
        q = []
        for which, (p, trials) in enumerate(((p_in, size - 1), (p_out, size))):
            mean_y = np.divide(sums[which, b], counts[which, b], where=counts[which, b] > 0,
                               out=np.zeros_like(sums[which, b]))  # fmt: skip
            edges = counts[which, b] @ -np.expm1(-p * mean_y)
            q.append(float(np.clip(edges / max(nodes[b] * trials, 1e-300), 0.0, 1.0)))
        shape = _shape(size - 1, q[0], float(spread[b]))
        components.append(Component(float(weight), size - 1, q[0], size, q[1],
                                    propensity=float(theta[b]), same_shape=shape))  # fmt: skip
    return components


def _shape(trials: int, q: float, ratio: float) -> int | None:
    """The trials of the binomial with mean ``trials`` · q and variance ``ratio`` times it
    (its p is 1 − ratio), where that is below the binomial's (ratio < 1 − q); else None (the
    binomial itself: a stratum whose counts vary more, through its spread of θ, keeps it)."""
    mean = trials * q
    if mean <= 0 or ratio >= 1.0 - q:
        return None
    shape = max(math.ceil(mean), round(mean / (1.0 - ratio)))
    return shape if shape < trials else None


def stratum_pairs(
    n: int, classes: int, p_in: float, p_out: float, law: str, *, exponent: float = 2.5,
    sigma: float = 1.0, population: int = 40_000, seed: int = 0,
) -> dict[bool, tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """For a node i of stratum a and the strata b of the nodes j of its own class (``True``)
    or of another class (``False``): the share of those j in b (the class as i sees it: a
    class's normalisation ties its propensities together, so a node with a large θ has fewer
    hubs beside it) and the mean edge probability 1 − exp(−p θ_i θ_j) over those pairs
    (S × S each).

    Parameters
    ----------
    n, classes, p_in, p_out, law, exponent, sigma, population, seed
        As :func:`propensity_components` (the same population and strata).

    Returns
    -------
    dict
        ``{True: (share, edge), False: (share, edge)}``: ``share[a, b]`` sums to 1 over b.

    Examples
    --------
    >>> pairs = stratum_pairs(1000, 2, 0.015, 0.005, "powerlaw", exponent=2.5)
    >>> share, edge = pairs[True]
    >>> share.shape, bool(np.allclose(share.sum(axis=1), 1.0))
    ((48, 48), True)
    >>> bool(share[-1, -10:].sum() < share[0, -10:].sum())  # a hub sees fewer hubs
    True
    """
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
#: class samples of propensities a neighbourhood draws its classes from
_REPLICAS = 1_000


@cache
def _bank(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``_REPLICAS`` class samples of normalised propensities (as the generator draws one
    class of one graph): θ (R, size), each node's stratum (by the population's θ bounds) and
    each sample's importance weight (summing to 1)."""
    upper = _pair_sums(size, law, exponent, sigma, population, seed)[4]
    rng = np.random.default_rng([seed, 1])
    theta, chance = _class_samples(size, law, exponent, sigma, _REPLICAS, rng)
    stratum = np.minimum(np.searchsorted(upper, theta, side="left"), len(upper) - 1)
    return theta, stratum, chance / chance.sum()


@cache
def _reach_table(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T[r, x] = Σ_j (1 − exp(−x θ_j)) over the class samples r of :func:`_bank` on the
    ``_REACH_X`` grid, each sample's count of nodes per stratum and its weight."""
    theta, stratum, weight = _bank(size, law, exponent, sigma, population, seed)
    strata = len(_EDGES)
    cell = (np.arange(_REPLICAS)[:, None] * strata + stratum).ravel()  # (sample, stratum)
    members = np.bincount(cell, minlength=_REPLICAS * strata).reshape(_REPLICAS, strata)
    table = np.stack([-np.expm1(-x * theta).sum(axis=1) for x in _REACH_X], axis=-1)
    return table, members.astype(float), weight


def _on_grid(table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A reach table (one row, or rows) read at x, linear in log x between the grid's points
    (clamped to its ends): every row at the same x, or each row of ``x`` in its own row."""
    logx = np.log(_REACH_X)
    at = np.clip(np.log(np.maximum(x, 1e-300)), logx[0], logx[-1])
    left = np.minimum(np.searchsorted(logx, at, side="right") - 1, len(logx) - 2)
    frac = (at - logx[left]) / (logx[left + 1] - logx[left])
    if table.ndim == 1 or np.ndim(x) == 1:
        return table[..., left] * (1 - frac) + table[..., left + 1] * frac
    return (np.take_along_axis(table, left, axis=-1) * (1 - frac)
            + np.take_along_axis(table, left + 1, axis=-1) * frac)  # fmt: skip


def stratum_degrees(
    n: int, classes: int, p_in: float, p_out: float, law: str, *, exponent: float = 2.5,
    sigma: float = 1.0, population: int = 40_000, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Each stratum's mean edge probability to its own class and to another, from the class
    samples of :func:`class_reach` (the same samples whose ratios move them).

    A node of θ in class sample r expects R_r(p_in θ) − (1 − exp(−p_in θ²)) edges in its own
    class and the samples' mean R(p_out θ) in another; a stratum's value is the weighted mean
    over its nodes in the samples. In the strata of the hubs this differs from
    :func:`propensity_components` (by up to 10% at exponent 2.5, d = 5): a few dozen of the
    population's classes decide the θ bounds there, while 1 000 samples fill the strata.

    Parameters
    ----------
    n, classes, p_in, p_out, law, exponent, sigma, population, seed
        As :func:`propensity_components` (its strata).

    Returns
    -------
    q_in, q_out : ndarray of shape (S,)
        Mean edge probability to one of the n // classes − 1 other nodes of the node's class,
        and to one of the n // classes nodes of another class.

    Examples
    --------
    >>> q_in, q_out = stratum_degrees(1000, 2, 0.015, 0.005, "powerlaw")
    >>> degree = 499 * q_in + 500 * q_out          # a stratum's expected degree
    >>> bool(np.all(np.diff(degree[q_in > 0]) > 0)), round(float(degree[0]), 1)
    (True, 2.5)
    """
    size = n // classes
    key = (size, law, float(exponent), float(sigma), int(population), int(seed))
    theta, stratum, weight = _bank(*key)
    table = _reach_table(*key)[0]
    own = _on_grid(table, p_in * theta) + np.expm1(-p_in * theta**2)  # less the node itself
    other = _on_grid(weight @ table, p_out * theta)
    node = np.broadcast_to(weight[:, None], theta.shape).ravel()
    flat, strata = stratum.ravel(), len(_EDGES)
    count = np.maximum(np.bincount(flat, node, strata), 1e-300)
    q_in = np.bincount(flat, node * own.ravel(), strata) / count / (size - 1)
    q_out = np.bincount(flat, node * other.ravel(), strata) / count / size
    return q_in, q_out


#: nodes of each stratum, from the class samples of :func:`_bank`, whose counts' spread
#: :func:`count_dispersion` measures
_SPREAD_NODES = 256


@cache
def _spread_tables(
    size: int, law: str, exponent: float, sigma: float, population: int, seed: int
) -> dict[str, np.ndarray]:
    """What :func:`count_dispersion` reads for every p, once per law: up to
    ``_SPREAD_NODES`` nodes of each stratum drawn from the class samples of :func:`_bank`
    (their θ, stratum and sample's weight) with their own sample's reach R and
    Q = Σ_j (1 − exp(−x θ_j))² on the reach grid, both as logs; and over all samples the
    mean reach and mean Q (logs) and the reach's variance."""
    theta, stratum, _ = _bank(size, law, exponent, sigma, population, seed)
    table, _, weight = _reach_table(size, law, exponent, sigma, population, seed)
    rng = np.random.default_rng([seed, 2])
    flat = stratum.ravel()
    pick = np.concatenate([rng.permutation(np.flatnonzero(flat == b))[:_SPREAD_NODES]
                           for b in range(len(_EDGES))])  # fmt: skip
    rows = pick // size
    squares = np.stack([(np.expm1(-x * theta) ** 2).sum(axis=1) for x in _REACH_X], axis=-1)
    mean = weight @ table

    def log(values: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(values, 1e-300))

    return {
        "theta": theta.ravel()[pick], "stratum": flat[pick], "weight": weight[rows],
        "reach": log(table[rows]), "squares": log(squares[rows]), "mean": log(mean),
        "mean_squares": log(weight @ squares), "spread": weight @ table**2 - mean**2,
    }  # fmt: skip


def count_dispersion(
    n: int, classes: int, p_in: float, p_out: float, law: str, *, exponent: float = 2.5,
    sigma: float = 1.0, population: int = 40_000, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    r"""Each stratum's neighbour-count variance over its mean, into the node's own class and
    into another, from the class samples of :func:`class_reach`.

    Given its class sample a node's count is a sum of Bernoullis q_j = 1 − exp(−p θ_i θ_j),
    whose variance Σ_j q_j (1 − q_j) = S − Σ_j q_j² (S = Σ_j q_j) is below the binomial's
    S (1 − S / n_c) by n_c times the spread of the q_j: much of it, as the normalisation
    fixes Σ_j θ_j, so that S hardly moves from sample to sample while the hubs make the q_j
    unequal. Over the stratum's nodes and their samples,

    .. math::

        \operatorname{Var} K = E\Big[S - \sum_j q_j^2\Big] + \operatorname{Var} S,

    the second term the samples' (a hub's edges to other hubs saturate, so its S depends on
    how many hubs the sample holds) and the stratum's spread of θ. A binomial's ratio is
    1 − q; at k = 7, d = 8 (power law 2.5) the bulk's is 5% below it and one-layer
    ``sum-self`` accuracy moves by 0.0005 (measured on 16 000 class samples: the binomial
    with each node's mean 0.0005 ± 0.0001 below the Bernoulli counts, the binomial with
    their variance too 0.0000 ± 0.0001).

    Parameters
    ----------
    n, classes, p_in, p_out, law, exponent, sigma, population, seed
        As :func:`propensity_components` (its strata).

    Returns
    -------
    own, other : ndarray of shape (S,)
        Var K / E K per stratum (1 where a stratum expects no edges).

    Examples
    --------
    >>> own, other = count_dispersion(1001, 7, 0.025, 0.005, "powerlaw")
    >>> comps = propensity_components(1001, 7, 0.025, 0.005, "powerlaw")
    >>> round(float(own[10]), 2), round(1 - comps[10].same_p, 2)  # a binomial's: 1 − q
    (0.96, 0.99)
    >>> comps[10].law(True)[0] < comps[10].same_trials   # so its law has fewer trials
    True
    """
    t = _spread_tables(n // classes, law, float(exponent), float(sigma), int(population),
                       int(seed))  # fmt: skip
    return _own_dispersion(t, p_in), _other_dispersion(t, p_out)


def _own_dispersion(t: dict[str, np.ndarray], p_in: float) -> np.ndarray:
    """:func:`count_dispersion` into the node's own class: its sample, less the node itself."""
    x = p_in * t["theta"]
    itself = -np.expm1(-x * t["theta"])
    own = _on_log_grid(t["reach"], x[:, None])[:, 0] - itself
    own_sq = _on_log_grid(t["squares"], x[:, None])[:, 0] - itself**2
    return _ratio(t, own, own - own_sq)


def _other_dispersion(t: dict[str, np.ndarray], p_out: float) -> np.ndarray:
    """:func:`count_dispersion` into another class: any sample, independent of the node's."""
    x = p_out * t["theta"]
    other = _on_log_grid(t["mean"], x)
    shift = np.maximum(_on_grid(t["spread"], x), 0.0)  # Var S over the samples, given θ
    return _ratio(t, other, other - _on_log_grid(t["mean_squares"], x) + shift)


def _on_log_grid(log_table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """:func:`_on_grid` of a log table, linear in log–log: exact where the table is a power of
    x (a reach ∝ x and its squares ∝ x² far below saturation), where a plain read's chords
    would lift a square by 2%."""
    return np.exp(_on_grid(log_table, x))


def _ratio(t: dict[str, np.ndarray], s: np.ndarray, within: np.ndarray) -> np.ndarray:
    """Var K / E K per stratum over the spread nodes (weighted): E[within] + Var S over E S."""
    strata, stratum, node = len(_EDGES), t["stratum"], t["weight"]
    total = np.maximum(np.bincount(stratum, node, strata), 1e-300)

    def mean(values: np.ndarray) -> np.ndarray:
        return np.bincount(stratum, node * values, strata) / total

    m = mean(s)
    var = np.maximum(mean(within) + mean(s**2) - m**2, 0.0)
    return np.divide(var, m, out=np.ones(strata), where=m > 1e-12)


def class_reach(
    n: int, classes: int, x: np.ndarray, law: str, *, within: np.ndarray | None = None,
    exponent: float = 2.5, sigma: float = 1.0, population: int = 40_000, seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Class samples of propensities, as one graph draws one class: how each moves the
    expected edges into that class of all nodes together (the normalisation shares a hub's
    mass out, and edges to hubs saturate), and what it holds.

    Parameters
    ----------
    n, classes : int
        Nodes and classes (class samples of n // classes propensities).
    x : ndarray
        The rates p θ at which the reach R(x) = Σ_j (1 − exp(−x θ_j)) is asked.
    within : ndarray of int, optional
        For each rate, the stratum of a node that is itself in the class (its own class's
        reach), or −1 (another class's). Such a column's mean is over the samples as that
        node sees them, weighted by their nodes in its stratum: a hub's own class is one
        that holds a hub, whose normalisation has already shared its mass out (the expected
        edges of :func:`propensity_components` hold that), so the sample's ratio moves them
        only by how this sample differs from the classes that hold one. Default: all −1.
    law, exponent, sigma, population, seed
        As :func:`propensity_components` (the strata of its population).

    Returns
    -------
    ratio : ndarray of shape (R, len(x))
        Each sample's reach over its mean, R_r(x) / E R(x) (the mean as ``within`` says).
    weight : ndarray of shape (R,)
        Each sample's importance weight (summing to 1).
    members : ndarray of shape (R, S)
        Each sample's nodes per propensity stratum.

    Examples
    --------
    >>> ratio, weight, members = class_reach(1000, 2, np.array([0.01, 1.0]), "powerlaw")
    >>> ratio.shape, members.shape, round(float(weight.sum()), 12)
    ((1000, 2), (1000, 48), 1.0)
    >>> bool(np.allclose(weight @ ratio, 1.0))   # the reach over its mean, on average 1
    True
    >>> spread = np.sqrt(weight @ (ratio - 1) ** 2)  # the samples differ more at hubs' rates
    >>> bool(spread[1] > spread[0])
    True
    >>> top = members.shape[1] - 1  # a top hub's own class: on average 1 as the hub sees it
    >>> own, _, _ = class_reach(1000, 2, np.array([1.0]), "powerlaw", within=np.array([top]))
    >>> seen = weight * members[:, top] / (weight @ members[:, top])
    >>> round(float(seen @ own[:, 0]), 12), round(float(seen @ ratio[:, 1]), 2)  # all classes'
    (1.0, 0.53)
    """
    table, members, weight = _reach_table(n // classes, law, float(exponent), float(sigma),
                                          int(population), int(seed))  # fmt: skip
    values = _on_grid(table, np.asarray(x, dtype=float))
    mean = weight @ values
    if within is not None:  # a member's own class: the samples as the member sees them
        within = np.broadcast_to(np.asarray(within), np.shape(x))
        seen = weight[:, None] * members[:, np.maximum(within, 0)]  # (R, len(x))
        total = seen.sum(axis=0)
        mean = np.divide((seen * values).sum(axis=0), total, out=mean.copy(),
                         where=(within >= 0) & (total > 0))  # fmt: skip
    ratio = np.divide(values, mean, out=np.ones_like(values), where=mean > 0)
    return ratio, weight, members
