"""Real graphs from local files, never downloaded at run time.

- :func:`load_pyg_dataset`: PyG's Planetoid (Cora, CiteSeer, PubMed), Amazon, Coauthor,
  WikipediaNetwork, WebKB datasets from a local ``root`` that already holds their raw files (as
  PyG lays them out after a download elsewhere). Missing files raise ``FileNotFoundError``
  naming the expected paths, instead of a download.
- :func:`load_graph_files`: a graph from plain text files (an edge list, labels, features).
- :func:`karate_club`: Zachary's karate club (shipped with networkx) with the two clubs as
  labels and one-hot node identities as features.

Every loader returns a gnnrg ``Data`` (undirected, no self loops, sorted ``edge_index``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gnnrg._registry import resolve

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = ["PYG_DATASETS", "karate_club", "load_graph_files", "load_pyg_dataset"]

#: dataset name → (PyG class name, extra constructor keywords)
PYG_DATASETS: dict[str, tuple[str, dict[str, Any]]] = {
    "cora": ("Planetoid", {"name": "Cora"}),
    "citeseer": ("Planetoid", {"name": "CiteSeer"}),
    "pubmed": ("Planetoid", {"name": "PubMed"}),
    "amazon-computers": ("Amazon", {"name": "Computers"}),
    "amazon-photo": ("Amazon", {"name": "Photo"}),
    "coauthor-cs": ("Coauthor", {"name": "CS"}),
    "coauthor-physics": ("Coauthor", {"name": "Physics"}),
    "chameleon": ("WikipediaNetwork", {"name": "chameleon"}),
    "squirrel": ("WikipediaNetwork", {"name": "squirrel"}),
    "cornell": ("WebKB", {"name": "Cornell"}),
    "texas": ("WebKB", {"name": "Texas"}),
    "wisconsin": ("WebKB", {"name": "Wisconsin"}),
}


def load_pyg_dataset(name: str, root: str | Path) -> Data:
    """Load a PyG node-classification dataset from files already under ``root``.

    Parameters
    ----------
    name : str
        One of :data:`PYG_DATASETS` (case, ``-`` and ``_`` ignored).
    root : str or Path
        The folder PyG would download into (e.g. ``root/Cora/raw/ind.cora.x``).

    Returns
    -------
    torch_geometric.data.Data
        gnnrg's form of the graph; ``params`` records the dataset name.

    Raises
    ------
    ValueError
        Unknown name (the message lists the choices).
    FileNotFoundError
        If the raw files are not there; nothing is downloaded.

    Examples
    --------
    >>> load_pyg_dataset("cora", "/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: cora: missing .../Cora/raw/ind.cora.x...; gnnrg never downloads ...
    """
    import torch_geometric.datasets as pyg_datasets

    from gnnrg.interop import from_edge_list

    class_name, kwargs = resolve(name, PYG_DATASETS)
    key = next(k for k, v in PYG_DATASETS.items() if v == (class_name, kwargs))
    cls = getattr(pyg_datasets, class_name)

    class _NoDownload(cls):  # type: ignore[misc, valid-type]
        def download(self) -> None:
            missing = [p for p in self.raw_paths if not Path(p).exists()]
            raise FileNotFoundError(
                f"{key}: missing {', '.join(missing)}; gnnrg never downloads — place the raw "
                f"files of PyG's {class_name} dataset under {root}"
            )

    dataset = _NoDownload(str(root), **kwargs)
    data = dataset[0]
    out = from_edge_list(data.edge_index.numpy(), x=data.x.numpy(), y=data.y.numpy())
    out.params = {"model": "dataset", "dataset": key}
    return out


def load_graph_files(
    edges: str | Path,
    labels: str | Path | None = None,
    features: str | Path | None = None,
    *,
    delimiter: str | None = None,
) -> Data:
    """A graph from text files: an edge list, and optional labels and features.

    Parameters
    ----------
    edges : path
        One edge per line, two integer node ids (``#`` starts a comment).
    labels : path, optional
        One integer class per line, line i for node i.
    features : path, optional
        One row of floats per line, line i for node i.
    delimiter : str, optional
        Column separator (default: any whitespace).

    Returns
    -------
    torch_geometric.data.Data

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "e.txt"), "w").write("0 1\\n1 2\\n")
    >>> load_graph_files(os.path.join(d, "e.txt")).num_nodes
    3
    """
    from gnnrg.interop import from_edge_list

    e = np.loadtxt(edges, dtype=np.int64, delimiter=delimiter, ndmin=2)
    if e.shape[1] < 2:
        raise ValueError(f"{edges}: each line needs two node ids; found {e.shape[1]} column(s)")
    y = None if labels is None else np.loadtxt(labels, dtype=np.int64, ndmin=1)
    x = (
        None
        if features is None
        else np.loadtxt(features, dtype=np.float32, ndmin=2, delimiter=delimiter)
    )
    return from_edge_list(e[:, :2], x=x, y=y)


def karate_club() -> Data:
    """Zachary's karate club: 34 nodes, labels the two clubs, features one-hot node ids.

    Examples
    --------
    >>> d = karate_club()
    >>> d.num_nodes, d.x.shape[1], d.y.bincount().tolist()
    (34, 34, [17, 17])
    """
    import networkx as nx

    from gnnrg.interop import from_networkx

    g = nx.karate_club_graph()
    data = from_networkx(g, label="club", features=None)
    import torch

    data.x = torch.eye(g.number_of_nodes())
    data.params = {"model": "dataset", "dataset": "karate"}
    return data
