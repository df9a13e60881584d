"""Real graphs from local files, never downloaded at run time.

- :func:`load_pyg_dataset`: PyG's Planetoid (Cora, CiteSeer, PubMed), Amazon, Coauthor,
  WikipediaNetwork, WebKB and Actor datasets from a local ``root`` that already holds their raw
  files (as PyG lays them out after a download elsewhere). Missing files raise
  ``FileNotFoundError`` naming the expected paths, instead of a download; the raw files are
  read by gnnrg itself, so no file in ``root`` can run code.
- :func:`load_graph_files`: a graph from plain text files (an edge list, labels, features).
- :func:`karate_club`: Zachary's karate club (shipped with networkx) with the two clubs as
  labels and one-hot node identities as features.

Every loader returns a gnnrg ``Data`` (undirected, no self loops, sorted ``edge_index``).
"""

from __future__ import annotations

import pickle
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from gnnrg._registry import resolve

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = ["PYG_DATASETS", "karate_club", "load_graph_files", "load_pyg_dataset"]


def _planetoid_files(name: str) -> tuple[str, ...]:
    parts = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")
    return tuple(f"ind.{name}.{p}" for p in parts)


_GEOM_GCN = ("out1_node_feature_label.txt", "out1_graph_edges.txt")

#: dataset name → (PyG class name, raw folder under ``root``, raw files)
PYG_DATASETS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "cora": ("Planetoid", "Cora/raw", _planetoid_files("cora")),
    "citeseer": ("Planetoid", "CiteSeer/raw", _planetoid_files("citeseer")),
    "pubmed": ("Planetoid", "PubMed/raw", _planetoid_files("pubmed")),
    "amazon-computers": ("Amazon", "Computers/raw", ("amazon_electronics_computers.npz",)),
    "amazon-photo": ("Amazon", "Photo/raw", ("amazon_electronics_photo.npz",)),
    "coauthor-cs": ("Coauthor", "CS/raw", ("ms_academic_cs.npz",)),
    "coauthor-physics": ("Coauthor", "Physics/raw", ("ms_academic_phy.npz",)),
    "chameleon": ("WikipediaNetwork", "chameleon/geom_gcn/raw", _GEOM_GCN),
    "squirrel": ("WikipediaNetwork", "squirrel/geom_gcn/raw", _GEOM_GCN),
    "cornell": ("WebKB", "cornell/raw", _GEOM_GCN),
    "texas": ("WebKB", "texas/raw", _GEOM_GCN),
    "wisconsin": ("WebKB", "wisconsin/raw", _GEOM_GCN),
    "actor": ("Actor", "actor/raw", _GEOM_GCN),
}  # fmt: skip


