"""Canonical undirected edge lists (u < v, each edge once, sorted): gnnrg's internal graph form."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["canonical_edges", "edge_array"]


def canonical_edges(rows: np.ndarray, cols: np.ndarray, num_nodes: int) -> np.ndarray:
    """Undirected edge list with ``u < v``, no self loops, no duplicates, sorted by (u, v).

    Parameters
    ----------
    rows, cols : ndarray of shape (m,)
        Endpoints in any order, possibly with duplicates and self loops.
    num_nodes : int
        Number of nodes (endpoints must be smaller).

    Returns
    -------
    edges : ndarray of shape (2, m'), int64

    Examples
    --------
    >>> canonical_edges(np.array([2, 0, 1, 1]), np.array([0, 2, 1, 0]), 3).tolist()
    [[0, 0], [1, 2]]
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    lo, hi = np.minimum(rows, cols), np.maximum(rows, cols)
    keep = lo != hi
    key = lo[keep] * np.int64(num_nodes) + hi[keep]
    key.sort()
    if len(key):
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return np.stack([key // num_nodes, key % num_nodes])


def edge_array(data: Any) -> tuple[np.ndarray, int]:
    """Canonical undirected edges (u < v, each once) and the node count of a graph.

    Parameters
    ----------
    data : torch_geometric.data.Data or networkx.Graph
        For networkx graphs nodes must be ``0..n-1`` (use :func:`from_networkx` otherwise).

    Returns
    -------
    edges : ndarray of shape (2, m)
    num_nodes : int

    Examples
    --------
    >>> import networkx as nx
    >>> edge_array(nx.path_graph(3))[0].tolist()
    [[0, 1], [1, 2]]
    """
    if hasattr(data, "edge_index"):
        ei = data.edge_index
        ei = ei.numpy() if hasattr(ei, "numpy") else np.asarray(ei)
        n = int(data.num_nodes)
    elif hasattr(data, "edges") and hasattr(data, "number_of_nodes"):
        if data.is_multigraph():
            raise ValueError(
                "a networkx MultiGraph: its parallel edges would be read as one; convert it "
                "with networkx.Graph(G) first, if that is what you mean"
            )
        n = data.number_of_nodes()
        if set(data.nodes) != set(range(n)):
            raise ValueError(
                "networkx graph nodes must be 0..n-1; convert with gnnrg.from_networkx"
            )
        ei = np.array(list(data.edges), dtype=np.int64).reshape(-1, 2).T
    else:
        raise TypeError(
            f"graph of type {type(data).__name__} is not supported; "
            "pass a torch_geometric Data or a networkx Graph"
        )
    if ei.size and (ei.min() < 0 or ei.max() >= n):
        raise ValueError(
            f"edge_index names node {int(ei.max()) if ei.max() >= n else int(ei.min())}; "
            f"nodes are 0..{n - 1} (num_nodes={n})"
        )
    return canonical_edges(ei[0], ei[1], n), n
