"""Neighbour-count laws: the binomial (or Poisson) support and pmf every count-based evaluator
sums over. A module of its own, below the evaluators, so that they share it without importing
one another."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy import stats as st
from scipy.special import ndtr

from gnnrg.theory.symbolic import numeric

__all__ = ["count_law", "count_ratios", "expect_phi", "pair_ratio"]


@cache
def count_law(trials: float, p: float, finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Support and pmf of a Binomial(trials, p) (or Poisson(trials·p)), terms below 1e-15 cut.

    Cached and read-only: the two-layer form asks for the same few laws many times.

    Parameters
    ----------
    trials : float
        Number of trials (truncated to an integer for the binomial).
    p : float
        Success probability (clipped to [0, 1]).
    finite : bool, default True
        Binomial, or its Poisson limit.

    Returns
    -------
    (k, pmf) : tuple of read-only ndarray

    Examples
    --------
    >>> k, pmf = count_law(10, 0.5)
    >>> k.tolist()[:3], round(float(pmf.sum()), 12)
    ([0, 1, 2], 1.0)
    """
    p = min(max(p, 0.0), 1.0)
    if p < 1e-300:  # no count above 0 has mass 1e-15 (scipy overflows on subnormal p)
        p = 0.0
    mean = trials * p
    sd = math.sqrt(mean * (1 - p) if finite else mean)
    high = int(mean + 9 * sd + 40)
    k = np.arange(max(int(mean - 9 * sd - 40), 0), min(high, int(trials)) + 1 if finite else high)
    pmf = st.binom.pmf(k, int(trials), p) if finite else st.poisson.pmf(k, mean)
    keep = pmf > 1e-15
    k, pmf = k[keep], pmf[keep]
    k.setflags(write=False)
    pmf.setflags(write=False)
    return k, pmf


def count_ratios(
    same: tuple[np.ndarray, np.ndarray], other: tuple[np.ndarray, np.ndarray], self_loop: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every (k_s, k_d) of two independent count laws: the two-class one-layer ratio
    z/s = (δ + k_s − k_d)/√(δ + k_s + k_d) (0 for an empty row: a tie) and its probability.

    Parameters
    ----------
    same, other : (k, pmf)
        The same-class and other-class count laws (:func:`count_law`).
    self_loop : bool
        δ = 1 (``sum-self``, ``mean``) or 0 (``sum``).

    Returns
    -------
    (ratio, weight) : flat ndarrays

    Examples
    --------
    >>> r, w = count_ratios(count_law(1, 1.0), count_law(1, 0.0), self_loop=True)
    >>> r.round(4).tolist(), w.tolist()
    ([1.4142], [1.0])
    """
    (ks, ps), (kd, pd) = same, other
    return pair_ratio(ks[:, None], kd[None, :], self_loop).ravel(), np.outer(ps, pd).ravel()


def pair_ratio(ks: np.ndarray, kd: np.ndarray, self_loop: bool) -> np.ndarray:
    """The two-class one-layer ratio (δ + k_s − k_d)/√(δ + k_s + k_d) of each count pair
    (broadcast; 0 for an empty row: a tie).

    Examples
    --------
    >>> pair_ratio(np.array([3]), np.array([0]), self_loop=True).tolist()
    [2.0]
    """
    ratio_fn = numeric(1, "sum-self" if self_loop else "sum")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(ratio_fn(1.0, ks, kd), nan=0.0)


def expect_phi(s: np.ndarray, ratio: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Σ weight·Φ(s·ratio) / Σ weight for every s, over the distinct ratios only.

    Examples
    --------
    >>> float(expect_phi(1.0, np.array([0.0, 0.0]), np.array([1.0, 3.0])))
    0.5
    """
    values, inverse = np.unique(ratio, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weight.ravel(), minlength=len(values))
    out = ndtr(np.multiply.outer(np.atleast_1d(s), values)) @ w / w.sum()
    return out if np.ndim(s) else out[0]
