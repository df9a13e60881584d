"""k-class and degree-corrected theory against Monte Carlo from gnnrg's own generator.

The bar is |theory − MC| <= 0.002 + 4 SE (SE over independent graphs); the fast default runs a
few points, the slow ones the table of theory/error_table_variants.md.
"""

import json

import numpy as np
import pytest
from scipy.special import ndtr

from gnnrg.cli import main
from gnnrg.edgelist import edge_array
from gnnrg.generators.csbm import csbm
from gnnrg.parameters import block_probabilities, lam_from_probabilities
from gnnrg.theory import (
    features_only_accuracy,
    filter_matrix,
    graph_average_accuracy,
    graph_only_bayes_accuracy,
    graph_only_spectral_accuracy,
    it_threshold_mu,
    linear_gcn_accuracy,
    nodewise_accuracy,
    one_layer_accuracy,
    weak_recovery_statistic,
)
from gnnrg.theory.kclass import Component, argmax_probability, count_accuracy, on_nodes
from gnnrg.theory.montecarlo import simulate_accuracy

Z, SLACK = 4.0, 0.002


def check(theory, mc, se):
    assert abs(theory - mc) <= Z * se + SLACK, f"theory {theory:.4f} vs MC {mc:.4f} ± {se:.4f}"


def law(name, shape):
    if name is None:
        return {}
    return {"degree_law": name, "degree_exponent" if name == "powerlaw" else "degree_sigma": shape}


def test_nodewise_k_classes_matches_simulated_features():
    """The argmax integral given the graph against features drawn and classified."""
    data = csbm(600, classes=5, avg_degree=8, lam=0.8, mu=0.8, num_features=5, seed=3)
    y = data.y.numpy()
    exact = nodewise_accuracy(data, y, 0.8, layers=2, norm="sym")
    k = filter_matrix(edge_array(data)[0], 600, "sym")
    rng = np.random.default_rng(0)
    hits = np.zeros(600)
    draws = 400
    for _ in range(draws):
        x = 0.8 * np.eye(5)[y] + rng.standard_normal((600, 5))
        hits += (k @ (k @ x)).argmax(axis=1) == y
    freq = hits / draws
    # node by node, within binomial error, and on average to 3 decimals
    assert np.abs(freq - exact).max() < 5 * np.sqrt(0.25 / draws)
    assert abs(freq.mean() - exact.mean()) < 0.003


def test_argmax_probability_limits():
    assert argmax_probability(np.zeros(4)) == pytest.approx(0.2, abs=1e-6)  # 24-node rule
    assert argmax_probability(np.full(3, 40.0)) == pytest.approx(1.0, abs=1e-9)
    # one rival: P(Z + m > Z') = Φ(m/√2)
    assert argmax_probability(np.array([0.7])) == pytest.approx(ndtr(0.7 / np.sqrt(2)), abs=1e-7)


def test_on_nodes_interpolates_steep_curves():
    s = np.linspace(-2, 2, 401)
    assert np.abs(on_nodes(lambda v: ndtr(10 * v), s) - ndtr(10 * s)).max() < 1e-6


def test_two_class_components_equal_the_exact_form():
    comp = [Component(1.0, 499, 0.0158, 500, 0.0042)]
    mus = np.linspace(0, 2, 50)
    mixed = count_accuracy(mus, comp, 2, self_loop=True)
    exact = one_layer_accuracy(1000, 0.0158, 0.0042, mus)["accuracy"]
    assert np.abs(mixed - exact).max() < 1e-9  # the Chebyshev carry-over


@pytest.mark.parametrize(
    "n,k,d,lam,mu,norm",
    [
        (999, 3, 10, 1.0, 0.5, "mean"),
        (1001, 7, 5, 1.0, 0.8, "sum"),
        (1000, 5, 10, -0.4, 0.7, "sym"),
    ],
)
def test_k_class_one_layer_matches_graph_average(n, k, d, lam, mu, norm):
    p_in, p_out = block_probabilities(n, d, lam, k)
    ref = graph_average_accuracy(
        n, layers=1, norm=norm, graphs=40, classes=k, p_in=p_in, p_out=p_out, mu=mu
    )
    theory = one_layer_accuracy(n, p_in, p_out, mu, norm=norm, classes=k)["accuracy"]
    check(theory, ref["accuracy"], ref["stderr"])


