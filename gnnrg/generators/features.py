"""Gaussian-mixture node features: x_i = μ m_{y_i} + σ z_i, with optional noise layers."""

from __future__ import annotations

from typing import Any

import numpy as np

from gnnrg._checks import check_fraction, check_int
from gnnrg.generators.variant import Variant

__all__ = ["FEATURE_NOISE", "check_feature_noise", "class_means", "sample_features"]


def check_feature_noise(
    n: int, classes: int, *, feature_noise: float, noise_features: int
) -> dict[str, Any]:
    """The feature-noise arguments of :func:`gnnrg.csbm`, checked.

    Examples
    --------
    >>> check_feature_noise(100, 2, feature_noise=0.1, noise_features=5)
    {'feature_noise': 0.1, 'noise_features': 5}
    """
    return {
        "feature_noise": check_fraction("feature_noise", feature_noise),
        "noise_features": check_int("noise_features", noise_features, low=0),
    }


#: Features resampled from a random class for a fraction of the nodes, and label-free
#: dimensions appended.
FEATURE_NOISE = Variant(
    name="feature noise",
    parameters={"feature_noise": 0.0, "noise_features": 0},
    switches=("feature_noise", "noise_features"),
    check=check_feature_noise,
)


def class_means(classes: int, num_features: int) -> np.ndarray:
    """The default unit class means: ±e₀ for two classes, the basis vectors e_c for more.

    They are fixed (not random) so that graphs sampled with the same parameters share one
    feature distribution, as the fresh-graph protocol needs. Any orthonormal choice gives the
    same model up to a rotation of feature space.

    Parameters
    ----------
    classes : int
        Number of classes k.
    num_features : int
        Dimension F (at least k when k > 2).

    Returns
    -------
    means : ndarray of shape (k, F)
        Row c is the mean direction of class c; for k = 2, ``means[0] == -means[1]``.

    Examples
    --------
    >>> class_means(2, 3).tolist()
    [[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    >>> m = class_means(3, 5)
    >>> np.allclose(m @ m.T, np.eye(3))
    True
    """
    if classes == 2:
        means = np.zeros((2, num_features))
        means[:, 0] = (-1.0, 1.0)
        return means
    return np.eye(classes, num_features)


def sample_features(
    labels: np.ndarray,
    means: np.ndarray,
    mu: float,
    sigma: float,
    rng: np.random.Generator,
    *,
    feature_noise: float = 0.0,
    noise_features: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw features from the class-conditional Gaussians.

    Parameters
    ----------
    labels : ndarray of shape (n,)
    means : ndarray of shape (k, F)
        Unit class means (see :func:`class_means`).
    mu, sigma : float
        Signal strength and noise level.
    rng : numpy.random.Generator
    feature_noise : float, default 0.0
        Fraction τ of nodes (each independently with probability τ) whose features are drawn
        from a uniformly random class instead of their own.
    noise_features : int, default 0
        Number of label-free N(0, σ²) dimensions appended.

    Returns
    -------
    x : ndarray of shape (n, F + noise_features), float32
    feature_class : ndarray of shape (n,)
        The class whose mean each node's features were drawn around.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x, fc = sample_features(np.array([0, 1]), class_means(2, 3), 1.0, 1.0, rng)
    >>> x.shape, x.dtype
    ((2, 3), dtype('float32'))
    """
    n = len(labels)
    classes, num_features = means.shape
    feature_class = labels.copy()
    if feature_noise > 0:
        swapped = rng.random(n) < feature_noise
        feature_class[swapped] = rng.integers(0, classes, size=int(swapped.sum()))
    x = mu * means[feature_class] + sigma * rng.standard_normal((n, num_features))
    if noise_features > 0:
        x = np.hstack([x, sigma * rng.standard_normal((n, noise_features))])
    return x.astype(np.float32), feature_class
