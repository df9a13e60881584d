"""Erase a real graph's higher-order structure while keeping its first-order statistics.

Edges: degree- and mixing-preserving double-edge swaps — every node keeps its degree and every
class pair keeps its edge count, everything else (triangles, motifs, communities inside
classes) is randomised. Features: resampled from per-class Gaussians fitted to the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from gnnrg._checks import check_choice
from gnnrg.edgelist import canonical_edges, edge_array

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = ["erase", "rewire_within_class_pairs", "sample_class_gaussian_features"]


def _swap_round(r: np.ndarray, c: np.ndarray, n: int, same: bool, rng: np.random.Generator) -> None:
    """One round of simultaneous double-edge swaps (r1,c1),(r2,c2) -> (r1,c2),(r2,c1), in place.

    Edges are paired at random; a swap is kept only if it creates no self loop and no edge
    that exists already or is created twice in the round, so the graph stays simple.
    """
    m = len(r)
    if same:  # inside a class, either endpoint may move
        flip = rng.random(m) < 0.5
        r[flip], c[flip] = c[flip], r[flip].copy()
    perm = rng.permutation(m)
    i, j = perm[0 : m - 1 : 2], perm[1:m:2]
    key = np.minimum(r, c) * np.int64(n) + np.maximum(r, c)
    existing = np.sort(key)
    a = np.minimum(r[i], c[j]) * np.int64(n) + np.maximum(r[i], c[j])
    b = np.minimum(r[j], c[i]) * np.int64(n) + np.maximum(r[j], c[i])

    def exists(k: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(existing, k), len(existing) - 1)
        return existing[pos] == k

    ok = (r[i] != c[j]) & (r[j] != c[i]) & (a != b) & ~exists(a) & ~exists(b)
    proposed = np.concatenate([a[ok], b[ok]])
    values, counts = np.unique(proposed, return_counts=True)
    twice = values[counts > 1]
    ok[ok] = ~(np.isin(a[ok], twice) | np.isin(b[ok], twice))
    c[i[ok]], c[j[ok]] = c[j[ok]], c[i[ok]]


def rewire_within_class_pairs(
    edges: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    rounds: int = 20,
) -> np.ndarray:
    """Randomise a graph keeping every node's degree and every class pair's edge count.

    Degree- and mixing-preserving double-edge swaps (Maslov & Sneppen, 2002), applied to the
    edges of each class pair separately: for a pair of classes (a, b) the b-endpoints of two
    edges are exchanged; inside a class either endpoint may move. Each of the ``rounds`` rounds
    proposes a swap for every edge and keeps the ones that leave the graph simple, so degrees
    and class-pair counts are preserved exactly.

    Parameters
    ----------
    edges : ndarray of shape (2, m)
        Canonical undirected edges.
    labels : ndarray of shape (n,)
    rng : numpy.random.Generator
    rounds : int, default 20
        Swap rounds (each edge takes part in one proposal per round).

    Returns
    -------
    edges : ndarray of shape (2, m)
        Canonical edges.

    Examples
    --------
    >>> import networkx as nx
    >>> from gnnrg.edgelist import edge_array
    >>> e, n = edge_array(nx.karate_club_graph())
    >>> new = rewire_within_class_pairs(e, np.zeros(n, int), np.random.default_rng(0))
    >>> new.shape == e.shape, bool((np.bincount(new.ravel()) == np.bincount(e.ravel())).all())
    (True, True)
    """
    n = len(labels)
    if edges.shape[1] == 0:
        return edges
    la, lb = labels[edges[0]], labels[edges[1]]
    swap = la > lb
    rows = np.where(swap, edges[1], edges[0])
    cols = np.where(swap, edges[0], edges[1])
    out_rows, out_cols = [], []
    pair_key = np.minimum(la, lb) * (int(labels.max()) + 1) + np.maximum(la, lb)
    for key in np.unique(pair_key):
        idx = np.flatnonzero(pair_key == key)
        r, c = rows[idx].copy(), cols[idx].copy()
        same = bool(labels[r[0]] == labels[c[0]])
        for _ in range(rounds if len(idx) >= 2 else 0):
            _swap_round(r, c, n, same, rng)
        out_rows.append(r)
        out_cols.append(c)
    return canonical_edges(np.concatenate(out_rows), np.concatenate(out_cols), n)


def sample_class_gaussian_features(
    x: np.ndarray, labels: np.ndarray, rng: np.random.Generator, *, covariance: str = "full"
) -> np.ndarray:
    """Resample features from per-class Gaussians with the data's class means and covariances.

    Parameters
    ----------
    x : ndarray of shape (n, F)
    labels : ndarray of shape (n,)
    rng : numpy.random.Generator
    covariance : {"full", "diagonal"}, default "full"
        Fit the full sample covariance of each class (exact, also when it is singular) or only
        its diagonal.

    Returns
    -------
    x_new : ndarray of shape (n, F), float32

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 3)); y = np.repeat([0, 1], 100)
    >>> sample_class_gaussian_features(x, y, rng).shape
    (200, 3)
    """
    covariance = check_choice("covariance", covariance, ("full", "diagonal"))
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        xc = x[members]
        mean = xc.mean(axis=0)
        centred = xc - mean
        m, f = xc.shape
        scale = 1.0 / np.sqrt(max(m - 1, 1))
        if covariance == "diagonal":
            noise = rng.standard_normal((m, f)) * centred.std(axis=0, ddof=min(1, m - 1))
        elif m <= f:
            # Gaussian with covariance centredᵀ centred / (m-1): z @ centred, z ~ N(0, I_m)
            noise = (rng.standard_normal((m, m)) @ centred) * scale
        else:
            w, v = np.linalg.eigh(centred.T @ centred * scale**2)
            noise = rng.standard_normal((m, f)) @ (v * np.sqrt(np.clip(w, 0, None))).T
        out[members] = mean + noise
    return out.astype(np.float32)


def erase(
    data: Data,
    *,
    rewire: bool = True,
    resample_features: bool = True,
    seed: int | np.random.Generator | None = None,
    covariance: str = "full",
) -> Data:
    """Erase higher-order structure from a labelled graph (the study's "erasure").

    Parameters
    ----------
    data : torch_geometric.data.Data
        A graph with labels ``y`` (and features ``x`` if ``features``).
    rewire : bool, default True
        Rewire keeping every node's degree and the edge count of every class pair.
    resample_features : bool, default True
        Resample features from per-class Gaussians fitted to the data.
    seed : int, Generator or None
    covariance : {"full", "diagonal"}, default "full"
        See :func:`sample_class_gaussian_features`.

    Returns
    -------
    torch_geometric.data.Data
        A new graph; ``params["erased"]`` records what was erased.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(500, lam=1.5, mu=1.0, seed=0, motif="triangle", motif_count=200)
    >>> e = erase(g, seed=1)
    >>> bool((e.edge_index.shape == g.edge_index.shape))
    True
    """
    from gnnrg.interop import make_data

    if getattr(data, "y", None) is None:
        raise ValueError("erase needs node labels: data.y is missing")
    if resample_features and getattr(data, "x", None) is None:
        raise ValueError("erase(resample_features=True) needs node features: data.x is missing")
    rng = np.random.default_rng(seed)
    y = data.y.numpy()
    e, n = edge_array(data)
    if rewire:
        e = rewire_within_class_pairs(e, y, rng)
    x = None if getattr(data, "x", None) is None else data.x.numpy()
    if resample_features:
        x = sample_class_gaussian_features(x, y, rng, covariance=covariance)
    params = dict(getattr(data, "params", None) or {})
    params["erased"] = {"edges": bool(rewire), "features": bool(resample_features)}
    return make_data(e, x, y, n, params)
