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
    r = train("sage", karate_club(), epochs=100, seed=0, test_fraction=0.3, val_fraction=0.0)
    assert r["train_acc"] > 0.9


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
