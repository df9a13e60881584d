"""Contract tests over every registered model, the training protocols, and agreement with a
plain PyTorch Geometric implementation of the study's protocol."""

import math

import networkx as nx
import numpy as np
import pytest
import torch

from gnnrg import csbm, from_networkx, train
from gnnrg.models import MODELS, NodeClassifier, resolve_model
from gnnrg.training.batched import train_many

LEARNED = [name for name, cls in MODELS.items() if issubclass(cls, NodeClassifier)]


@pytest.fixture(scope="module")
def graphs():
    return csbm(300, classes=3, avg_degree=8, lam=1.5, mu=1.5, seed=0), csbm(
        300, classes=3, avg_degree=8, lam=1.5, mu=1.5, seed=1
    )


@pytest.mark.parametrize("name", LEARNED)
def test_every_learned_model_keeps_the_contract(name, graphs):
    g, _ = graphs
    cls = resolve_model(name)
    model = cls(g.x.shape[1], 3, hidden=8, layers=3, heads=2, dropout=0.1)
    layers = 1 if name == "logreg" else 3  # logistic regression is one linear layer
    f = g.x.shape[1]
    assert repr(model) == f"{cls.__name__}({f}, 3, hidden=8, layers={layers}, heads=2, dropout=0.1)"
    out = model(g.x, g.edge_index, **model.prepare(g.x, g.edge_index))
    assert out.shape == (300, 3) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_trains_deterministically_on_three_classes(name, graphs):
    g, h = graphs
    a = train(name, g, h, epochs=40, hidden=8, seed=5)
    b = train(name, g, h, epochs=40, hidden=8, seed=5)
    assert a["test_acc"] == b["test_acc"] and a["model"] == name
    # chance is 1/3; λ = 1.5 and μ = 1.5 are both informative. Louvain, which optimises
    # modularity rather than the SBM likelihood, is the weakest baseline here
    assert a["test_acc"] > (0.45 if name == "louvain" else 0.5)


def test_training_does_not_touch_global_torch_seed(graphs):
    g, h = graphs
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    train("gcn", g, h, epochs=5, dropout=0.5)
    assert torch.equal(torch.rand(1), expected)


def test_transductive_split_and_early_stopping():
    g = csbm(600, lam=2.0, mu=1.0, seed=3)
    r = train("gcn", g, epochs=300, early_stopping=10, val_fraction=0.2, test_fraction=0.3)
    assert r["protocol"] == "transductive" and r["epochs_run"] < 300
    assert not math.isnan(r["val_acc"]) and r["test_acc"] > 0.8


def test_custom_networkx_graph_trains():
    G = nx.karate_club_graph()
    rng = np.random.default_rng(0)
    for i in G:
        G.nodes[i]["x"] = rng.normal(size=4)
    data = from_networkx(G, label="club")
    r = train("gcn", data, epochs=100, seed=0, val_fraction=0.0, test_fraction=0.3)
    assert r["train_acc"] > 0.8  # graph structure alone separates the clubs


def test_bad_training_arguments_are_named(graphs):
    g, h = graphs
    with pytest.raises(ValueError, match=r"Could not resolve 'gcm' among choices \['mlp'"):
        train("gcm", g, h)
    with pytest.raises(ValueError, match=r"protocol='fresh-graph' needs test_data"):
        train("gcn", g, protocol="fresh-graph")
    with pytest.raises(ValueError, match=r"lr=0.0: Input should be greater than 0"):
        train("gcn", g, h, lr=0.0)
    with pytest.raises(ValueError, match=r"dropout=1.5: Input should be less than 1"):
        train("gcn", g, h, dropout=1.5)
    with pytest.raises(TypeError, match=r"unknown training option\(s\) \['epoch'\]; valid: "):
        train_many("gcn", [g], epoch=3)


