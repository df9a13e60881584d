"""The one sparse stochastic-block-model sampler every generator builds on.

Edges are drawn block pair by block pair: the number of edges in a block pair is drawn from its
exact distribution, then that many distinct node pairs are drawn uniformly. For independent
Bernoulli(p) pairs this is exact (a Binomial count and a uniform subset of that size), and it
costs O(n + E) time and memory: no n × n object is ever built.

With degree propensities θ the sampler follows Karrer & Newman (2011): the number of edges
between nodes i ≠ j is Poisson(θ_i θ_j p_ab); multi-edges are merged and self loops dropped.
"""

from __future__ import annotations

import numpy as np

from gnnrg.edgelist import canonical_edges

__all__ = ["sample_sbm_edges"]


def _pairs_from_triangle(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map indices 0 <= k < m(m-1)/2 onto pairs (i, j) with i > j (row-major lower triangle)."""
    i = np.floor((1.0 + np.sqrt(1.0 + 8.0 * k.astype(np.float64))) / 2.0).astype(np.int64)
    # float rounding can put i one off for very large k: correct it exactly in integers
    i -= (i * (i - 1) // 2) > k
    i += ((i + 1) * i // 2) <= k
    j = k - i * (i - 1) // 2
    return i, j


def _bernoulli_block(
    rng: np.random.Generator, size_a: int, size_b: int, p: float, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """All edges of one block pair with independent Bernoulli(p) node pairs."""
    num_pairs = size_a * (size_a - 1) // 2 if same else size_a * size_b
    if p <= 0.0 or num_pairs == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    count = int(rng.binomial(num_pairs, min(p, 1.0)))
    picked = rng.choice(num_pairs, size=count, replace=False, shuffle=False).astype(np.int64)
    if same:
        return _pairs_from_triangle(picked)
    return picked // size_b, picked % size_b


def _poisson_block(
    rng: np.random.Generator, theta_a: np.ndarray, theta_b: np.ndarray, p: float, same: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Karrer–Newman Poisson edges of one block pair with propensities θ (multi-edges kept)."""
    total_a, total_b = theta_a.sum(), theta_b.sum()
    rate = p * total_a * total_b / (2.0 if same else 1.0)
    if rate <= 0.0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    count = int(rng.poisson(rate))
    cdf_a = np.cumsum(theta_a / total_a)
    cdf_b = np.cumsum(theta_b / total_b)
    i = np.searchsorted(cdf_a, rng.random(count) * cdf_a[-1], side="right")
    j = np.searchsorted(cdf_b, rng.random(count) * cdf_b[-1], side="right")
    return np.minimum(i, len(theta_a) - 1), np.minimum(j, len(theta_b) - 1)


def sample_sbm_edges(
    block_sizes: np.ndarray,
    probs: np.ndarray,
    rng: np.random.Generator,
    *,
    propensities: np.ndarray | None = None,
) -> np.ndarray:
    """Sample the edges of a stochastic block model in O(n + E).

    Nodes are numbered block by block: block ``b`` holds nodes
    ``sum(block_sizes[:b]) .. sum(block_sizes[:b+1]) - 1``.

    Parameters
    ----------
    block_sizes : ndarray of shape (k,)
        Number of nodes in each block.
    probs : ndarray of shape (k, k)
        Symmetric matrix of edge probabilities between blocks, entries in ``[0, 1]``.
    rng : numpy.random.Generator
        The random source; every draw is taken from it.
    propensities : ndarray of shape (n,), optional
        Karrer–Newman degree propensities θ (normalised by the caller, usually to mean 1 within
        each block). With θ the pair (i, j) gets Poisson(θ_i θ_j p_ab) edges, merged into one.

    Returns
    -------
    edges : ndarray of shape (2, m), int64
        Each undirected edge once, with ``edges[0] < edges[1]``, sorted, no duplicates.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> e = sample_sbm_edges(np.array([50, 50]), np.array([[0.2, 0.02], [0.02, 0.2]]), rng)
    >>> e.shape[0], bool((e[0] < e[1]).all())
    (2, True)
    """
    block_sizes = np.asarray(block_sizes, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    offsets = np.concatenate([[0], np.cumsum(block_sizes)])
    rows, cols = [], []
    k = len(block_sizes)
    for a in range(k):
        for b in range(a, k):
            same = a == b
            if propensities is None:
                i, j = _bernoulli_block(rng, block_sizes[a], block_sizes[b], probs[a, b], same)
            else:
                i, j = _poisson_block(
                    rng,
                    propensities[offsets[a] : offsets[a + 1]],
                    propensities[offsets[b] : offsets[b + 1]],
                    probs[a, b],
                    same,
                )
            rows.append(i + offsets[a])
            cols.append(j + offsets[b])
    return canonical_edges(np.concatenate(rows), np.concatenate(cols), int(offsets[-1]))
