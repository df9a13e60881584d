"""The batched engine is exactly independent training: same forward pass, same parameters after
Adam, same accuracies and early-stopping epochs as the per-model reference path."""

import math
import platform
import sys

import numpy as np
import pytest
import torch

from gnnrg import csbm, train
from gnnrg.batched import TWINS, GraphStack, twin_class
from gnnrg.batched.sizing import LIMITS, batch_size, bytes_per_run
from gnnrg.models import MODELS, NodeClassifier
from gnnrg.training.batched import train_many
from gnnrg.training.protocol import build_model

LEARNED = [name for name, cls in MODELS.items() if issubclass(cls, NodeClassifier)]
SHAPES = [
    ("mlp", {}),
    ("logreg", {}),
    ("gcn", {}),
    ("gcn", {"layers": 3, "hidden": 4}),
    ("sage", {"layers": 3}),
    ("gat", {}),  # first layer on the features (10 <= 16 per head)
    ("gat", {"heads": 2, "layers": 3}),  # heads of 8: every layer on projected values
    ("transformer-local", {}),
    ("transformer-local", {"heads": 2}),
    ("transformer", {"heads": 2, "hidden": 8}),
]


@pytest.fixture(scope="module")
def graphs():
    # three classes, uneven degrees and an isolated node exercise empty neighbourhoods
    gs = [csbm(90, classes=3, avg_degree=4, lam=1.0, mu=1.0, seed=s) for s in range(3)]
    return gs


def _copies(name, knobs, count, classes=3, features=10):
    models = []
    for s in range(count):
        torch.manual_seed(s)
        models.append(build_model(name, features, classes, **knobs))
    return models


def test_models_without_a_twin_train_one_at_a_time_with_the_same_results():
    """The engine batches models that have a twin and falls back to the reference trainer
    for the others (sat, or a user's model): same numbers as gnnrg.train, batch 1."""
    from gnnrg import csbm, train

    untwinned = {name for name in LEARNED if twin_class(MODELS[name]) is None}
    assert "sat" in untwinned and "gcn" not in untwinned
    assert {t.__name__ for t in TWINS} >= {"GCNTwin", "MLPTwin"}
    g = [csbm(120, lam=2.0, mu=1.0, seed=s) for s in range(2)]
    h = [csbm(120, lam=2.0, mu=1.0, seed=10 + s) for s in range(2)]
    for name in sorted(untwinned):
        many = train_many(name, g, h, seeds=[0, 1], epochs=5)
        assert [r["batch"] for r in many] == [1, 1]
        one = train(name, g[1], h[1], epochs=5, seed=1)
        assert many[1]["test_acc"] == one["test_acc"], name


@pytest.mark.parametrize(("name", "knobs"), SHAPES)
def test_forward_matches_the_reference_models(name, knobs, graphs):
    models = _copies(name, knobs, len(graphs))
    twin = twin_class(models[0])(models)
    stack = GraphStack(graphs)
    for mode in ("eval", "train"):
        for m in [twin, *models]:
            m.train(mode == "train")
        out = twin(stack, **twin.prepare(stack))
        ref = torch.stack(
            [
                m(g.x, g.edge_index, **m.prepare(g.x, g.edge_index))
                for m, g in zip(models, graphs, strict=True)
            ]
        )
        torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-4)


def _adam(name, knobs, graphs, steps, dtype):
    """``steps`` full-batch Adam steps on a twin and on each of its models, in ``dtype``:
    (the twin's weights as models, the models)."""
    models = [m.to(dtype) for m in _copies(name, knobs, len(graphs))]
    twin = twin_class(models[0])(models)
    stack = GraphStack(graphs, dtype=dtype)
    opt = torch.optim.Adam(twin.parameters(), lr=0.01, weight_decay=1e-3)
    extra = twin.prepare(stack)
    for _ in range(steps):
        opt.zero_grad()
        logits = twin(stack, **{k: v.to(dtype) for k, v in extra.items()})
        loss = torch.nn.functional.cross_entropy(
            logits.flatten(0, 1), stack.y.flatten(), reduction="none"
        )
        loss.view(stack.batch, stack.n).mean(1).sum().backward()
        opt.step()
    for m, g in zip(models, graphs, strict=True):
        opt = torch.optim.Adam(m.parameters(), lr=0.01, weight_decay=1e-3)
        x = g.x.to(dtype)
        extra = {k: v.to(dtype) for k, v in m.prepare(x, g.edge_index).items()}
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(m(x, g.edge_index, **extra), g.y).backward()
            opt.step()
    fresh = [m.to(dtype) for m in _copies(name, knobs, len(graphs))]
    return twin.unstack(fresh), models


