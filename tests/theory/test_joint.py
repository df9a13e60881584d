"""The joint (features + edges) Bayes-optimal accuracy against AMP with a feature field, run
on gnnrg's own cSBM graphs; and its limits."""

import numpy as np
import pytest

from gnnrg import csbm
from gnnrg.edgelist import edge_array
from gnnrg.theory import (
    amp_labels,
    features_only_accuracy,
    graph_only_bayes_accuracy,
    joint_bayes_accuracy,
)

N, GRAPHS = 4000, 10


@pytest.mark.parametrize(
    ("d", "lam", "mu"), [(50, 0.8, 0.5), (100, 1.2, 0.4), (100, -1.0, 0.6), (50, 1.5, 0.3)]
)
def test_amp_with_feature_field_matches_the_joint_state_evolution(d, lam, mu):
    """Over 10 independent graphs (n = 4000, F = 10, class means ±μ e₀ known): AMP with the
    field μ x₀/σ² reaches the dense-limit joint Bayes accuracy, within 4 SE plus the finite-d
    slack of the graph-only check (0.005). Measured: +0.0005, +0.0023, +0.0043, +0.0016."""
    accs = []
    for s in range(GRAPHS):
        g = csbm(N, avg_degree=d, lam=lam, mu=mu, sigma=1.0, seed=s)
        edges, n = edge_array(g)
        field = mu * g.x.numpy()[:, 0].astype(float)  # half the features' log-odds
        m = amp_labels(edges, n, avg_degree=d, lam=lam, field=field, iterations=100)
        accs.append(np.mean(np.sign(m) == 2 * g.y.numpy() - 1))  # the field fixes the sign
    theory = float(joint_bayes_accuracy(lam, mu, n=N, avg_degree=d))
    se = np.std(accs, ddof=1) / np.sqrt(GRAPHS)
    assert abs(np.mean(accs) - theory) <= 4 * se + 0.005, (np.mean(accs), theory, se)
    # and the two channels together beat each alone by more than the noise
    alone = max(features_only_accuracy(mu), graph_only_bayes_accuracy(lam, n=N, avg_degree=d))
    assert np.mean(accs) > alone + 4 * se


def test_joint_limits_and_order():
    lam = np.linspace(-3, 3, 25)[:, None]
    mu = np.linspace(0, 2, 21)[None, :]
    joint = joint_bayes_accuracy(lam, mu, sigma=1.3)
    feats = features_only_accuracy(mu, 1.3)
    graph = graph_only_bayes_accuracy(lam)
    np.testing.assert_allclose(joint[:, 0], graph[:, 0], atol=1e-9)  # μ = 0: edges only
    np.testing.assert_allclose(joint[12], feats[0], atol=1e-12)  # λ = 0: features only
    assert np.all(joint >= np.maximum(feats, graph) - 1e-9)
    assert np.all(np.diff(joint, axis=1) >= -1e-12)  # more feature signal never hurts
    assert np.all(np.diff(joint[12:], axis=0) >= -1e-12)  # nor more edge signal
    np.testing.assert_allclose(joint, joint[::-1])  # heterophily: the same information


def test_bad_joint_input_is_named():
    with pytest.raises(ValueError, match="sigma=0"):
        joint_bayes_accuracy(1.0, 0.5, sigma=0)
    with pytest.raises(ValueError, match="mu="):
        joint_bayes_accuracy(1.0, -0.5)
    with pytest.raises(ValueError, match=r"field has shape \(3,\); expected \(10,\)"):
        amp_labels(np.array([[0], [1]]), 10, avg_degree=2, lam=1.0, field=np.zeros(3))


def test_state_evolution_is_solved_near_kesten_stigum():
    """Just above λ = 1 the iteration converges slowly; the solver must still land on the
    fixed point (residual), and on the small-γ expansion γ* ≈ λ² − 1."""
    from scipy.special import ndtri

    from gnnrg.theory.graph_only import _overlap

    for lam in (1.0001, 1.001, 1.01, 1.1):
        gamma = float(ndtri(graph_only_bayes_accuracy(lam))) ** 2
        assert abs(lam**2 * float(_overlap(gamma)) - gamma) < 1e-10 * max(gamma, 1e-3)
        if lam < 1.005:
            assert gamma == pytest.approx(lam**2 - 1, rel=0.02)
