"""Gaussian-mixture node features: x_i = μ m_{y_i} + σ z_i, with optional noise layers."""

from __future__ import annotations

import numpy as np

__all__ = ["sample_class_means", "sample_features"]


def sample_class_means(classes: int, num_features: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-norm class means: ±u for two classes, random orthonormal vectors for more.

    Parameters
    ----------
    classes : int
        Number of classes k.
    num_features : int
        Dimension F (at least k when k > 2).
    rng : numpy.random.Generator

    Returns
    -------
    means : ndarray of shape (k, F)
        Row c is the mean direction of class c. For k = 2, ``means[0] == -means[1]``.

    Examples
    --------
    >>> m = sample_class_means(3, 5, np.random.default_rng(0))
    >>> np.allclose(m @ m.T, np.eye(3))
    True
    """
    if classes == 2:
        u = rng.standard_normal(num_features)
        u /= np.linalg.norm(u)
        return np.stack([-u, u])
    q, r = np.linalg.qr(rng.standard_normal((num_features, classes)))
    return (q * np.sign(np.diag(r))).T


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
        Unit class means (see :func:`sample_class_means`).
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
    >>> x, fc = sample_features(np.array([0, 1]), sample_class_means(2, 3, rng), 1.0, 1.0, rng)
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
