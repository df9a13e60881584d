r"""Linear baselines and thresholds of the two-class cSBM.

- Features only: the Bayes classifier on x_i alone has accuracy Φ(μ/σ) (k classes with
  orthogonal means: ∫ φ(t) Φ(t + μ/σ)^(k−1) dt).
- Information-theoretic threshold (Deshpande et al. 2018; exact for d > 1 by Lu & Sen 2020):
  weak recovery is possible iff :math:`\lambda^2 + \mu_D^2/\gamma > 1`, with γ = n/F and
  :math:`\mu_D = \gamma (\mu/\sigma)^2` (see :mod:`gnnrg.parameters`), i.e.
  :math:`\lambda^2 + (n/F)(\mu/\sigma)^4 > 1`.
- k classes (orthonormal means): the features add the spike θ = (μ/σ)²/k to their covariance
  in each of the k − 1 class directions, and the statistic is :math:`\lambda^2 + \gamma
  \theta^2`, the Kesten–Stigum-type threshold of the contextual model (the two-class one with
  θ = (μ/σ)²: ±e₀ means add (μ/σ)²).
- Dense mean-field: a one-layer ``sum-self`` GCN beats features alone iff
  :math:`(1 + c_s - c_d)^2 > 1 + c_s + c_d`.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

#: Gauss–Hermite rule for the k-class features-only integral (1e-12 accurate).
_RULE = np.polynomial.hermite_e.hermegauss(120)
_RULE = (_RULE[0], _RULE[1] / np.sqrt(2 * np.pi))

__all__ = [
    "best_of_rivals",
    "features_only_accuracy",
    "gcn_beats_features",
    "it_threshold_mu",
    "weak_recovery_statistic",
]


def features_only_accuracy(
    mu: float | np.ndarray, sigma: float = 1.0, *, classes: int = 2
) -> float | np.ndarray:
    """Bayes accuracy from features alone, for gnnrg's class means.

    Two classes (means ±μ e₀): Φ(μ/σ). More classes (means μ e_c, orthogonal): the Bayes
    classifier picks the largest coordinate among the k mean directions, right with probability
    ∫ φ(t) Φ(t + μ/σ)^(k−1) dt (Gauss–Hermite quadrature, 1e-12 accurate).

    Parameters
    ----------
    mu : float or array
        Feature signal μ >= 0.
    sigma : float, default 1.0
        Feature noise σ > 0.
    classes : int, default 2
        Number of classes k >= 2.

    Returns
    -------
    float or ndarray
        Accuracy per μ; 1/k at μ = 0 for k > 2, 1/2 for k = 2.

    Examples
    --------
    >>> round(float(features_only_accuracy(1.0)), 4)
    0.8413
    >>> [round(float(features_only_accuracy(1.0, classes=k)), 4) for k in (3, 5)]
    [0.6337, 0.4937]
    """
    _check_signal(mu, sigma)
    if int(classes) != classes or classes < 2:
        raise ValueError(f"classes={classes} must be an integer >= 2")
    s = np.asarray(mu, dtype=float) / sigma
    if classes == 2:
        return ndtr(s)
    return best_of_rivals(s, int(classes))


def best_of_rivals(signal: np.ndarray, classes: int) -> np.ndarray:
    """∫ φ(t) Φ(t + signal)^(k−1) dt: the probability that N(0, 1) + ``signal`` beats k − 1
    independent N(0, 1) rivals (120-node Gauss–Hermite, 1e-12 accurate; two classes:
    Φ(signal/√2)).

    Examples
    --------
    >>> round(float(best_of_rivals(np.array(0.0), 4)), 6)
    0.25
    """
    t, w = _RULE
    return (w * ndtr(t + np.asarray(signal, dtype=float)[..., None]) ** (classes - 1)).sum(-1)


def _check_signal(mu, sigma) -> None:
    """μ >= 0 and σ > 0, finite: the cSBM's feature signal and noise."""
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma={sigma} must be a finite number > 0")
    mu = np.asarray(mu, dtype=float)
    if not np.isfinite(mu).all() or (mu < 0).any():
        raise ValueError(f"mu must be finite and >= 0 (got {mu.min() if mu.size else mu})")


