r"""Two-layer linear GCN accuracy on the finite two-class cSBM, sparse or dense.

Every aggregation is K = L Ã R with Ã = A + εI (ε = 0 for ``sum``, 1 otherwise) and diagonal
L, R; the outer factor L_ii cancels in the nodewise ratio, so with intermediate weights
w_l = (R L)_ll and end weights r_j = R_jj

.. math::

    N_i = v_i (K^2 v)_i \propto \sum_l Ã_{il} w_l \sum_j Ã_{lj} v_j r_j, \qquad
    D_i = \lVert K^2_{i,:}\rVert^2 \propto \sum_j r_j^2 \Big(\sum_l Ã_{il} w_l Ã_{lj}\Big)^2,

with w = r = 1 (``sum``, ``sum-self``), w = 1/d̃, r = 1 (``mean``) and w = 1/d̃, r = 1/√d̃ (``sym``).
Given node i's same- and other-class neighbour counts (k_s, k_d), every other edge of the SBM is
still independent, so the conditional moments E[N | k], Var[N | k] and E[D | k] are sums of
expectations over binomial degree laws: each neighbour's degree, each two-hop node's degree and
the number of paths through i's neighbourhood, at the exact finite n. Cycles enter through
the edges among i's neighbours (their covariance) and two-hop nodes reached twice (the
c(c − 1) terms of D), which is what the Poisson-tree form (``two_layer_tree_accuracy``) drops.

The accuracy is then

.. math::

    \mathrm{acc} \approx \sum_{k_s, k_d} P(k_s) P(k_d)\,
    \Phi\!\left(\frac{s\, E[N \mid k]}
        {\sqrt{E[D \mid k] + s^2 \operatorname{Var}[N \mid k]}}\right),

exact if N given k were Gaussian and D given k constant: the approximation is good when node i
has many neighbours or the two-hop sums are long (measured in ``theory/error_table.md``; it is
weakest for ``sym`` at average degree ≈ 5, where a node's few neighbours have small, very
unequal degrees).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from scipy.special import ndtr

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.theory.accuracy import _pair, _signal_to_noise
from gnnrg.theory.counts import count_law
from gnnrg.theory.norms import NORMS

__all__ = ["two_layer_accuracy", "two_layer_moments"]

PLUS, MINUS = 1, -1  # classes relative to node i (i is PLUS)
_PAIRS = [(i, j) for i in range(3) for j in range(i, 3)]

Fn = Callable[[np.ndarray], np.ndarray]


def _one(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x, dtype=float)


def _inverse(x: np.ndarray) -> np.ndarray:
    return 1.0 / x


def _inverse_root(x: np.ndarray) -> np.ndarray:
    return 1.0 / np.sqrt(x)


# (ε, intermediate weight w(d̃), end weight r(d̃))
_WEIGHTS: dict[str, tuple[float, Fn, Fn]] = {
    "sum": (0.0, _one, _one),
    "sum-self": (1.0, _one, _one),
    "mean": (1.0, _inverse, _one),
    "sym": (1.0, _inverse, _inverse_root),
}


def _binomial(trials: int, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Support and pmf of Binomial(trials, p) (the shared, cached helper)."""
    return count_law(max(int(trials), 0), p, True)


class _DegreeLaw:
    """d̃ = 1 + known edges + Bin(unknown same-class) + Bin(unknown other-class) of one node.

    ``plus`` and ``minus`` are the node's unknown edges to i's class and to the other class.
    """

    def __init__(self, half: int, p: float, q: float, cls: int, present: tuple, absent: tuple):
        known = present + absent
        same = half - 1 - sum(c == cls for c in known)
        other = half - sum(c != cls for c in known)
        a, pa = _binomial(same, p)
        b, pb = _binomial(other, q)
        same_edges, other_edges = np.meshgrid(a, b, indexing="ij")
        self.weight = np.outer(pa, pb)
        self.weight /= self.weight.sum()
        self.x = (1.0 + len(present) + same_edges + other_edges).astype(float)
        self.plus, self.minus = (
            (same_edges, other_edges) if cls == PLUS else (other_edges, same_edges)
        )

    def mean(self, f: Callable[..., np.ndarray]) -> float:
        """E f(d̃, plus, minus)."""
        return float((f(self.x, self.plus, self.minus) * self.weight).sum())

    def part_moments(self, parts: Callable[..., tuple]) -> tuple[list, dict]:
        """Means E P_i of the parts and second moments E P_i P_j for i <= j < 3."""
        values = [np.broadcast_to(v, self.x.shape) for v in parts(self.x, self.plus, self.minus)]
        e = [float((v * self.weight).sum()) for v in values]
        ee = {(i, j): float((values[i] * values[j] * self.weight).sum()) for i, j in _PAIRS}
        return e, ee


