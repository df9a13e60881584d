r"""Two-layer linear GCN accuracy from a population of sampled neighbourhoods: k classes,
degree-corrected graphs, any of the four aggregations.

With K = L Ã R (Ã = A + εI, intermediate weights w_l = (RL)_ll, end weights r_j = R_jj; see
:mod:`gnnrg.theory.two_layer`) the class-c score of node i is μ N_c + σ √D g_c with

.. math::

    N_c = \varepsilon w_i\Big(\varepsilon r_i [c = y] + \sum_{l \in N(i),\, y_l = c} r_l\Big)
        + \sum_{l \in N(i)} w_l \Big(\varepsilon r_l [y_l = c] + r_i [c = y]
        + \sum_{j \in N(l) \setminus i,\, y_j = c} r_j\Big),
    \qquad D = \sum_j r_j^2 \Big(\sum_l Ã_{il} w_l Ã_{lj}\Big)^2 .

Everything N_c needs is local to i's *neighbourhood*: i's neighbour counts per class, each
neighbour's class, propensity stratum and its edges per class to i's other neighbours and to
the rest of the graph (all independent binomials given i's counts, at the exact finite n).
A population of such neighbourhoods is drawn: i's counts stratified from their exact law (as
the one-layer k-class form draws them), then its neighbours' edge counts from binomial laws.
With degree correction i's stratum is kept, and a class's draw of propensities moves all
neighbours' edges into that class together: each node draws, for each class, one class
sample of propensities (:func:`~gnnrg.theory.degree_corrected.class_reach`) given its count
K there (the generator's order: the class, then the edges), then its neighbours' strata
there from that sample's nodes, from their exact law given K — i's edges to them are
independent Bernoullis with the pairs' mean edge probabilities e_b
(:func:`~gnnrg.theory.degree_corrected.stratum_pairs`), so a node with few neighbours keeps
its near-certain hubs among them. A neighbour's edges to i's other neighbours come from their
drawn strata; the sample's reach scales its expected edges into the class (its stratum's,
read from the same samples, :func:`~gnnrg.theory.degree_corrected.stratum_degrees`) — into
its own class relative to the samples that hold it, as its expected edges already are — and
the rest of them land on the sample's nodes outside N(i) ∪ {i}, which has fewer hubs. Every
aggregation takes these (``sym`` with its neighbours' strata tilted from the average
composition and no lift was within 0.0017 of the nine ``sym`` rows' graph averages, this way
0.0009). Given a neighbourhood:

- ``sum``, ``sum-self``, ``mean`` (r = 1): N_c is exact;
- ``sym``: the two-hop ends' weights r_j = 1/√d̃_j enter N_c by their exact mean and variance
  (N_c Gaussian given the neighbourhood); an edge between two of i's neighbours lands on
  one of them in proportion to its edge probability (hubs take most), so i's neighbours
  reached again enter with their own weights;
- D is replaced by its conditional mean: a two-hop node reached from two neighbours l, l'
  (a cycle) by the expected overlap of their edge sets (hypergeometric; with degree
  correction resolved by the stratum of the node they meet on).

The node is then right with probability (k > 2, orthogonal means; V_c the variance of N_c)

.. math::

    \int \varphi(t) \prod_{c \ne y}
        \Phi\!\left(\frac{s (N_y - N_c) + t \sqrt{s^2 V_y + D}}{\sqrt{s^2 V_c + D}}\right) dt,

and Φ(s (N_y − N_c)/√(D + s²(V_y + V_c))) for two classes (means ±μu). What is left out: the
edge between two of i's neighbours enters each of them independently (its count, not its
sharing), and D's spread given the neighbourhood (with heavy tails a hub reached from many of
i's neighbours is a lump in D). Measured against graph averages in ``theory/accuracy.md``:
within 0.0007 for plain k classes; with degree correction within 0.0010 (the
population takes eight independent propensity populations and class samples in turn, and
grows until its standard error is below 4e-4), which still leaves
:func:`~gnnrg.theory.linear_gcn_accuracy` averaging graphs there by default: exact in
expectation and faster at a point.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr
from scipy.stats import binom

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.theory.accuracy import _components, _signal_to_noise
from gnnrg.theory.counts import count_law
from gnnrg.theory.kclass import (
    _cells,
    _population,
    _rule,
    chebyshev_points,
    on_nodes,
    readouts,
    sharp,
)
from gnnrg.theory.norms import NORMS
from gnnrg.theory.two_layer import _WEIGHTS, _phi

__all__ = ["neighbourhood_accuracy"]

#: nodes in each population of an antithetic pair
_BATCH = 1_000
#: Gauss–Hermite rule of the argmax integral: 16 nodes (error 4e-6 on average over nodes,
#: 3e-5 at most; far below the population's Monte Carlo error), symmetric: the argmin reads
#: the same Φ table at the mirrored nodes
_T, _W = _rule(16)
#: Chebyshev points per sign in s where the population's mean is evaluated first
_S_NODES = 16
#: independent structures (propensity populations, class samples) of a degree-corrected
#: population, taken in turn by its pairs
_STRUCTURES = 8
#: a population's neighbourhoods by default, at least and at most, and the standard error of
#: its pairs' mean below which it stops growing: on plain graphs, with degree correction
#: (whole rounds of the structures; 80 000 on a sparse power-law graph, d = 5, ``sum``, have
#: 0.0007)
_PLAIN = (0, 20_000, 7e-4)
_CORRECTED = (80_000, 320_000, 4e-4)
#: tries of the exact draw of a node's neighbours' strata in a class sample before its
#: tilted probabilities serve instead
_REJECTIVE = 200


def neighbourhood_accuracy(
    n: int,
    p_in: float,
    p_out: float,
    mu: Any,
    sigma: float = 1.0,
    *,
    norm: str = "mean",
    classes: int = 2,
    degree_law: str | None = None,
    degree_exponent: float = 2.5,
    degree_sigma: float = 1.0,
    samples: int | None = None,
    tol: float | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Accuracy of a two-layer linear GCN from a population of sampled neighbourhoods.

    Parameters
    ----------
    n : int
        Number of nodes (balanced classes of n // classes).
    p_in, p_out : float
        Edge probabilities within and between classes (before degree correction).
    mu : float or array-like
        Feature signal; an array gives arrays in the result.
    sigma : float
        Feature noise; only s = μ/σ matters.
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"
    classes : int, default 2
    degree_law : {"powerlaw", "lognormal"}, optional
        Karrer–Newman degree correction as :func:`gnnrg.csbm` draws it.
    degree_exponent, degree_sigma : float
    samples : int, optional
        Most neighbourhoods drawn (at least 4 000): antithetic pairs of stratified batches of
        1 000, at least four pairs where ``samples`` allows. Default 20 000. With degree
        correction whole rounds of the structures: exactly ``samples`` where given, else
        at least 80 000 and at most 320 000.
    tol : float, optional
        The population stops growing once the Monte Carlo standard error of the mean (from
        the spread of the pairs' means) is below ``tol`` at two pilot values of s, argmax
        and argmin read-outs both: default 7e-4, with degree correction 4e-4 (and a given
        ``samples`` is drawn whole there).
    seed : int
        Seeds the population and, with degree correction, eight independent structures
        (propensity populations, stratum pairs and class samples) that the pairs take in
        turn: ``stderr`` is then the spread of the eight structures' means, which holds
        their own Monte Carlo error (at k = 5, d = 50, power law 2.5, ``sum``, the means of
        four structures of ten pairs each spread 0.0018 where the pairs' spread, 0.0027,
        predicts 0.0009). On sparse graphs it is the neighbourhoods' own: at d = 5 (k = 2,
        power law 2.5, ``sum``) it is 0.0012 with the eight structures' populations and class
        samples all the same, as with them drawn apart, and more ``samples`` narrow it.

    Returns
    -------
    dict
        ``accuracy`` (argmax read-out), ``accuracy_flipped`` (argmin), ``accuracy_best_sign``
        (the better of the two) and ``stderr`` (Monte Carlo, from the spread of the batch
        means), shaped like ``mu``.

    Examples
    --------
    >>> from gnnrg.parameters import block_probabilities
    >>> p_in, p_out = block_probabilities(900, 10.0, 1.0, classes=3)
    >>> r = neighbourhood_accuracy(900, p_in, p_out, 0.5, classes=3)
    >>> round(r["accuracy"], 2), r["stderr"] < 0.002
    (0.56, True)
    """
    n = check_int("n", n, low=4)
    classes = check_int("classes", classes, low=2)
    norm = check_choice("norm", norm, NORMS)
    p_in = check_real("p_in", p_in, low=0.0, high=1.0)
    p_out = check_real("p_out", p_out, low=0.0, high=1.0)
    groups = 1 if degree_law is None else _STRUCTURES
    least, most, tol = _sizes(groups, samples, tol)
    s = _signal_to_noise(mu, sigma)
    scalar = np.ndim(s) == 0
    law = (degree_law, degree_exponent, degree_sigma)
    worlds = [_structure(n, classes, p_in, p_out, norm, law, g)
              for g in _structure_seeds(seed, groups)]  # fmt: skip
    rng = np.random.default_rng(seed)
    s = np.atleast_1d(s)  # μ >= 0: s >= 0; argmin is computed with argmax, from one Φ table
    first = chebyshev_points(s, _S_NODES)  # the mean must be sharp at two of these
    pilot = first[[len(first) // 5, -1 - len(first) // 5]] if len(first) > 2 else first
    quantiles = _Quantiles(n // classes)  # no neighbour has more trials into a class
    pairs, means = [], []  # antithetic pairs: one population, edge draws u and 1 − u
    while len(pairs) < most:
        strata, ends, cells = worlds[len(pairs) % groups]  # the structures in turn
        twin = copy.deepcopy(rng)  # the same nodes and neighbour strata for both
        draws = _EdgeDraws(rng, quantiles)
        pairs.append((_Neighbourhoods(n, classes, norm, strata, ends, cells, rng, draws),
                      _Neighbourhoods(n, classes, norm, strata, ends, cells, twin,
                                      draws.flipped())))  # fmt: skip
        means.append(sum(np.concatenate(b.accuracy(pilot)) for b in pairs[-1]) / 2)
        if len(pairs) >= least and len(pairs) % groups == 0 and sharp(means, tol):
            break
    spread: dict[float, float] = {}  # the argmax's standard error at each s evaluated

    def mean(points: np.ndarray, side: int) -> np.ndarray:
        per_pair = np.array([(a.accuracy(points)[side] + b.accuracy(points)[side]) / 2
                             for a, b in pairs])  # fmt: skip
        if side == 0:
            per = _grouped(per_pair, groups)
            error = per.std(axis=0, ddof=1) / math.sqrt(len(per))
            spread.update(zip(points, error, strict=True))
        return per_pair.mean(axis=0)

    # the same neighbourhoods serve every s, so the Monte Carlo error is smooth in s: 16
    # Chebyshev points carry each curve (within 4e-5 of 36 points where it is sharpest, k = 5,
    # λ near its top), 24 or 36 where the last coefficients are above 1e-4
    plus, minus = (
        on_nodes(lambda v, i=i: mean(v, i), s, nodes=_S_NODES, tol=1e-4, grow=1.5) for i in (0, 1)
    )
    points = np.array(sorted(spread))
    stderr = np.interp(s, points, [spread[p] for p in points])
    if scalar:
        plus, minus, stderr = plus[0], minus[0], float(stderr[0])
    return {**readouts(plus, minus), "stderr": stderr}


def _sizes(groups: int, samples: int | None, tol: float | None) -> tuple[int, int, float]:
    """The least and most antithetic pairs of a population (whole rounds of its ``groups``
    structures) and its ``tol``: the defaults of ``_PLAIN`` or, with degree correction (more
    than one structure), ``_CORRECTED``; a given ``samples`` is the most, and with degree
    correction the least too."""
    corrected = groups > 1
    least, most, default = _CORRECTED if corrected else _PLAIN
    if samples is not None:
        most = check_int("samples", samples, low=4 * _BATCH)
        least = most if corrected else least
    tol = default if tol is None else check_real("tol", tol, low=0.0, low_open=True)

    def rounds(count: int) -> int:
        return max(count // (2 * _BATCH) // groups, 1) * groups

    return rounds(least), rounds(most), tol


def _structure_seeds(seed: int, count: int) -> list[int]:
    """``seed`` itself for one structure; otherwise ``count`` independent seeds drawn from it."""
    if count == 1:
        return [seed]
    return [int(x) for x in np.random.SeedSequence([seed, count]).generate_state(count)]


def _structure(n: int, classes: int, p_in: float, p_out: float, norm: str, law: tuple, seed: int):
    """What every batch of one structure shares: the strata as a node sees its classes, the
    two-hop ends' moments and the population's cells. With degree correction (``law`` =
    (degree law, exponent, sigma)) they are drawn from ``seed``: the propensity population of
    the strata, the stratum pairs and the class samples of
    :func:`~gnnrg.theory.degree_corrected.class_reach`."""
    degree_law, exponent, sigma = law
    components = _components(n, classes, p_in, p_out, degree_law, exponent, sigma, seed)
    ends = _Ends(n, classes, components, _WEIGHTS[norm][2])
    pairs = reach = degrees = None
    if len(components) > 1:  # degree correction: the strata as a node sees its classes
        from gnnrg.theory.degree_corrected import class_reach, stratum_degrees, stratum_pairs

        shape = {"exponent": exponent, "sigma": sigma, "seed": seed}
        pairs = stratum_pairs(n, classes, p_in, p_out, degree_law, **shape)
        theta = np.array([c.propensity for c in components])
        rates = np.concatenate([p_in * theta, p_out * theta])
        strata_count = len(components)  # l's own class holds l: its mean as l sees it
        own = np.concatenate([np.arange(strata_count), np.full(strata_count, -1)])
        reach = class_reach(n, classes, rates, degree_law, within=own, **shape)
        degrees = stratum_degrees(n, classes, p_in, p_out, degree_law, **shape)
    strata = _Strata(components, p_in, p_out, pairs, reach, degrees)
    return strata, ends, _cells(components, classes, merge=len(strata.weight) == 1)


def _grouped(per_pair: np.ndarray, groups: int) -> np.ndarray:
    """The pairs' means (pairs, points) as independent rows: themselves for one structure,
    else each structure's mean (the pairs took the structures in turn, whole rounds)."""
    if groups == 1:
        return per_pair
    return per_pair.reshape(-1, groups, *per_pair.shape[1:]).mean(axis=0)


class _Ends:
    """The two-hop ends' weight moments per stratum, the same for every batch of one law:
    ``once[same]`` (mean, square) of an end reached from one neighbour (of its class when
    ``same``), ``twice`` the square of one reached from two (a cycle)."""

    def __init__(self, n: int, classes: int, components: list, r: Any):
        size = n // classes
        self.once = {flag: _end_moments(n, size, components, flag, r) for flag in (True, False)}
        self.twice = (
            _end_moments(n, size, components, True, r, 2)[1]
            + (classes - 1) * _end_moments(n, size, components, False, r, 2)[1]
        ) / classes


def _end_moments(
    n: int, size: int, components: list, same: bool, r: Any, known: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """E r(d̃_j) and E r(d̃_j)² per stratum of a two-hop node j adjacent to ``known`` of i's
    neighbours (one of j's class when ``same``): d̃_j = 1 + known + its other edges."""
    first, second = np.empty(len(components)), np.empty(len(components))
    inside, outside = (size - 2, n - size - known + 1) if same else (size - 1, n - size - known)
    for b, c in enumerate(components):
        a, pa = count_law(inside, c.same_p)
        m, pm = count_law(outside, c.other_p)
        x = 1.0 + known + np.add.outer(a, m).astype(float)
        prob = np.outer(pa, pm)
        prob /= prob.sum()
        first[b] = float((r(x) * prob).sum())
        second[b] = float((r(x) ** 2 * prob).sum())
    return first, second


class _Strata:
    """The propensity strata of a degree-corrected graph as the neighbourhoods need them.

    ``edge[same][a, b]``: the mean edge probability 1 − exp(−p θ_a θ_b) over the population's
    pairs of strata a and b (within a class when ``same``); ``frac[same][a, b]`` (with degree
    correction): the share of stratum b in that class as a node of a sees it. ``reach``:
    :func:`~gnnrg.theory.degree_corrected.class_reach`, the class samples and their lift of
    a neighbour's reach; ``q_in``, ``q_out``: a neighbour's mean edge probability into its
    own class and another, what :func:`~gnnrg.theory.degree_corrected.stratum_degrees` reads
    from the class samples (the hubs' strata are better filled there than in the strata's
    count laws). Without degree correction: one stratum, the plain p_in, p_out, no
    ``reach``."""

    def __init__(self, components: list, p_in: float, p_out: float, pairs=None, reach=None,
                 degrees=None):  # fmt: skip
        self.weight = np.array([c.weight for c in components])
        self.q_in = np.array([c.same_p for c in components])
        self.q_out = np.array([c.other_p for c in components])
        if degrees is not None:
            self.q_in, self.q_out = degrees
        if pairs is not None:
            self.frac = {rel: frac for rel, (frac, _) in pairs.items()}
            self.edge = {rel: edge for rel, (_, edge) in pairs.items()}
        else:
            self.edge = {True: np.array([[p_in]]), False: np.array([[p_out]])}
        self.reach = reach
        if reach is not None:
            _, weight, members = reach
            self.log_weight = np.log(weight)
            self.members = members  # (R, S): each class sample's nodes per stratum


class _Quantiles:
    """Binomial CDF tables F(x; t, p) for t = 0..``top`` trials and x = 0..L (L past the last
    x with F < 1 − 1e-16), one per p, kept for the call, and for a set of p the tables stacked
    into one sorted array: row r lifted by r (F in [0, 1]), so one ``searchsorted`` inverts
    every row at once."""

    def __init__(self, top: int):
        self.top = top
        self.rows: dict[float, np.ndarray] = {}
        self.stacks: dict[tuple, tuple[np.ndarray, int]] = {}

    def stack(self, values: np.ndarray) -> tuple[np.ndarray, int]:
        key = tuple(values)
        if key not in self.stacks:
            top = self.top
            for q in map(float, values):
                if q not in self.rows:
                    width = min(top, math.ceil(top * q + 12 * math.sqrt(top * q * (1 - q)) + 12))
                    x, t = np.arange(width + 1), np.arange(top + 1)
                    self.rows[q] = binom.cdf(x[None, :], t[:, None], q)
            width = max(self.rows[float(q)].shape[1] for q in values) - 1
            cdf = np.ones((len(values), top + 1, width + 1))
            for g, q in enumerate(map(float, values)):
                cdf[g, :, : self.rows[q].shape[1]] = self.rows[q]
            lift = np.arange(len(values) * (top + 1), dtype=float)[:, None]
            self.stacks[key] = (cdf.reshape(len(lift), -1) + lift).ravel(), width
        return self.stacks[key]


class _EdgeDraws:
    """Binomial draws by inversion, x = min{x : F(x) >= u}, from uniforms kept so that a twin
    population can draw again from 1 − u (antithetic: a neighbour with many edges into a class
    in one twin has few in the other, and their mean accuracy varies 2–20× less than two
    independent populations'; measured for k = 5, d = 10). Where p takes more than 16 values
    (degree correction: per stratum) the draws are plain and the twins independent."""

    def __init__(self, rng: np.random.Generator, quantiles: _Quantiles, replay=None):
        self.rng, self.quantiles = rng, quantiles
        self.replay = replay  # the uniforms to flip, in order
        self.kept: list[np.ndarray] = []

    def flipped(self) -> _EdgeDraws:
        return _EdgeDraws(self.rng, self.quantiles, replay=iter(self.kept))

    def binomial(self, trials: np.ndarray, p: np.ndarray) -> np.ndarray:
        if len(p) == 0:
            return np.zeros(0)
        p = np.round(p, 15)  # one probability computed two ways (to the last bit) is one value
        values = np.unique(p[:: max(1, len(p) // 256)])  # the few values of a plain graph,
        group = np.minimum(np.searchsorted(values, p), len(values) - 1)  # checked below
        if len(values) > 16 or not np.array_equal(values[group], p):
            values, group = np.unique(p, return_inverse=True)
        if len(values) > 16:
            return self.rng.binomial(trials, p)
        u = 1.0 - next(self.replay) if self.replay is not None else self.rng.random(len(p))
        self.kept.append(u)
        flat, width = self.quantiles.stack(values)
        row = group.ravel() * (self.quantiles.top + 1) + trials
        x = np.searchsorted(flat, row + u, side="left") - row * (width + 1)
        return np.minimum(x, np.minimum(trials, width)).astype(float)


class _Neighbourhoods:
    """One stratified batch of neighbourhoods and, per node, the moments of its scores:
    N_c (W, k), V_c (W, k) and E[D] (W,)."""

    def __init__(self, n, classes, norm, strata, ends, cells, rng, draws):
        size, k = n // classes, classes
        eps, w, r = _WEIGHTS[norm]
        weight = strata.weight
        ky, others, own = _population(_BATCH, cells, k, rng)
        own = np.maximum(own, 0)  # merged cells: one stratum
        counts = np.column_stack([ky, others])  # (W, k): i's class is column 0
        nodes = len(ky)
        owner = np.repeat(np.arange(nodes), counts.sum(axis=1))
        cls = np.repeat(np.tile(np.arange(k), nodes), counts.ravel())
        if strata.reach is not None:  # each class's sample given i's count, then its nodes
            sample = _given_count(strata, own, counts, size, rng)
            stratum = _in_sample(strata, sample, own, owner, cls, counts, rng)
        else:  # one stratum
            stratum = np.zeros(len(owner), dtype=np.int64)
            rng.random(len(owner))  # one uniform per neighbour: the seeded plain streams kept
        batch = _Batch(owner, cls, stratum, nodes, k, strata)
        per_node, per_class = batch.per_node, batch.per_class
        e_in = np.empty((len(cls), k))
        e_out = np.empty((len(cls), k))
        expect = np.empty((len(cls), k))
        theirs = []  # i's class-c neighbours per stratum, (W, S) for each c
        for c in range(k):
            same_l = cls == c
            # l meets i's other class-c neighbours: their strata are known
            mine = batch.by_stratum(same_l.astype(float))
            theirs.append(mine)
            row, self_p = batch.edges(c)
            expected = (mine[owner] * row).sum(axis=1) - same_l * self_p
            expect[:, c] = expected
            trials = counts[owner, c] - same_l
            with np.errstate(invalid="ignore", divide="ignore"):
                meet = np.clip(np.where(trials > 0, expected / trials, 0.0), 0.0, 1.0)
            e_in[:, c] = draws.binomial(trials, meet)
            # the rest of l's expected edges into class c lands outside N(i): i's neighbours
            # take more than their share when they are hubs (degree correction)
            q = np.where(same_l, strata.q_in[stratum], strata.q_out[stratum])
            pool = size - counts[owner, c] - (c == 0)
            reach_c = q * (size - same_l - (c == 0))  # l's expected edges into class c
            if strata.reach is not None:  # class c's sample moves l's reach into it
                index = np.where(same_l, 0, len(weight)) + stratum
                reach_c = reach_c * strata.reach[0][sample[owner, c], index]
            rest = reach_c - trials * meet
            with np.errstate(invalid="ignore", divide="ignore"):
                outside = np.clip(np.where(pool > 0, rest / pool, 0.0), 0.0, 1.0)
            e_out[:, c] = draws.binomial(pool, outside)
        d_l = (1.0 + eps) + e_in.sum(axis=1) + e_out.sum(axis=1)  # d̃_l (edge to i included)
        d_i = eps + counts.sum(axis=1)
        w_l, r_l = (w(d_l), r(d_l)) if eps else (np.ones(len(cls)), np.ones(len(cls)))
        w_i, r_i = (w(d_i), r(d_i)) if eps else (np.ones(nodes), np.ones(nodes))

        once, twice = ends.once, ends.twice
        mean_n = eps * w_i[:, None] * per_class(r_l)
        mean_n[:, 0] += eps * eps * w_i * r_i + r_i * per_node(w_l)
        mean_n += eps * per_class(w_l * r_l)
        var_n = np.zeros((nodes, k))
        direct = eps**2 * per_node(r_l**2 * (w_i[owner] + w_l) ** 2)
        mean_d = r_i**2 * (eps**2 * w_i + per_node(w_l)) ** 2 + direct
        # the nodes of class c outside N(i) ∪ {i} per stratum (W, S) and where l's edges into
        # class c land among them (E, S): one stratum on plain graphs, else below
        outside_w, landing = np.ones((nodes, 1)), np.ones((len(cls), 1))
        for c in range(k):
            same_l = cls == c
            if strata.reach is not None:  # class c's sample less i and its neighbours there
                # (their strata known), fewer hubs the larger θ_i; l's edges land on them in
                # proportion to edge(l, b'')
                left = _sample_nodes(strata, sample, own, c) - theirs[c]
                outside_w = _normalised(np.maximum(left, 0.0), weight)
                landing = _normalised(outside_w[owner] * batch.edges(c)[0], outside_w[owner])
            end_mean = (landing * np.where(same_l[:, None], once[True][0], once[False][0])).sum(1)
            end_square = (landing * np.where(same_l[:, None], once[True][1],
                                             once[False][1])).sum(1)  # fmt: skip
            inner, inner_cross, inner_square = _inner(batch, c, w_l, r_l, w_i, e_in[:, c],
                                                      expect[:, c])  # fmt: skip
            mean_n[:, c] += inner
            mean_n[:, c] += per_node(w_l * e_out[:, c] * end_mean)
            var_n[:, c] = per_node(w_l**2 * e_out[:, c] * (end_square - end_mean**2))
            # D: i's neighbours reached again, then the nodes outside, collisions included
            mean_d += 2 * eps * inner_cross + inner_square
            mean_d += per_node(w_l**2 * e_out[:, c] * end_square)
            # two neighbours meet on a node of stratum b'' with chance ∝ share_b'' × both
            # edge probabilities (on hubs, until their edges saturate)
            with np.errstate(invalid="ignore", divide="ignore"):  # edge(l, b'') over its mean
                lift = np.where(outside_w[owner] > 0, landing / outside_w[owner], 0.0)
            reach = (w_l * e_out[:, c])[:, None] * lift
            pool = size - counts[:, c] - (c == 0)
            total = per_node(reach)
            pairs = ((total**2 - per_node(reach**2)) * outside_w * twice).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean_d += np.where(pool > 0, pairs / pool, 0.0)
        self.classes, self.done = k, {}
        self.margin = mean_n[:, :1] - mean_n[:, 1:]  # N_y − N_c, (W, k − 1)
        self.var_y, self.var_c, self.mean_d = var_n[:, 0], var_n[:, 1:], mean_d
        self.fixed = not var_n.any()
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty row: a fair tie
            self.ratio = np.where(mean_d[:, None] > 0, self.margin / np.sqrt(mean_d)[:, None], 0)

    def accuracy(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mean probability of a correct argmax and of a correct argmin read-out at each
        s >= 0 in ``points`` (each s computed once: the pilot values are reused)."""
        missing = [s for s in map(float, points) if s not in self.done]
        for s, pair in zip(missing, self._accuracy(np.array(missing)), strict=True):
            self.done[s] = pair
        return tuple(np.array([self.done[s][i] for s in map(float, points)]) for i in (0, 1))

    def _accuracy(self, points: np.ndarray) -> list[tuple[float, float]]:
        """argmin at s is argmax at −s, and z_c(−s, t) = −z_c(s, −t) (the scales depend on s²
        only; the Gauss–Hermite nodes are symmetric): its integrand is Π_c (1 − Φ(z_c(s, −t)))
        from the same Φ table."""
        out = []
        for s in points:
            if self.classes == 2:  # the moment form's Φ(s N / √(D + s² Var N)) per node
                right = float(_phi(s, self.margin[:, 0], self.var_y + self.var_c[:, 0],
                                   self.mean_d).mean())  # fmt: skip
                out.append((right, 1.0 - right))
                continue
            if self.fixed:  # N exact given the neighbourhood: Φ(t + s·ratio_c)
                shift, slope = s * self.ratio, np.ones_like(self.ratio)
            else:  # Φ((s (N_y − N_c) + t √(s² V_y + D)) / √(s² V_c + D))
                common = np.sqrt(s * s * self.var_y + self.mean_d)
                own = np.sqrt(s * s * self.var_c + self.mean_d[:, None])
                with np.errstate(invalid="ignore", divide="ignore"):  # an empty row: a fair tie
                    shift = np.where(own > 0, s * self.margin / own, 0.0)
                    slope = np.where(own > 0, common[:, None] / own, 1.0)
            phi = ndtr(shift[..., None] + slope[..., None] * _T)  # (W, k − 1, nodes)
            plus, minus = phi[:, 0].copy(), 1.0 - phi[:, 0, ::-1]
            for c in range(1, phi.shape[1]):
                plus *= phi[:, c]
                minus *= 1.0 - phi[:, c, ::-1]
            out.append((float((plus @ _W).mean()), float((minus @ _W).mean())))
        return out


class _Batch:
    """A batch's neighbour list (owner i, class, stratum of each neighbour l) and its sums:
    over each node's neighbours, per class, per stratum, and each neighbour's edge
    probabilities to class c's strata."""

    def __init__(self, owner, cls, stratum, nodes, classes, strata):
        self.owner, self.cls, self.stratum = owner, cls, stratum
        self.nodes, self.classes, self.strata = nodes, classes, strata
        self.sums = sp.csr_matrix(
            (np.ones(len(owner)), (owner, np.arange(len(owner)))), shape=(nodes, len(owner))
        )  # Σ over each node's neighbours, as one product
        self._edges: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def per_node(self, values: np.ndarray) -> np.ndarray:
        return self.sums @ values

    def per_class(self, values: np.ndarray) -> np.ndarray:
        """Σ over i's neighbours of each class: (W, k)."""
        return self._binned(self.cls, self.classes, values)

    def by_stratum(self, values: np.ndarray) -> np.ndarray:
        """Σ over i's neighbours of each stratum: (W, S)."""
        return self._binned(self.stratum, len(self.strata.weight), values)

    def _binned(self, key: np.ndarray, bins: int, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.owner * bins + key, values, self.nodes * bins).reshape(-1, bins)

    def on(self, pick: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Σ over the picked neighbours of each node: (W,)."""
        return np.bincount(self.owner[pick], values, self.nodes)

    def edges(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """Each neighbour l's edge probability to every stratum of class c (E, S), and to its
        own stratum."""
        if c not in self._edges:
            same = self.cls == c
            edge = self.strata.edge
            row = np.where(same[:, None], edge[True][self.stratum], edge[False][self.stratum])
            self._edges[c] = row, row[np.arange(len(row)), self.stratum]
        return self._edges[c]


def _inner(batch: _Batch, c: int, w_l, r_l, w_i, x, z):
    """i's neighbours of class c reached again through the edges among i's neighbours:
    neighbour l's x_l such edges fall on i's class-c neighbours j ≠ l in proportion to the
    edge probability P_lj of their strata (hubs take most). Returns per node Σ_j r_j s_j (N),
    Σ_j r_j² (w_i + w_j) s_j and E Σ_j r_j² (Σ_l w_l A_lj)² (D), s_j = Σ_l w_l x_l P_lj / z_l
    (z_l = Σ_j P_lj)."""
    edge, stratum, owner = batch.strata.edge, batch.stratum, batch.owner
    same_l = batch.cls == c
    row, self_p = batch.edges(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(z > 0, w_l * x / z, 0.0)
        first = np.where(z > 0, w_l**2 * x / z, 0.0)
    mass = {True: batch.by_stratum(a * same_l), False: batch.by_stratum(a * ~same_l)}
    j = np.flatnonzero(same_l)
    s_j = ((mass[True][owner[j]] * edge[True][stratum[j]]).sum(axis=1)
           + (mass[False][owner[j]] * edge[False][stratum[j]]).sum(axis=1)
           - a[j] * self_p[j])  # fmt: skip
    r2 = batch.by_stratum(r_l**2 * same_l)  # Σ r_j² of i's class-c neighbours per stratum
    reach = (r2[owner] * row).sum(axis=1) - same_l * r_l**2 * self_p
    reach2 = (r2[owner] * row**2).sum(axis=1) - same_l * r_l**2 * self_p**2
    per = batch.per_node(first * reach - a**2 * reach2)
    return (batch.on(j, r_l[j] * s_j), batch.on(j, r_l[j] ** 2 * (w_i[owner[j]] + w_l[j]) * s_j),
            batch.on(j, r_l[j] ** 2 * s_j**2) + per)  # fmt: skip


def _given_count(strata, own, counts, size: int, rng) -> np.ndarray:
    """A class sample for each node and class (W, k) drawn given i's count K there, in the
    generator's order: the class first, then i's edges to its nodes (and, in
    :func:`_in_sample`, which nodes they are).

    Given sample r, K is a sum of Bin(m_rb, e_b) (m_rb its nodes in stratum b, e_b their
    edge probability to i). Given their sum K, i's independent Bernoulli edges are (nearly)
    independent with the tilted probabilities e_b(t) = e_b t / (1 − e_b + e_b t), t solving
    Σ_b m_b e_b(t) = K over the class as i sees it (m_b its ``size`` nodes' share in b;
    :func:`_solve_tilt`): a hub i is joined to almost every hub whatever K, so a node with
    few neighbours has relatively more hubs among them. Tilted by that t (the same for every
    sample, so that each term is one matrix product over the samples),

        log P(K | r) = Σ_b m_rb log(1 − e_b + e_b t) − K log t + log P_t(K | r),

    exactly, and the tilted law P_t, centred near K, is taken as the normal's mass on
    [K − ½, K + ½] with mean Σ_b m_rb e_b(t) and variance Σ_b m_rb e_b(t)(1 − e_b(t)); for
    K = 0 the first term is the whole of it. In its own class i is one of the m_r,a nodes of
    its stratum: a further factor m_r,a. Against the exact posterior (the binomials
    convolved) the drawn samples' mean hubs and reach agree within their Monte Carlo error
    (``tests/theory/test_degree_corrected.py``).

    Drawing the sample first matters where a node sees much of a class: drawn given the
    strata of its neighbours, themselves drawn from the average composition, the samples
    were held too close to a typical class, and at d = 60 (power law 2.5, k = 2, λ = 2) a
    hub's neighbours' edges into a class varied half as much from node to node as in the
    graphs (realised over expected, degree 82–160: 0.053 against 0.096; 0.064 this way), the
    form reading +0.0017 to +0.0027 above the graph averages there; this way −0.0000 to
    +0.0008."""
    members = strata.members.T  # (S, R)
    nodes, k = counts.shape
    out = np.empty((nodes, k), dtype=np.int64)
    for c in range(k):
        u = rng.random(nodes)
        rel = c == 0
        # the tilt and the posterior depend on a node through its stratum and its count only:
        # once per distinct pair (one integer key each)
        _, first, back = np.unique(own * (counts[:, c].max() + 1) + counts[:, c],
                                   return_index=True, return_inverse=True)  # fmt: skip
        at, total = own[first], counts[first, c].astype(float)
        t = _solve_tilt(strata.frac[rel][at] * (size - rel), strata.edge[rel][at], total)
        e = np.minimum(strata.edge[rel][at], 1.0 - 1e-12)  # (P, S)
        tilted = _tilted(e, t)
        loglik = np.log1p(e * (t[:, None] - 1.0)) @ members + strata.log_weight
        seen = (total > 0) & (t > 0)
        near = tilted[seen]
        lattice = _log_lattice(total[seen, None], near @ members, (near * (1.0 - near)) @ members)
        loglik[seen] += lattice - (total[seen] * np.log(t[seen]))[:, None]
        if rel:
            loglik += np.log(np.maximum(members[at], 1e-12))
        out[:, c] = _draw(np.exp(loglik - loglik.max(axis=1, keepdims=True)), u, back)
    return out


def _log_lattice(x: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """log P(X = x) of a count with this mean and variance, as the normal's mass on
    [x − ½, x + ½] (flat in the mean at x = mean, as a Poisson's is; where that mass
    underflows, the density)."""
    sd = np.sqrt(np.maximum(var, 1e-12))
    high, low = (x + 0.5 - mean) / sd, (x - 0.5 - mean) / sd
    upper = low > 0  # both above the mean: the upper tails' difference keeps its digits
    mass = ndtr(np.where(upper, -low, high)) - ndtr(np.where(upper, -high, low))
    density = -0.5 * np.minimum(high**2, low**2) - np.log(sd) - 0.5 * math.log(2 * math.pi)
    with np.errstate(divide="ignore"):
        return np.where(mass > 1e-200, np.log(np.maximum(mass, 1e-300)), density)


def _in_sample(strata, sample, own, owner, cls, counts, rng) -> np.ndarray:
    """Each neighbour's stratum given its class's sample and i's count K there: i's edges to
    the sample's m_b nodes of stratum b (i itself left out of its own) are independent
    Bernoullis e_b, and given that K of them are present their strata follow the exact
    conditional law, P(c) ∝ Π_b C(m_b, c_b) (e_b / (1 − e_b))^c_b. Drawn by rejection:
    c_b ~ Bin(m_b, e_b(t)) with i's tilted probabilities e_b(t) = e_b t / (1 − e_b + e_b t),
    t solving Σ_b m_b e_b(t) = K (tilting leaves the conditional law as it is and centres
    the sum on K), kept when Σ_b c_b = K (about 1 in √(2π Var) tries). The tilted
    probabilities alone, each neighbour ∝ m_b e_b(t), give the same marginals only roughly
    and short a hub where K is small: at d = 5, power law 2.5, same-class neighbours of
    degree >= 129 were 0.057 of the nodes with one neighbour, against 0.066 exactly and in
    the graphs. They still serve a node not drawn in ``_REJECTIVE`` tries."""
    nodes, k = counts.shape
    out = np.empty(len(owner), dtype=np.int64)
    for c in range(k):
        m = _sample_nodes(strata, sample, own, c)
        e = strata.edge[c == 0][own]
        total = counts[:, c]
        tilted = _tilted(e, _solve_tilt(m, e, total))
        drawn = np.zeros(m.shape, dtype=np.int64)
        todo = np.flatnonzero(total > 0)
        for _ in range(_REJECTIVE):
            if len(todo) == 0:
                break
            trial = rng.binomial(m[todo].astype(np.int64), np.clip(tilted[todo], 0.0, 1.0))
            hit = trial.sum(axis=1) == total[todo]
            drawn[todo[hit]] = trial[hit]
            todo = todo[~hit]
        pick = np.flatnonzero(cls == c)  # a node's neighbours in class c: consecutive, by node
        failed = np.zeros(nodes, dtype=bool)
        failed[todo] = True
        fell = failed[owner[pick]]
        out[pick[~fell]] = np.repeat(np.tile(np.arange(m.shape[1]), nodes), drawn.ravel())
        if fell.any():  # not drawn: each neighbour in proportion to m_b e_b(t)
            at = owner[pick[fell]]
            out[pick[fell]] = _draw(m[at] * tilted[at], rng.random(len(at)))
    return out


def _sample_nodes(strata, sample, own, c: int) -> np.ndarray:
    """The nodes per stratum (W, S) of each node's class-c sample, itself left out of its
    own class (c = 0)."""
    m = strata.members[sample[:, c]]  # a copy (fancy indexing)
    if c == 0:
        rows = np.arange(len(own))
        m[rows, own] = np.maximum(m[rows, own] - 1.0, 0.0)
    return m


def _tilted(e: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The tilted edge probabilities e t / (1 − e + e t) (rows of e, one t per row; an edge
    certain with t = 0, a count of 0, is not there)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(e * t[:, None] / (1.0 - e + e * t[:, None]))


def _draw(weights: np.ndarray, u: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """A column for each row, in proportion to the row's weights, by its uniform in ``u``
    (with ``rows``, for each entry of ``u`` a column of the row it names)."""
    cumulative = np.cumsum(weights, axis=1)
    if rows is not None:
        cumulative = cumulative[rows]
    below = u[:, None] * cumulative[:, -1:] > cumulative
    return np.minimum(below.sum(axis=1), weights.shape[1] - 1)


def _solve_tilt(m: np.ndarray, e: np.ndarray, total: np.ndarray) -> np.ndarray:
    """t >= 0 with Σ_b m_b e_b t / (1 − e_b + e_b t) = total for each row (Newton in log t
    from t = total / Σ m e; the sum grows with t, towards Σ_{e_b > 0} m_b)."""
    mean = (m * e).sum(axis=1)
    active = (total > 0) & (mean > 0)
    t = np.where(active, 1.0, 0.0)
    if not active.any():
        return t
    m, e, total = m[active], e[active], total[active].astype(float)
    reach = (m * (e > 0)).sum(axis=1)
    total = np.minimum(total, reach * (1 - 1e-9))  # a count above what can be reached
    log_t = np.log(total / mean[active])
    for _ in range(50):
        x = np.exp(log_t)[:, None]
        den = 1.0 - e + e * x
        value = (m * e * x / den).sum(axis=1)
        slope = (m * e * (1.0 - e) * x / den**2).sum(axis=1)  # d value / d log t
        step = np.where(slope > 0, (value - total) / np.maximum(slope, 1e-300), 0.0)
        log_t -= np.clip(step, -5.0, 5.0)
        if np.abs(value - total).max() < 1e-9 * max(1.0, float(total.max())):
            break
    t[active] = np.exp(log_t)
    return t


def _normalised(rows: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Each row over its sum; a row summing to 0 takes ``fallback``'s (normalised) instead."""
    rows = np.where(rows.sum(axis=-1, keepdims=True) > 0, rows, fallback)
    return rows / rows.sum(axis=-1, keepdims=True)
