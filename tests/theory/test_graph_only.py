"""Graph-only baselines against AMP and spectral clustering run on gnnrg's own graphs."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from gnnrg.generators.csbm import sample_block_graph
from gnnrg.parameters import block_probabilities
from gnnrg.theory.baselines import features_only_accuracy
from gnnrg.theory.graph_only import (
    amp_labels,
    graph_only_bayes_accuracy,
    graph_only_spectral_accuracy,
)

N, GRAPHS = 4000, 10


def _best_sign(scores, labels):
    acc = np.mean(np.sign(scores) == 2 * labels - 1)
    return max(acc, 1 - acc)


def _spectral(edges, n, d):
    a = sp.coo_matrix((np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(n, n)).tocsr()
    a = a + a.T
    op = sla.LinearOperator((n, n), matvec=lambda x: (a @ x - d / n * x.sum()) / np.sqrt(d))
    return sla.eigsh(op, k=1, which="LM")[1][:, 0]  # the outlier, either sign of λ


@pytest.mark.parametrize(("d", "lam"), [(100, 1.5), (100, -2.0), (50, 2.0)])
def test_dense_amp_and_spectral_match_their_state_evolution(d, lam):
    """Over 10 independent graphs (n = 4000). AMP's measured excess over the dense-limit
    Bayes curve is finite-d (Bernoulli, not Gaussian, noise): ≤ 0.005 at d ≥ 50."""
    p_in, p_out = block_probabilities(N, d, lam, 2)
    amp, spec = [], []
    for s in range(GRAPHS):
        edges, y = sample_block_graph(N, 2, p_in, p_out, np.random.default_rng(s))
        amp.append(_best_sign(amp_labels(edges, N, avg_degree=d, lam=lam, seed=s), y))
        spec.append(_best_sign(_spectral(edges, N, d), y))
    for measured, theory, slack in (
        (amp, graph_only_bayes_accuracy(lam, n=N, avg_degree=d), 0.005),
        (spec, graph_only_spectral_accuracy(lam, n=N, avg_degree=d), 0.0),
    ):
        se = np.std(measured, ddof=1) / np.sqrt(GRAPHS)
        assert abs(np.mean(measured) - theory) <= 4 * se + slack, (np.mean(measured), theory, se)


def test_graph_only_forms_are_ordered_and_vanish_below_ks():
    lam = np.linspace(-3, 3, 61)
    bayes, spec = graph_only_bayes_accuracy(lam), graph_only_spectral_accuracy(lam)
    assert np.all(bayes >= spec - 1e-12) and np.all(bayes[np.abs(lam) <= 1] == 0.5)
    assert np.all(np.diff(bayes[lam >= 0]) >= -1e-12)  # more signal never hurts
    np.testing.assert_allclose(bayes, bayes[::-1])  # heterophily: the best sign
    # near KS the Bayes curve rises continuously, the spectral one as sqrt(λ² − 1)
    assert graph_only_bayes_accuracy(1.0001) < 0.51


def test_graph_only_is_the_features_only_form_of_a_scalar_channel():
    """Φ(√γ) is features-only accuracy at signal √γ: the scalar channel AMP reduces to."""
    lam = 2.0
    gamma = float(
        lam**2
        * np.mean(np.tanh(3.6 + np.sqrt(3.6) * np.random.default_rng(0).standard_normal(400_000)))
    )
    # one fixed-point step from γ = 3.6 stays near γ* (≈ 3.6 at λ = 2)
    assert graph_only_bayes_accuracy(lam) == pytest.approx(
        features_only_accuracy(np.sqrt(gamma)), abs=2e-3
    )


def test_bad_graph_only_input_is_named():
    with pytest.raises(ValueError, match="avg_degree"):
        graph_only_bayes_accuracy(1.5, n=100, avg_degree=200)
    with pytest.raises(ValueError, match=r"expected \(2, m\)"):
        amp_labels(np.zeros((5, 2), dtype=int), 10, avg_degree=2, lam=1.0)
