"""Non-learned graph-only baselines: they never see labels or features.

Their predicted clusters are matched to the classes by the best permutation (Hungarian
assignment on the confusion matrix), the usual convention for community detection.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from gnnrg.diagnostics import adjacency
from gnnrg.edgelist import edge_array

__all__ = ["CommunityBaseline", "Louvain", "Spectral", "matched_accuracy"]


def matched_accuracy(pred: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of cluster assignments under the best matching of clusters to classes.

    Examples
    --------
    >>> matched_accuracy(np.array([1, 1, 0, 0]), np.array([0, 0, 1, 1]))
    1.0
    """
    k = int(max(pred.max(), labels.max())) + 1
    confusion = np.zeros((k, k))
    np.add.at(confusion, (pred, labels), 1)
    rows, cols = linear_sum_assignment(-confusion)
    return float(confusion[rows, cols].sum() / len(labels))


class CommunityBaseline:
    """A non-learned baseline: ``predict(data)`` returns cluster labels from the graph alone."""

    learned = False
    uses_graph = True
    uses_labels = False

    def __init__(self, classes: int, *, seed: int = 0) -> None:
        self.classes = classes
        self.seed = seed

    def predict(self, data: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def score(self, data: Any) -> float:
        """Matched accuracy of :meth:`predict` against ``data.y``."""
        return matched_accuracy(self.predict(data), np.asarray(data.y))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.classes})"


class Spectral(CommunityBaseline):
    r"""Bethe–Hessian spectral clustering (Saade, Krzakala & Zdeborová, 2014).

    :math:`H(r) = (r^2 - 1) I - r A + D` with :math:`r = \pm\sqrt{\bar d}`; the eigenvectors of
    its ``classes`` smallest eigenvalues are clustered with k-means. The sign of r is chosen by
    which matrix has more negative eigenvalues (r > 0 finds assortative, r < 0 disassortative
    structure). Works down to the Kesten–Stigum threshold on sparse graphs.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(2000, avg_degree=10, lam=2.5, seed=0)
    >>> Spectral(2).score(g) > 0.9
    True
    """

    def predict(self, data: Any) -> np.ndarray:
        from scipy.cluster.vq import kmeans2
        from scipy.sparse.linalg import eigsh

        edges, n = edge_array(data)
        a = adjacency(edges, n)
        deg = np.asarray(a.sum(axis=1)).ravel()
        r = np.sqrt(max(deg.mean(), 1.0 + 1e-6))
        best = None
        for sign in (1.0, -1.0):
            h = sp.identity(n) * (r * r - 1) - sign * r * a + sp.diags(deg)
            vals, vecs = eigsh(h.tocsc(), k=self.classes, sigma=-r * r, which="LM")
            negatives = int((vals < 0).sum())
            if best is None or negatives > best[0]:
                best = (negatives, vecs)
        rng = np.random.default_rng(self.seed)
        _, pred = kmeans2(best[1], self.classes, minit="++", seed=rng)
        return pred


class Louvain(CommunityBaseline):
    """Louvain modularity communities (networkx), with the resolution lowered until there are
    at most ``classes`` communities (extra ones from the last split join the smallest group).

    Louvain finds assortative communities only, so it fails under heterophily, as expected of
    a community-detection baseline.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> Louvain(2).score(csbm(1000, avg_degree=20, lam=4.0, seed=0)) > 0.9
    True
    """

    def predict(self, data: Any) -> np.ndarray:
        import networkx as nx

        from gnnrg.interop import to_networkx

        graph = data if isinstance(data, nx.Graph) else to_networkx(data)
        resolution, communities = 1.0, None
        for _ in range(30):
            found = nx.community.louvain_communities(graph, resolution=resolution, seed=self.seed)
            if len(found) == 1 and communities is not None:
                break  # overshot: keep the last split and merge it below
            communities = found
            if len(found) <= self.classes:
                break
            resolution *= 0.8
        communities.sort(key=len, reverse=True)
        pred = np.zeros(graph.number_of_nodes(), dtype=np.int64)
        sizes = np.zeros(self.classes)
        for index, community in enumerate(communities):
            # the largest communities become groups; the rest join the smallest group
            group = index if index < self.classes else int(sizes.argmin())
            pred[list(community)] = group
            sizes[group] += len(community)
        return pred