def two_layer_moments(
    n: int, p_in: float, p_out: float, norm: str, ks: Any, kd: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Conditional moments E[N | k], Var[N | k], E[D | k] of a node's two-layer score.

    Parameters
    ----------
    n : int
        Number of nodes (two balanced classes of n/2).
    p_in, p_out : float
        Edge probabilities.
    norm : {"sum", "sum-self", "mean", "sym"}
    ks, kd : array-like
        Same- and other-class neighbour counts of node i (broadcast together).

    Returns
    -------
    (mean_n, var_n, mean_d) : tuple of ndarray
        Moments of the signal N_i = v_i (K²v)_i and of D_i = ‖K²_{i,:}‖², both without the
        factor of node i's own row normalisation (it cancels in N/√D).

    Examples
    --------
    >>> m, v, d = two_layer_moments(1000, 0.01, 0.01, "sum-self", 3, 2)
    >>> round(float(m), 2)  # 1 + 3k_s − k_d = 8, and the paths through i's neighbours
    7.94
    """
    n = check_int("n", n, low=4)
    norm = check_choice("norm", norm, NORMS)
    ks, kd = np.broadcast_arrays(np.asarray(ks, dtype=float), np.asarray(kd, dtype=float))
    return _Moments(n // 2, float(p_in), float(p_out), norm).at(ks, kd)


class _Moments:
    """The expectations of :func:`two_layer_moments`, one graph law, any (k_s, k_d)."""

    def __init__(self, half: int, p: float, q: float, norm: str):
        self.half, self.p, self.q = half, p, q
        self.eps, self.w, self.r = _WEIGHTS[norm]
        self.sym = norm == "sym"

    def prob(self, a: int, b: int) -> float:
        return self.p if a == b else self.q

    @cache  # noqa: B019 - one instance per call, released with it
    def law(self, cls: int, present: tuple = (), absent: tuple = ()) -> _DegreeLaw:
        return _DegreeLaw(self.half, self.p, self.q, cls, tuple(sorted(present)), absent)

    def mean_of(self, cls: int, present: tuple, absent: tuple, f: Fn) -> float:
        return self.law(cls, tuple(sorted(present)), absent).mean(lambda x, _a, _b: f(x))

    def two_hop_end(self, jc: int, lc: int) -> tuple[float, float]:
        """Mean and variance of r_j for a node j of class ``jc`` adjacent to a neighbour l."""
        pij = self.prob(jc, PLUS)
        laws = (self.law(jc, tuple(sorted((PLUS, lc)))), self.law(jc, (lc,), (PLUS,)))
        first = [lw.mean(lambda x, _a, _b: self.r(x)) for lw in laws]
        second = [lw.mean(lambda x, _a, _b: self.r(x) ** 2) for lw in laws]
        m = pij * first[0] + (1 - pij) * first[1]
        return m, pij * second[0] + (1 - pij) * second[1] - m * m

    def ends(self) -> dict[int, dict[int, tuple[float, float]]]:
        """ends[c][jc]: mean and variance of r_j, j of class jc adjacent to a class-c neighbour."""
        return {lc: {jc: self.two_hop_end(jc, lc) for jc in (PLUS, MINUS)} for lc in (PLUS, MINUS)}

    def neighbour_parts(self, c: int, ends: dict) -> Callable[..., tuple]:
        """A class-c neighbour l's share of N as functions of (d̃_l, plus_l, minus_l).

        Q_l = w_i·P0 + r_i·P1 + P2 in mean, with conditional variance P3 (its two-hop end
        weights r_j drawn afresh), and its share of D as the entry j = l of row i,
        r_l² ε(w_i + w_l)² = P4 + w_i·P5 + w_i²·P6, and
        P7 = w_l² Σ_{j ∈ N(l), j ≠ i} E r_j² (the two-hop entries it feeds).
        """
        eps, w, r = self.eps, self.w, self.r
        (rp, tp), (rm, tm) = ends[c][PLUS], ends[c][MINUS]
        sq_p, sq_m = tp + rp * rp, tm + rm * rm

        def parts(x, a, b):
            wx, rx = w(x), r(x)
            return (
                eps * c * rx,  # × w_i
                wx,  # × r_i
                eps * c * wx * rx + wx * (a * rp - b * rm),
                wx**2 * (a * tp + b * tm),
                eps * rx**2 * wx**2,
                eps * 2 * rx**2 * wx,  # × w_i
                eps * rx**2,  # × w_i²
                wx**2 * (a * sq_p + b * sq_m),
            )

        return parts

    def at(self, ks: np.ndarray, kd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        half, eps, w, r = self.half, self.eps, self.w, self.r
        k = ks + kd
        if eps:
            wi, ri = w(1.0 + k), r(1.0 + k)
        else:
            wi, ri = np.ones_like(k), np.ones_like(k)
        count = {PLUS: ks, MINUS: kd}
        outside = {PLUS: half - 1 - ks, MINUS: half - kd}
        nb = {c: self.law(c, (PLUS,)) for c in (PLUS, MINUS)}  # a neighbour l of i

        # ---------------------------------------------------------------- E[N | k]
        mean_n = eps * eps * wi * ri
        for c in (PLUS, MINUS):
            lw = nb[c]
            mean_n = mean_n + eps * wi * c * count[c] * lw.mean(lambda x, _a, _b: r(x))
            mean_n = mean_n + count[c] * (
                eps * c * lw.mean(lambda x, _a, _b: w(x) * r(x))
                + ri * lw.mean(lambda x, _a, _b: w(x))
            )
            for jc in (PLUS, MINUS):  # l's neighbours j ≠ i: inside N(i), then outside
                w_l = self.mean_of(c, (PLUS, jc), (), w)
                inside = count[jc] - (jc == c)
                r_in = self.mean_of(jc, (PLUS, c), (), r)
                r_out = self.mean_of(jc, (c,), (PLUS,), r)
                paths = inside * r_in + outside[jc] * r_out
                mean_n = mean_n + count[c] * self.prob(c, jc) * jc * w_l * paths

        # ---------------------------------------------------------------- Var[N | k]
        # N = const + Σ_l Q_l, Q_l = ε w_i v_l r_l + w_l (ε v_l r_l + r_i) + w_l Y_l,
        # Y_l = Σ_{j ∈ N(l) \ i} v_j r_j with mean plus·ρ₊ − minus·ρ₋ given l's edge counts.
        var_n = np.zeros_like(k)
        ends = self.ends()
        for c in (PLUS, MINUS):
            e, ee = nb[c].part_moments(self.neighbour_parts(c, ends))
            var_n = var_n + count[c] * (_quadratic(_covariance(e, ee), wi, ri) + e[3])

        def shift(c: int, c2: int) -> np.ndarray:
            """E[Q_l | edge l–l'] − E[Q_l | no edge], l of class c, l' of class c2."""
            (rp, _), (rm, _) = ends[c][PLUS], ends[c][MINUS]
            r_other = self.mean_of(c2, (PLUS, c), (), r)
            d0 = nb[c].mean(lambda x, _a, _b: eps * c * (r(x + 1) - r(x)))
            d1 = nb[c].mean(lambda x, _a, _b: w(x + 1) - w(x))
            d2 = nb[c].mean(
                lambda x, a, b: (
                    eps * c * (w(x + 1) * r(x + 1) - w(x) * r(x))
                    + (w(x + 1) - w(x)) * (a * rp - b * rm)
                    + w(x + 1) * c2 * r_other
                )
            )
            return wi * d0 + ri * d1 + d2

        for c in (PLUS, MINUS):  # the edges among i's neighbours
            for c2 in (PLUS, MINUS):
                pairs = count[c] * (count[c2] - (c == c2))
                pr = self.prob(c, c2)
                var_n = var_n + pairs * pr * (1 - pr) * shift(c, c2) * shift(c2, c)
                if self.sym:  # two neighbours sharing a two-hop node j share r_j
                    for jc in (PLUS, MINUS):
                        both = self.law(jc, tuple(sorted((c, c2))))
                        m1 = both.mean(lambda x, _a, _b: r(x))
                        m2 = both.mean(lambda x, _a, _b: r(x) ** 2)
                        share = self.prob(c, jc) * self.prob(c2, jc) * (half - (jc == PLUS))
                        w1 = self.mean_of(c, (PLUS, jc), (), w)
                        w2 = self.mean_of(c2, (PLUS, jc), (), w)
                        var_n = var_n + pairs * share * w1 * w2 * (m2 - m1 * m1)

        # ---------------------------------------------------------------- E[D | k]
        w_mean = {c: nb[c].mean(lambda x, _a, _b: w(x)) for c in (PLUS, MINUS)}
        w_var = {c: nb[c].mean(lambda x, _a, _b: w(x) ** 2) - w_mean[c] ** 2 for c in (PLUS, MINUS)}
        row_i = eps * wi + ks * w_mean[PLUS] + kd * w_mean[MINUS]  # the j = i entry
        spread = ks * w_var[PLUS] + kd * w_var[MINUS]
        for c in (PLUS, MINUS):
            for c2 in (PLUS, MINUS):
                pr = self.prob(c, c2)
                dw = nb[c].mean(lambda x, _a, _b: w(x + 1) - w(x))
                dw2 = nb[c2].mean(lambda x, _a, _b: w(x + 1) - w(x))
                spread = spread + count[c] * (count[c2] - (c == c2)) * pr * (1 - pr) * dw * dw2
        mean_d = ri**2 * (row_i**2 + spread)
        for jc in (PLUS, MINUS):
            for inside in (True, False):
                mean_d = mean_d + self._row_entries(jc, inside, ks, kd, wi)
        return mean_n, var_n, mean_d

    def _row_entries(
        self, jc: int, inside: bool, ks: np.ndarray, kd: np.ndarray, wi: np.ndarray
    ) -> np.ndarray:
        """Σ_j E[r_j² (K²)_ij²] over the nodes j of class ``jc`` inside or outside N(i).

        (K²)_ij = ε(w_i + w_j)·[j ∈ N(i)] + Σ_l A_lj w_l over i's neighbours l; with c₊, c₋
        the numbers of such l per class, E[c₊ f(d̃_j)] = m₊π₊ E f(d̃_j with one more known
        edge) (size biasing), and likewise for c₊(c₊ − 1), c₊c₋.
        """
        half, eps, w, r = self.half, self.eps, self.w, self.r
        present, absent = ((PLUS,), ()) if inside else ((), (PLUS,))
        if inside:
            nodes = ks if jc == PLUS else kd
            m_plus, m_minus = ks - (jc == PLUS), kd - (jc == MINUS)
        else:
            nodes = half - 1 - ks if jc == PLUS else half - kd
            m_plus, m_minus = ks, kd
        pp, pm = self.prob(jc, PLUS), self.prob(jc, MINUS)

        def end(extra_plus: int, extra_minus: int, f: Fn) -> float:
            known = present + (PLUS,) * extra_plus + (MINUS,) * extra_minus
            return self.mean_of(jc, known, absent, f)

        def r2(x):
            return r(x) ** 2

        omega = {}
        for lc in (PLUS, MINUS):  # w_l of a neighbour l adjacent to j
            lw = self.law(lc, tuple(sorted((PLUS, jc))))
            omega[lc] = (lw.mean(lambda x, _a, _b: w(x)), lw.mean(lambda x, _a, _b: w(x) ** 2))
        total = np.zeros_like(ks)
        if inside and eps:
            total = total + (
                wi**2 * end(0, 0, r2)
                + 2 * wi * end(0, 0, lambda x: r2(x) * w(x))
                + end(0, 0, lambda x: r2(x) * w(x) ** 2)
            )
            for ep, em, m, pr, lc in ((1, 0, m_plus, pp, PLUS), (0, 1, m_minus, pm, MINUS)):
                total = total + 2 * m * pr * omega[lc][0] * (
                    wi * end(ep, em, r2) + end(ep, em, lambda x: r2(x) * w(x))
                )
        c_plus = m_plus * pp * end(1, 0, r2)
        c_minus = m_minus * pm * end(0, 1, r2)
        c_plus2 = m_plus * (m_plus - 1) * pp * pp * end(2, 0, r2) + c_plus
        c_minus2 = m_minus * (m_minus - 1) * pm * pm * end(0, 2, r2) + c_minus
        c_cross = m_plus * m_minus * pp * pm * end(1, 1, r2)
        total = total + (
            omega[PLUS][0] ** 2 * c_plus2
            + 2 * omega[PLUS][0] * omega[MINUS][0] * c_cross
            + omega[MINUS][0] ** 2 * c_minus2
            + c_plus * (omega[PLUS][1] - omega[PLUS][0] ** 2)
            + c_minus * (omega[MINUS][1] - omega[MINUS][0] ** 2)
        )
        return nodes * total


def _covariance(e: list, ee: dict) -> dict:
    """Covariances of the parts P0, P1, P2 from their means and second moments."""
    return {(i, j): ee[i, j] - e[i] * e[j] for i, j in _PAIRS}


def _quadratic(m: dict, wi: np.ndarray, ri: np.ndarray) -> np.ndarray:
    """Var(w_i P0 + r_i P1 + P2) from the covariances ``m`` of the parts."""
    return (
        wi**2 * m[0, 0]
        + ri**2 * m[1, 1]
        + m[2, 2]
        + 2 * wi * ri * m[0, 1]
        + 2 * wi * m[0, 2]
        + 2 * ri * m[1, 2]
    )


def _skeleton_correction(m: _Moments, s: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """E[Φ(z_skeleton) − Φ(z_moment)] over a seeded population of nodes, for each s.

    A node's skeleton is its neighbour counts and each neighbour's degree by class, drawn from
    their exact laws; given it, N is Gaussian in the two-hop end weights and D is averaged over
    them, the remaining (cycle) terms of the moment form kept at their conditional values. At
    low degree this captures what a Gaussian N with mean D misses (few neighbours of small,
    unequal degrees); the moment form serves as control variate.
    """
    rng = np.random.default_rng(seed)
    half, eps, w = m.half, m.eps, m.w
    # (k_s, k_d) by systematic sampling of their exact law: the correction's spread between
    # count cells, most of its Monte Carlo error, is gone
    a, pa = _binomial(half - 1, m.p)
    b, pb = _binomial(half, m.q)
    cell = np.searchsorted(
        np.cumsum(np.outer(pa, pb).ravel()), (np.arange(samples) + rng.random(samples)) / samples
    )
    cell = np.minimum(cell, len(a) * len(b) - 1)
    ks, kd = a[cell // len(b)].astype(float), b[cell % len(b)].astype(float)
    mean_k, var_k, d_k = m.at(ks, kd)
    k = ks + kd
    wi, ri = (w(1.0 + k), m.r(1.0 + k)) if eps else (np.ones_like(k), np.ones_like(k))
    ends = m.ends()
    mean_s, var_s, d_s = mean_k.copy(), var_k.copy(), d_k.copy()
    row, row_mean, row_var = np.zeros(samples), np.zeros(samples), np.zeros(samples)
    for c, count in ((PLUS, ks), (MINUS, kd)):
        law = m.law(c, (PLUS,))
        parts = [
            np.broadcast_to(p, law.x.shape).ravel()
            for p in m.neighbour_parts(c, ends)(law.x, law.plus, law.minus)
        ]
        prob = law.weight.ravel()
        e, ee = law.part_moments(m.neighbour_parts(c, ends))
        cov = _covariance(e, ee)
        weights = w(law.x.ravel())
        owner = np.repeat(np.arange(samples), count.astype(int))
        pick = rng.choice(prob.size, size=owner.size, p=prob)
        o_wi, o_ri = wi[owner], ri[owner]
        drawn = [p[pick] for p in parts]
        q_mean = o_wi * drawn[0] + o_ri * drawn[1] + drawn[2]
        q_mean_var = _quadratic(cov, wi, ri)
        mean_s += np.bincount(owner, q_mean, samples) - count * (wi * e[0] + ri * e[1] + e[2])
        var_s += np.bincount(owner, drawn[3], samples) - count * (q_mean_var + e[3])
        entries = drawn[4] + o_wi * drawn[5] + o_wi**2 * drawn[6] + drawn[7]
        expected = e[4] + wi * e[5] + wi**2 * e[6] + e[7]
        d_s += np.bincount(owner, entries, samples) - count * expected
        row += np.bincount(owner, weights[pick], samples)
        row_mean += count * float(weights @ prob)
        row_var += count * (float(weights**2 @ prob) - float(weights @ prob) ** 2)
    d_s += ri**2 * ((eps * wi + row) ** 2 - (eps * wi + row_mean) ** 2 - row_var)
    out = np.empty(len(s))
    for i, value in enumerate(s):
        out[i] = np.mean(_phi(value, mean_s, var_s, d_s) - _phi(value, mean_k, var_k, d_k))
    return out


def _phi(s: Any, mean_n: np.ndarray, var_n: np.ndarray, mean_d: np.ndarray) -> np.ndarray:
    """Φ(s E N / √(E D + s² Var N)); ½ where the row of K² is empty."""
    scale = np.sqrt(np.maximum(mean_d + s**2 * np.maximum(var_n, 0.0), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return ndtr(np.where(scale > 0, s * mean_n / scale, 0.0))


def two_layer_accuracy(
    n: int,
    p_in: float,
    p_out: float,
    mu: Any,
    sigma: float = 1.0,
    *,
    norm: str = "mean",
    samples: int = 400_000,
    seed: int = 0,
) -> dict[str, Any]:
    r"""Mean nodewise accuracy of a two-layer linear GCN on the finite two-class cSBM.

    The degree-conditioned moment form (module docstring): an exact sum over node i's
    binomial neighbour counts (k_s, k_d), with the signal N given k taken Gaussian with its
    exact finite-n mean and variance and the squared row norm D replaced by its exact
    conditional mean. Holds on sparse and dense graphs alike (cycles included). At low degree
    a skeleton correction (a seeded population of nodes with their neighbours' degrees drawn
    exactly, the moment form as control variate; Monte Carlo error ≈ 1e-4 at the default
    size) removes what the Gaussian step misses. Measured errors in ``theory/error_table.md``.

    Parameters
    ----------
    n : int
        Number of nodes (two balanced classes).
    p_in, p_out : float
        Edge probabilities.
    mu : float or array-like
        Feature signal; an array gives arrays in the result.
    sigma : float
        Feature noise; only s = μ/σ matters.
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"
        A², (A + I)², (D̃⁻¹(A + I))², (D̃^{-1/2}(A + I)D̃^{-1/2})².
    samples, seed : int
        Population of the skeleton correction (capped so that nodes × mean degree stays
        below 4·10⁶); ``samples=0`` gives the moment form alone. For more than 16 distinct
        values of μ the correction is computed at 16 and interpolated.

    Returns
    -------
    dict
        ``accuracy`` (oracle readout), ``accuracy_flipped`` (1 − accuracy) and
        ``accuracy_best_sign``.

    Examples
    --------
    >>> from gnnrg.parameters import block_probabilities
    >>> p_in, p_out = block_probabilities(600, 50, 2.5)
    >>> round(two_layer_accuracy(600, p_in, p_out, mu=0.3, norm="sym")["accuracy"], 3)
    0.81
    """
    n = check_int("n", n, low=4)
    norm = check_choice("norm", norm, NORMS)
    p_in = check_real("p_in", p_in, low=0.0, high=1.0)
    p_out = check_real("p_out", p_out, low=0.0, high=1.0)
    s = _signal_to_noise(mu, sigma)
    half = n // 2
    ks, ps = _binomial(half - 1, p_in)
    kd, pd = _binomial(half, p_out)
    grid_s, grid_d = np.meshgrid(ks.astype(float), kd.astype(float), indexing="ij")
    weight = np.outer(ps, pd).ravel()
    weight /= weight.sum()
    m = _Moments(half, float(p_in), float(p_out), norm)
    mean_n, var_n, mean_d = (a.ravel() for a in m.at(grid_s, grid_d))
    s_arr = np.atleast_1d(s)
    acc = np.array([_phi(value, mean_n, var_n, mean_d) @ weight for value in s_arr])
    samples = check_int("samples", samples, low=0)
    degree = max((half - 1) * float(p_in) + half * float(p_out), 1.0)
    samples = min(samples, int(4e6 / degree))
    if samples > 0:
        nodes = np.unique(s_arr)
        if len(nodes) > 16:
            nodes = np.linspace(nodes[0], nodes[-1], 16)
        corr = _skeleton_correction(m, nodes, samples, seed)
        if len(nodes) == 1:
            acc = acc + corr[0]
        else:
            from scipy.interpolate import PchipInterpolator

            acc = acc + PchipInterpolator(nodes, corr)(s_arr)
    return _pair(acc if np.ndim(s) else float(acc[0]))
