"""Statistical and contract tests of the cSBM generator.

Tolerances are Z standard deviations of the statistic's sampling distribution at a fixed seed
(Z = 4.5 unless stated: a correct generator fails one such check with probability < 1e-5).
"""

import math

import numpy as np
import pytest

from gnnrg import csbm
from gnnrg.diagnostics import edge_homophily, hill_exponent
from gnnrg.edgelist import edge_array
from gnnrg.parameters import block_probabilities

Z = 4.5


def class_pair_counts(data):
    edges, _ = edge_array(data)
    y = data.y.numpy()
    same = y[edges[0]] == y[edges[1]]
    sizes = np.bincount(y).astype(float)
    pairs_in = (sizes * (sizes - 1) / 2).sum()
    pairs_out = (sizes.sum() ** 2 - (sizes**2).sum()) / 2
    return int(same.sum()), int((~same).sum()), pairs_in, pairs_out


def assert_binomial(count, trials, p, what):
    sd = math.sqrt(trials * p * (1 - p))
    assert abs(count - trials * p) <= Z * sd + 1, (
        f"{what}: {count} vs expected {trials * p:.1f} ± {sd:.1f}"
    )


@pytest.mark.parametrize(
    "n,classes,d,lam",
    [
        (4000, 2, 10, 1.0),
        (3000, 2, 5, -2.0),
        (600, 2, 80, 4.0),
        (3000, 3, 10, 1.5),
        (3500, 5, 8, 0.5),
    ],
)
def test_intra_inter_edge_counts_match_p_in_p_out(n, classes, d, lam):
    data = csbm(n, classes=classes, avg_degree=d, lam=lam, num_features=max(classes, 10), seed=1)
    p_in, p_out = block_probabilities(n, d, lam, classes)
    m_in, m_out, pairs_in, pairs_out = class_pair_counts(data)
    assert_binomial(m_in, pairs_in, p_in, "intra-class edges")
    assert_binomial(m_out, pairs_out, p_out, "inter-class edges")


@pytest.mark.parametrize("classes", [2, 3, 7])
def test_classes_balanced_and_mean_degree(classes):
    n, d = 7001, 12.0
    data = csbm(n, classes=classes, avg_degree=d, lam=1.0, num_features=10, seed=2)
    counts = np.bincount(data.y.numpy())
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    p_in, p_out = block_probabilities(n, d, 1.0, classes)
    _, _, pairs_in, pairs_out = class_pair_counts(data)
    mean = pairs_in * p_in + pairs_out * p_out
    sd = math.sqrt(pairs_in * p_in * (1 - p_in) + pairs_out * p_out * (1 - p_out))
    m = data.edge_index.shape[1] // 2
    assert abs(m - mean) <= Z * sd
    # expected mean degree is d up to the (n/k - 1) vs n/k self-pair correction
    assert abs(2 * mean / n - d) < d * classes / n + 1e-9


@pytest.mark.parametrize("mu,sigma", [(1.0, 1.0), (0.3, 2.0), (0.0, 0.5)])
def test_two_class_means_are_2mu_apart_and_noise_is_sigma(mu, sigma):
    n, f = 6000, 8
    data = csbm(n, mu=mu, sigma=sigma, num_features=f, seed=3)
    x, y = data.x.numpy().astype(float), data.y.numpy()
    m = data.class_means.numpy().astype(float)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-6) and np.allclose(m[0], -m[1])
    diff = x[y == 1].mean(0) - x[y == 0].mean(0)
    # each coordinate of the difference of class means has sd σ·sqrt(1/n0 + 1/n1) = 2σ/√n
    sd = 2 * sigma / math.sqrt(n)
    assert np.abs(diff - 2 * mu * m[1]).max() <= Z * sd
    resid = x - mu * m[y]
    var = (resid**2).mean()
    # pooled variance of n·F independent N(0, σ²): sd σ²·sqrt(2/(nF))
    assert abs(var - sigma**2) <= Z * sigma**2 * math.sqrt(2 / (n * f))


def test_k_class_means_orthonormal():
    data = csbm(500, classes=4, num_features=6, seed=0)
    m = data.class_means.numpy().astype(float)
    assert np.allclose(m @ m.T, np.eye(4), atol=1e-6)


def test_same_seed_same_graph_bit_for_bit():
    kw = dict(lam=1.0, mu=0.5, degree_law="lognormal", edge_noise=0.1, motif="triangle")
    a, b = csbm(800, seed=11, **kw), csbm(800, seed=11, **kw)
    c = csbm(800, seed=12, **kw)
    assert a.edge_index.equal(b.edge_index) and a.x.equal(b.x) and a.y.equal(b.y)
    assert not a.edge_index.equal(c.edge_index)


def test_p_in_p_out_given_directly():
    data = csbm(2000, p_in=0.01, p_out=0.002, seed=0)
    assert data.params["p_in"] == 0.01 and data.params["p_out"] == 0.002
    m_in, m_out, pairs_in, pairs_out = class_pair_counts(data)
    assert_binomial(m_in, pairs_in, 0.01, "intra-class edges")
    assert_binomial(m_out, pairs_out, 0.002, "inter-class edges")


