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
from gnnrg.theory.norms import NORMS

__all__ = ["filter_matrix", "nodewise_accuracy"]


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
        Two classes, any two values (the larger is +1).
    mu, sigma : float
        Feature signal and noise (x_i = μ v_i u + σ z_i).
    layers : int, default 1
        Number of aggregations (K = F^layers).
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"

    Returns
    -------
    accuracy : ndarray of shape (n,)
        :math:`\Phi(s\, v_i (K v)_i / \lVert K_{i,:}\rVert)`; ½ for a node whose row of K is 0.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.karate_club_graph()
    >>> y = [int(G.nodes[i]["club"] == "Officer") for i in G]
    >>> acc = nodewise_accuracy(G, y, mu=0.5, layers=2, norm="sym")
    >>> acc.shape, round(float(acc.mean()), 3)
    ((34,), 0.862)
    """
    layers = check_int("layers", layers, low=0)
    mu = check_real("mu", mu, low=0.0)
    sigma = check_real("sigma", sigma, low=0.0, low_open=True)
    edges, n = graph if isinstance(graph, tuple) else edge_array(graph)
    labels = np.asarray(labels.numpy() if hasattr(labels, "numpy") else labels)
    classes = np.unique(labels)
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries; the graph has {n} nodes")
    if len(classes) > 2:
        raise ValueError(f"nodewise_accuracy needs two classes; labels hold {len(classes)}")
    v = np.where(labels == classes[-1], 1.0, -1.0)
    f = filter_matrix(edges, n, norm)
    k = sp.identity(n, format="csr")
    for _ in range(layers):
        k = (f @ k).tocsr()
    signal = v * (k @ v)
    noise = np.sqrt(np.asarray(k.multiply(k).sum(axis=1)).ravel())
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(noise > 0, (mu / sigma) * signal / noise, 0.0)
    return ndtr(z)
