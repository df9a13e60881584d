r"""The cSBM's parameters and the conversions between its parameterisations.

This module is pure numpy (no torch) so that both the generators and the theory share it.

Edge model, k balanced classes on n nodes, mean degree d, edge signal λ:

.. math::

    p_\mathrm{in} = \frac{d + (k-1)\lambda\sqrt{d}}{n}, \qquad
    p_\mathrm{out} = \frac{d - \lambda\sqrt{d}}{n}.

The mean degree is ``(p_in + (k-1) p_out) n / k = d`` and
``λ = n (p_in - p_out) / (k √d)`` is the Kesten–Stigum signal-to-noise ratio of the k-class
SBM (weak recovery from edges alone is possible iff λ² > 1). At k = 2 this is DESIGN.md's
``p_in = (d + λ√d)/n``, ``p_out = (d − λ√d)/n``. The probabilities lie in [0, 1] iff
``-√d/(k-1) <= λ <= √d`` and ``d + (k-1)λ√d <= n``.

Feature model: ``x_i = μ m_{y_i} + σ z_i`` in F dimensions with unit class means. Deshpande et
al. (2018) write ``b_i = sqrt(μ_D/n) v_i u + Z_i/√F`` with ``γ = n/F``; matching the per-node
signal-to-noise ratio gives ``μ_D = γ (μ/σ)²`` and the weak-recovery threshold
``λ² + μ_D²/γ > 1``.
"""

from __future__ import annotations

import math

from gnnrg._checks import check_choice, check_int, check_real

__all__ = [
    "LAM_CONVENTIONS",
    "block_probabilities",
    "expected_neighbours",
    "from_phi_epsilon",
    "kesten_stigum_lam",
    "lam_from_probabilities",
    "lam_range",
    "mu_deshpande",
    "mu_from_deshpande",
    "to_phi_epsilon",
]


#: How λ sets the k-class edge probabilities. ``"kesten-stigum"`` (gnnrg's default):
#: ``p_in = (d + (k-1)λ√d)/n``, ``p_out = (d - λ√d)/n``, mean degree d and λ the Kesten–Stigum
#: signal for every k. ``"study"``: the study's literal ``p_in = (d + λ√d)/n``,
#: ``p_out = (d - λ√d)/n`` for every k, whose mean degree is ``d - (k-2)λ√d/k`` for k > 2.
#: Both agree at k = 2.
LAM_CONVENTIONS = ("kesten-stigum", "study")


def lam_range(
    avg_degree: float, classes: int = 2, convention: str = "kesten-stigum"
) -> tuple[float, float]:
    """Range of λ for which both edge probabilities are non-negative.

    Parameters
    ----------
    avg_degree : float
        Expected mean degree d.
    classes : int, default 2
        Number of classes k.
    convention : {"kesten-stigum", "study"}, default "kesten-stigum"
        See :data:`LAM_CONVENTIONS`.

    Returns
    -------
    (low, high) : tuple of float
        ``(-√d/(k-1), √d)``; ``(-√d, √d)`` under the study's convention.

    Examples
    --------
    >>> lam_range(9.0)
    (-3.0, 3.0)
    >>> lam_range(9.0, classes=4), lam_range(9.0, classes=4, convention="study")
    ((-1.0, 3.0), (-3.0, 3.0))
    """
    root = math.sqrt(avg_degree)
    if convention == "study":
        return -root, root
    return -root / (classes - 1), root