def test_powerlaw_degrees_are_heavy_tailed_and_keep_mean_and_mixing():
    n, d, lam = 100_000, 10.0, 1.0
    plain = csbm(n, avg_degree=d, lam=lam, seed=4)
    heavy = csbm(n, avg_degree=d, lam=lam, seed=4, degree_law="powerlaw", degree_exponent=2.5)
    deg_plain = np.bincount(plain.edge_index[0].numpy(), minlength=n)
    deg_heavy = np.bincount(heavy.edge_index[0].numpy(), minlength=n)
    # Hill estimate from the top √n = 316 degrees: sd ≈ (γ-1)/√k ≈ 0.08 → ±0.35
    assert abs(hill_exponent(deg_heavy) - 2.5) < 0.35
    assert hill_exponent(deg_plain) > 6
    assert deg_heavy.max() > 20 * deg_plain.max() / 2
    # merging Poisson multi-edges between hubs loses a little of the mean degree (measured ~1%)
    assert abs(deg_heavy.mean() - d) / d < 0.03
    h_plain = edge_homophily(edge_array(plain)[0], plain.y.numpy())
    h_heavy = edge_homophily(edge_array(heavy)[0], heavy.y.numpy())
    assert abs(h_heavy - h_plain) < 0.01


def test_lognormal_degrees_have_the_lognormal_variance():
    n, d, s = 50_000, 20.0, 0.5
    data = csbm(n, avg_degree=d, lam=0.0, seed=5, degree_law="lognormal", degree_sigma=s)
    deg = np.bincount(data.edge_index[0].numpy(), minlength=n)
    # D | θ ~ Poisson(θ d) with θ normalised lognormal: Var D = d + d² (e^{s²} - 1)
    expected = d + d**2 * (math.exp(s**2) - 1)
    assert abs(deg.var() / expected - 1) < 0.1


def test_degree_law_array_sets_expected_degrees():
    n = 4000
    theta = np.where(np.arange(n) % 2 == 0, 3.0, 1.0)
    data = csbm(n, avg_degree=8, lam=0.0, seed=6, degree_law=theta)
    deg = np.bincount(data.edge_index[0].numpy(), minlength=n)
    # θ normalised to mean 1 in each class: θ ∈ {1.5, 0.5}: expected degrees 12 and 4
    assert abs(deg[::2].mean() - 12) < 0.3 and abs(deg[1::2].mean() - 4) < 0.2


@pytest.mark.parametrize(
    "classes,r,mode", [(2, 0.3, "uniform"), (3, 0.5, "degree"), (2, 1.0, "uniform")]
)
def test_edge_noise_moves_homophily_to_mixture(classes, r, mode):
    n, d, lam = 20_000, 10, 2.0
    base = csbm(n, classes=classes, avg_degree=d, lam=lam, seed=7)
    noisy = csbm(
        n, classes=classes, avg_degree=d, lam=lam, seed=7, edge_noise=r, edge_noise_mode=mode
    )
    p_in, p_out = block_probabilities(n, d, lam, classes)
    _, _, pairs_in, pairs_out = class_pair_counts(base)
    h = pairs_in * p_in / (pairs_in * p_in + pairs_out * p_out)
    target = (1 - r) * h + r / classes
    e, _ = edge_array(noisy)
    sd = math.sqrt(target * (1 - target) / e.shape[1]) + math.sqrt(h * (1 - h) / e.shape[1])
    assert abs(edge_homophily(e, noisy.y.numpy()) - target) <= Z * sd
    if mode == "degree":
        deg_base = np.bincount(base.edge_index[0].numpy(), minlength=n)
        deg_noisy = np.bincount(noisy.edge_index[0].numpy(), minlength=n)
        # same seed → same base graph; re-pairing only loses the rare self loop / duplicate
        assert (deg_base == deg_noisy).mean() > 0.995


def test_feature_noise_and_noise_features():
    n, tau = 20_000, 0.4
    data = csbm(n, mu=3.0, sigma=0.5, num_features=5, seed=8, feature_noise=tau, noise_features=3)
    x, y = data.x.numpy(), data.y.numpy()
    assert x.shape == (n, 8)
    m = data.class_means.numpy()
    own = ((x[:, :5] @ m.T).argmax(1) == y).mean()
    # features follow the own class with prob 1 - τ + τ/k (μ/σ = 6: the argmax is ~exact)
    p = 1 - tau + tau / 2
    assert abs(own - p) <= Z * math.sqrt(p * (1 - p) / n)
    assert abs(x[:, 5:].std() - 0.5) < 0.01
    assert abs(np.corrcoef(x[:, 5], y)[0, 1]) < Z / math.sqrt(n)


def count_triangles(data):
    from gnnrg.diagnostics import adjacency, triangles_per_node

    e, n = edge_array(data)
    return triangles_per_node(adjacency(e, n)).sum() / 3


