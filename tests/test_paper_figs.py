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
    assert erasure.main(args) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert summary["version"].tolist() == list(erasure.VERSIONS)
    for name in ("erasure.csv", "erasure.png", "erasure.pdf"):
        assert (out / name).stat().st_size > 0


def test_erasure_script_needs_a_root_for_datasets():
    with pytest.raises(SystemExit):
        _script("erasure").main(["--datasets", "cora"])


TINY_GRID = {"lam": [-2.0, 0.0, 1.0, 2.0], "mu": [0.0, 1.0, 2.0]}


def _tiny(name, models, generator=None, grid=None):
    from gnnrg.sweep import SweepConfig

    gen = {"n": 120, "classes": 2, "avg_degree": 6, "num_features": 4, **(generator or {})}
    return SweepConfig(name=name, generator=gen, grid=grid or TINY_GRID, models=models,
                       train={"epochs": 5}, seeds=2)  # fmt: skip


@pytest.mark.slow
def test_reproduce_draws_every_figure_and_claim_from_results(tmp_path, monkeypatch):
    """The whole chain on tiny sweeps: results → figures → claims.md, without training."""
    from gnnrg.sweep import run_sweep

    sys_path = str(ROOT / "paper_figs")
    monkeypatch.syspath_prepend(sys_path)
    draw = _script("draw")
    results = tmp_path / "results"
    monkeypatch.setattr(draw, "RESULTS", results)
    monkeypatch.setattr(draw, "FIGURES", tmp_path / "figures")
    monkeypatch.setattr(draw, "HERE", tmp_path)
    models = ["mlp", "gcn", "sage", "bp"]
    classes_grid = {"classes": [2, 3], "lam": [0.0, 1.0, 2.0], "mu": [0.0, 1.0, 2.0]}
    configs = [
        _tiny("recoverability", models),
        _tiny("transformers", ["sat", "transformer", "transformer-local"]),
        _tiny("degree_corrected", models[:3], {"degree_law": "powerlaw"}),
        _tiny("motifs", models[:2], grid={"motif": [None, "triadic"], **TINY_GRID}),
        _tiny("classes", models, {"classes": None}, classes_grid),
        _tiny("classes_study", models, {"classes": None, "lam_convention": "study"},
              {**classes_grid, "classes": [3]}),
    ]  # fmt: skip
    for config in configs:
        config.generator.pop("classes") if config.generator.get("classes") is None else None
        run_sweep(config, results / config.name, progress=False)
    erasure = _script("erasure")
    table = erasure.erasure_table({"g": erasure.planted_graph(120)}, ["mlp"], seeds=2, epochs=3)
    (results / "erasure").mkdir()
    table.to_csv(results / "erasure" / "erasure.csv", index=False)
    assert draw.draw() == 0
    claims = (tmp_path / "claims.md").read_text()
    for heading in ("Claim 1", "Claim 2", "Claim 3", "Claim 4", "Claim 5", "Claim 6", "Claim 7",
                    "Claim 8", "k classes", "study's minus gnnrg's", "presentation",
                    "SAT against GraphGPS"):  # fmt: skip
        assert heading in claims, heading
    figures = {p.name for p in (tmp_path / "figures").glob("*.png")}
    assert {"recoverability.png", "cuts.png", "erasure.png", "motifs_triadic.png",
            "transformers.png"} <= figures  # fmt: skip


@pytest.mark.parametrize(
    ("name", "message"),
    [("imdb", "unknown dataset 'imdb'; choose from ['cora'"), ("cora", "cora: missing ")],
)
def test_erasure_names_an_unknown_or_missing_dataset(tmp_path, capsys, name, message):
    with pytest.raises(SystemExit) as stop:
        _script("erasure").main(["--root", str(tmp_path), "--datasets", name])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not any(tmp_path.iterdir())  # nothing downloaded or written


def test_committed_results_load():
    """The results under paper_figs/results load as whole stores (no bad parts), and hold only
    cells of their config (a run still in progress holds fewer)."""
    import importlib

    reproduce = _script("reproduce")
    from gnnrg.sweep import load_results
    from gnnrg.sweep.cells import plan_tasks

    found = 0
    for name in reproduce.EXPERIMENTS:
        folder = reproduce.store(name)
        if not folder.is_dir():
            continue
        found += 1
        df = load_results(folder)
        planned = {cid for t in plan_tasks(reproduce.load(name)) for cid, _, _ in t.models}
        assert set(df["cell_id"]) <= planned and df["cell_id"].is_unique, name
        assert (df["test_acc"].notna() | df["diverged"]).all(), name
    assert found >= 1 or not importlib.util.find_spec("gnnrg")
