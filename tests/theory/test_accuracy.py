"""Theory against Monte Carlo from gnnrg's own generator.

Each check passes when |theory - MC| <= Z·SE + bias_allowance, with SE over independent graphs.
The fast default runs a few points; the full sparse + dense table is marked slow (CI runs it).
"""

import networkx as nx
import numpy as np
import pytest

from gnnrg.parameters import block_probabilities, expected_neighbours
from gnnrg.theory import (
    features_only_accuracy,
    graph_average_accuracy,
    it_threshold_mu,
    nodewise_accuracy,
    one_layer_accuracy,
    two_layer_tree_accuracy,
    weak_recovery_statistic,
)
from gnnrg.theory.montecarlo import simulate_accuracy

Z = 4.0
NORMS = ["sum", "sum-self", "mean", "sym"]


def check(theory, mc, se, slack=0.0):
    assert abs(theory - mc) <= Z * se + slack, f"theory {theory:.4f} vs MC {mc:.4f} ± {se:.4f}"


@pytest.mark.parametrize("norm", NORMS)
def test_one_layer_matches_monte_carlo_sparse(norm):
    n, d, lam, mu = 2000, 10, 1.0, 0.5
    p_in, p_out = block_probabilities(n, d, lam)
    mc, se = simulate_accuracy(n, p_in, p_out, mu, layers=1, norm=norm, graphs=30)
    check(one_layer_accuracy(n, p_in, p_out, mu, norm=norm)["accuracy"], mc, se)


@pytest.mark.slow
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize(
    "n,d,lam,mu",
    [(1000, 5, -1.5, 0.6), (1000, 15, 2.0, 0.3), (600, 50, 2.5, 0.3), (400, 100, -3.0, 0.25)],
)
def test_one_layer_matches_monte_carlo_table(n, d, lam, mu, norm):
    p_in, p_out = block_probabilities(n, d, lam)
    mc, se = simulate_accuracy(n, p_in, p_out, mu, layers=1, norm=norm, graphs=200)
    check(one_layer_accuracy(n, p_in, p_out, mu, norm=norm)["accuracy"], mc, se)


@pytest.mark.parametrize("norm", ["sum-self", "sym"])
def test_two_layer_graph_average_matches_monte_carlo(norm):
    n, d, lam, mu = 1000, 8, 1.5, 0.3
    p_in, p_out = block_probabilities(n, d, lam)
    mc, se = simulate_accuracy(n, p_in, p_out, mu, layers=2, norm=norm, graphs=40, seed=1)
    th = graph_average_accuracy(n, p_in=p_in, p_out=p_out, mu=mu, layers=2, norm=norm, graphs=20)
    check(th["accuracy"], mc, np.hypot(se, th["stderr"]))


@pytest.mark.slow
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n,d,lam,mu", [(1000, 10, -1.0, 0.4), (400, 60, 2.0, 0.3)])
def test_two_layer_graph_average_table(n, d, lam, mu, norm):
    p_in, p_out = block_probabilities(n, d, lam)
    mc, se = simulate_accuracy(n, p_in, p_out, mu, layers=2, norm=norm, graphs=300, seed=2)
    th = graph_average_accuracy(n, p_in=p_in, p_out=p_out, mu=mu, layers=2, norm=norm, graphs=60)
    check(th["accuracy"], mc, np.hypot(se, th["stderr"]))


def test_two_layer_tree_formula_holds_on_sparse_graphs_and_drifts_on_dense():
    n, mu = 4000, 0.3
    p_in, p_out = block_probabilities(n, 5, 1.5)
    c_s, c_d = expected_neighbours(n, p_in, p_out)
    mc, se = simulate_accuracy(n, p_in, p_out, mu, layers=2, norm="sum-self", graphs=30)
    # sparse: the tree misses only the O(d²/n) short cycles
    check(two_layer_tree_accuracy(c_s, c_d, mu)["accuracy"], mc, se, slack=0.005)
    n = 400
    p_in, p_out = block_probabilities(n, 60, 2.0)
    c_s, c_d = expected_neighbours(n, p_in, p_out)
    dense = graph_average_accuracy(n, p_in=p_in, p_out=p_out, mu=mu, layers=2, norm="sum-self")
    assert two_layer_tree_accuracy(c_s, c_d, mu)["accuracy"] - dense["accuracy"] > 0.05