@pytest.mark.parametrize("motif,size,per_motif", [("triangle", 3, 1), ("clique", 4, 4)])
def test_planted_triangles_add_the_expected_count(motif, size, per_motif):
    n, d, count = 4000, 6.0, 300
    base = csbm(n, avg_degree=d, lam=1.0, seed=9)
    planted = csbm(
        n, avg_degree=d, lam=1.0, seed=9, motif=motif, motif_count=count, motif_size=size
    )
    t_base, t_planted = count_triangles(base), count_triangles(planted)
    # motifs are planted on the same base graph; overlaps with existing edges and with each
    # other add a few extra triangles: O(count·d²/n) per motif edge
    extra = t_planted - t_base
    assert count * per_motif <= extra + 5
    assert extra <= count * per_motif * (1 + 3 * size * d**2 / n) + Z * math.sqrt(count)


def test_same_class_motifs_stay_inside_a_class():
    data = csbm(
        3000, avg_degree=0.0001, lam=0.0, seed=10, motif="cycle", motif_count=200, motif_size=6
    )
    e, _ = edge_array(data)
    y = data.y.numpy()
    assert e.shape[1] >= 200 * 6 * 0.98
    assert edge_homophily(e, y) > 0.999  # the base graph holds ~0 edges
    mixed = csbm(
        3000, avg_degree=0.0001, seed=10, motif="star", motif_count=300, motif_classes="mixed"
    )
    assert abs(edge_homophily(edge_array(mixed)[0], mixed.y.numpy()) - 0.5) < 0.05


def test_motifs_as_large_as_their_class_are_drawn_exactly():
    """Five classes of five nodes: every star of size 5 covers one whole class (rejection
    sampling alone fails here; found by the property tests)."""
    data = csbm(25, classes=5, avg_degree=1.0, lam=0.0, seed=0, motif="star", motif_size=5,
                motif_count=20)  # fmt: skip
    e, _ = edge_array(data)
    assert edge_homophily(e, data.y.numpy()) > 0.5
    with pytest.raises(ValueError, match="motif_size=6 must be <= 5"):
        csbm(25, classes=5, avg_degree=1.0, seed=0, motif="star", motif_size=6, motif_count=1)


@pytest.mark.parametrize("motif", ["spatial", "hierarchical"])
def test_overlays_add_their_mean_degree_and_triangles(motif):
    n, d, extra = 5000, 5.0, 4.0
    base = csbm(n, avg_degree=d, lam=1.0, seed=12)
    over = csbm(n, avg_degree=d, lam=1.0, seed=12, motif=motif, motif_degree=extra)
    added = (over.edge_index.shape[1] - base.edge_index.shape[1]) / n
    # boundary effects shrink the random-geometric degree a little (≈ 4r/√π relative)
    assert extra * 0.85 < added < extra * 1.05
    assert count_triangles(over) > 3 * count_triangles(base)


def test_triadic_closure_raises_clustering():
    from gnnrg.diagnostics import stats

    base = csbm(3000, avg_degree=8, lam=1.0, seed=13)
    closed = csbm(3000, avg_degree=8, lam=1.0, seed=13, motif="triadic", motif_count=3000)
    assert stats(closed)["transitivity"] > 5 * stats(base)["transitivity"]


def test_sampling_is_linear_not_quadratic():
    # 10^6 nodes, d=10: would need 10^12 pair draws if anything were n × n
    data = csbm(1_000_000, avg_degree=10, lam=1.0, seed=0, num_features=2)
    m = data.edge_index.shape[1] / 2
    assert abs(m - 5_000_000) < Z * math.sqrt(5_000_000)


def test_study_lam_convention_uses_the_two_class_formula_for_every_k():
    """The study's literal p_in = (d + λ√d)/n, p_out = (d − λ√d)/n: edge densities within and
    between classes match them within 4 standard errors, and the mean degree is
    d − (k−2)λ√d/k, not d."""
    from gnnrg.diagnostics import class_edge_ends

    n, k, d, lam = 4000, 5, 10.0, 1.5
    data = csbm(n, classes=k, avg_degree=d, lam=lam, seed=3, lam_convention="study")
    p_in, p_out = (d + lam * math.sqrt(d)) / n, (d - lam * math.sqrt(d)) / n
    assert data.params["p_in"] == pytest.approx(p_in) and data.params["lam_convention"] == "study"
    ei, y = data.edge_index.numpy(), data.y.numpy()
    counts = class_edge_ends(ei[:, ei[0] < ei[1]], y, k)
    within = np.trace(counts) / 2  # each edge counted at both ends
    between = (counts.sum() - np.trace(counts)) / 2
    size = n // k
    pairs_in, pairs_out = k * size * (size - 1) / 2, n * (n - size) / 2
    for observed, pairs, p in ((within, pairs_in, p_in), (between, pairs_out, p_out)):
        assert abs(observed - pairs * p) < 4 * math.sqrt(pairs * p * (1 - p))
    mean_degree = 2 * (within + between) / n
    assert mean_degree == pytest.approx(d - (k - 2) * lam * math.sqrt(d) / k, abs=0.15)
    assert abs(mean_degree - d) > 1.5  # the point of the option: not d
    ks = csbm(n, classes=k, avg_degree=d, lam=lam, seed=3)
    assert ks.edge_index.shape[1] / n == pytest.approx(d, abs=0.2)
