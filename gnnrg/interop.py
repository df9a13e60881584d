"""Moving graphs between PyG ``Data``, networkx and plain arrays.

gnnrg's graphs are PyG ``Data`` objects: ``x`` (float32, n × F), ``edge_index`` (int64, both
directions of every undirected edge, no self loops, no duplicates, sorted), ``y`` (int64), and
generating parameters in ``data.params`` when a generator made them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from gnnrg.edgelist import canonical_edges, edge_array

if TYPE_CHECKING:
    import networkx as nx
    from torch_geometric.data import Data

__all__ = ["from_edge_list", "from_networkx", "make_data", "to_networkx"]


def make_data(
    edges: np.ndarray,
    x: np.ndarray | None,
    y: np.ndarray | None,
    num_nodes: int,
    params: Mapping[str, Any] | None = None,
) -> Data:
    """Build a ``Data`` from a canonical undirected edge list (each edge once, u < v).

    Parameters
    ----------
    edges : ndarray of shape (2, m)
    x : ndarray of shape (n, F) or None
    y : ndarray of shape (n,) or None
    num_nodes : int
    params : mapping, optional
        Stored as ``data.params``.

    Returns
    -------
    torch_geometric.data.Data

    Examples
    --------
    >>> d = make_data(np.array([[0], [1]]), None, np.array([0, 1]), 2)
    >>> d.edge_index.tolist()
    [[0, 1], [1, 0]]
    """
    import torch
    from torch_geometric.data import Data

    n = np.int64(num_nodes)
    key = np.concatenate([edges[0] * n + edges[1], edges[1] * n + edges[0]])
    key.sort()
    data = Data(edge_index=torch.from_numpy(np.stack([key // n, key % n])))
    data.num_nodes = int(num_nodes)
    if x is not None:
        data.x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if y is not None:
        data.y = torch.from_numpy(np.asarray(y, dtype=np.int64))
    if params is not None:
        data.params = dict(params)
    return data


def to_networkx(data: Data) -> nx.Graph:
    """Convert a gnnrg ``Data`` to an undirected ``networkx.Graph``.

    Node attributes ``y`` (int) and ``x`` (ndarray) are set when present; ``data.params`` goes to
    ``G.graph["params"]`` and the classes to ``G.graph["partition"]`` (networkx's convention).

    Examples
    --------
    >>> from gnnrg import csbm
    >>> G = to_networkx(csbm(100, seed=0))
    >>> G.number_of_nodes(), sorted(G.graph)
    (100, ['params', 'partition'])
    """
    import networkx as nx

    edges, n = edge_array(data)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(edges.T.tolist())
    if getattr(data, "y", None) is not None:
        y = data.y.numpy()
        nx.set_node_attributes(G, {i: int(c) for i, c in enumerate(y)}, "y")
        G.graph["partition"] = [set(np.flatnonzero(y == c).tolist()) for c in np.unique(y)]
    if getattr(data, "x", None) is not None:
        x = data.x.numpy()
        nx.set_node_attributes(G, dict(enumerate(x)), "x")
    if getattr(data, "params", None) is not None:
        G.graph["params"] = dict(data.params)
    return G


_DEFAULT_LABEL, _DEFAULT_FEATURES = "y", "x"


def from_networkx(
    G: nx.Graph, label: str | None = _DEFAULT_LABEL, features: str | None = _DEFAULT_FEATURES
) -> Data:
    """Convert a networkx graph (any hashable nodes) to a gnnrg ``Data``.

    Parameters
    ----------
    G : networkx.Graph
        Directions and self loops are dropped.
    label : str or None, default "y"
        Node attribute holding the class (any hashable values, mapped to 0..k-1 in sorted
        order). ``None``, or the default ``"y"`` where no node has it: no ``y``. Any other
        name that no node has is an error naming the attributes the nodes do have.
    features : str or None, default "x"
        Node attribute holding a feature vector; ``None`` or absent as for ``label``.

    Returns
    -------
    torch_geometric.data.Data
        Nodes renumbered ``0..n-1`` in ``G.nodes`` order; ``data.node_names`` keeps the originals.

    Raises
    ------
    ValueError
        If only some nodes carry the label or feature attribute.

    Examples
    --------
    >>> import networkx as nx
    >>> d = from_networkx(nx.karate_club_graph(), label="club")
    >>> d.num_nodes, int(d.edge_index.shape[1]), d.y.unique().tolist()
    (34, 156, [0, 1])
    """
    nodes = list(G.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    pairs = np.array([(index[u], index[v]) for u, v in G.edges()], dtype=np.int64).reshape(-1, 2)
    y = _node_attribute(G, nodes, label, "label", required=label != _DEFAULT_LABEL)
    if y is not None:
        classes = sorted(set(y))
        code = {c: i for i, c in enumerate(classes)}
        y = np.array([code[c] for c in y], dtype=np.int64)
    x = _node_attribute(G, nodes, features, "features", required=features != _DEFAULT_FEATURES)
    x = None if x is None else np.asarray(np.stack([np.asarray(v, np.float32) for v in x]))
    edges = canonical_edges(pairs[:, 0], pairs[:, 1], len(nodes))
    data = make_data(edges, x, y, len(nodes))
    data.node_names = nodes
    return data


def _node_attribute(
    G: nx.Graph, nodes: list, name: str | None, role: str, *, required: bool = False
) -> list | None:
    if name is None:
        return None
    values = [G.nodes[v].get(name) for v in nodes]
    missing = sum(v is None for v in values)
    if missing == len(values):
        if required and values:
            have = sorted({key for v in nodes for key in G.nodes[v]})
            raise ValueError(
                f"{role} attribute {name!r} is on no node; the nodes have {have or 'none'}"
            )
        return None
    if missing:
        raise ValueError(
            f"{role} attribute {name!r} is missing on {missing} of {len(values)} nodes; "
            "set it on every node or pass None"
        )
    return values


def from_edge_list(
    edges: Any,
    *,
    num_nodes: int | None = None,
    x: Any = None,
    y: Any = None,
) -> Data:
    """Build a gnnrg ``Data`` from an edge list and optional node arrays.

    Parameters
    ----------
    edges : sequence of pairs, or array of shape (2, m) or (m, 2)
        Integer node ids in ``0..n-1``; direction, duplicates and self loops are dropped. A list
        or tuple is always read as pairs (``[(0, 1), (2, 3)]`` is two edges); an array of
        shape (2, m) as PyG's ``edge_index`` (two rows: sources, targets), any other array as
        pairs.
    num_nodes : int, optional
        Defaults to the length of ``y`` or ``x``, else one more than the largest node id.
    x : array-like of shape (n, F), optional
    y : array-like of shape (n,), optional
        Integer class labels 0..k-1.

    Returns
    -------
    torch_geometric.data.Data

    Examples
    --------
    >>> d = from_edge_list([(0, 1), (1, 2), (2, 0)], y=[0, 0, 1])
    >>> d.num_nodes, d.edge_index.shape[1]
    (3, 6)
    >>> from_edge_list([(0, 1), (2, 3)]).edge_index.tolist()  # two edges, not a (2, m) array
    [[0, 1, 2, 3], [1, 0, 3, 2]]
    """
    pairs = isinstance(edges, list | tuple)
    e = np.asarray(edges, dtype=np.int64)
    if pairs and e.size == 0:
        e = e.reshape(0, 2)
    if e.ndim != 2 or 2 not in e.shape or (pairs and e.shape[1] != 2):
        raise ValueError(f"edges has shape {e.shape}; expected pairs (m, 2) or (2, m)")
    if pairs or e.shape[0] != 2:
        e = e.T
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
            raise ValueError("y must hold one integer class 0..k-1 per node (no negative labels)")
    if num_nodes is None:
        for arr in (y, x):
            if arr is not None:
                num_nodes = len(arr)
                break
        else:
            num_nodes = int(e.max()) + 1 if e.size else 0
    if e.size and (e.min() < 0 or e.max() >= num_nodes):
        raise ValueError(f"edges name nodes outside 0..{num_nodes - 1} (num_nodes={num_nodes})")
    for name, arr in (("x", x), ("y", y)):
        if arr is not None and len(arr) != num_nodes:
            raise ValueError(f"{name} has {len(arr)} rows; expected num_nodes={num_nodes}")
    return make_data(canonical_edges(e[0], e[1], num_nodes), x, y, num_nodes)
