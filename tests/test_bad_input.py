"""Bad input outside the sweep config: one named error, exit status 2, nothing written."""

import networkx as nx
import pytest

from gnnrg import csbm, from_edge_list, nodewise_accuracy, stats, train
from gnnrg.cli import main
from gnnrg.sweep.store import write_rows


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse's errors
        code = stop.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--level", "1.5"], "--level=1.5 must be between 0 and 1"),
        (["--smooth", "-3"], "--smooth=-3 must be >= 0"),
    ],
)
def test_bad_plot_flags(tmp_path, capsys, flags, message):
    write_rows(tmp_path, [{"cell_id": "a", "model": "m", "lam": 0.0, "mu": 1.0, "test_acc": 0.9}])
    before = sorted(tmp_path.rglob("*"))
    code, err = run(capsys, "plot", tmp_path, *flags)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert sorted(tmp_path.rglob("*")) == before


def test_plot_of_a_missing_folder(tmp_path, capsys):
    code, err = run(capsys, "plot", tmp_path / "nothing")
    assert code == 2 and "is not a sweep output folder" in err


def test_profile_rejects_negative_labels_and_bad_plot_names(tmp_path, capsys):
    (tmp_path / "e.txt").write_text("0 1\n1 2\n")
    (tmp_path / "y.txt").write_text("0\n-1\n1\n")
    code, err = run(capsys, "profile", tmp_path / "e.txt", "--labels", tmp_path / "y.txt")
    assert code == 2 and "y.txt: classes must be >= 0" in err
    (tmp_path / "y.txt").write_text("0\n1\n")
    code, err = run(capsys, "profile", tmp_path / "e.txt", "--labels", tmp_path / "y.txt")
    assert code == 2 and "y.txt: 2 lines, but the edge list names node 2" in err
    code, err = run(capsys, "profile", tmp_path / "e.txt", "--plot", tmp_path / "p.xyz")
    assert code == 2 and "unknown file type 'xyz'" in err


def test_train_refuses_a_test_graph_of_other_features_or_classes():
    g = csbm(100, lam=1.0, mu=1.0, num_features=10, seed=0)
    with pytest.raises(ValueError, match=r"test_data has 5 features per node; the model is trai"):
        train("gcn", g, csbm(100, lam=1.0, mu=1.0, num_features=5, seed=1), epochs=2)
    with pytest.raises(ValueError, match=r"test_data has labels \[0, 1, 2\]; train_data's cla"):
        train("gcn", g, csbm(99, classes=3, lam=1.0, mu=1.0, seed=1), epochs=2)
    with pytest.raises(ValueError, match=r"early_stopping=3 needs validation nodes"):
        train("gcn", g, epochs=2, early_stopping=3, val_fraction=0.0)
    with pytest.raises(ValueError, match=r"val_fraction \+ test_fraction = 1 leaves no training"):
        train("gcn", g, epochs=2, val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match=r"epochs=0: Input should be greater than or equal to 1"):
        train("gcn", g, epochs=0)


def test_graph_readers_refuse_what_they_would_misread():
    with pytest.raises(ValueError, match="MultiGraph"):
        nodewise_accuracy(nx.MultiGraph([(0, 1), (0, 1)]), [0, 1], mu=1.0)
    g = csbm(20, seed=0)
    g.num_nodes = 10  # edge_index now names nodes beyond num_nodes
    with pytest.raises(ValueError, match=r"edge_index names node 1\d; nodes are 0\.\.9"):
        nodewise_accuracy(g, g.y[:10], mu=1.0)
    # a list of pairs is always pairs, even two of them
    assert from_edge_list([(0, 1), (2, 3)]).edge_index.shape[1] == 4
    assert stats(from_edge_list([(0, 1), (1, 2)], y=[0, 0, 1]))["num_nodes"] == 3
    with pytest.raises(ValueError, match="no negative labels"):
        from_edge_list([(0, 1)], y=[0, -1])


def test_stats_counts_the_classes_present():
    d = from_edge_list([(0, 1), (1, 2), (2, 3), (0, 2)], y=[5, 5, 6, 6])
    same = from_edge_list([(0, 1), (1, 2), (2, 3), (0, 2)], y=[0, 0, 1, 1])
    out, ref = stats(d), stats(same)
    assert out["classes"] == 2
    assert out["edge_homophily"] == ref["edge_homophily"]
    assert out.get("lam") == ref.get("lam")


def test_plot_presentation_options_have_their_own_files(tmp_path, capsys):
    """--best-of/--smooth draw and threshold the map as shown, into their own file names."""
    rows = [
        {"cell_id": f"{lam}-{mu}-{s}", "model": "m", "lam": lam, "mu": mu, "seed": s,
         "test_acc": min(1.0, 0.5 + mu / 2 + 0.05 * s)}
        for lam in (0.0, 1.0, 2.0) for mu in (0.0, 0.25, 0.5, 0.75, 1.0) for s in range(3)
    ]  # fmt: skip
    write_rows(tmp_path, rows)
    assert main(["plot", str(tmp_path), "--level", "0.75"]) == 0
    assert main(["plot", str(tmp_path), "--level", "0.75", "--best-of", "--smooth", "3"]) == 0
    for name in ("phase_diagrams", "phase_diagrams_best_smooth3"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0
    import pandas as pd

    plain = pd.read_csv(tmp_path / "thresholds.csv")
    shown = pd.read_csv(tmp_path / "thresholds_best_smooth3.csv")
    assert (plain["threshold"] == 0.5).all()  # mean 0.55 + ... reaches 0.75 at mu = 0.5
    assert (shown["threshold"] <= plain["threshold"]).all()  # the best seed reaches it earlier
    assert shown["ci_low"].isna().all()  # read off the map as drawn: no bootstrap


def test_misspelt_keywords_are_not_swallowed():
    from gnnrg.models import BeliefPropagation, Spectral

    with pytest.raises(TypeError, match="dampning"):
        BeliefPropagation(2, dampning=0.5)
    with pytest.raises(TypeError, match="sed"):
        Spectral(2, sed=1)


def test_importing_the_engine_leaves_warning_filters_alone():
    import subprocess
    import sys

    code = (  # third-party imports add filters of their own; gnnrg's modules add none
        "import warnings, torch, torch_geometric, scipy, sympy; before = list(warnings.filters);"
        " import gnnrg.batched.sparse, gnnrg.training.batched;"
        " added = [f for f in warnings.filters if f not in before];"
        " assert not any('Sparse CSR' in str(f[1]) for f in added), added"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_yaml_and_api_read_model_names_alike(tmp_path):
    from gnnrg.models.registry import resolve_model
    from gnnrg.sweep.config import ModelSpec

    for spelling in ("transformerlocal", "Transformer_Local", "transformer-local"):
        assert ModelSpec(name=spelling).name == "transformer-local"
        assert resolve_model(spelling).__name__ == "TransformerLocal"