def block_probabilities(
    n: int, avg_degree: float, lam: float, classes: int = 2, convention: str = "kesten-stigum"
) -> tuple[float, float]:
    """Intra- and inter-class edge probabilities from (d, λ).

    Parameters
    ----------
    n : int
        Number of nodes.
    avg_degree : float
        Expected mean degree d > 0.
    lam : float
        Edge signal λ, in :func:`lam_range`.
    classes : int, default 2
        Number of classes k >= 2.
    convention : {"kesten-stigum", "study"}, default "kesten-stigum"
        How λ and d set the probabilities for k > 2 (:data:`LAM_CONVENTIONS`).

    Returns
    -------
    (p_in, p_out) : tuple of float

    Raises
    ------
    ValueError
        If an argument is outside its valid range (the message names it).

    Examples
    --------
    >>> block_probabilities(1000, 10.0, 1.0)  # doctest: +ELLIPSIS
    (0.01316..., 0.00683...)
    >>> block_probabilities(1000, 10.0, 1.0, 3, "study") == block_probabilities(1000, 10.0, 1.0)
    True
    """
    n = check_int("n", n, low=2)
    classes = check_int("classes", classes, low=2)
    avg_degree = check_real("avg_degree", avg_degree, low=0.0, low_open=True)
    convention = check_choice("lam_convention", convention, LAM_CONVENTIONS)
    low, high = lam_range(avg_degree, classes, convention)
    lam = check_real("lam", lam)
    if not low - 1e-12 <= lam <= high + 1e-12:
        raise ValueError(
            f"lam={lam:g} must satisfy {low:.4g} <= lam <= sqrt(avg_degree)={high:.4g} "
            f"(avg_degree={avg_degree:g}, classes={classes})"
        )
    root = math.sqrt(avg_degree)
    factor = 1 if convention == "study" else classes - 1
    p_in = (avg_degree + factor * lam * root) / n
    p_out = (avg_degree - lam * root) / n
    if p_in > 1.0 or p_out > 1.0:
        raise ValueError(
            f"avg_degree={avg_degree:g} with lam={lam:g} gives p_in={p_in:.4g}, p_out={p_out:.4g}; "
            f"both must be <= 1 (lower avg_degree or |lam|, or raise n={n})"
        )
    return max(p_in, 0.0), max(p_out, 0.0)


def expected_neighbours(n: int, p_in: float, p_out: float) -> tuple[float, float]:
    """Expected same- and other-class neighbour counts of a node, two balanced classes:
    ``c_s = p_in (n/2 − 1)``, ``c_d = p_out n/2`` (DESIGN.md §3).

    Examples
    --------
    >>> expected_neighbours(1000, 0.01, 0.002)
    (4.99, 1.0)
    """
    return p_in * (n / 2 - 1), p_out * n / 2


def lam_from_probabilities(
    n: int, p_in: float, p_out: float, classes: int = 2, convention: str = "kesten-stigum"
) -> tuple[float, float]:
    """The (d, λ) of (p_in, p_out); the inverse of :func:`block_probabilities`. Under the
    study's convention d is its nominal degree ``n (p_in + p_out)/2``, not the mean degree.

    Returns
    -------
    (avg_degree, lam) : tuple of float

    Examples
    --------
    >>> d, lam = lam_from_probabilities(1000, *block_probabilities(1000, 10.0, 1.5))
    >>> round(d, 9), round(lam, 9)
    (10.0, 1.5)
    """
    p_in = check_real("p_in", p_in, low=0.0, high=1.0)
    p_out = check_real("p_out", p_out, low=0.0, high=1.0)
    if check_choice("lam_convention", convention, LAM_CONVENTIONS) == "study":
        classes = 2  # the study writes every k with the two-class formula
    avg_degree = n * (p_in + (classes - 1) * p_out) / classes
    if avg_degree <= 0:
        raise ValueError(f"p_in={p_in:g} and p_out={p_out:g} give no edges; one must be > 0")
    lam = n * (p_in - p_out) / (classes * math.sqrt(avg_degree))
    return avg_degree, lam


