"""Theory-style diagnostics of a labelled graph: degrees, homophily, triangles, (λ, μ) estimates.

Works on any graph gnnrg can read (PyG ``Data`` or networkx with nodes ``0..n-1``); torch is not
needed to import this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from gnnrg.edgelist import edge_array

__all__ = [
    "adjacency",
    "adjusted_homophily",
    "class_edge_ends",
    "edge_homophily",
    "estimate_edge_parameters",
    "estimate_feature_parameters",
    "hill_exponent",
    "stats",
    "triangles_per_node",
]


def adjacency(edges: np.ndarray, num_nodes: int) -> sp.csr_matrix:
    """Symmetric 0/1 CSR adjacency matrix of a canonical edge list.

    Examples
    --------
    >>> adjacency(np.array([[0], [1]]), 3).toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    rows = np.concatenate([edges[0], edges[1]])
    cols = np.concatenate([edges[1], edges[0]])
    ones = np.ones(len(rows))
    return sp.csr_matrix((ones, (rows, cols)), shape=(num_nodes, num_nodes))


def triangles_per_node(adj: sp.csr_matrix, *, chunk: int = 50_000) -> np.ndarray:
    """Number of triangles through each node, ``diag(A³)/2``, in row chunks of bounded memory.

    Examples
    --------
    >>> import networkx as nx
    >>> A = nx.to_scipy_sparse_array(nx.complete_graph(4), format="csr")
    >>> triangles_per_node(sp.csr_matrix(A)).tolist()
    [3.0, 3.0, 3.0, 3.0]
    """
    n = adj.shape[0]
    out = np.zeros(n)
    for start in range(0, n, chunk):
        rows = adj[start : start + chunk]
        out[start : start + chunk] = np.asarray((rows @ adj).multiply(rows).sum(axis=1)).ravel()
    return out / 2.0


#: Hill estimates above this are read as "no power-law tail": Poisson degrees (a plain cSBM
#: at d = 10) give 10–15, the degree-corrected cSBM's power laws 2–3.5.
HEAVY_TAIL = 4.0


def hill_exponent(degrees: np.ndarray, tail: int | None = None) -> float:
    r"""Hill estimate of the power-law exponent γ of a degree distribution, P(D = x) ∝ x^{-γ}.

    Uses the ``tail`` largest degrees (default ``max(10, √n)``):
    :math:`\hat\gamma = 1 + k / \sum_{i \le k} \log(D_{(i)} / D_{(k+1)})`.
    Light-tailed (Poisson) degrees give large values; ``inf`` if the tail is flat.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> gamma = hill_exponent((1 - rng.random(100_000)) ** (-1 / 1.5))  # Pareto, γ = 2.5
    >>> abs(gamma - 2.5) < 0.2
    True
    """
    d = np.sort(np.asarray(degrees, dtype=np.float64))[::-1]
    d = d[d > 0]
    if len(d) < 3:
        return float("nan")
    k = min(tail or max(10, int(np.sqrt(len(d)))), len(d) - 1)
    logs = np.log(d[:k] / d[k]).sum()
    return float("inf") if logs == 0 else float(1.0 + k / logs)