def test_train_signature_is_the_training_options():
    """train's options and defaults are TrainOptions' fields (one declaration, checked), and the
    sweep file's train section and model entries take the same names and ranges."""
    import inspect

    from gnnrg.sweep.config import ModelSpec, TrainConfig
    from gnnrg.training.options import OVERRIDABLE, TrainOptions

    signature = inspect.signature(train).parameters
    for name, field in TrainOptions.model_fields.items():
        assert signature[name].default == field.default, name
    assert set(TrainConfig.model_fields) == set(TrainOptions.model_fields)
    assert set(ModelSpec.model_fields) == {"name", *OVERRIDABLE}
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        ModelSpec(name="gcn", layers=0)
    assert ModelSpec(name="gcn", layers=3).options(TrainConfig())["layers"] == 3


def plain_pyg_gcn_accuracy(train_graph, test_graph, seed):
    """The study's protocol written directly in PyG, as a reader would write it."""
    from torch_geometric.nn import GCNConv

    torch.manual_seed(seed)
    conv1, conv2 = GCNConv(train_graph.x.shape[1], 16), GCNConv(16, 2)
    params = [*conv1.parameters(), *conv2.parameters()]
    opt = torch.optim.Adam(params, lr=0.01)

    def forward(d):
        return conv2(torch.relu(conv1(d.x, d.edge_index)), d.edge_index)

    for _ in range(100):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(forward(train_graph), train_graph.y).backward()
        opt.step()
    with torch.no_grad():
        return float((forward(test_graph).argmax(1) == test_graph.y).float().mean())


def test_accuracy_agrees_with_plain_pyg_within_noise():
    ours, plain = [], []
    for s in range(8):
        g = csbm(1000, lam=1.0, mu=0.4, seed=100 + s)
        h = csbm(1000, lam=1.0, mu=0.4, seed=200 + s)
        with torch.random.fork_rng():
            plain.append(plain_pyg_gcn_accuracy(g, h, seed=s))
        ours.append(train("gcn", g, h, epochs=100, seed=s)["test_acc"])
    ours, plain = np.array(ours), np.array(plain)
    # paired over the same graphs: the mean difference is within 4 standard errors
    diff = ours - plain
    se = diff.std(ddof=1) / math.sqrt(len(diff)) + 1e-3
    assert abs(diff.mean()) <= 4 * se, (ours.mean(), plain.mean())
    assert ours.mean() > 0.6


def test_sat_attends_globally_with_structure_aware_queries():
    """SAT's attention reaches every node (a change far outside a node's k-hop subtree moves
    its output), and the model learns an easy cSBM."""
    from gnnrg.models import StructureAwareTransformer

    g = csbm(200, lam=2.0, mu=1.0, seed=0)
    torch.manual_seed(0)
    model = StructureAwareTransformer(10, 2, k_hops=1, layers=1).eval()
    ei = g.edge_index
    neighbours = set(ei[1, ei[0] == 0].tolist()) | {0}
    far = next(v for v in range(200) if v not in neighbours)
    x = g.x.clone()
    before = model(x, ei)[0]
    x[far] += 5.0
    assert not torch.allclose(model(x, ei)[0], before)
    g, h = csbm(200, lam=2.0, mu=1.5, seed=0), csbm(200, lam=2.0, mu=1.5, seed=1)
    accs = sorted(train("sat", g, h, epochs=100, seed=s)["test_acc"] for s in range(3))
    assert accs[1] > 0.9, accs  # the median run (a run can collapse to one class: see paper_figs)


def test_one_graph_and_a_list_of_it_agree_seed_for_seed():
    g, h = csbm(300, lam=1.0, mu=0.8, seed=0), csbm(300, lam=1.0, mu=0.8, seed=1)
    for model in ("gcn", "mlp"):
        one = train(model, g, h, epochs=30, seed=3)
        (listed,) = train(model, [g], [h], epochs=30, seed=3)
        for key in ("train_acc", "test_acc", "epochs_run", "diverged"):
            assert one[key] == pytest.approx(listed[key], abs=1e-6), (model, key)