@pytest.mark.parametrize(("name", "knobs"), SHAPES)
@pytest.mark.parametrize(
    ("dtype", "steps", "tol"), [(torch.float64, 30, 1e-9), (torch.float32, 8, 2e-4)]
)
def test_adam_on_the_twin_is_adam_on_each_model(name, knobs, graphs, dtype, steps, tol):
    """Full-batch Adam steps: the batched parameters equal the one-at-a-time ones.

    In float64, thirty steps agree to 1e-9: the batched arithmetic is the models' arithmetic,
    reassociated. In float32 (the fused CPU kernels) eight steps agree to 2e-4; over longer runs
    a ReLU whose input sits within rounding of zero can switch on one side only, after which
    the two trajectories differ by more than rounding (as two BLAS builds would).

    In GPS the attention's key, value and output biases have an exactly zero gradient (softmax
    ignores a per-query constant; the batch norm after attention removes a per-channel one):
    Adam turns their float-noise gradients into steps of size lr in either path, so they, and
    the running mean they shift, are not compared.
    """
    batched, models = _adam(name, knobs, graphs, steps, dtype)
    for a, b in zip(batched, models, strict=True):
        for (key, va), vb in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
            if key.endswith("attn.in_proj_bias"):
                va, vb = va[: va.shape[0] // 3], vb[: vb.shape[0] // 3]  # the query bias
            elif key.endswith(("attn.out_proj.bias", "norm2.module.running_mean")):
                continue
            torch.testing.assert_close(va, vb, atol=tol, rtol=5 * tol, msg=key)


@pytest.mark.parametrize("name", LEARNED)
def test_train_many_reports_what_train_reports(name, graphs):
    tests = [csbm(90, classes=3, avg_degree=4, lam=1.0, mu=1.0, seed=10 + s) for s in range(3)]
    seeds = [np.random.SeedSequence(7, spawn_key=(s,)) for s in range(3)]
    many = train_many(name, graphs, tests, seeds=seeds, epochs=40, hidden=8)
    for r, g, h, s in zip(many, graphs, tests, seeds, strict=True):
        one = train(name, g, h, seed=s, epochs=40, hidden=8)
        assert r["model"] == one["model"] and r["num_parameters"] == one["num_parameters"]
        batch = 3 if twin_class(MODELS[name]) is not None else 1  # no twin: one at a time
        assert r["epochs_run"] == one["epochs_run"] == 40 and r["batch"] == batch
        # float rounding can flip a prediction whose margin is ~1e-6: allow one node; in GPS the
        # zero-gradient biases drift (see the Adam test) and shift eval-mode batch norm a little
        nodes = 5 if name == "transformer" else 1
        assert abs(r["test_acc"] - one["test_acc"]) <= nodes / 90 + 1e-6
        assert abs(r["train_acc"] - one["train_acc"]) <= nodes / 90 + 1e-6


def test_early_stopping_stops_each_run_where_the_reference_does():
    gs = [csbm(200, lam=1.5, mu=0.8, seed=s) for s in range(4)]
    kwargs = {"epochs": 200, "early_stopping": 5, "test_fraction": 0.3, "hidden": 8}
    many = train_many("sage", gs, seeds=list(range(4)), **kwargs)
    ones = [train("sage", g, seed=s, **kwargs) for s, g in enumerate(gs)]
    assert [r["epochs_run"] for r in many] == [r["epochs_run"] for r in ones]
    assert len({r["epochs_run"] for r in many}) > 1  # runs really stop at different epochs
    for a, b in zip(many, ones, strict=True):
        assert abs(a["val_acc"] - b["val_acc"]) <= 1 / 40 + 1e-6
        assert abs(a["test_acc"] - b["test_acc"]) <= 1 / 60 + 1e-6


def test_train_on_a_list_uses_the_engine_and_splits_batches(graphs):
    rs = train("gcn", graphs, seed=3, epochs=5)
    assert [r["batch"] for r in rs] == [3, 3, 3] and rs[0]["protocol"] == "transductive"
    small = train_many("gcn", graphs, seeds=3, epochs=5, batch_size=2)
    assert [r["batch"] for r in small] == [2, 2, 1]
    assert [r["test_acc"] for r in small] == pytest.approx([r["test_acc"] for r in rs], abs=0.03)


def test_unlearned_models_and_mixed_sizes_go_through(graphs):
    mixed = [*graphs, csbm(60, classes=3, avg_degree=4, lam=1.0, mu=1.0, seed=9)]
    rs = train_many("spectral", mixed, seeds=0)
    assert len(rs) == 4 and all(0 <= r["test_acc"] <= 1 for r in rs)
    rs = train_many("mlp", mixed, seeds=0, epochs=3)
    assert [r["batch"] for r in rs] == [3, 3, 3, 1]


def test_bad_batched_input_is_named(graphs):
    with pytest.raises(ValueError, match="graphs\\[1\\] has 60 nodes"):
        GraphStack([graphs[0], csbm(60, seed=0)])
    with pytest.raises(ValueError, match="seeds has 2 entries"):
        train_many("gcn", graphs, seeds=[0, 1])
    with pytest.raises(ValueError, match="test_graphs has 1 graphs"):
        train_many("gcn", graphs, graphs[:1])
    with pytest.raises(ValueError, match="not an instance"):
        train_many(build_model("gcn", 10, 3), graphs)
    with pytest.raises(ValueError, match="epochs"):
        train_many("gcn", graphs, epochs=-1)
    with pytest.raises(ValueError, match="budget"):
        batch_size("gcn", graphs[0], {}, 3, budget=0)


def test_batch_size_follows_the_memory_budget():
    g = csbm(1000, seed=0)
    per_run = bytes_per_run("gat", g, {"hidden": 16, "layers": 2, "heads": 1}, 2)
    assert batch_size("gat", g, {}, 2, budget=10.5 * per_run) == 10
    assert batch_size("gat", g, {}, 2, budget=1.0) == 1
    assert batch_size("gat", g, {}, 2, budget=1e15, limit=64) == 64
    assert batch_size("gat", g, {}, 2, budget=1e15) == LIMITS["cpu"] < LIMITS["cuda"]
    assert batch_size("gat", g, {}, 2, budget=1e15, device="cuda:0") == LIMITS["cuda"]
    assert bytes_per_run("transformer", g, {"heads": 4}, 2) > 4 * bytes_per_run("gcn", g, {}, 2)


@pytest.mark.slow
def test_dropout_runs_follow_the_reference_distribution():
    """With dropout the masks differ; mean test accuracy over 12 graphs agrees within 4 SE."""
    gs = [csbm(400, lam=1.0, mu=0.6, seed=s) for s in range(12)]
    hs = [csbm(400, lam=1.0, mu=0.6, seed=100 + s) for s in range(12)]
    kwargs = {"epochs": 100, "dropout": 0.5}
    many = np.array(
        [r["test_acc"] for r in train_many("gcn", gs, hs, seeds=list(range(12)), **kwargs)]
    )
    ones = np.array(
        [
            train("gcn", g, h, seed=s, **kwargs)["test_acc"]
            for s, (g, h) in enumerate(zip(gs, hs, strict=True))
        ]
    )
    diff = many - ones
    se = diff.std(ddof=1) / math.sqrt(len(diff))
    assert abs(diff.mean()) <= 4 * se + 1e-3


@pytest.mark.gpu
@pytest.mark.parametrize(("name", "knobs"), SHAPES)
def test_cuda_forward_matches_cpu(name, knobs, graphs):
    models = _copies(name, knobs, len(graphs))
    twin = twin_class(models[0])(models).eval()
    cpu = twin(GraphStack(graphs), **twin.prepare(GraphStack(graphs)))
    twin = twin.to("cuda")
    stack = GraphStack(graphs, "cuda")
    torch.testing.assert_close(twin(stack, **twin.prepare(stack)).cpu(), cpu, atol=1e-4, rtol=1e-3)


@pytest.mark.skipif(
    not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"), reason="glibc"
)
def test_the_engine_keeps_freed_memory_on_glibc():
    from gnnrg.batched.allocator import retain_freed_memory

    assert retain_freed_memory()


@pytest.mark.parametrize("name", ["mlp", "logreg"])
def test_row_wise_models_train_on_their_training_rows_only(name, graphs, monkeypatch):
    """MLP and logistic regression train on a gather of each model's training nodes instead
    of every node with a mask: in float64, 30 epochs leave the same weights to 1e-10, with a
    different training set per model (transductive splits)."""
    import gnnrg.training.batched as engine
    from gnnrg.training.protocol import check_options, plan_run

    options = check_options(
        protocol="transductive", has_test_data=False, epochs=30, lr=0.02, weight_decay=1e-3,
        val_fraction=0.2, test_fraction=0.3, early_stopping=None,
    )  # fmt: skip
    runs = [plan_run(g, None, s, options) for s, g in enumerate(graphs)]
    assert len({tuple(r.train_idx) for r in runs}) == 3
    stack = GraphStack(graphs, dtype=torch.float64)
    weights = {}
    for path in ("rows", "masked"):
        if path == "masked":
            monkeypatch.setattr(engine, "_train_rows", lambda *args: None)
        twin = twin_class(_copies(name, {}, 3)[0])(_copies(name, {}, 3)).to(torch.float64)
        assert (engine._train_rows(twin, stack, runs) is None) == (path == "masked")
        metrics = engine._fit(twin, stack, None, runs, options)
        weights[path] = (twin.tensors(), metrics)
    for key, value in weights["rows"][0].items():
        torch.testing.assert_close(value, weights["masked"][0][key], atol=1e-10, rtol=1e-9)
    assert weights["rows"][1] == weights["masked"][1]
