"""Neighbour-count laws: the binomial (or Poisson) support and pmf every count-based evaluator
sums over. A module of its own, below the evaluators, so that they share it without importing
one another."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy import stats as st

__all__ = ["count_law"]


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
