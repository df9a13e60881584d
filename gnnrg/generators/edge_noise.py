"""Edge noise: rewire a random fraction of the edges."""

from __future__ import annotations

from typing import Any

import numpy as np

from gnnrg._checks import check_choice, check_fraction
from gnnrg.edgelist import canonical_edges
from gnnrg.generators.variant import Variant

__all__ = ["EDGE_NOISE", "EDGE_NOISE_MODES", "check_edge_noise", "rewire_edges"]

EDGE_NOISE_MODES = ("uniform", "degree")


def check_edge_noise(
    n: int, classes: int, *, edge_noise: float, edge_noise_mode: str
) -> dict[str, Any]:
    """The edge-noise arguments of :func:`gnnrg.csbm`, checked.

    Examples
    --------
    >>> check_edge_noise(100, 2, edge_noise=0.2, edge_noise_mode="degree")
    {'edge_noise': 0.2, 'edge_noise_mode': 'degree'}
    """
    return {
        "edge_noise": check_fraction("edge_noise", edge_noise),
        "edge_noise_mode": check_choice("edge_noise_mode", edge_noise_mode, EDGE_NOISE_MODES),
    }


#: A fraction of the edges rewired after sampling.
EDGE_NOISE = Variant(
    name="edge noise",
    parameters={"edge_noise": 0.0, "edge_noise_mode": "uniform"},
    switches=("edge_noise",),
    check=check_edge_noise,
)


def rewire_edges(
    edges: np.ndarray, num_nodes: int, fraction: float, rng: np.random.Generator, *, mode: str
) -> np.ndarray:
    """Rewire each edge independently with probability ``fraction``.

    Parameters
    ----------
    edges : ndarray of shape (2, m)
        Undirected edges, each once.
    num_nodes : int
    fraction : float
        Probability r that an edge is rewired. With balanced classes the edge homophily
        h becomes ``(1 - r) h + r / k`` in expectation.
    rng : numpy.random.Generator
    mode : {"uniform", "degree"}
        ``"uniform"``: both endpoints of a rewired edge are redrawn uniformly at random.
        ``"degree"``: the endpoints ("stubs") of the rewired edges are shuffled and re-paired,
        which keeps every node's degree (up to the rare self loop or duplicate, dropped).

    Returns
    -------
    edges : ndarray of shape (2, m')
        Canonical edge list (``m' <= m``: self loops and duplicates created are dropped).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = np.array([[0, 1, 2], [1, 2, 3]])
    >>> rewire_edges(e, 4, 0.0, rng, mode="uniform").tolist()
    [[0, 1, 2], [1, 2, 3]]
    """
    picked = rng.random(edges.shape[1]) < fraction
    kept = edges[:, ~picked]
    count = int(picked.sum())
    if mode == "uniform":
        new = rng.integers(0, num_nodes, size=(2, count))
    else:
        stubs = rng.permutation(edges[:, picked].ravel())
        new = stubs.reshape(2, count)
    both = np.concatenate([kept, new], axis=1)
    return canonical_edges(both[0], both[1], num_nodes)
