"""Higher-order structure planted on top of a sampled graph.

Each planter adds edges and returns a canonical edge list. ``same_class=True`` keeps every
planted edge inside one class; ``False`` draws the nodes class-blind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.edgelist import canonical_edges
from gnnrg.generators.sbm import sample_sbm_edges
from gnnrg.generators.variant import Variant

__all__ = ["MOTIFS", "PLANTED_MOTIFS", "check_motifs", "motif_template", "plant_motifs"]

MOTIFS = ("triangle", "clique", "cycle", "star", "spatial", "triadic", "hierarchical")
_SMALL = ("triangle", "clique", "cycle", "star")
DEFAULT_SIZE = {"triangle": 3, "clique": 4, "cycle": 5, "star": 5, "hierarchical": 4}
_LOWEST_SIZE = {"clique": 3, "cycle": 3, "star": 2, "hierarchical": 1}


def check_motifs(
    n: int,
    classes: int,
    *,
    motif: str | None,
    motif_count: int | None,
    motif_size: int | None,
    motif_classes: str,
    motif_degree: float,
) -> dict[str, Any]:
    """The planted-motif arguments of :func:`gnnrg.csbm`, checked, with the defaults of the
    chosen motif filled in (count n // 10; size by motif; a triangle has 3 nodes).

    Examples
    --------
    >>> check_motifs(100, 2, motif="clique", motif_count=None, motif_size=None,
    ...              motif_classes="same", motif_degree=2.0)["motif_size"]
    4
    """
    if motif is not None:
        motif = check_choice("motif", motif, MOTIFS)
        motif_count = (
            n // 10 if motif_count is None else check_int("motif_count", motif_count, low=0)
        )
        motif_size = DEFAULT_SIZE.get(motif, 0) if motif_size is None else motif_size
        if motif == "triangle":
            motif_size = 3
        motif_size = check_int("motif_size", motif_size, low=_LOWEST_SIZE.get(motif, 0), high=n)
        motif_classes = check_choice("motif_classes", motif_classes, ("same", "mixed"))
        smallest = n // classes if motif_classes == "same" else n
        if motif in _SMALL and motif_size > smallest:
            raise ValueError(
                f"motif_size={motif_size} must be <= {smallest}, the nodes available to one "
                f"motif with motif_classes={motif_classes!r}"
            )
        motif_degree = check_real("motif_degree", motif_degree, low=0.0)
    return {
        "motif": motif,
        "motif_count": motif_count,
        "motif_size": motif_size,
        "motif_classes": motif_classes,
        "motif_degree": motif_degree,
    }


#: Higher-order structure planted on the sampled graph.
PLANTED_MOTIFS = Variant(
    name="planted motifs",
    parameters={
        "motif": None,
        "motif_count": None,
        "motif_size": None,
        "motif_classes": "same",
        "motif_degree": 2.0,
    },
    switches=("motif",),
    check=check_motifs,
)


def motif_template(kind: str, size: int) -> np.ndarray:
    """Edges of one motif on local nodes ``0..size-1``.

    Returns
    -------
    template : ndarray of shape (2, e)

    Examples
    --------
    >>> motif_template("cycle", 4).tolist()
    [[0, 1, 2, 3], [1, 2, 3, 0]]
    >>> motif_template("star", 3).tolist()
    [[0, 0], [1, 2]]
    """
    idx = np.arange(size)
    if kind in ("triangle", "clique"):
        i, j = np.triu_indices(size, k=1)
        return np.stack([i, j])
    if kind == "cycle":
        return np.stack([idx, np.roll(idx, -1)])
    if kind == "star":
        return np.stack([np.zeros(size - 1, dtype=np.int64), idx[1:]])
    raise ValueError(f"motif={kind!r} has no template; choose one of {list(_SMALL)}")


def _distinct_groups(
    pools: list[np.ndarray], count: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``count`` groups of ``size`` distinct nodes, each group drawn from one random pool."""
    which = rng.integers(0, len(pools), size=count)
    groups = np.empty((count, size), dtype=np.int64)
    todo = np.arange(count)
    for _ in range(20):  # rejection: fast while pools are much larger than motifs
        if len(todo) == 0:
            return groups
        for p, pool in enumerate(pools):
            rows = todo[which[todo] == p]
            groups[rows] = pool[rng.integers(0, len(pool), size=(len(rows), size))]
        ordered = np.sort(groups[todo], axis=1)
        todo = todo[(ordered[:, 1:] == ordered[:, :-1]).any(axis=1)]
    for row in todo:  # the rest exactly (small pools, where rejection rarely succeeds)
        pool = pools[which[row]]
        if len(pool) < size:
            raise ValueError(
                f"motif_size={size} exceeds a pool of {len(pool)} nodes; lower motif_size"
            )
        groups[row] = rng.choice(pool, size=size, replace=False)
    return groups


def _plant_spatial(
    labels: np.ndarray, degree: float, same_class: bool, rng: np.random.Generator
) -> np.ndarray:
    """Random-geometric overlay in the unit square with expected added mean degree ``degree``."""
    from scipy.spatial import cKDTree

    n = len(labels)
    points = rng.random((n, 2))
    # unit-square RGG (ignoring the boundary): mean degree ≈ (n - 1) π r²; same-class
    # overlays only keep a 1/k share of the pairs, so the radius grows to compensate
    share = (np.bincount(labels) ** 2).sum() / n**2 if same_class else 1.0
    radius = np.sqrt(degree / (max(n - 1, 1) * np.pi * share))
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray").T
    if same_class:
        pairs = pairs[:, labels[pairs[0]] == labels[pairs[1]]]
    return pairs


def _plant_triadic(
    edges: np.ndarray, labels: np.ndarray, count: int, same_class: bool, rng: np.random.Generator
) -> np.ndarray:
    """Close ``count`` random wedges u–v–w (v drawn uniformly among nodes of degree >= 2)."""
    n = len(labels)
    both = np.concatenate([edges, edges[::-1]], axis=1)
    order = np.argsort(both[0], kind="stable")
    nbrs = both[1, order]
    deg = np.bincount(both[0], minlength=n)
    start = np.concatenate([[0], np.cumsum(deg)])
    centers = np.flatnonzero(deg >= 2)
    if len(centers) == 0 or count == 0:
        return np.empty((2, 0), dtype=np.int64)
    v = centers[rng.integers(0, len(centers), size=count)]
    a = rng.integers(0, deg[v])
    b = (a + 1 + rng.integers(0, deg[v] - 1)) % deg[v]
    u, w = nbrs[start[v] + a], nbrs[start[v] + b]
    if same_class:
        keep = labels[u] == labels[w]
        u, w = u[keep], w[keep]
    return np.stack([u, w])


def _plant_hierarchical(
    labels: np.ndarray, blocks: int, degree: float, same_class: bool, rng: np.random.Generator
) -> np.ndarray:
    """Nested blocks: split each class (or, class-blind, all nodes) into ``blocks`` sub-blocks
    and add an SBM layer with edges only inside sub-blocks (added mean degree ``degree``)."""
    n = len(labels)
    groups = labels if same_class else np.zeros(n, dtype=np.int64)
    sub = np.empty(n, dtype=np.int64)
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        sub[members] = g * blocks + rng.permutation(len(members)) % blocks
    order = np.argsort(sub, kind="stable")
    sizes = np.bincount(sub)
    sizes = sizes[sizes > 0]
    p = min(1.0, degree / max(float(np.mean(sizes)) - 1.0, 1.0))
    probs = np.diag(np.full(len(sizes), p))
    local = sample_sbm_edges(sizes, probs, rng)
    return order[local]


def plant_motifs(
    edges: np.ndarray,
    labels: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    *,
    count: int,
    size: int,
    same_class: bool,
    degree: float,
) -> np.ndarray:
    """Add planted structure to an edge list.

    Parameters
    ----------
    edges : ndarray of shape (2, m)
        Canonical undirected edges.
    labels : ndarray of shape (n,)
    kind : str
        One of :data:`MOTIFS`: ``triangle``, ``clique`` (of ``size`` nodes), ``cycle``, ``star``
        (``count`` copies each); ``spatial`` (random-geometric overlay of added mean degree
        ``degree``); ``triadic`` (``count`` wedges closed); ``hierarchical`` (``size``
        sub-blocks per class with added mean degree ``degree``).
    rng : numpy.random.Generator
    count, size : int
    same_class : bool
        Whether planted edges stay inside one class.
    degree : float

    Returns
    -------
    edges : ndarray of shape (2, m')
        Canonical edge list including the planted edges.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = plant_motifs(np.empty((2, 0), int), np.zeros(9, int), "triangle", rng,
    ...                  count=1, size=3, same_class=True, degree=0.0)
    >>> e.shape
    (2, 3)
    """
    n = len(labels)
    if kind in _SMALL:
        pools = (
            [np.flatnonzero(labels == c) for c in np.unique(labels)]
            if same_class
            else [np.arange(n)]
        )
        template = motif_template(kind, size)
        groups = _distinct_groups(pools, count, size, rng)
        added = groups[:, template].transpose(1, 0, 2).reshape(2, -1)
    elif kind == "spatial":
        added = _plant_spatial(labels, degree, same_class, rng)
    elif kind == "triadic":
        added = _plant_triadic(edges, labels, count, same_class, rng)
    else:
        added = _plant_hierarchical(labels, size, degree, same_class, rng)
    both = np.concatenate([edges, added], axis=1)
    return canonical_edges(both[0], both[1], n)
