"""Degree propensities θ for Karrer–Newman degree correction.

θ is normalised to mean 1 within each class, so the expected mean degree and the expected
class-mixing counts of the uncorrected model are kept.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gnnrg._checks import check_choice, check_real
from gnnrg.generators.variant import Variant

__all__ = ["DEGREE_CORRECTION", "DEGREE_LAWS", "check_degree_correction", "sample_propensities"]

DEGREE_LAWS = ("powerlaw", "lognormal")


def check_degree_correction(
    n: int, classes: int, *, degree_law: Any, degree_exponent: float, degree_sigma: float
) -> dict[str, Any]:
    """The degree-correction arguments of :func:`gnnrg.csbm`, checked; an array law is
    recorded as ``"array"`` (its shape is checked when it is used).

    Examples
    --------
    >>> check_degree_correction(100, 2, degree_law="powerlaw", degree_exponent=3,
    ...                         degree_sigma=1.0)["degree_law"]
    'powerlaw'
    """
    if isinstance(degree_law, str):
        degree_law = check_choice("degree_law", degree_law, DEGREE_LAWS)
        if degree_law == "powerlaw":
            degree_exponent = check_real("degree_exponent", degree_exponent, low=2.0, low_open=True)
        else:
            degree_sigma = check_real("degree_sigma", degree_sigma, low=0.0)
    elif degree_law is not None:
        degree_law = "array"
    return {
        "degree_law": degree_law,
        "degree_exponent": degree_exponent,
        "degree_sigma": degree_sigma,
    }


#: Karrer–Newman degree correction (propensities normalised within each class).
DEGREE_CORRECTION = Variant(
    name="degree correction",
    parameters={"degree_law": None, "degree_exponent": 2.5, "degree_sigma": 1.0},
    switches=("degree_law",),
    check=check_degree_correction,
    theory=True,
)


def sample_propensities(
    labels: np.ndarray,
    law: str | np.ndarray,
    rng: np.random.Generator,
    *,
    exponent: float = 2.5,
    sigma: float = 1.0,
) -> np.ndarray:
    r"""Draw degree propensities and normalise them to mean 1 within each class.

    Parameters
    ----------
    labels : ndarray of shape (n,)
        Class of each node.
    law : {"powerlaw", "lognormal"} or ndarray of shape (n,)
        ``"powerlaw"``: Pareto θ with density ∝ θ^{-exponent}, so degrees have the tail
        :math:`P(D \ge x) \sim x^{-(\mathrm{exponent}-1)}`. ``"lognormal"``: θ = exp(σ Z).
        An array is taken as given propensities (non-negative, not all zero in a class).
    rng : numpy.random.Generator
    exponent : float, default 2.5
        Power-law exponent, > 2 so that the mean degree is finite.
    sigma : float, default 1.0
        Log-scale spread of the lognormal law.

    Returns
    -------
    theta : ndarray of shape (n,)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> theta = sample_propensities(np.array([0, 0, 1, 1]), "lognormal", rng)
    >>> np.allclose([theta[:2].mean(), theta[2:].mean()], 1.0)
    True
    """
    n = len(labels)
    if isinstance(law, str):
        law = check_choice("degree_law", law, DEGREE_LAWS)
        if law == "powerlaw":
            exponent = check_real("degree_exponent", exponent, low=2.0, low_open=True)
            theta = (1.0 - rng.random(n)) ** (-1.0 / (exponent - 1.0))
        else:
            sigma = check_real("degree_sigma", sigma, low=0.0)
            theta = np.exp(sigma * rng.standard_normal(n))
    else:
        theta = np.asarray(law, dtype=np.float64)
        if theta.shape != (n,):
            raise ValueError(f"degree_law array has shape {theta.shape}; expected ({n},)")
        if not np.all(np.isfinite(theta)) or (theta < 0).any():
            raise ValueError("degree_law array must hold finite, non-negative propensities")
    theta = theta.copy()
    for c in np.unique(labels):
        members = labels == c
        total = theta[members].sum()
        if total <= 0:
            raise ValueError(f"degree propensities of class {c} are all zero")
        theta[members] *= members.sum() / total
    return theta