def test_poisson_limit_approaches_binomial():
    n = 100_000
    p_in, p_out = block_probabilities(n, 8, 1.0)
    fin = one_layer_accuracy(n, p_in, p_out, 0.4, norm="sum")["accuracy"]
    poi = one_layer_accuracy(n, p_in, p_out, 0.4, norm="sum", finite=False)["accuracy"]
    assert abs(fin - poi) < 5e-4


def test_a_vanishing_edge_probability_is_no_edge():
    """A subnormal p (found by the fuzz test: scipy's binomial overflowed on it) counts as 0:
    no neighbours, the features alone."""
    tiny = one_layer_accuracy(4, 0.0, 1.1125369292536007e-308, 0.5, norm="sum")
    assert tiny == one_layer_accuracy(4, 0.0, 0.0, 0.5, norm="sum")


def test_no_aggregation_beats_features_at_lam_zero():
    n, mu = 1000, 0.7
    p = 10 / n
    for norm in NORMS:
        acc = one_layer_accuracy(n, p, p, mu, norm=norm)["accuracy_best_sign"]
        assert acc <= features_only_accuracy(mu) + 1e-9


def test_heterophily_best_sign_flips():
    p_in, p_out = block_probabilities(1000, 10, -2.0)
    r = one_layer_accuracy(1000, p_in, p_out, 0.5, norm="mean")
    assert r["accuracy"] < 0.3 and r["accuracy_best_sign"] == pytest.approx(1 - r["accuracy"])


def test_nodewise_exact_formula_matches_simulation_on_a_fixed_graph():
    G = nx.karate_club_graph()
    y = np.array([int(G.nodes[i]["club"] == "Officer") for i in G])
    v = np.where(y == 1, 1.0, -1.0)
    from gnnrg.edgelist import edge_array
    from gnnrg.theory import filter_matrix

    e, n = edge_array(G)
    k = filter_matrix(e, n, "sym") @ filter_matrix(e, n, "sym")
    rng = np.random.default_rng(0)
    reps, mu = 20_000, 0.5
    x = mu * v[:, None] + rng.standard_normal((n, reps))
    correct = (v[:, None] * (k @ x) > 0).mean(axis=1)
    exact = nodewise_accuracy(G, y, mu, layers=2, norm="sym")
    se = np.sqrt(exact * (1 - exact) / reps)
    assert np.all(np.abs(correct - exact) <= Z * se + 1e-3)


def test_nodewise_is_sparse_on_large_graphs():
    from gnnrg import csbm

    data = csbm(100_000, avg_degree=10, lam=1.0, mu=0.5, seed=0, num_features=1)
    acc = nodewise_accuracy(data, data.y, 0.5, layers=2, norm="sym")
    assert acc.shape == (100_000,) and 0.5 < acc.mean() < 1


def test_information_theoretic_threshold_conversions():
    n, f = 1000, 10
    mu = it_threshold_mu(np.array([0.0, 0.6, 1.2]), n=n, num_features=f)
    assert np.allclose(
        weak_recovery_statistic(np.array([0.0, 0.6]), mu[:2], n=n, num_features=f), 1.0
    )
    assert mu[2] == 0.0


def test_nodewise_errors_name_arguments():
    G = nx.path_graph(4)
    with pytest.raises(ValueError, match=r"labels has 3 entries; the graph has 4 nodes"):
        nodewise_accuracy(G, [0, 1, 0], 1.0)
    with pytest.raises(ValueError, match=r"norm='gcn' is not valid; choose one of"):
        nodewise_accuracy(G, [0, 1, 0, 1], 1.0, norm="gcn")
    with pytest.raises(ValueError, match=r"mu=-1 must be >= 0"):
        nodewise_accuracy(G, [0, 1, 2, 1], -1.0)