def weak_recovery_statistic(
    lam, mu, *, sigma: float = 1.0, n: int, num_features: int, classes: int = 2
):
    """The weak-recovery statistic λ² + γ θ² of the cSBM (γ = n/F; θ the spike the class means
    add to the features' covariance in each class direction): recovery from edges and
    features together is possible above 1. :func:`it_threshold_mu` gives the μ where it is 1.

    Two classes (means ±μ e₀, θ = (μ/σ)²): λ² + μ_D²/γ with μ_D = γ (μ/σ)², the
    information-theoretic threshold (Deshpande et al. 2018; Lu & Sen 2020). k > 2 classes
    (orthonormal means μ e_c, as :func:`gnnrg.csbm` draws them): θ = (μ/σ)²/k in each of the
    k − 1 directions; edges alone give the Kesten–Stigum λ², features alone the BBP
    threshold γ θ² > 1 of their covariance (both measured in ``tests/theory``), and the
    statistic is their sum, as the linearisation at the uninformative point gives for two
    classes. Above 1 spectral and message-passing methods recover; as for the SBM alone,
    with k >= 5 the information-theoretic threshold can lie below.

    Parameters
    ----------
    lam, mu : float or array
        Edge signal λ and feature signal μ >= 0 (broadcast together).
    sigma : float, default 1.0
    n, num_features : int
        Nodes and feature dimension.
    classes : int, default 2

    Returns
    -------
    ndarray
        λ² + (n/F) θ², θ = (μ/σ)² (two classes) or (μ/σ)²/k.

    Examples
    --------
    >>> float(weak_recovery_statistic(0.5, 0.3, n=1000, num_features=10))
    1.06
    >>> round(float(weak_recovery_statistic(0.5, 0.6, n=1000, num_features=10, classes=4)), 6)
    1.06
    """
    _check_signal(mu, sigma)
    if not n >= 1 or not num_features >= 1:
        raise ValueError(f"n={n} and num_features={num_features} must be >= 1")
    if not np.isfinite(np.asarray(lam, dtype=float)).all():
        raise ValueError("lam must be finite")
    with np.errstate(over="ignore"):  # a huge λ or μ/σ: the statistic is +inf, said quietly
        theta = _feature_spike(classes) * (np.asarray(mu) / sigma) ** 2
        return np.asarray(lam) ** 2 + n / num_features * theta**2


def it_threshold_mu(lam, *, sigma: float = 1.0, n: int, num_features: int, classes: int = 2):
    """The μ where :func:`weak_recovery_statistic` is 1 at edge signal λ (0 where |λ| >= 1):
    for two classes the information-theoretic threshold.

    Examples
    --------
    >>> round(float(it_threshold_mu(0.0, n=1000, num_features=10)), 4)
    0.3162
    >>> round(float(it_threshold_mu(0.0, n=1000, num_features=10, classes=4)), 4)
    0.6325
    """
    lam = np.asarray(lam, dtype=float)
    rest = np.clip(1.0 - lam**2, 0.0, None)
    return sigma * (rest * num_features / n) ** 0.25 / np.sqrt(_feature_spike(classes))


def _feature_spike(classes: int) -> float:
    """The covariance spike per unit (μ/σ)² in each class direction: 1 for the two classes'
    ±e₀, 1/k for k orthonormal means (their covariance (I − 11ᵀ/k)/k)."""
    if int(classes) != classes or classes < 2:
        raise ValueError(f"classes={classes} must be an integer >= 2")
    return 1.0 if classes == 2 else 1.0 / classes


def gcn_beats_features(c_s: float, c_d: float) -> bool:
    """Dense mean-field condition for a one-layer A + I GCN to beat features alone.

    Examples
    --------
    >>> gcn_beats_features(7.5, 2.5), gcn_beats_features(5.0, 5.0)
    (True, False)
    """
    return (1 + c_s - c_d) ** 2 > 1 + c_s + c_d
