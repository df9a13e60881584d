"""The store's guarantees: nothing mixed, nothing lost, nothing wrong recorded.

Crash tests run real ``gnnrg sweep`` processes and send them real signals.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gnnrg.cli import main
from gnnrg.sweep import load_config, load_results, run_sweep, summarize, thresholds
from gnnrg.sweep.store import StoreError, bad_parts
from tests.sweep.test_sweep import TINY, write

GNNRG = [sys.executable, "-m", "gnnrg.cli"]


def cli(*argv, timeout=300):
    """Run ``gnnrg`` in its own process; returns (exit status, stdout, stderr)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [*GNNRG, *map(str, argv)], capture_output=True, text=True, timeout=timeout, env=env
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def gnnrg_cli(capsys):
    """Run ``gnnrg`` in this process (an uncaught exception fails the test): returns (exit
    status, stdout, stderr)."""

    def run(*argv):
        capsys.readouterr()
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


# --------------------------------------------------------------------------- diverged runs
def test_diverged_runs_are_marked_kept_and_left_out(tmp_path):
    text = TINY.replace("models: [logreg, gcn]", "models: [logreg, {name: gcn, lr: 1.0e30}]")
    out = tmp_path / "out"
    df = run_sweep(load_config(write(tmp_path, text)), out, progress=False)
    bad = df[df["model"].str.startswith("gcn")]
    assert len(bad) == 8 and bad["diverged"].all()
    assert bad[["train_acc", "val_acc", "test_acc"]].isna().all().all()  # no accuracy recorded
    good = df[df["model"] == "logreg"]
    assert not good["diverged"].any() and good["test_acc"].notna().all()
    summary = summarize(df)
    gcn = summary[summary["model"].str.startswith("gcn")]
    assert (gcn["diverged"] == 2).all() and (gcn["count"] == 0).all() and gcn["mean"].isna().all()
    assert (summary.loc[summary["model"] == "logreg", "diverged"] == 0).all()
    th = thresholds(df, 0.75, n_boot=20)
    assert set(th["model"]) == {"logreg"}  # nothing to read a threshold from


def test_cli_reports_diverged_runs(tmp_path):
    text = TINY.replace("models: [logreg, gcn]", "models: [{name: gat, lr: 1000.0}]")
    text = text.replace("epochs: 30", "epochs: 200")
    code, stdout, _ = cli("sweep", write(tmp_path, text), "--out", tmp_path / "o", "--no-progress")
    assert code == 0
    assert "8 run(s) diverged" in stdout and "gat[lr=1000.0] 8" in stdout
    summary = pd.read_csv(tmp_path / "o" / "summary.csv")
    assert summary["diverged"].sum() == 8


# ----------------------------------------------------------------------------- isolation
def test_a_point_the_generator_refuses_is_caught_before_anything_runs(tmp_path, gnnrg_cli):
    text = TINY.replace(
        "grid: {lam: [-1.5, 1.5], mu: [0.2, 1.5]}",
        "grid: {lam: [1.0], degree_exponent: [3.0, 0.5]}",
    ).replace("sigma: 1.0}", "sigma: 1.0, degree_law: powerlaw}")
    code, _, err = gnnrg_cli("sweep", write(tmp_path, text), "--out", tmp_path / "o")
    assert code == 2
    assert "degree_exponent=0.5, lam=1.0" in err or "lam=1.0, degree_exponent=0.5" in err
    assert "degree_exponent=0.5 must be > 2" in err
    assert not (tmp_path / "o").exists()
    text = TINY.replace("n: 200,", "n: 1000000000,")
    code, _, err = gnnrg_cli("sweep", write(tmp_path, text), "--out", tmp_path / "o")
    assert code == 2 and "GiB per task" in err and not (tmp_path / "o").exists()


def test_a_point_that_fails_at_run_time_costs_only_its_cells(tmp_path, monkeypatch):
    import gnnrg.sweep.runner as runner

    real = runner._generate

    def generate(task, *args):
        if task.params["lam"] < 0 and task.params["mu"] < 1:
            raise MemoryError("no room for this graph")
        return real(task, *args)

    monkeypatch.setattr(runner, "_generate", generate)
    cfg = load_config(write(tmp_path, TINY))
    with pytest.raises(runner.SweepFailed, match=r"4 cell\(s\) failed; first: MemoryError"):
        run_sweep(cfg, tmp_path / "o", progress=False)
    assert len(load_results(tmp_path / "o")) == 12
    assert "MemoryError: no room" in (tmp_path / "o" / "errors.log").read_text()
    monkeypatch.setattr(runner, "_generate", real)
    assert len(run_sweep(cfg, tmp_path / "o", progress=False)) == 16
    assert not (tmp_path / "o" / "errors.log").exists()  # every cell has a result now


