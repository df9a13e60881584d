"""End-to-end sweeps: results, resume without duplicates, interruption, plots, bad input."""

import contextlib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gnnrg.cli import _panels, main
from gnnrg.plot import plot_phase_diagram
from gnnrg.sweep import (
    ConfigError,
    extra_axes,
    load_config,
    load_results,
    run_sweep,
    summarize,
    thresholds,
)
from gnnrg.sweep import runner as runner_module

TINY = """
name: tiny
generator: {model: csbm, n: 200, classes: 2, avg_degree: 8, num_features: 4, sigma: 1.0}
grid: {lam: [-1.5, 1.5], mu: [0.2, 1.5]}
models: [logreg, gcn]
train: {protocol: fresh-graph, epochs: 30, lr: 0.02}
seeds: 2
"""


def write(tmp_path, text, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_small_sweep_end_to_end_then_resume_without_duplicates(tmp_path):
    cfg = load_config(write(tmp_path, TINY))
    out = tmp_path / "out"
    df = run_sweep(cfg, out, progress=False)
    assert len(df) == 4 * 2 * 2 and df["cell_id"].is_unique
    for col in (
        "lam",
        "mu",
        "p_in",
        "model",
        "seed",
        "test_acc",
        "train_acc",
        "train_seconds",
        "torch_version",
        "config_hash",
        "cell_id",
    ):
        assert col in df
    # strong signal → accurate, weak features and no graph model → near chance for logreg
    strong = df[(df["mu"] == 1.5)]
    assert strong["test_acc"].mean() > 0.85
    weak = df[(df["mu"] == 0.2) & (df["model"] == "logreg")]
    assert abs(weak["test_acc"].mean() - 0.5) < 0.1  # Φ(0.2) = 0.58 at best, 200 test nodes
    parts = sorted((out / "results").glob("part-*.parquet"))
    again = run_sweep(cfg, out, progress=False)
    assert sorted((out / "results").glob("part-*.parquet")) == parts  # nothing re-run
    pd.testing.assert_frame_equal(
        again.sort_values("cell_id").reset_index(drop=True),
        df.sort_values("cell_id").reset_index(drop=True),
    )


def test_same_seed_same_numbers(tmp_path):
    cfg = load_config(write(tmp_path, TINY))
    a = run_sweep(cfg, tmp_path / "a", progress=False).sort_values("cell_id")
    b = run_sweep(cfg, tmp_path / "b", progress=False).sort_values("cell_id")
    assert a["test_acc"].tolist() == b["test_acc"].tolist()


def test_interrupted_sweep_keeps_finished_cells_and_resumes(tmp_path, monkeypatch):
    cfg = load_config(write(tmp_path, TINY))
    out = tmp_path / "out"
    real = runner_module.run_tasks
    calls = {"n": 0}

    def flaky(tasks, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(tasks, *args, **kwargs)

    monkeypatch.setattr(runner_module, "run_tasks", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(cfg, out, progress=False, batch=2)
    # two units (one model on two tasks each) finished and saved
    assert len(load_results(out)) == 2 * 2
    monkeypatch.setattr(runner_module, "run_tasks", real)
    df = run_sweep(cfg, out, progress=False)
    assert len(df) == 16 and df["cell_id"].is_unique


@pytest.mark.parametrize("engine", ["batched", "reference"])
def test_failing_cell_loses_nothing_else(tmp_path, monkeypatch, engine):
    import gnnrg.training.batched as batched
    import gnnrg.training.loop as loop

    cfg = load_config(write(tmp_path, TINY))
    real, real_many = loop.train_one, batched.train_many

    def broken(model, *args, **kwargs):
        if model == "gcn":
            raise RuntimeError("boom")
        return real(model, *args, **kwargs)

    def broken_many(model, *args, **kwargs):
        if model == "gcn":
            raise RuntimeError("boom")
        return real_many(model, *args, **kwargs)

    monkeypatch.setattr(loop, "train_one", broken)
    monkeypatch.setattr(batched, "train_many", broken_many)
    retried = (
        pytest.warns(RuntimeWarning, match="gcn on 8 cells raised RuntimeError: boom; retrying")
        if engine == "batched"
        else contextlib.nullcontext()
    )
    with (
        retried,
        pytest.raises(
            runner_module.SweepFailed, match=r"8 cell\(s\) failed; first: RuntimeError: boom"
        ),
    ):
        run_sweep(cfg, tmp_path / "out", progress=False, engine=engine)
    df = load_results(tmp_path / "out")
    assert set(df["model"]) == {"logreg"} and len(df) == 8
    monkeypatch.setattr(loop, "train_one", real)
    monkeypatch.setattr(batched, "train_many", real_many)
    df = run_sweep(cfg, tmp_path / "out", progress=False, engine=engine)
    assert len(df) == 16 and df["cell_id"].is_unique


def test_batched_and_reference_engines_agree(tmp_path):
    cfg = load_config(write(tmp_path, TINY))
    batched = run_sweep(cfg, tmp_path / "b", progress=False).sort_values("cell_id")
    reference = run_sweep(cfg, tmp_path / "r", progress=False, engine="reference")
    reference = reference.sort_values("cell_id")
    assert batched["cell_id"].tolist() == reference["cell_id"].tolist()
    assert set(batched["engine"]) == {"batched"} and set(reference["engine"]) == {"reference"}
    assert set(batched["batch"]) == {8} and set(reference["batch"]) == {1}
    # the same runs up to float rounding: at most one of 200 test nodes flips
    diff = abs(batched["test_acc"].to_numpy() - reference["test_acc"].to_numpy()).max()
    assert diff <= 1 / 200 + 1e-6


def test_sweep_arguments_are_checked(tmp_path):
    cfg = load_config(write(tmp_path, TINY))
    with pytest.raises(ValueError, match="engine"):
        run_sweep(cfg, tmp_path / "x", engine="fast", progress=False)
    with pytest.raises(ValueError, match="batch"):
        run_sweep(cfg, tmp_path / "x", batch=0, progress=False)


def test_parallel_jobs_give_the_same_results(tmp_path):
    cfg = load_config(write(tmp_path, TINY))
    serial = run_sweep(cfg, tmp_path / "s", progress=False).sort_values("cell_id")
    parallel = run_sweep(cfg, tmp_path / "p", jobs=2, progress=False).sort_values("cell_id")
    assert serial["test_acc"].tolist() == parallel["test_acc"].tolist()


@pytest.mark.slow
def test_dask_local_cluster_runs_a_sweep(tmp_path):
    pytest.importorskip("distributed", reason="needs the dask extra: pip install 'gnnrg[dask]'")
    cfg = load_config(write(tmp_path, TINY))
    serial = run_sweep(cfg, tmp_path / "s", progress=False).sort_values("cell_id")
    dask = run_sweep(cfg, tmp_path / "d", jobs=2, dask="local", progress=False)
    assert dask.sort_values("cell_id")["test_acc"].tolist() == serial["test_acc"].tolist()


def test_cli_sweep_and_plot_write_table_and_figures(tmp_path, capsys):
    path = write(tmp_path, TINY)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--no-progress"]) == 0
    assert main(["plot", str(out)]) == 0
    for name in ("summary.csv", "thresholds.csv", "phase_diagrams.png", "phase_diagrams.pdf"):
        assert (out / name).stat().st_size > 0
    th = pd.read_csv(out / "thresholds.csv")
    assert set(th["model"]) == {"logreg", "gcn"} and (th["level"] == 0.75).all()
    assert json.loads((out / "config.json").read_text())["name"] == "tiny"


def test_thresholds_with_bootstrap_ci():
    rows = []
    for lam in (0.0, 1.0):
        for mu, acc in ((0.1, 0.5), (0.3, 0.7), (0.6, 0.8), (1.0, 0.95)):
            for s, noise in enumerate((-0.02, 0.0, 0.02)):
                rows.append(
                    {
                        "model": "m",
                        "lam": lam,
                        "mu": mu,
                        "test_acc": acc + noise + lam / 20,
                        "classes": 2,
                        "seed": s,
                    }
                )
    th = thresholds(pd.DataFrame(rows), n_boot=100)
    assert th["threshold"].tolist() == [0.6, 0.3]
    assert (th["ci_low"] <= th["threshold"]).all() and (th["threshold"] <= th["ci_high"]).all()


def _two_class_counts():
    """Results where accuracy depends on the number of classes: k=2 crosses 0.75 at mu=0.6,
    k=4 crosses its own level 0.625 at mu=1.0 and never reaches 0.75."""
    rows = []
    for k, accs in ((2, (0.5, 0.7, 0.8, 0.95)), (4, (0.3, 0.5, 0.6, 0.7))):
        for lam in (0.0, 1.0):
            for mu, acc in zip((0.1, 0.3, 0.6, 1.0), accs, strict=True):
                for s in range(3):
                    acc_s = acc + (s - 1) * 0.01
                    rows.append({"model": "m", "classes": k, "lam": lam, "p_in": k / 100 + lam,
                                 "mu": mu, "seed": s, "test_acc": acc_s})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_third_swept_parameter_is_kept_apart_not_pooled():
    df = _two_class_counts()
    assert extra_axes(df) == ["classes"]  # p_in follows from (classes, lam): not an axis
    summary = summarize(df)
    assert list(summary.columns[:4]) == ["model", "lam", "mu", "classes"]
    assert len(summary) == 16 and (summary["count"] == 3).all()
    th = thresholds(df, n_boot=0).sort_values(["classes", "lam"])
    assert th["classes"].tolist() == [2, 2, 4, 4]
    assert th["level"].tolist() == [0.75, 0.75, 0.625, 0.625]  # each k its own halfway level
    assert th["threshold"].tolist() == [0.6, 0.6, 1.0, 1.0]
    pooled = df.drop(columns=["classes", "p_in"]).assign(classes=2)  # what pooling would give
    pooled = thresholds(pooled, n_boot=0)
    assert pooled["threshold"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"also vary in classes .*where=\{'classes': \.\.\.\}"):
        plot_phase_diagram(df, "m", theory=False)
    with pytest.raises(ValueError, match=r"where: classes=3 has no results for 'm'"):
        plot_phase_diagram(df, "m", where={"classes": 3}, theory=False)
    ax = plot_phase_diagram(df, "m", where={"classes": 4}, theory=False)
    assert ax.get_title() == "m · classes = 4\nmean test accuracy, 3 seeds"
    assert [w for _, w in _panels(df)] == [{"classes": 2}, {"classes": 4}]


def test_parts_written_apart_read_back_with_one_value_per_value(tmp_path):
    """A part whose cells all lack a motif stores the column as null (read back as None or
    NaN), another stores 100 where a third has 100.0: one value each after loading."""
    from gnnrg.sweep.store import write_rows

    base = {"model": "gcn", "lam": 0.0, "mu": 1.0, "test_acc": 0.8}
    write_rows(tmp_path, [{**base, "cell_id": "a", "motif": None, "motif_count": None}])
    write_rows(tmp_path, [{**base, "cell_id": "b", "motif": "triangle", "motif_count": 100}])
    write_rows(tmp_path, [{**base, "cell_id": "c", "motif": "triangle", "motif_count": 100.0}])
    write_rows(tmp_path, [{**base, "cell_id": "d", "motif": None, "motif_count": float("nan")}])
    df = load_results(tmp_path).sort_values("cell_id")
    assert df["motif"].tolist() == [None, "triangle", "triangle", None]
    assert df["motif_count"].dtype.kind == "f" and df["motif_count"].isna().tolist() == [
        True, False, False, True
    ]  # fmt: skip
    assert len(df[["motif", "motif_count"]].drop_duplicates()) == 2
    assert extra_axes(df) == ["motif"]
    assert [w for _, w in _panels(df)] == [{"motif": None}, {"motif": "triangle"}]


def test_theory_is_drawn_on_the_slices_it_describes():
    """A motif sweep: the 'no motif' slice (first, titled none) gets the cSBM theory, a
    planted-motif slice does not (the curves do not describe it); degree-corrected and k-class
    slices get the one- and two-layer curves with their evaluators named."""
    rows = [
        {"model": "gcn", "motif": motif, "n": 1000, "avg_degree": 10.0, "sigma": 1.0,
         "num_features": 10, "classes": 2, "lam": lam, "mu": mu, "seed": s,
         "test_acc": 0.5 + mu / 3}
        for motif in ("triangle", None) for lam in (0.0, 2.0) for mu in (0.5, 1.5)
        for s in range(2)
    ]  # fmt: skip
    df = pd.DataFrame(rows)
    assert [w for _, w in _panels(df)][1] == {"motif": "triangle"}
    plain_where = _panels(df)[0][1]
    plain = plot_phase_diagram(df, "gcn", where=plain_where)
    assert plain.get_title().startswith("gcn · motif = none\n")
    labels = plain.get_legend_handles_labels()[1]
    assert "1-layer linear GCN, theory (accuracy 0.75 contour)" in labels
    assert "Bayes-optimal, features + edges, dense limit (0.75 contour)" in labels
    planted = plot_phase_diagram(df, "gcn", where={"motif": "triangle"})
    assert not any("theory" in label for label in planted.get_legend_handles_labels()[1])
    # an argument that only shapes a variant does not switch it on
    shaped = plot_phase_diagram(df.assign(motif_classes="mixed"), "gcn", where=plain_where)
    assert (
        "1-layer linear GCN, theory (accuracy 0.75 contour)"
        in shaped.get_legend_handles_labels()[1]
    )
    # degree-corrected and k-class slices get the theory contours, naming their evaluators
    degree = df[df["motif"].isna()].assign(degree_law="powerlaw", degree_exponent=2.5)
    corrected = plot_phase_diagram(degree.drop(columns="motif"), "gcn")
    labels = corrected.get_legend_handles_labels()[1]
    assert (
        "1-layer linear GCN, theory: powerlaw degrees: propensity strata, exact (binomial "
        "counts) (accuracy 0.75 contour)" in labels
    )
    assert any(label.startswith("2-layer linear GCN, theory: graph-averaged exact (10 graphs")
               for label in labels)  # fmt: skip
    assert not any("information" in label for label in labels)
    three = df[df["motif"].isna()].assign(classes=3, n=999).drop(columns="motif")
    labels = plot_phase_diagram(three, "gcn", level=0.6).get_legend_handles_labels()[1]
    assert any(label.startswith("1-layer linear GCN, theory: 3 classes") for label in labels)
    mixed = pd.concat([degree, degree.assign(degree_exponent=3.0)]).drop(columns="motif")
    labels = plot_phase_diagram(mixed, "gcn", where={"degree_exponent": 2.5})
    assert any("propensity strata" in la for la in labels.get_legend_handles_labels()[1])


def test_more_classes_get_their_features_only_line():
    """k = 3 and 5 panels: no two-class curves, but the k-class one- and two-layer contours
    (naming their evaluators) and the k-class features-only line at the μ where
    features_only_accuracy reaches the panel's level (1 + 1/k)/2."""
    from gnnrg.theory import features_only_accuracy

    for k in (3, 5):
        rows = [
            {"model": "gcn", "n": 1000, "avg_degree": 10.0, "sigma": 1.3, "num_features": 10,
             "classes": k, "lam": lam, "mu": mu, "seed": 0, "test_acc": 0.5}
            for lam in (0.0, 2.0) for mu in (0.0, 1.0, 2.0, 3.0)
        ]  # fmt: skip
        ax = plot_phase_diagram(pd.DataFrame(rows), "gcn")
        level = (1 + 1 / k) / 2
        name = f"features only, Bayes (accuracy {level:.2f})"
        labels = ax.get_legend_handles_labels()[1]
        one_layer = (f"1-layer linear GCN, theory: {k} classes: exact counts, sampled rival "
                     f"split (accuracy {level:.2f} contour)")  # fmt: skip
        two_layer = re.compile(
            r"2-layer linear GCN, theory: neighbourhood population \(exact counts, sampled "
            r"neighbourhoods\), λ interpolated from (13|25) columns "
            rf"\(accuracy {level:.2f} contour\)"
        )
        assert labels[::2] == [one_layer, name] and two_layer.fullmatch(labels[1]), labels
        (line,) = [li for li in ax.get_lines() if li.get_label() == name]
        mu = line.get_ydata()[0]
        assert float(features_only_accuracy(mu, 1.3, classes=k)) == pytest.approx(level, abs=1e-9)


def test_cli_plot_draws_one_panel_per_model_and_slice(tmp_path):
    text = TINY.replace("grid: {lam: [-1.5, 1.5]", "grid: {classes: [2, 3], lam: [-1.0, 1.5]")
    text = text.replace("classes: 2, ", "").replace("epochs: 30", "epochs: 5")
    out = tmp_path / "out"
    assert main(["sweep", str(write(tmp_path, text)), "--out", str(out), "--no-progress"]) == 0
    assert main(["plot", str(out)]) == 0
    df = load_results(out)
    from gnnrg.cli import _model_order

    assert [(m, w["classes"]) for m, w in _panels(df, _model_order(out))] == [
        ("logreg", 2), ("logreg", 3), ("gcn", 2), ("gcn", 3)
    ]  # fmt: skip
    th = pd.read_csv(out / "thresholds.csv")
    assert sorted(set(zip(th["classes"], th["level"].round(3), strict=True))) == [
        (2, 0.75), (3, 0.667)
    ]  # fmt: skip
    assert set(pd.read_csv(out / "summary.csv")["classes"]) == {2, 3}


# ---------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "text,message",
    [
        (
            TINY.replace("mu: [0.2, 1.5]", "mu: [-0.5, 1.5]"),
            r"generator at point \(lam=-1.5, mu=-0.5\): mu=-0.5 must be >= 0",
        ),
        (
            TINY.replace("[logreg, gcn]", "[logreg, gcnn]"),
            r"models\.1\.name: unknown model 'gcnn' \(did you mean 'gcn'\?\); choose one of",
        ),
        (
            TINY.replace("lam: [-1.5, 1.5]", "lam: [-1.5, 3.5]"),
            r"\(lam=3.5, mu=0.2\): lam=3.5 must satisfy -2.828 <= lam <= sqrt\(avg_degree\)=2.828",
        ),
        (TINY.replace("lr: 0.02", "lr: -1"), r"train\.lr: Input should be greater than 0"),
        (
            TINY.replace("protocol: fresh-graph", "protocol: inductive"),
            r"train\.protocol: Input should be 'fresh-graph' or 'transductive'",
        ),
        (
            "\n".join(line for line in TINY.splitlines() if not line.startswith("models")),
            r"models: required field is missing",
        ),
        (TINY.replace("seeds: 2", "seeds: 2\ncolour: blue"), r"colour: unknown field"),
        (
            TINY.replace(
                "grid: {lam: [-1.5, 1.5], mu: [0.2, 1.5]}", "grid: {lam: [1, 2], mu: [0.2"
            ),
            r"sweep\.yaml:\d+:\d+: invalid YAML",
        ),
        (
            TINY.replace("n: 200,", "n: 200, degree_correction: yes,"),
            r"unknown csbm argument\(s\): degree_correction",
        ),
        (TINY.replace("lr: 0.02", "lr: .inf"), r"train\.lr: Input should be a finite number"),
        (TINY.replace("seeds: 2", "seeds: 2\nseeds: 3"), r"duplicate key 'seeds' \(first on line"),
        (
            TINY.replace("grid: {lam: [-1.5, 1.5], mu: [0.2, 1.5]}", "grid: {}"),
            r"no parameter points: give grid",
        ),
        (TINY.replace("epochs: 30", "epochs: 0"), r"train\.epochs: Input should be greater than"),
        (
            TINY.replace("lr: 0.02", "lr: 0.02, early_stopping: 5, val_fraction: 0"),
            r"train: early_stopping=5 needs validation nodes; set val_fraction > 0",
        ),
        (
            TINY.replace(
                "protocol: fresh-graph",
                "protocol: transductive, val_fraction: 0.5, test_fraction: 0.5",
            ),
            r"train: val_fraction \+ test_fraction = 1 leaves no training nodes",
        ),
        (
            TINY.replace("models: [logreg, gcn]", "models: [logreg, {name: gcn, epochs: 0}]"),
            r"models\.1\.epochs: Input should be greater than or equal to 1",
        ),
        (TINY.replace("name: tiny", "name: '..'"), r"name: '\.\.' is not a folder name"),
        (TINY.replace("name: tiny", "name: a/b"), r"name: String should match pattern"),
    ],
)
def test_bad_config_names_the_field(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_broken_yaml_reports_its_line(tmp_path):
    path = write(tmp_path, "name: x\ngenerator: {n: 10\nmodels: [gcn]\n")
    with pytest.raises(ConfigError, match=r"sweep\.yaml:3:7: invalid YAML"):
        load_config(path)


def test_cli_bad_config_exits_2_without_traceback(tmp_path):
    cmd = [sys.executable, "-m", "gnnrg.cli", "sweep", str(tmp_path / "missing.yaml")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "no such sweep file" in proc.stderr and "Traceback" not in proc.stderr
    bad = write(tmp_path, TINY.replace("seeds: 2", "seeds: 0"))
    proc = subprocess.run([*cmd[:-1], str(bad)], capture_output=True, text=True)
    assert (
        proc.returncode == 2 and "seeds: Input should be greater than or equal to 1" in proc.stderr
    )
    assert "Traceback" not in proc.stderr


def test_shipped_configs_are_valid():
    root = Path(__file__).resolve().parents[2]
    shipped = sorted([*root.glob("sweeps/*.yaml"), *root.glob("paper_figs/configs/*.yaml")])
    assert len(shipped) >= 7
    for path in shipped:
        assert load_config(path).models


def test_inline_sweep_leaves_torch_threads_as_found(tmp_path):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        run_sweep(load_config(write(tmp_path, TINY)), tmp_path / "out", progress=False)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_the_shipped_quick_config_loads_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config("quick").name == "quick"
    with pytest.raises(ConfigError, match=r"no such sweep file \(shipped configs, by name: quick"):
        load_config("quik")


def test_vectorised_bootstrap_thresholds_match_the_definition():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra.numpy import arrays

    from gnnrg.sweep.recoverability import _threshold, _thresholds

    ys = np.array([0.0, 0.2, 0.4, 0.6, 0.8])

    @settings(max_examples=200, deadline=None)
    @given(arrays(float, (7, 5), elements=st.floats(0, 1)), st.floats(0.05, 0.95))
    def check(means, level):
        got = _thresholds(ys, means, level)
        want = np.array([_threshold(ys, row, level) for row in means])
        assert np.array_equal(got, want, equal_nan=True)

    check()
