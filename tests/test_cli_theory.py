import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from gnnrg.cli import main
from gnnrg.parameters import block_probabilities
from gnnrg.theory import one_layer_accuracy


def test_theory_json_has_the_promised_keys(capsys):
    assert (
        main(["theory", "--layers", "1", "--norm", "sum", "--lam", "1.5", "--mu", "0.4", "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    for key in ("accuracy", "accuracy_best_sign", "features_only", "weak_recovery_statistic"):
        assert key in out
    p_in, p_out = block_probabilities(1000, 10, 1.5)
    assert out["accuracy"] == pytest.approx(
        one_layer_accuracy(1000, p_in, p_out, 0.4, norm="sum")["accuracy"]
    )
    assert out["weak_recovery_statistic"] == pytest.approx(1.5**2 + (1000 / 10) * 0.4**4)


def test_theory_grid_writes_table_and_plot(tmp_path, capsys):
    table, figure = tmp_path / "grid.csv", tmp_path / "map.png"
    argv = [
        "theory",
        "--lam",
        "-2:2:5",
        "--mu",
        "0:1:4",
        "--out",
        str(table),
        "--plot",
        str(figure),
    ]
    assert main(argv) == 0
    df = pd.read_csv(table)
    assert len(df) == 20 and sorted(df["lam"].unique()) == [-2, -1, 0, 1, 2]
    assert figure.stat().st_size > 0
    # grid values equal the point evaluations
    row = df[(df["lam"] == 1) & (np.isclose(df["mu"], 1 / 3))].iloc[0]
    p_in, p_out = block_probabilities(1000, 10, 1.0)
    assert row["accuracy"] == pytest.approx(
        one_layer_accuracy(1000, p_in, p_out, 1 / 3)["accuracy"]
    )


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--lam", "5"], "--lam/--avg-degree/--mu: lam=5 must satisfy"),
        (["--layers", "3"], "argument --layers: invalid choice: 3"),
        (["--norm", "gcn"], "argument --norm: invalid choice: 'gcn'"),
        (["--mu", "a:b"], "argument --mu: 'a:b' is neither a number nor a range"),
        (["--p-in", "0.1"], "--p-in and --p-out go together"),
        (["--classes", "1"], "--classes=1 must be between 2 and --n=1000"),
        (["--degree-law", "powerlaw", "--degree-exponent", "2"], "--degree-exponent=2 must be > 2"),
        (["--degree-law", "zipf"], "argument --degree-law: invalid choice: 'zipf'"),
        (["--classes", "3", "--layers", "2", "--method", "tree"], "--method: method='tree' is"),
        (["--mu", "-1"], "--mu=-1 must be >= 0"),
        (["--num-features", "0"], "--num-features=0 must be >= 1"),
        (["--num-features", "-5"], "--num-features=-5 must be >= 1"),
        (["--out", "/nonexistent/grid.csv"], "folder /nonexistent does not exist"),
        (["--out", "grid.xlsx"], "--out grid.xlsx: unknown file type 'xlsx'"),
        (["--plot", "m.xyz"], "--plot m.xyz: unknown file type 'xyz'; use one of ['png'"),
        (["--lam", "0:1:0"], "COUNT must be between 1 and 10000"),
        (["--jobs", "0"], "--jobs=0 must be >= 1"),
    ],
)
def test_bad_theory_flags_exit_2_with_one_message(argv, message):
    proc = subprocess.run(
        [sys.executable, "-m", "gnnrg.cli", "theory", *argv], capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_theory_command_starts_without_torch():
    code = (
        "import sys; from gnnrg.cli import main; main(['theory', '--layers', '2', '--json']);"
        "main(['theory', '--classes', '3', '--degree-law', 'powerlaw', '--layers', '2']);"
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_symbolic_prints_latex(capsys):
    assert main(["theory", "--symbolic"]) == 0
    assert r"\Phi\left(\frac{s" in capsys.readouterr().out
