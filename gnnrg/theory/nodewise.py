r"""Exact nodewise accuracy of any linear graph filter on any graph with Gaussian features.

For two classes with labels v_i = ±1 and features x_i = μ v_i u + σ z_i, a linear filter K
gives h = K X, and the oracle readout sign(⟨u, h_i⟩) is correct with probability

.. math::

    P(\text{correct}_i \mid G) = \Phi\!\left(\frac{\mu}{\sigma}\,
        \frac{v_i (K v)_i}{\lVert K_{i,:} \rVert_2}\right).

Everything is sparse: K is applied to vectors and ‖K_{i,:}‖² = (K∘K) 1 for one-layer filters,
and the rows of K = F² are computed as sparse products for two layers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtr

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.diagnostics import adjacency
from gnnrg.edgelist import edge_array
from gnnrg.theory.kclass import argmax_probability, on_nodes
from gnnrg.theory.norms import NORMS

__all__ = ["filter_matrix", "margins_accuracy", "nodewise_accuracy", "nodewise_margins"]


def filter_matrix(edges: np.ndarray, num_nodes: int, norm: str) -> sp.csr_matrix:
    """One layer's aggregation matrix as a sparse CSR matrix.

    Parameters
    ----------
    edges : ndarray of shape (2, m)
        Canonical undirected edges.
    num_nodes : int
    norm : {"sum", "sum-self", "mean", "sym"}
        A, A + I, D̃⁻¹(A + I) or D̃^{-1/2}(A + I)D̃^{-1/2}, with D̃ the degrees of A + I.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n, n)

    Examples
    --------
    >>> filter_matrix(np.array([[0], [1]]), 2, "mean").toarray().tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    norm = check_choice("norm", norm, NORMS)
    a = adjacency(edges, num_nodes)
    if norm == "sum":
        return a
    a = (a + sp.identity(num_nodes, format="csr")).tocsr()
    deg = np.asarray(a.sum(axis=1)).ravel()
    if norm == "sum-self":
        return a
    if norm == "mean":
        return sp.diags(1.0 / deg) @ a
    inv_root = sp.diags(1.0 / np.sqrt(deg))
    return (inv_root @ a @ inv_root).tocsr()


def nodewise_margins(graph: Any, labels: Any, *, layers: int = 1, norm: str = "mean") -> np.ndarray:
    """Each node's signal-to-noise ratios given the graph, before the feature signal s = μ/σ.

    Two classes: r_i = v_i (K v)_i / ‖K_{i,:}‖ (shape (n,)); k classes: the k − 1 ratios
    ((K 1_{y_i})_i − (K 1_c)_i)/‖K_{i,:}‖ for c ≠ y_i (shape (n, k − 1)). Zero for a node whose
    row of K is 0. :func:`nodewise_accuracy` is Φ(s r_i), or the argmax integral, of these.

    Parameters
    ----------
    graph, labels, layers, norm
        As :func:`nodewise_accuracy`.

    Returns
    -------
    ndarray of shape (n,) or (n, k − 1)

    Examples
    --------
    >>> nodewise_margins((np.array([[0], [1]]), 3), [0, 0, 1], norm="sum-self").round(3).tolist()
    [1.414, 1.414, 1.0]
    """
    layers = check_int("layers", layers, low=0)
    edges, n = graph if isinstance(graph, tuple) else edge_array(graph)
    labels = np.asarray(labels.numpy() if hasattr(labels, "numpy") else labels)
    classes = np.unique(labels)
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries; the graph has {n} nodes")
    f = filter_matrix(edges, n, norm)
    k = sp.identity(n, format="csr")
    for _ in range(layers):
        k = (f @ k).tocsr()
    noise = np.sqrt(np.asarray(k.multiply(k).sum(axis=1)).ravel())
    safe = np.where(noise > 0, noise, 1.0)
    if len(classes) <= 2:
        v = np.where(labels == classes[-1], 1.0, -1.0)
        return np.where(noise > 0, v * (k @ v) / safe, 0.0)
    index = np.searchsorted(classes, labels)
    mass = np.asarray(k @ np.eye(len(classes))[index])  # (K 1_c)_i for every class c
    rows = np.arange(n)
    rivals = np.ones_like(mass, dtype=bool)
    rivals[rows, index] = False
    margins = (mass[rows, index][:, None] - mass[rivals].reshape(n, -1)) / safe[:, None]
    margins[noise == 0] = 0.0
    return margins


def margins_accuracy(margins: np.ndarray, s: Any) -> np.ndarray:
    """Mean accuracy over the nodes at every s from :func:`nodewise_margins`' ratios.

    Examples
    --------
    >>> margins_accuracy(np.array([0.0, 1.0]), [0.0, 1.0]).round(4).tolist()
    [0.5, 0.6707]
    """
    s = np.atleast_1d(np.asarray(s, dtype=float))
    if margins.ndim == 1:
        values, inverse = np.unique(margins, return_inverse=True)
        weight = np.bincount(inverse, minlength=len(values)) / len(margins)
        return ndtr(np.multiply.outer(s, values)) @ weight
    rows, counts = np.unique(np.round(margins, 12), axis=0, return_counts=True)
    weight = counts / len(margins)
    return on_nodes(lambda v: np.array([weight @ argmax_probability(x * rows) for x in v]), s)


def nodewise_accuracy(
    graph: Any,
    labels: Any,
    mu: float,
    sigma: float = 1.0,
    *,
    layers: int = 1,
    norm: str = "mean",
) -> np.ndarray:
    r"""Each node's exact probability of being classified correctly by a linear GCN.

    Parameters
    ----------
    graph : torch_geometric.data.Data, networkx.Graph or (edges, num_nodes)
        Nodes ``0..n-1``; a tuple holds a canonical edge array of shape (2, m) and n.
    labels : array-like of shape (n,)
        Two classes (any two values; the larger is +1, class means ±u) or k > 2 classes
        (class means orthogonal unit vectors e_c, as :func:`gnnrg.csbm` draws them; the
        readout is argmax_c ⟨e_c, h_i⟩).
    mu, sigma : float
        Feature signal and noise (x_i = μ v_i u + σ z_i).
    layers : int, default 1
        Number of aggregations (K = F^layers).
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"

    Returns
    -------
    accuracy : ndarray of shape (n,)
        :math:`\Phi(s\, v_i (K v)_i / \lVert K_{i,:}\rVert)` for two classes; for k classes
        :math:`\int\varphi(t)\prod_{c\ne y_i}\Phi(t + s((K1_{y_i})_i - (K1_c)_i)/\lVert
        K_{i,:}\rVert)\,dt` (:mod:`gnnrg.theory.kclass`). 1/k for a node whose row of K is 0.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> y = [int(G.nodes[i]["club"] == "Officer") for i in G]
    >>> acc = nodewise_accuracy(G, y, mu=0.5, layers=2, norm="sym")
    >>> acc.shape, round(float(acc.mean()), 3)
    ((34,), 0.862)
    """
    mu = check_real("mu", mu, low=0.0)
    sigma = check_real("sigma", sigma, low=0.0, low_open=True)
    margins = nodewise_margins(graph, labels, layers=layers, norm=norm)
    if margins.ndim == 1:
        return ndtr((mu / sigma) * margins)
    return argmax_probability((mu / sigma) * margins)