def edge_homophily(edges: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of edges joining nodes of the same class.

    Examples
    --------
    >>> edge_homophily(np.array([[0, 1], [1, 2]]), np.array([0, 0, 1]))
    0.5
    """
    if edges.shape[1] == 0:
        return float("nan")
    return float(np.mean(labels[edges[0]] == labels[edges[1]]))


def adjusted_homophily(edges: np.ndarray, labels: np.ndarray) -> float:
    r"""Edge homophily corrected for class sizes and degrees (Platonov et al., 2023).

    :math:`h_\mathrm{adj} = (h - \sum_c \bar p_c^2) / (1 - \sum_c \bar p_c^2)` with
    :math:`\bar p_c` the share of edge endpoints in class c: 0 for class-blind edges, 1 for
    perfect homophily, negative under heterophily.

    Examples
    --------
    >>> adjusted_homophily(np.array([[0, 2], [1, 3]]), np.array([0, 0, 1, 1]))
    1.0
    """
    if edges.size == 0:
        return float("nan")
    h = edge_homophily(edges, labels)
    share = np.bincount(labels[edges.ravel()], minlength=int(labels.max()) + 1) / edges.size
    base = float((share**2).sum())
    return float((h - base) / (1.0 - base)) if base < 1 else float("nan")


def class_edge_ends(edges: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
    """Edge ends by class pair: entry (a, b) counts the ends in class a of edges whose other
    end is in class b, so the matrix is symmetric, an edge within class a adds 2 to (a, a) and
    one between a and b adds 1 to (a, b) and to (b, a). Edges with an end labelled -1
    (unlabelled) are skipped.

    Parameters
    ----------
    edges : ndarray of shape (2, m)
        Undirected edges, each once.
    labels : ndarray of int, shape (n,)
        Classes 0..classes-1, or -1 for unknown.
    classes : int

    Returns
    -------
    ndarray of shape (classes, classes)

    Examples
    --------
    >>> class_edge_ends(np.array([[0, 0, 1], [1, 2, 2]]), np.array([0, 0, 1]), 2).tolist()
    [[2.0, 2.0], [2.0, 0.0]]
    """
    a, b = labels[edges[0]], labels[edges[1]]
    keep = (a >= 0) & (b >= 0)
    counts = np.zeros((classes, classes))
    np.add.at(counts, (a[keep], b[keep]), 1.0)
    return counts + counts.T


def estimate_edge_parameters(edges: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Maximum-likelihood (p_in, p_out) of the SBM and the implied (d, λ).

    Returns
    -------
    dict with keys ``p_in``, ``p_out``, ``avg_degree``, ``lam``.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(4000, avg_degree=10, lam=1.0, seed=0)
    >>> from gnnrg.edgelist import edge_array
    >>> est = estimate_edge_parameters(edge_array(g)[0], g.y.numpy())
    >>> abs(est["lam"] - 1.0) < 0.1
    True
    """
    from gnnrg.parameters import lam_from_probabilities

    n = len(labels)
    sizes = np.bincount(labels).astype(np.float64)
    k = len(sizes)
    pairs_in = float((sizes * (sizes - 1) / 2).sum())
    pairs_out = float((sizes.sum() ** 2 - (sizes**2).sum()) / 2)
    same = labels[edges[0]] == labels[edges[1]]
    p_in = same.sum() / pairs_in if pairs_in else float("nan")
    p_out = (~same).sum() / pairs_out if pairs_out else float("nan")
    d, lam = lam_from_probabilities(n, float(p_in), float(p_out), k)
    return {"p_in": float(p_in), "p_out": float(p_out), "avg_degree": d, "lam": lam}


def estimate_feature_parameters(x: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Estimate (μ, σ) of the Gaussian-mixture features from labelled data.

    σ² is the pooled within-class variance per dimension. μ is the class-mean separation scaled
    to the model: half the distance between the two class means for k = 2, the mean pairwise
    distance over √2 for k > 2 (orthonormal means), each debiased for the sampling noise of the
    estimated means.

    Returns
    -------
    dict with keys ``mu``, ``sigma``.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(20000, mu=0.8, sigma=1.5, seed=0)
    >>> est = estimate_feature_parameters(g.x.numpy(), g.y.numpy())
    >>> round(est["mu"], 1), round(est["sigma"], 2)
    (0.8, 1.5)
    """
    x = np.asarray(x, dtype=np.float64)
    classes = np.unique(labels)
    means = np.stack([x[labels == c].mean(axis=0) for c in classes])
    counts = np.array([(labels == c).sum() for c in classes], dtype=np.float64)
    resid = x - means[np.searchsorted(classes, labels)]
    dof = max(len(x) - len(classes), 1)
    sigma2 = float((resid**2).sum() / (dof * x.shape[1]))
    sq = []
    for a in range(len(classes)):
        for b in range(a + 1, len(classes)):
            dist2 = ((means[a] - means[b]) ** 2).sum()
            sq.append(dist2 - sigma2 * x.shape[1] * (1 / counts[a] + 1 / counts[b]))
    sq = np.clip(np.array(sq), 0.0, None)
    mu = np.sqrt(sq[0]) / 2 if len(classes) == 2 else float(np.mean(np.sqrt(sq / 2)))
    return {"mu": float(mu), "sigma": float(np.sqrt(sigma2))}


def stats(data: Any) -> dict[str, Any]:
    """Summary statistics of a graph, the ones the cSBM theory speaks about.

    Parameters
    ----------
    data : torch_geometric.data.Data or networkx.Graph
        Labels (``y``) and features (``x``) are used when present.

    Returns
    -------
    dict
        ``num_nodes``, ``num_edges``, ``mean_degree``, ``max_degree``, ``degree_exponent``
        (Hill estimate, see :func:`hill_exponent`; meaningful only where ``heavy_tail``, the
        estimate at most :data:`HEAVY_TAIL`: a plain cSBM's Poisson degrees give 10–15),
        ``heavy_tail``, ``triangles``, ``transitivity``,
        ``avg_clustering``; with labels also ``classes``, ``edge_homophily``,
        ``adjusted_homophily``, ``p_in``, ``p_out``, ``lam``; with features also ``mu``, ``sigma``.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> s = stats(csbm(2000, avg_degree=10, lam=1.0, mu=1.0, seed=0))
    >>> s["num_nodes"], round(s["mean_degree"]), round(s["edge_homophily"], 2)
    (2000, 10, 0.65)
    """
    return _summary(data, *_structure(data))


def _structure(data: Any) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Canonical edges, node count, degrees and triangles per node: what :func:`stats` and the
    profile figure both need, computed once."""
    edges, n = edge_array(data)
    deg = np.bincount(edges.ravel(), minlength=n)
    return edges, n, deg, triangles_per_node(adjacency(edges, n))


def _summary(
    data: Any, edges: np.ndarray, n: int, deg: np.ndarray, tri: np.ndarray
) -> dict[str, Any]:
    """:func:`stats` from a graph's :func:`_structure` (labels and features read from ``data``)."""
    wedges = deg * (deg - 1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(wedges > 0, tri / wedges, 0.0)
    out: dict[str, Any] = {
        "num_nodes": int(n),
        "num_edges": int(edges.shape[1]),
        "mean_degree": float(deg.mean()) if n else 0.0,
        "max_degree": int(deg.max()) if n else 0,
        "degree_exponent": (tail := hill_exponent(deg)),
        "heavy_tail": bool(tail <= HEAVY_TAIL),
        "triangles": round(float(tri.sum()) / 3),
        "transitivity": float(tri.sum() / wedges.sum()) if wedges.sum() else 0.0,
        "avg_clustering": float(local.mean()) if n else 0.0,
    }
    y = _node_array(data, "y")
    if y is not None:
        y = np.unique(y, return_inverse=True)[1].reshape(-1)  # classes as 0..k-1, in order
        out["classes"] = len(np.unique(y))
        out["edge_homophily"] = edge_homophily(edges, y)
        out["adjusted_homophily"] = adjusted_homophily(edges, y)
        if out["classes"] >= 2 and edges.shape[1] and np.bincount(y).max() >= 2:
            out.update(estimate_edge_parameters(edges, y))  # else nothing to fit (no edges)
        x = _node_array(data, "x")
        if x is not None and out["classes"] >= 2:
            out.update(estimate_feature_parameters(x, y))
    return out


def _node_array(data: Any, name: str) -> np.ndarray | None:
    value = getattr(data, name, None)
    if value is None and hasattr(data, "nodes"):
        values = [data.nodes[v].get(name) for v in range(data.number_of_nodes())]
        value = None if any(v is None for v in values) else np.asarray(values)
    if value is None:
        return None
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)