@pytest.mark.parametrize(
    "k,d,lam,name,shape,norm",
    [(2, 10, 1.0, "powerlaw", 2.5, "mean"), (3, 10, -0.4, "lognormal", 1.0, "mean"),
     (2, 10, -1.5, "powerlaw", 3.0, "sym"), (5, 10, -0.4, "lognormal", 1.0, "sym")],
)  # fmt: skip
def test_degree_corrected_one_layer_matches_graph_average(k, d, lam, name, shape, norm):
    n, mu = 999 if k == 3 else 1000, 0.5
    p_in, p_out = block_probabilities(n, d, lam, k)
    ref = graph_average_accuracy(
        n, layers=1, norm=norm, graphs=60, classes=k, p_in=p_in, p_out=p_out, mu=mu,
        **law(name, shape),
    )  # fmt: skip
    theory = one_layer_accuracy(n, p_in, p_out, mu, norm=norm, classes=k, **law(name, shape))
    check(theory["accuracy"], ref["accuracy"], ref["stderr"])


@pytest.mark.parametrize(
    "k,norm,law", [(3, "mean", None), (5, "sym", None), (2, "mean", "lognormal")]
)
def test_one_layer_control_variate_sharpens_the_two_layer_average(k, norm, law):
    """Each graph's one-layer accuracy (exact mean known) as control variate: the same
    expectation as the plain graph average, with a standard error at least 2x smaller."""
    n = 999 if k == 3 else 1000
    p_in, p_out = block_probabilities(n, 10, 1.0, k)
    kwargs = {"p_in": p_in, "p_out": p_out, "mu": 0.6, "classes": k, **law_kwargs(law)}
    plain = graph_average_accuracy(n, layers=2, norm=norm, graphs=30, seed=1, **kwargs)
    sharp = graph_average_accuracy(n, layers=2, norm=norm, graphs=30, seed=1, control=True,
                                   **kwargs)  # fmt: skip
    reference = graph_average_accuracy(n, layers=2, norm=norm, graphs=150, seed=2, **kwargs)
    assert sharp["stderr"] < plain["stderr"] / 2
    spread = (sharp["stderr"] ** 2 + reference["stderr"] ** 2) ** 0.5
    assert abs(sharp["accuracy"] - reference["accuracy"]) < 4 * spread


def law_kwargs(name):
    return {} if name is None else {"degree_law": name}


def test_k_classes_at_mu_zero_and_lambda_zero():
    p_in, p_out = block_probabilities(1000, 10, 0.0, 5)
    mus = np.array([0.0, 0.5, 1.0])
    r = one_layer_accuracy(1000, p_in, p_out, mus, classes=5)
    assert r["accuracy"][0] == pytest.approx(0.2, abs=1e-6)
    # pure-noise edges: aggregation only mixes in uninformative neighbours
    assert (r["accuracy"][1:] < features_only_accuracy(mus[1:], classes=5)).all()


def test_heterophily_best_sign_is_the_argmin_readout():
    p_in, p_out = block_probabilities(1000, 50, -0.5, 5)
    r = one_layer_accuracy(1000, p_in, p_out, 0.5, norm="sym", classes=5)
    flipped = one_layer_accuracy(1000, p_in, p_out, 0.5, norm="sym", classes=5)
    assert r["accuracy"] < 0.2 < r["accuracy_best_sign"] == flipped["accuracy_best_sign"]


