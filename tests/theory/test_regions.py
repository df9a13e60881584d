"""Where a linear GCN beats features only: λ = 0 never, strong graphs do, and the one-layer
sum-self gain agrees with the dense mean-field condition."""

import numpy as np

from gnnrg.parameters import block_probabilities, expected_neighbours
from gnnrg.theory.accuracy import one_layer_accuracy
from gnnrg.theory.baselines import features_only_accuracy, gcn_beats_features
from gnnrg.theory.regions import gcn_gain


def test_no_gcn_gains_without_graph_signal_and_strong_graphs_gain():
    mu = np.array([0.1, 0.3, 0.6, 1.0])
    r = gcn_gain([-2.0, 0.0, 2.0], mu)
    assert r["no_gain"][1].all()  # λ = 0
    assert (r["gain"][[0, 2]] > 0.02).all()  # |λ| = 2 helps at every μ here (heterophily too)
    assert r["best"].shape == (3, 4) and (r["best"] <= 1).all()


def test_sum_self_gain_follows_the_dense_mean_field_condition():
    n, d, mu = 4000, 50.0, 0.05  # dense, and weak features (where the condition is derived)
    for lam in (-1.5, -0.5, -0.1, 0.1, 0.5, 1.5):
        p_in, p_out = block_probabilities(n, d, lam, 2)
        c_s, c_d = expected_neighbours(n, p_in, p_out)
        # the condition is on |1 + c_s − c_d|: the read-out's sign is free (heterophily flips it)
        acc = one_layer_accuracy(n, p_in, p_out, mu, norm="sum-self")["accuracy_best_sign"]
        assert (acc > features_only_accuracy(mu)) == gcn_beats_features(c_s, c_d), lam


def test_one_entry_point_matches_each_evaluator():
    """linear_gcn_accuracy dispatches to the evaluator it names and returns its numbers."""
    import numpy as np

    from gnnrg.parameters import block_probabilities, expected_neighbours
    from gnnrg.theory import (
        linear_gcn_accuracy,
        one_layer_accuracy,
        two_layer_accuracy,
        two_layer_tree_accuracy,
    )

    p_in, p_out = block_probabilities(1000, 10.0, 1.5)
    mus = np.array([0.3, 0.6])
    for norm in ("sum", "mean", "sym", "sum-self"):
        one = linear_gcn_accuracy(1000, p_in, p_out, mus, layers=1, norm=norm)
        ref = one_layer_accuracy(1000, p_in, p_out, mus, norm=norm)
        assert np.allclose(one["accuracy"], ref["accuracy"])
        two = linear_gcn_accuracy(1000, p_in, p_out, mus, layers=2, norm=norm)
        ref = two_layer_accuracy(1000, p_in, p_out, mus, norm=norm, samples=100_000)
        assert np.allclose(two["accuracy_best_sign"], ref["accuracy_best_sign"])
        point = linear_gcn_accuracy(1000, p_in, p_out, 0.3, layers=2, norm=norm)
        assert (
            point["accuracy"] == two_layer_accuracy(1000, p_in, p_out, 0.3, norm=norm)["accuracy"]
        )
    tree = linear_gcn_accuracy(1000, p_in, p_out, 0.5, layers=2, norm="sum", method="tree")
    ref = two_layer_tree_accuracy(*expected_neighbours(1000, p_in, p_out), 0.5, norm="sum",
                                  samples=100_000)  # fmt: skip
    assert tree["accuracy"].shape == () and np.isclose(tree["accuracy"], ref["accuracy"])