# ------------------------------------------------------------------------------ identity
def test_another_config_is_refused_unless_added_on_purpose(tmp_path, gnnrg_cli):
    out = tmp_path / "o"
    run_sweep(load_config(write(tmp_path, TINY)), out, progress=False)
    before = sorted((out / "results").iterdir())
    other = load_config(write(tmp_path, TINY.replace("n: 200", "n: 300"), "other.yaml"))
    with pytest.raises(StoreError, match=r"holds sweep 'tiny'.*generator\.n: 200.0 -> 300.0"):
        run_sweep(other, out, progress=False)
    assert sorted((out / "results").iterdir()) == before
    assert json.loads((out / "config.json").read_text())["generator"]["n"] == 200
    code, _, err = gnnrg_cli("sweep", tmp_path / "other.yaml", "--out", out)
    assert code == 2 and "use a new --out, or --add" in err
    df = run_sweep(other, out, progress=False, add=True)
    assert sorted(df["n"].unique()) == [200, 300] and len(df) == 32


def test_more_points_models_and_seeds_resume_the_same_store(tmp_path):
    out = tmp_path / "o"
    run_sweep(load_config(write(tmp_path, TINY)), out, progress=False)
    bigger = TINY.replace("mu: [0.2, 1.5]", "mu: [0.2, 1.5, 3]").replace("seeds: 2", "seeds: 3")
    bigger = bigger.replace("models: [logreg, gcn]", "models: [logreg, gcn, mlp]")
    df = run_sweep(load_config(write(tmp_path, bigger)), out, progress=False)
    assert len(df) == 2 * 3 * 3 * 3 and df["cell_id"].is_unique


def test_integer_and_float_spellings_name_the_same_cells(tmp_path):
    out = tmp_path / "o"
    first = run_sweep(load_config(write(tmp_path, TINY)), out, progress=False)
    parts = sorted((out / "results").iterdir())
    respelt = TINY.replace("mu: [0.2, 1.5]", "mu: [0.2, 1.50]").replace("sigma: 1.0", "sigma: 1")
    again = run_sweep(load_config(write(tmp_path, respelt)), out, progress=False)
    assert sorted((out / "results").iterdir()) == parts  # nothing recomputed
    assert len(again) == len(first)


def test_a_second_concurrent_sweep_is_refused(tmp_path):
    slow = TINY.replace("epochs: 30", "epochs: 1000000")  # runs until it is killed
    path = write(tmp_path, slow)
    out = tmp_path / "o"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    first = subprocess.Popen(
        [*GNNRG, "sweep", str(path), "--out", str(out), "--no-progress"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        while not (out / ".lock").exists() and time.time() < deadline:
            time.sleep(0.1)
        code, _, err = cli("sweep", path, "--out", out)
        assert code == 2 and "is in use by another gnnrg sweep (pid" in err
    finally:
        first.kill()
        first.wait()


# ---------------------------------------------------------------------------- bad parts
@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "foreign"])
def test_bad_parts_are_named_and_repaired(tmp_path, damage, gnnrg_cli):
    path = write(tmp_path, TINY)
    out = tmp_path / "o"
    run_sweep(load_config(path), out, progress=False)
    part = sorted((out / "results").glob("part-*.parquet"))[0]
    lost = len(pd.read_parquet(part))
    if damage == "truncated":
        part.write_bytes(part.read_bytes()[:100])
    elif damage == "empty":
        part.write_bytes(b"")
    elif damage == "garbage":
        part.write_bytes(os.urandom(500))
    else:
        part = out / "results" / "part-foreign.parquet"
        pd.DataFrame([{"cell_id": "z", "config_hash": "other", "test_acc": 1.0}]).to_parquet(part)
        lost = 0
    assert list(bad_parts(out)) == [part]
    with pytest.raises(StoreError, match=rf"{part.name}: .*--repair"):
        load_results(out)
    run = cli if damage == "garbage" else gnnrg_cli  # one of them in a process of its own
    for argv in (["plot", out], ["sweep", path, "--out", out]):
        code, _, err = run(*argv)
        assert code == 2 and part.name in err and "--repair" in err and "Traceback" not in err
    code, _, _ = gnnrg_cli("sweep", path, "--out", out, "--repair", "--no-progress")
    assert code == 0 and (out / "quarantine" / part.name).exists()
    df = load_results(out)
    assert len(df) == 16 and df["cell_id"].is_unique and lost >= 0


