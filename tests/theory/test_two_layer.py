"""The two-layer moment form against Monte Carlo from gnnrg's own generator, sparse and dense.

The reference is the graph-averaged exact accuracy (graphs sampled by the generator, features
integrated by the nodewise formula; ``tests/theory/test_accuracy.py`` checks it against full
simulation). A check passes when |theory − MC| <= 0.002 + 3·SE, SE over independent graphs.
The fast default runs one sparse and one dense point; the full table is marked slow.
"""

import numpy as np
import pytest

from gnnrg.parameters import block_probabilities
from gnnrg.theory import graph_average_accuracy, two_layer_accuracy, two_layer_moments

NORMS = ["sum", "sum-self", "mean", "sym"]
BAR, Z = 0.002, 3.0


def reference(n, d, lam, mu, norm, graphs, seed=3):
    p_in, p_out = block_probabilities(n, d, lam)
    ref = graph_average_accuracy(
        n, layers=2, norm=norm, graphs=graphs, seed=seed, p_in=p_in, p_out=p_out, mu=mu
    )
    return p_in, p_out, ref["accuracy"], ref["stderr"]


def check(theory, mc, se):
    assert abs(theory - mc) <= BAR + Z * se, f"theory {theory:.4f} vs MC {mc:.4f} ± {se:.4f}"


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n,d,lam,mu,graphs", [(3000, 8, 1.5, 0.3, 30), (400, 60, 2.0, 0.3, 60)])
def test_two_layer_form_matches_monte_carlo(n, d, lam, mu, graphs, norm):
    p_in, p_out, mc, se = reference(n, d, lam, mu, norm, graphs)
    check(two_layer_accuracy(n, p_in, p_out, mu, norm=norm)["accuracy"], mc, se)


@pytest.mark.slow
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize(
    "n,d,lam,mu",
    [
        (2000, 10, 1.0, 0.5),
        (1000, 5, -1.5, 0.6),
        (1000, 15, 2.0, 0.3),
        (600, 50, 2.5, 0.3),
        (800, 75, 1.5, 0.2),
        (400, 100, -3.0, 0.25),
    ],
)
def test_two_layer_form_matches_monte_carlo_table(n, d, lam, mu, norm):
    p_in, p_out, mc, se = reference(n, d, lam, mu, norm, graphs=300, seed=5)
    check(two_layer_accuracy(n, p_in, p_out, mu, norm=norm)["accuracy"], mc, se)


@pytest.mark.slow
def test_skeleton_correction_is_what_fixes_sparse_sym():
    # at d = 5 the Gaussian step alone is off by about 0.006 for sym (few, unequal neighbours)
    n, d, lam, mu = 1000, 5, -1.5, 0.6
    p_in, p_out, mc, se = reference(n, d, lam, mu, "sym", graphs=400, seed=9)
    moment_only = two_layer_accuracy(n, p_in, p_out, mu, norm="sym", samples=0)["accuracy"]
    corrected = two_layer_accuracy(n, p_in, p_out, mu, norm="sym")["accuracy"]
    assert mc - moment_only > 0.003 + 2 * se
    check(corrected, mc, se)


def test_sum_self_moments_equal_the_direct_count_derivation():
    # (A+I)²: N = 1 + 3k_s − k_d + (P_s − P_d) + 2(W_ss − W_dd) with independent binomials
    n, p, q = 600, 0.05, 0.02
    ks, kd = np.array([3.0, 10.0, 0.0]), np.array([4.0, 2.0, 0.0])
    out_s, out_d = n / 2 - 1 - ks, n / 2 - kd
    mean = 1 + 3 * ks - kd + (ks * out_s * p + kd * out_s * q) - (ks * out_d * q + kd * out_d * p)
    mean += 2 * (ks * (ks - 1) / 2 - kd * (kd - 1) / 2) * p
    var = (ks * out_s + kd * out_d) * p * (1 - p) + (kd * out_s + ks * out_d) * q * (1 - q)
    var += 4 * (ks * (ks - 1) / 2 + kd * (kd - 1) / 2) * p * (1 - p)
    m, v, dd = two_layer_moments(n, p, q, "sum-self", ks, kd)
    np.testing.assert_allclose(m, mean, rtol=1e-9)
    np.testing.assert_allclose(v, var, rtol=1e-9)
    assert dd[2] == 1.0  # an isolated node: K²_ii = 1 and nothing else


def test_isolated_nodes_count_half_under_sum():
    # p = 0: no edges, every row of A² is empty: a tie, accuracy ½
    assert two_layer_accuracy(100, 0.0, 0.0, 1.0, norm="sum")["accuracy"] == pytest.approx(0.5)


def test_mu_array_matches_scalar_calls():
    p_in, p_out = block_probabilities(1000, 10, 1.0)
    mus = np.linspace(0.0, 1.5, 20)
    arr = two_layer_accuracy(1000, p_in, p_out, mus, norm="sym")["accuracy"]
    one = [two_layer_accuracy(1000, p_in, p_out, m, norm="sym")["accuracy"] for m in mus[::6]]
    assert arr[0] == pytest.approx(0.5)
    np.testing.assert_allclose(arr[::6], one, atol=1e-3)  # interpolated correction


def test_two_layer_errors_name_the_argument():
    with pytest.raises(ValueError, match="norm"):
        two_layer_accuracy(100, 0.1, 0.1, 0.5, norm="max")
    with pytest.raises(ValueError, match="p_in"):
        two_layer_accuracy(100, 1.5, 0.1, 0.5)
    with pytest.raises(ValueError, match="samples"):
        two_layer_accuracy(100, 0.1, 0.1, 0.5, samples=-1)


@pytest.mark.parametrize("norm", ["sum", "sum-self"])
def test_sparse_limit_is_the_symbolic_tree_form(norm):
    # as n → ∞ at fixed d the cycle terms (order d²/n) vanish and the moment form must reach the
    # study's Theorem 2, which is evaluated from the sympy expression (gnnrg theory --symbolic)
    from gnnrg.parameters import expected_neighbours
    from gnnrg.theory import two_layer_tree_accuracy

    n, mu = 100_000, np.array([0.2, 0.5])
    p_in, p_out = block_probabilities(n, 6, 1.5)
    tree = two_layer_tree_accuracy(*expected_neighbours(n, p_in, p_out), mu, norm=norm)
    moment = two_layer_accuracy(n, p_in, p_out, mu, norm=norm)
    np.testing.assert_allclose(moment["accuracy"], tree["accuracy"], atol=0.002)