def load_pyg_dataset(name: str, root: str | Path) -> Data:
    """Load a PyG node-classification dataset from its raw files under ``root``.

    The raw files are read here, never through PyG's dataset classes: nothing is downloaded,
    a ``processed/`` folder is ignored (it could hold anything), and no file can run code —
    Planetoid's pickles go through an unpickler that admits only the array types they hold,
    ``.npz`` files are read without pickles, the others are text.

    Parameters
    ----------
    name : str
        One of :data:`PYG_DATASETS` (case, ``-`` and ``_`` ignored).
    root : str or Path
        The folder PyG would download into (e.g. ``root/Cora/raw/ind.cora.x``,
        ``root/actor/raw/out1_graph_edges.txt``).

    Returns
    -------
    torch_geometric.data.Data
        gnnrg's form of the graph (undirected, no self loops); ``params`` records the name.

    Raises
    ------
    ValueError
        Unknown name (the message lists the choices), or a raw file that holds something else
        than the arrays it should (named).
    FileNotFoundError
        If the raw files are not there; nothing is downloaded.

    Examples
    --------
    >>> load_pyg_dataset("cora", "/nonexistent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: cora: missing .../Cora/raw/ind.cora.x...; gnnrg never downloads ...
    """
    from gnnrg.interop import from_edge_list

    entry = resolve(name, PYG_DATASETS)
    key = next(k for k, v in PYG_DATASETS.items() if v == entry)
    class_name, folder, files = entry
    raw = Path(root) / folder
    missing = [str(raw / f) for f in files if not (raw / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{key}: missing {', '.join(missing)}; gnnrg never downloads — place the raw "
            f"files of PyG's {class_name} dataset under {root}"
        )
    reader = {"Planetoid": _read_planetoid, "Amazon": _read_npz, "Coauthor": _read_npz}
    edges, x, y = reader.get(class_name, _read_geom_gcn)(raw, files)
    out = from_edge_list(edges, x=x, y=y)
    out.params = {"model": "dataset", "dataset": key}
    return out


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays, scipy CSR matrices and adjacency dicts of lists; refuses every
    other global, so a planted pickle cannot run code."""

    ALLOWED = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("scipy.sparse.csr", "csr_matrix"),
            ("scipy.sparse._csr", "csr_matrix"),
            ("collections", "defaultdict"),
            ("__builtin__", "list"),
            ("builtins", "list"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing {module}.{name}: not an array type")
        if module == "__builtin__":
            module = "builtins"
        if module.startswith("scipy.sparse"):
            import scipy.sparse

            return scipy.sparse.csr_matrix
        if module.startswith("numpy") and name == "_reconstruct":
            return np.ndarray.__reduce__(np.zeros(0))[0]  # numpy's own reconstructor
        return super().find_class(module, name)


def _unpickle(path: Path) -> Any:
    try:
        with open(path, "rb") as handle:
            return _ArrayUnpickler(handle, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        raise ValueError(f"{path}: not a Planetoid array file ({err})") from None


def _read_planetoid(raw: Path, files: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Planetoid's split files joined as PyG joins them (test nodes in their index order;
    CiteSeer's missing test nodes as zero rows of class 0)."""
    import scipy.sparse

    parts = {f.rsplit(".", 1)[-1]: f for f in files}
    arrays = {k: _unpickle(raw / parts[k]) for k in ("x", "tx", "allx", "y", "ty", "ally")}
    dense = {
        k: v.toarray() if scipy.sparse.issparse(v) else np.asarray(v) for k, v in arrays.items()
    }
    graph = _unpickle(raw / parts["graph"])
    if not isinstance(graph, dict):
        raise ValueError(f"{raw / parts['graph']}: expected an adjacency dict")
    test_index = np.loadtxt(raw / files[-1], dtype=np.int64, ndmin=1)
    order = np.sort(test_index)
    tx, ty = dense["tx"], dense["ty"]
    if len(order) and order[-1] - order[0] + 1 > len(tx):  # CiteSeer: isolated test nodes
        span = order[-1] - order[0] + 1
        tx_full, ty_full = np.zeros((span, tx.shape[1])), np.zeros((span, ty.shape[1]))
        tx_full[order - order[0]], ty_full[order - order[0]] = tx, ty
        tx, ty = tx_full, ty_full
    x = np.concatenate([dense["allx"], tx]).astype(np.float32)
    y = np.concatenate([dense["ally"], ty]).argmax(1)
    x[test_index], y[test_index] = x[order], y[order]
    rows = [(int(u), int(v)) for u, vs in graph.items() for v in vs]
    n = len(y)
    edges = np.array([(u, v) for u, v in rows if u < n and v < n], dtype=np.int64)
    return edges.reshape(-1, 2), x, y


def _read_npz(raw: Path, files: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Amazon/Coauthor ``.npz``: CSR adjacency and attributes, read without pickles."""
    import scipy.sparse

    path = raw / files[0]
    try:
        with np.load(path, allow_pickle=False) as f:
            adj = scipy.sparse.csr_matrix(
                (f["adj_data"], f["adj_indices"], f["adj_indptr"]), shape=tuple(f["adj_shape"])
            )
            if "attr_data" in f:
                x = scipy.sparse.csr_matrix(
                    (f["attr_data"], f["attr_indices"], f["attr_indptr"]),
                    shape=tuple(f["attr_shape"]),
                ).toarray()
            else:
                x = f["attr_matrix"]
            y = f["labels"]
    except (ValueError, KeyError, OSError) as err:
        raise ValueError(f"{path}: not a PyG npz graph ({err})") from None
    coo = adj.tocoo()
    return np.stack([coo.row, coo.col], 1).astype(np.int64), x.astype(np.float32), y


def _read_geom_gcn(raw: Path, files: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """Geom-GCN's text files (WebKB, Actor, WikipediaNetwork): ``node_id<TAB>features<TAB>label``
    with features either dense (``0,1,0,...``) or, for Actor, the indices of the ones."""
    nodes_path, edges_path = raw / files[0], raw / files[1]
    lines = nodes_path.read_text().splitlines()[1:]
    try:
        rows = [line.split("\t") for line in lines if line.strip()]
        ids = np.array([int(r[0]) for r in rows])
        labels = np.array([int(r[2]) for r in rows])
        values = [[int(float(v)) for v in r[1].split(",") if v] for r in rows]
    except (IndexError, ValueError) as err:
        raise ValueError(
            f"{nodes_path}: expected node_id, features, label per line ({err})"
        ) from None
    n = len(rows)
    if sorted(ids.tolist()) != list(range(n)):
        raise ValueError(f"{nodes_path}: node ids must be 0..{n - 1}, each once")
    header = lines and nodes_path.read_text().splitlines()[0]
    sparse = "feature_amount" in (header or "")
    if sparse:  # Actor: indices of the features that are one
        width = int(header.split("feature_amount:")[1].split(")")[0]) + 1
        x = np.zeros((n, width), dtype=np.float32)
        for i, idx in zip(ids, values, strict=True):
            x[i, idx] = 1.0
    else:
        x = np.zeros((n, len(values[0])), dtype=np.float32)
        x[ids] = np.array(values, dtype=np.float32)
    y = np.zeros(n, dtype=np.int64)
    y[ids] = labels
    try:
        edges = np.loadtxt(edges_path, dtype=np.int64, skiprows=1, ndmin=2)
    except ValueError as err:
        raise ValueError(f"{edges_path}: expected two node ids per line ({err})") from None
    return edges, x, y


def load_graph_files(
    edges: str | Path,
    labels: str | Path | None = None,
    features: str | Path | None = None,
    *,
    delimiter: str | None = None,
    header: bool = False,
) -> Data:
    """A graph from text files: an edge list, and optional labels and features.

    Lines starting with ``#`` are comments. A first line that is not numbers (a header) is
    skipped in the edge and feature files; in the labels file, whose classes may be names,
    pass ``header=True``.

    Parameters
    ----------
    edges : path
        One edge per line, two integer node ids.
    labels : path, optional
        One class per line, line i for node i: integers, or any names (numbered 0..k-1 in
        sorted order; ``data.label_names`` keeps them).
    features : path, optional
        One row of floats per line, line i for node i.
    delimiter : str, optional
        Column separator (default: any whitespace).
    header : bool, default False
        Every file starts with one header line.

    Returns
    -------
    torch_geometric.data.Data

    Raises
    ------
    ValueError
        A file that does not hold what it should, negative node ids or classes, or fewer label
        or feature lines than the edge list has nodes — the file is named.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "e.txt"), "w").write("source target\\n0 1\\n1 2\\n")
    >>> _ = open(os.path.join(d, "y.txt"), "w").write("cat\\ndog\\ncat\\n")
    >>> g = load_graph_files(os.path.join(d, "e.txt"), os.path.join(d, "y.txt"))
    >>> g.num_nodes, g.y.tolist(), g.label_names
    (3, [0, 1, 0], ['cat', 'dog'])
    """
    from gnnrg.interop import from_edge_list

    e = _read(edges, np.int64, 2, delimiter, "two integer node ids per line", header)
    if e.size == 0:
        raise ValueError(f"{edges}: no edges (two integer node ids per line)")
    if e.shape[1] < 2:
        raise ValueError(f"{edges}: each line needs two node ids; found {e.shape[1]} column(s)")
    if e.size and e.min() < 0:
        raise ValueError(f"{edges}: node ids must be >= 0; found {int(e.min())}")
    y, names = (None, None) if labels is None else _read_labels(labels, header)
    x = None if features is None else _read(features, np.float32, 2, delimiter, "floats", header)
    nodes = int(e.max()) + 1 if e.size else 0
    for path, arr in ((labels, y), (features, x)):
        if arr is not None and len(arr) < nodes:
            raise ValueError(
                f"{path}: {len(arr)} lines, but the edge list names node {nodes - 1}; "
                f"give one line per node 0..{nodes - 1}"
            )
    data = from_edge_list(e[:, :2], x=x, y=y)
    if names is not None:
        data.label_names = names
    return data


def _read(
    path: str | Path, dtype: Any, ndmin: int, delimiter: str | None, what: str, header: bool
) -> Any:
    def load(skip: int) -> Any:
        with warnings.catch_warnings():  # an empty file is reported below, by name
            warnings.filterwarnings("ignore", message="loadtxt: input contained no data")
            return np.loadtxt(path, dtype=dtype, ndmin=ndmin, delimiter=delimiter, skiprows=skip)

    try:
        return load(int(header))
    except ValueError as err:
        if not header and _first_line_is_text(path, delimiter):
            try:
                return load(1)
            except ValueError:
                pass
        raise ValueError(f"{path}: expected {what} ({err})") from None


def _first_line_is_text(path: str | Path, delimiter: str | None) -> bool:
    """Whether the first non-comment line holds a field that is not a number (a header)."""
    with open(path) as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                try:
                    [float(v) for v in line.split(delimiter)]
                except ValueError:
                    return True
                return False
    return False


def _read_labels(path: str | Path, header: bool) -> tuple[np.ndarray, list[str] | None]:
    """Integer classes as they are; any other names numbered 0..k-1 in sorted order."""
    lines = [line.split("#", 1)[0].strip() for line in Path(path).read_text().splitlines()]
    values = [v for v in lines if v][int(header) :]
    try:
        y = np.array([int(v) for v in values], dtype=np.int64)
    except ValueError:
        names = sorted(set(values))
        code = {name: i for i, name in enumerate(names)}
        return np.array([code[v] for v in values], dtype=np.int64), names
    if y.size and y.min() < 0:
        raise ValueError(f"{path}: classes must be >= 0; found {int(y.min())}")
    return y, None


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
