"""The figure scripts of paper_figs/ run end to end on small inputs (their science is tested
with the package; here: they produce the tables and figures they promise)."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "paper_figs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_erasure_table_removes_planted_triangles_and_keeps_the_rest():
    erasure = _script("erasure")
    graph = erasure.planted_graph(300)
    table = erasure.erasure_table({"g": graph}, ["mlp", "gcn"], seeds=2, epochs=5)
    summary = erasure.summarize_erasure(table)
    original = summary[summary["version"] == "original"]
    assert (original["change"] == 0).all() and (original["change_ci95"] == 0).all()
    assert len(table) == 4 * 2 * 2 and table["test_acc"].between(0, 1).all()
    triangles = table.groupby("version")["triangles"].mean()
    # edge erasure rewires the planted triangles away; feature erasure leaves edges alone
    assert triangles["features erased"] == triangles["original"]
    assert triangles["edges erased"] < 0.8 * triangles["original"]
    assert triangles["both erased"] < 0.8 * triangles["original"]
    # every seed erases afresh: two seeds, two different rewired graphs
    edged = table[(table["version"] == "edges erased") & (table["model"] == "mlp")]
    assert edged["triangles"].nunique() == 2


def test_a_graph_family_gives_each_seed_its_own_graph():
    erasure = _script("erasure")
    table = erasure.erasure_table(
        {"f": lambda seed: erasure.planted_graph(200, seed)}, ["mlp"], seeds=2, epochs=3
    )
    original = table[table["version"] == "original"]
    assert original["triangles"].nunique() == 2  # two seeds, two drawn graphs


def test_erasure_script_writes_table_summary_and_figure(tmp_path, capsys):
    erasure = _script("erasure")
    out = tmp_path / "erasure"
    args = ["--seeds", "2", "--epochs", "3", "--n", "200", "--models", "mlp", "--out", str(out)]
    assert erasure.main([*args, "--root", str(tmp_path), "--datasets", "cora"]) == 0
    assert "skipping cora" in capsys.readouterr().err  # no files under --root: skipped, no download
    summary = pd.read_csv(out / "summary.csv")
    assert summary["version"].tolist() == list(erasure.VERSIONS)
    for name in ("erasure.csv", "erasure.png", "erasure.pdf"):
        assert (out / name).stat().st_size > 0


def test_erasure_script_needs_a_root_for_datasets():
    with pytest.raises(SystemExit):
        _script("erasure").main(["--datasets", "cora"])
