from pathlib import Path

import pytest

from gnnrg import stats, train
from gnnrg.datasets import karate_club, load_graph_files, load_pyg_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "tiny"


def test_graph_files_load_and_train():
    data = load_graph_files(
        FIXTURES / "edges.txt", FIXTURES / "labels.txt", FIXTURES / "features.txt"
    )
    assert data.num_nodes == 40 and data.x.shape == (40, 3)
    s = stats(data)
    assert s["edge_homophily"] > 0.8
    r = train("gcn", data, epochs=100, seed=0, test_fraction=0.25, val_fraction=0.0)
    assert r["test_acc"] >= 0.8


def test_karate_club_trains():
    """One-hot identities carry no label signal to unseen nodes: the MLP cannot generalise,
    the graph models do (held-out nodes, 5 splits)."""

    def held_out(model):
        runs = [
            train(model, karate_club(), epochs=100, seed=s, test_fraction=0.3, val_fraction=0.0)
            for s in range(5)
        ]
        return sum(r["test_acc"] for r in runs) / len(runs)

    sage, mlp = held_out("sage"), held_out("mlp")
    assert sage > 0.85 and sage > mlp + 0.3, (sage, mlp)


def test_pyg_dataset_never_downloads(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"cora: missing .*ind\.cora\.x.*gnnrg never downloads"
    ):
        load_pyg_dataset("Cora", tmp_path)
    assert not any(tmp_path.rglob("*.x"))
    with pytest.raises(ValueError, match=r"Could not resolve 'imdb' among choices \['cora'"):
        load_pyg_dataset("imdb", tmp_path)


def test_bad_edge_file_is_named(tmp_path):
    bad = tmp_path / "edges.txt"
    bad.write_text("0\n1\n")
    with pytest.raises(ValueError, match=r"edges.txt: each line needs two node ids"):
        load_graph_files(bad)


SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/datasets here")


class _Boom:
    """Unpickling this runs code (it would create a file): the loader must refuse it."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_planted_pickle_does_not_run(tmp_path):
    import pickle

    raw = tmp_path / "Cora" / "raw"
    raw.mkdir(parents=True)
    marker = tmp_path / "executed"
    for part in ("x", "tx", "allx", "y", "ty", "ally", "graph"):
        (raw / f"ind.cora.{part}").write_bytes(pickle.dumps(_Boom(marker)))
    (raw / "ind.cora.test.index").write_text("0\n")
    with pytest.raises(ValueError, match=r"ind\.cora\.x: not a Planetoid array file .*refusing"):
        load_pyg_dataset("cora", tmp_path)
    assert not marker.exists()


@needs_shared
def test_processed_folder_is_never_read(tmp_path):
    import shutil

    shutil.copytree(SHARED / "cornell", tmp_path / "cornell")
    processed = tmp_path / "cornell" / "processed"
    processed.mkdir()
    (processed / "data.pt").write_bytes(b"not a torch file: reading it would fail")
    d = load_pyg_dataset("cornell", tmp_path)
    assert d.num_nodes == 183


@needs_shared
@pytest.mark.parametrize(
    ("name", "cls", "kwargs", "folder"),
    [
        ("cora", "Planetoid", {"name": "Cora"}, "Cora"),
        ("texas", "WebKB", {"name": "Texas"}, "texas"),
        ("actor", "Actor", {}, "actor"),
    ],
)
def test_raw_readers_match_pyg(tmp_path, name, cls, kwargs, folder):
    """gnnrg's own readers give PyG's graph: same features, labels and undirected edges."""
    import shutil

    import numpy as np
    import torch_geometric.datasets as pyg

    shutil.copytree(SHARED / folder, tmp_path / folder)  # PyG writes processed/ next to raw/
    root = tmp_path / folder if cls == "Actor" else tmp_path
    ref = getattr(pyg, cls)(str(root), **kwargs)[0]
    ours = load_pyg_dataset(name, SHARED)
    assert np.array_equal(ours.x.numpy(), ref.x.numpy())
    assert np.array_equal(ours.y.numpy(), ref.y.numpy())
    ei = ref.edge_index.numpy()
    keep = ei[0] != ei[1]
    ref_edges = {(min(u, v), max(u, v)) for u, v in zip(ei[0][keep], ei[1][keep], strict=True)}
    e = ours.edge_index.numpy()
    assert {(u, v) for u, v in zip(e[0], e[1], strict=True) if u < v} == ref_edges


def test_unknown_or_short_files_are_named(tmp_path):
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n2 3\n")
    labels = tmp_path / "labels.txt"
    labels.write_text("0\n1\n")
    with pytest.raises(ValueError, match=r"labels.txt: 2 lines, but the edge list names node 3"):
        load_graph_files(edges, labels)
    labels.write_text("0\n1\n-1\n0\n")
    with pytest.raises(ValueError, match=r"labels.txt: classes must be >= 0"):
        load_graph_files(edges, labels)
    labels.write_text("# club of each member\nred\nblue\nred\nblue\n")
    g = load_graph_files(edges, labels)
    assert g.y.tolist() == [1, 0, 1, 0] and g.label_names == ["blue", "red"]
    edges.write_text("source target\n0 1\n1 2\n2 3\n")
    labels.write_text("club\nred\nblue\nred\nblue\n")
    g = load_graph_files(edges, labels, header=True)
    assert g.num_nodes == 4 and g.edge_index.shape[1] == 6 and g.label_names == ["blue", "red"]
    assert load_graph_files(edges).num_nodes == 4  # a text first line is a header
    edges.write_text("0 1\n1 x\n")
    with pytest.raises(ValueError, match=r"edges.txt: expected two integer node ids per line"):
        load_graph_files(edges)