def kesten_stigum_lam(
    n: int, avg_degree: float, lam: float, classes: int = 2, convention: str = "kesten-stigum"
) -> tuple[float, float]:
    """The mean degree and the Kesten–Stigum λ (λ² = 1 at the threshold) of the graph that
    (``avg_degree``, ``lam``) give under ``convention``: what the thresholds and the
    graph-only baselines read. The same pair where the conventions agree (Kesten–Stigum's
    own, and k = 2).

    Returns
    -------
    (avg_degree, lam) : tuple of float

    Examples
    --------
    >>> kesten_stigum_lam(1000, 10.0, 1.0, classes=3)
    (10.0, 1.0)
    >>> d, lam = kesten_stigum_lam(1000, 10.0, 1.0, classes=3, convention="study")
    >>> round(d, 4), round(lam**2, 4)
    (8.9459, 0.4968)
    """
    if check_choice("lam_convention", convention, LAM_CONVENTIONS) == "kesten-stigum" or (
        classes == 2
    ):
        return float(avg_degree), float(lam)
    p_in, p_out = block_probabilities(n, avg_degree, lam, classes, convention)
    return lam_from_probabilities(n, p_in, p_out, classes)


def mu_deshpande(mu: float, sigma: float, n: int, num_features: int) -> float:
    """Deshpande et al.'s feature signal μ_D for gnnrg's (μ, σ): ``μ_D = (n/F) (μ/σ)²``.

    Examples
    --------
    >>> mu_deshpande(1.0, 1.0, n=1000, num_features=10)
    100.0
    """
    sigma = check_real("sigma", sigma, low=0.0, low_open=True)
    return (n / num_features) * (mu / sigma) ** 2


def mu_from_deshpande(mu_d: float, sigma: float, n: int, num_features: int) -> float:
    """gnnrg's μ for Deshpande et al.'s μ_D at noise σ; the inverse of :func:`mu_deshpande`.

    Examples
    --------
    >>> mu_from_deshpande(100.0, 1.0, n=1000, num_features=10)
    1.0
    """
    mu_d = check_real("mu_d", mu_d, low=0.0)
    return sigma * math.sqrt(mu_d * num_features / n)


def from_phi_epsilon(
    phi: float, epsilon: float, *, n: int, num_features: int, sigma: float = 1.0
) -> tuple[float, float]:
    """(λ, μ) from GPRGNN's heterophily angle φ and distance ε above the threshold.

    Chien et al. (2021) set ``λ² + μ_D²/γ = 1 + ε`` and ``φ = (2/π) arctan(λ√γ/μ_D)``, so
    φ = 1 is pure homophily, φ = -1 pure heterophily and φ = 0 features only.

    Parameters
    ----------
    phi : float
        In ``[-1, 1]``.
    epsilon : float
        ``> -1``; the squared distance from the information-theoretic threshold.
    n, num_features : int
        Nodes and feature dimension (γ = n/F).
    sigma : float, default 1.0
        Feature noise of the gnnrg scaling.

    Returns
    -------
    (lam, mu) : tuple of float

    Examples
    --------
    >>> lam, mu = from_phi_epsilon(0.5, 3.0, n=1000, num_features=10)
    >>> round(lam, 6), round(mu, 6)
    (1.414214, 0.37606)
    """
    phi = check_real("phi", phi, low=-1.0, high=1.0)
    epsilon = check_real("epsilon", epsilon, low=-1.0, low_open=True)
    gamma = n / num_features
    radius = math.sqrt(1.0 + epsilon)
    lam = radius * math.sin(math.pi * phi / 2.0)
    mu_d = math.sqrt(gamma) * radius * abs(math.cos(math.pi * phi / 2.0))
    return lam, mu_from_deshpande(mu_d, sigma, n, num_features)


def to_phi_epsilon(
    lam: float, mu: float, *, n: int, num_features: int, sigma: float = 1.0
) -> tuple[float, float]:
    """GPRGNN's (φ, ε) for gnnrg's (λ, μ); the inverse of :func:`from_phi_epsilon`.

    Examples
    --------
    >>> phi, eps = to_phi_epsilon(*from_phi_epsilon(0.5, 3.0, n=1000, num_features=10),
    ...                           n=1000, num_features=10)
    >>> round(phi, 9), round(eps, 9)
    (0.5, 3.0)
    """
    gamma = n / num_features
    mu_d = mu_deshpande(mu, sigma, n, num_features)
    epsilon = lam**2 + mu_d**2 / gamma - 1.0
    phi = (2.0 / math.pi) * math.atan2(lam * math.sqrt(gamma), mu_d)
    return phi, epsilon