def test_leftover_temporary_parts_are_cleaned(tmp_path):
    path = write(tmp_path, TINY)
    out = tmp_path / "o"
    run_sweep(load_config(path), out, progress=False)
    tmp = out / "results" / ".part-deadbeef.parquet.tmp"
    tmp.write_bytes(b"half a file")
    run_sweep(load_config(path), out, progress=False)
    assert not tmp.exists()


# ---------------------------------------------------------------------- killed processes
def _children(pid):
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid):
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _workers(pid, want=2, wait=60):
    deadline = time.time() + wait
    while time.time() < deadline:
        found = [p for p in _children(pid) if "LokyProcess" in _cmdline(p)]
        if len(found) >= want:
            return found
        time.sleep(0.2)
    raise AssertionError("the sweep started no workers")


def _cmdline(pid):
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_text()
    except OSError:
        return ""


LONGER = TINY.replace("epochs: 30", "epochs: 400").replace("seeds: 2", "seeds: 4")


def _two_worker_sweep(tmp_path, output):
    """A real ``gnnrg sweep`` process with two loky workers, one task per unit."""
    path = write(tmp_path, LONGER)
    out = tmp_path / "o"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [*GNNRG, "sweep", str(path), "--out", str(out), "--jobs", "2", "--batch", "1",
         "--no-progress"], env=env, stdout=output, stderr=output, text=True,
    )  # fmt: skip
    return path, out, proc


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_a_lost_worker_is_replaced_and_its_cells_rerun(tmp_path):
    _, out, proc = _two_worker_sweep(tmp_path, subprocess.PIPE)
    worker = _workers(proc.pid)[0]
    time.sleep(1.0)
    os.kill(worker, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "a worker process was lost (TerminatedWorkerError" in stderr
    df = load_results(out)
    assert len(df) == 4 * 2 * 4 and df["cell_id"].is_unique


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_a_killed_sweep_leaves_no_workers_and_resumes(tmp_path):
    path, out, proc = _two_worker_sweep(tmp_path, subprocess.DEVNULL)
    workers = _workers(proc.pid)
    deadline = time.time() + 120
    while not any((out / "results").glob("part-*.parquet")) and time.time() < deadline:
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    deadline = time.time() + 5
    while any(map(_alive, workers)) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "workers outlived the killed sweep"
    kept = load_results(out)  # whole parts only
    assert 0 < len(kept) < 32
    df = run_sweep(load_config(path), out, progress=False)
    assert len(df) == 32 and df["cell_id"].is_unique
    merged = df.set_index("cell_id").loc[kept["cell_id"], "test_acc"]
    assert np.allclose(merged.to_numpy(), kept["test_acc"].to_numpy(), equal_nan=True)


# --------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "FILE"], "is a file, not a folder"),
        (["--out", "FILE/sub"], "cannot be written"),
        (["--dask", "nonsense"], "is not a scheduler address"),
        (["--dask", "tcp://127.0.0.1:1"], "no scheduler answered"),
    ],
)
def test_bad_sweep_flags_exit_2_and_write_nothing(tmp_path, argv, message, gnnrg_cli):
    pytest.importorskip("distributed")
    path = write(tmp_path, TINY)
    (tmp_path / "FILE").write_text("x")
    argv = [a.replace("FILE", str(tmp_path / "FILE")) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "o")]
    code, _, err = gnnrg_cli("sweep", path, *argv)
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE", "sweep.yaml"]


def test_a_worker_unpickles_its_task_without_torch():
    """A loky worker imports the runner and the task classes before it can start watching its
    parent: they must not import torch (seconds here), or a killed sweep's workers linger."""
    code = (
        "import sys, gnnrg.sweep.runner, gnnrg.sweep.cells, gnnrg.training.options;"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