def test_two_layers_for_variants_take_the_neighbourhood_form_or_the_graph_average():
    p_in, p_out = block_probabilities(999, 10, 1.0, 3)
    auto = linear_gcn_accuracy(999, p_in, p_out, [0.3, 0.6], layers=2, classes=3)
    assert auto["method"].startswith("neighbourhood population")
    r = linear_gcn_accuracy(
        999, p_in, p_out, [0.3, 0.6], layers=2, classes=3, graphs=4, method="graph"
    )
    assert r["method"] == "graph-averaged exact (4 graphs, one-layer control variate)"
    assert np.abs(auto["accuracy"] - r["accuracy"]).max() < 4 * r["stderr"].max() + 0.002
    corrected = linear_gcn_accuracy(
        999, p_in, p_out, 0.5, layers=2, classes=3, graphs=3, degree_law="lognormal"
    )
    assert corrected["method"].startswith("graph-averaged exact (3 graphs")
    assert r["accuracy"].shape == (2,) and (r["stderr"] < 0.01).all()
    assert r["accuracy"][1] > r["accuracy"][0] > 1 / 3
    with pytest.raises(ValueError, match="method='moment' is for two plain classes"):
        linear_gcn_accuracy(999, p_in, p_out, 0.5, layers=2, classes=3, method="moment")


