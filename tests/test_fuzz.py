"""Property-based fuzzing of the inputs a user controls: the sweep config, the command line and
the generator, theory and diagnostics APIs. The only outcomes allowed are a valid result or a
named error: never a traceback, NaN recorded as an accuracy, or a partly written store."""

import math

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gnnrg import csbm, from_edge_list, stats
from gnnrg.cli import main
from gnnrg.sweep import load_results
from gnnrg.theory import features_only_accuracy, one_layer_accuracy, weak_recovery_statistic

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

numbers = st.one_of(
    st.integers(-5, 300),
    st.floats(-10, 10, allow_nan=False),
    st.sampled_from([0, 0.0, 1, 1.0, -1, 1e30, float("inf"), float("-inf"), float("nan")]),
)
values = st.one_of(numbers, st.text(max_size=5), st.none(), st.booleans())
GENERATOR_KEYS = ["n", "avg_degree", "lam", "mu", "sigma", "num_features", "classes",
                  "edge_noise", "feature_noise", "degree_law", "degree_exponent", "motif",
                  "bogus"]  # fmt: skip
TRAIN_KEYS = ["epochs", "lr", "hidden", "val_fraction", "test_fraction", "early_stopping",
              "protocol", "dropout", "weight_decay", "bogus"]  # fmt: skip


@st.composite
def configs(draw):
    """Sweep files, some valid (then small enough to run in a second), most not."""
    gen = {"n": draw(st.sampled_from([30, 40, 60]))}
    for key in draw(st.lists(st.sampled_from(GENERATOR_KEYS), max_size=3, unique=True)):
        gen[key] = draw(st.one_of(values, st.sampled_from(["powerlaw", "triangle", "x"])))
    train = {"epochs": draw(st.integers(1, 3))}
    for key in draw(st.lists(st.sampled_from(TRAIN_KEYS), max_size=2, unique=True)):
        train[key] = draw(st.one_of(values, st.sampled_from(["transductive", "fresh-graph"])))
    config = {
        "name": draw(st.sampled_from(["fz", "a.b", "..", "", "x/y"])),
        "generator": gen,
        "grid": {
            draw(st.sampled_from(["lam", "mu", "sigma"])): draw(st.lists(numbers, max_size=2))
        },
        "models": draw(st.lists(st.sampled_from(["logreg", "gcn", "mlp", "gcnn", 3]), max_size=2)),
        "train": train,
        "seeds": draw(st.sampled_from([1, 0, -1, 1.5, "two"])),
    }
    for key in draw(st.lists(st.sampled_from(list(config)), max_size=1)):
        del config[key]
    return config


@SETTINGS
@given(config=configs())
def test_fuzzed_sweep_configs_run_or_fail_by_name(tmp_path_factory, capsys, config):
    folder = tmp_path_factory.mktemp("fz")
    path = folder / "c.yaml"
    path.write_text(yaml.safe_dump(config))
    out = folder / "out"
    code = main(["sweep", str(path), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code in (0, 1, 2)
    if code == 2:
        assert err.startswith("gnnrg sweep: error:") and not out.exists()
        return
    df = load_results(out)
    assert len(df) > 0
    has_accuracy = df["test_acc"].notna()
    assert (has_accuracy | df["diverged"]).all()  # no run without an accuracy unless diverged
    assert df.loc[has_accuracy, "test_acc"].between(0, 1).all()
    assert (code == 1) == (out / "errors.log").exists()


def _exit_status(argv):
    """``gnnrg ARGV``'s exit status in this process (argparse's own errors exit 2)."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


flag_values = st.one_of(
    numbers.map(str), st.sampled_from(["-3:3:5", "0:2:3", "1:0:0", "a:b:c", "", "nan", "inf"])
)
THEORY_FLAGS = ["--layers", "--norm", "--n", "--avg-degree", "--lam", "--mu", "--sigma",
                "--classes", "--num-features", "--method", "--p-in", "--p-out"]  # fmt: skip


@SETTINGS
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(THEORY_FLAGS),
            st.one_of(
                flag_values, st.sampled_from(["1", "2", "sum", "mean", "sym", "tree", "graph"])
            ),
        ),
        max_size=4,
    )
)
def test_fuzzed_theory_command_answers_or_exits_2(capsys, pairs):
    argv = ["theory", "--json"] + [x for pair in pairs for x in pair]
    code = _exit_status(argv)
    captured = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1
    else:
        assert '"accuracy"' in captured.out


@SETTINGS
@given(
    n=st.integers(-2, 80),
    kwargs=st.dictionaries(
        st.sampled_from(
            [
                "classes",
                "avg_degree",
                "lam",
                "mu",
                "sigma",
                "num_features",
                "edge_noise",
                "feature_noise",
                "noise_features",
                "degree_law",
                "degree_exponent",
                "motif",
                "motif_size",
                "p_in",
                "p_out",
            ]
        ),
        st.one_of(numbers, st.sampled_from(["powerlaw", "lognormal", "clique", "star"])),
        max_size=4,
    ),
)
def test_fuzzed_generator_returns_a_graph_or_a_named_error(n, kwargs):
    try:
        data = csbm(n, seed=0, **kwargs)
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    assert data.num_nodes == n and data.y.shape == (n,)
    assert np.isfinite(data.x.numpy()).all()
    ei = data.edge_index.numpy()
    assert ei.size == 0 or (ei.min() >= 0 and ei.max() < n)


@SETTINGS
@given(
    n=st.integers(-1, 3000),
    p_in=st.floats(-0.5, 1.5),
    p_out=st.floats(-0.5, 1.5),
    mu=numbers,
    sigma=numbers,
    norm=st.sampled_from(["sum", "sum-self", "mean", "sym", "max"]),
)
def test_fuzzed_theory_returns_accuracies_or_a_named_error(n, p_in, p_out, mu, sigma, norm):
    try:
        r = one_layer_accuracy(n, p_in, p_out, mu, sigma, norm=norm, samples=2000)
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    for key in ("accuracy", "accuracy_best_sign"):
        value = float(np.asarray(r[key]))
        assert 0 <= value <= 1


@SETTINGS
@given(mu=numbers, sigma=numbers, lam=numbers)
def test_fuzzed_baselines_are_probabilities_or_named_errors(mu, sigma, lam):
    try:
        acc = float(features_only_accuracy(mu, sigma))
        it = float(weak_recovery_statistic(lam, mu, sigma=sigma, n=1000, num_features=10))
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    assert 0.5 <= acc <= 1 and (it >= 0 or math.isnan(it) is False)


@SETTINGS
@given(
    edges=st.lists(st.tuples(st.integers(-1, 12), st.integers(-1, 12)), max_size=30),
    labels=st.one_of(st.none(), st.lists(st.integers(-1, 4), min_size=0, max_size=14)),
)
def test_fuzzed_graphs_give_statistics_or_named_errors(edges, labels):
    try:
        data = from_edge_list(edges, y=labels)
        out = stats(data)
    except (ValueError, TypeError) as err:
        assert str(err)
        return
    assert out["num_nodes"] == data.num_nodes
    if "classes" in out:
        assert out["classes"] == len(set(labels))


@SETTINGS
@given(
    level=st.one_of(st.none(), st.floats(-1, 2, allow_nan=False)),
    smooth=st.integers(-3, 9),
    best=st.booleans(),
    theory=st.booleans(),
)
def test_fuzzed_plot_flags_draw_or_exit_2(tmp_path_factory, capsys, level, smooth, best, theory):
    from gnnrg.sweep.store import write_rows

    folder = tmp_path_factory.mktemp("plot")
    rows = [
        {"cell_id": f"{lam}-{mu}-{s}", "model": "m", "lam": lam, "mu": mu, "seed": s,
         "test_acc": min(1.0, 0.5 + mu / 3 + 0.02 * s), "diverged": False}
        for lam in (0.0, 1.0) for mu in (0.0, 0.5, 1.0) for s in range(2)
    ]  # fmt: skip
    write_rows(folder, rows)
    argv = ["plot", str(folder), "--smooth", str(smooth)]
    argv += [] if level is None else [f"--level={level}"]
    argv += ["--best-of"] if best else []
    argv += [] if theory else ["--no-theory"]
    code = _exit_status(argv)
    err = capsys.readouterr().err
    assert code in (0, 2)
    if code == 2:
        assert len(err.strip().splitlines()) == 1


text_lines = st.lists(
    st.one_of(
        st.tuples(st.integers(-2, 30), st.integers(-2, 30)).map(lambda p: f"{p[0]} {p[1]}"),
        st.sampled_from(["# comment", "", "a b", "1", "3 4 5", "1.5 2"]),
    ),
    max_size=12,
)


@SETTINGS
@given(edges=text_lines, labels=st.lists(st.sampled_from(["0", "1", "-1", "x", "2"]), max_size=8))
def test_fuzzed_profile_files_give_statistics_or_exit_2(tmp_path_factory, capsys, edges, labels):
    folder = tmp_path_factory.mktemp("profile")
    (folder / "e.txt").write_text("\n".join(edges) + "\n")
    (folder / "y.txt").write_text("\n".join(labels) + "\n")
    code = _exit_status(["profile", str(folder / "e.txt"), "--labels", str(folder / "y.txt"),
                         "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1
    else:
        assert '"num_nodes"' in captured.out