def test_k_class_graph_only_reduces_to_two_classes():
    """The k-class state evolution run at k = 2 is the two-class one (exact tanh overlap)."""
    from gnnrg.theory.graph_only import _k_class_amp

    lams = np.array([0.5, 1.02, 1.2, 1.5, 2.0, 3.0])
    assert np.abs(_k_class_amp(lams**2, 2) - graph_only_bayes_accuracy(lams)).max() < 1e-4
    for k in (3, 5, 7):
        amp = graph_only_bayes_accuracy(lams, classes=k)
        spectral = graph_only_spectral_accuracy(lams, classes=k)
        assert amp[0] == spectral[0] == pytest.approx(1 / k)  # below Kesten–Stigum
        assert (amp[1:] >= spectral[1:]).all() and (np.diff(amp) >= 0).all()


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_features_spike_is_the_one_the_weak_recovery_statistic_uses(classes):
    """The features' half of the statistic, measured: gnnrg's k-class features add the spike
    θ = (μ/σ)²/k (two classes' ±e₀: (μ/σ)²) in each class direction, so the top k − 1
    eigenvectors of their sample covariance (n = 4000, F = 400, γ = 10) lie in the class-mean
    span as BBP says: squared overlap (1 − 1/(γθ²))/(1 + 1/(γθ)) above γθ² = 1, none below,
    where the top eigenvalues stay at the bulk edge (1 + γ^(−1/2))². μ is set from the
    statistic's own features term γθ² (a wrong spike, 1/k off, moves the overlap by 0.3+)."""
    from gnnrg.generators.features import class_means, sample_features

    n, f = 4000, 400
    gamma, rng = n / f, np.random.default_rng(0)
    y = np.repeat(np.arange(classes), n // classes)
    means = class_means(classes, f)
    span = np.linalg.qr((means - means.mean(axis=0)).T)[0][:, : classes - 1]
    for target in (0.2, 4.0, 10.0):  # γθ² wanted (near 1 the finite-n overlap spreads)
        # μ where the statistic's features term λ² + γθ² − λ² is the target, at λ = 0
        mu = it_threshold_mu(0.0, n=n, num_features=f, classes=classes) * target**0.25
        stat = weak_recovery_statistic(0.0, mu, n=n, num_features=f, classes=classes)
        assert stat == pytest.approx(target)
        x = sample_features(y, means, float(mu), 1.0, rng)[0].astype(np.float64)
        x -= x.mean(axis=0)
        values, vectors = np.linalg.eigh(x.T @ x / len(y))
        top = vectors[:, ::-1][:, : classes - 1]
        overlap = np.linalg.norm(span.T @ top) ** 2 / (classes - 1)
        theta = (target / gamma) ** 0.5
        if target > 1:
            expected = (1 - 1 / target) / (1 + 1 / (gamma * theta))
            assert abs(overlap - expected) < 0.07, (target, overlap, expected)
        else:
            assert overlap < 0.08 and values[-1] < (1 + gamma**-0.5) ** 2 + 0.03, overlap


def test_edges_half_of_the_statistic_is_kesten_stigum():
    """The statistic's edge term λ²: the k-class AMP state evolution from an uninformative
    start stays at chance just below λ² = 1 and leaves it just above."""
    for k in (3, 5):
        below, above = graph_only_bayes_accuracy(np.array([0.98, 1.02]), classes=k)
        assert below == pytest.approx(1 / k) and above > 1 / k + 0.1


@pytest.mark.slow
def test_k_class_spectral_matches_eigenvectors():
    """Dense graphs: the k − 1 leading eigenvectors, nearest class centroid."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator, eigsh

    from gnnrg.generators.csbm import sample_block_graph

    n, d, k, lam = 3000, 150, 3, 2.0
    p_in, p_out = block_probabilities(n, d, lam, k)
    accs = []
    for g in range(4):
        e, y = sample_block_graph(n, k, p_in, p_out, np.random.default_rng(g))
        a = sp.coo_matrix((np.ones(e.shape[1]), (e[0], e[1])), shape=(n, n)).tocsr()
        a = a + a.T
        op = LinearOperator((n, n), matvec=lambda v, a=a: (a @ v - d / n * v.sum()) / d**0.5)
        emb = eigsh(op, k=k - 1, which="LA")[1] * n**0.5
        centroids = np.array([emb[y == c].mean(axis=0) for c in range(k)])
        accs.append(np.mean(((emb[:, None] - centroids) ** 2).sum(-1).argmin(axis=1) == y))
    theory = graph_only_spectral_accuracy(lam, n=n, avg_degree=d, classes=k)
    assert abs(np.mean(accs) - theory) < 0.012, (np.mean(accs), theory)


def test_cli_k_classes_json_equals_the_api(capsys):
    argv = ["theory", "--classes", "3", "--lam", "1.5", "--mu", "0.4", "--n", "999", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    p_in, p_out = block_probabilities(999, 10, 1.5, 3)
    assert out["accuracy"] == pytest.approx(
        one_layer_accuracy(999, p_in, p_out, 0.4, classes=3)["accuracy"]
    )
    assert out["features_only"] == pytest.approx(features_only_accuracy(0.4, classes=3))
    assert out["graph_only_bayes"] == pytest.approx(
        float(graph_only_bayes_accuracy(1.5, n=999, avg_degree=10, classes=3))
    )
    assert out["joint_bayes"] is None and out["kesten_stigum"] == pytest.approx(2.25)
    assert out["weak_recovery_statistic"] == pytest.approx(2.25 + 999 / 10 * (0.4**2 / 3) ** 2)
    # the study's λ convention: the thresholds and baselines read the Kesten–Stigum λ
    study = ["theory", "--classes", "3", "--lam", "1", "--lam-convention", "study", "--json"]
    assert main(study) == 0
    out = json.loads(capsys.readouterr().out)
    _, ks = lam_from_probabilities(1000, out["p_in"], out["p_out"], 3)
    assert out["lam"] == 1 and out["kesten_stigum"] == pytest.approx(ks**2) and ks < 0.75
    assert out["graph_only_bayes"] == pytest.approx(1 / 3)  # below Kesten–Stigum
    argv = ["theory", "--degree-law", "powerlaw", "--degree-exponent", "3", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["method"].startswith("powerlaw degrees") and 0.5 < out["accuracy"] < 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "n,k,d,lam,mu,name,shape",
    [
        (999, 3, 50, 1.5, 0.3, None, None),
        (1001, 7, 60, 2.5, 0.4, None, None),
        (1000, 2, 60, 2.0, 0.3, "powerlaw", 2.5),
        (1001, 7, 8, 1.0, 0.8, "powerlaw", 2.5),
        (1000, 5, 50, 1.5, 0.5, "powerlaw", 3.0),
    ],
)
def test_variants_match_simulation(n, k, d, lam, mu, name, shape):
    """Against the full simulation (graphs and features drawn, argmax readout)."""
    p_in, p_out = block_probabilities(n, d, lam, k)
    for norm in ("sum", "mean"):
        mc, se = simulate_accuracy(
            n, p_in, p_out, mu, layers=1, norm=norm, graphs=150, classes=k, **law(name, shape)
        )
        theory = one_layer_accuracy(n, p_in, p_out, mu, norm=norm, classes=k, **law(name, shape))
        check(theory["accuracy"], mc, se)
