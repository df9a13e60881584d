"""The two-layer neighbourhood population form against the references it must reproduce: the
two-class moment form (itself measured against Monte Carlo), the features-only accuracy of a
graph without edges, and graph averages for k classes and degree-corrected graphs."""

from __future__ import annotations

import numpy as np
import pytest

from gnnrg.parameters import block_probabilities
from gnnrg.theory import (
    features_only_accuracy,
    graph_average_accuracy,
    neighbourhood_accuracy,
    two_layer_accuracy,
)

MUS = np.array([0.3, 0.6, 1.0])


@pytest.mark.parametrize("norm", ["sum", "sum-self", "mean", "sym"])
@pytest.mark.parametrize(("d", "lam"), [(5, 0.0), (10, -1.0)])
def test_two_classes_reproduce_the_moment_form(norm, d, lam):
    """Two plain classes: the same accuracy as the degree-conditioned moment form (measured
    0.0000–0.0008 apart, standard error 0.0002–0.0017)."""
    p_in, p_out = block_probabilities(1000, d, lam)
    r = neighbourhood_accuracy(1000, p_in, p_out, MUS, norm=norm)
    moment = two_layer_accuracy(1000, p_in, p_out, MUS, norm=norm)["accuracy"]
    assert np.abs(r["accuracy"] - moment).max() < 3 * r["stderr"].max() + 5e-4
    assert (r["stderr"] < 0.003).all()


@pytest.mark.parametrize("norm", ["sum-self", "mean", "sym"])
def test_no_edges_leave_the_features_alone(norm):
    """Without edges K² is diagonal: every aggregation with a self loop is the features-only
    Bayes accuracy, exactly."""
    r = neighbourhood_accuracy(900, 0.0, 0.0, MUS, norm=norm, classes=3, samples=5_000)
    assert r["accuracy"] == pytest.approx(features_only_accuracy(MUS, classes=3), abs=1e-6)
    assert (r["stderr"] < 1e-9).all()


def test_heterophily_is_read_by_the_best_sign():
    p_in, p_out = block_probabilities(999, 10, -0.5, 3)
    one = neighbourhood_accuracy(999, p_in, p_out, 1.0, norm="mean", classes=3)
    assert one["accuracy_best_sign"] >= one["accuracy"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("k", "d", "lam", "law", "bound"),
    [
        (3, 10, 1.0, {}, 0.001),
        (7, 10, 0.5, {}, 0.001),
        (3, 50, 1.0, {}, 0.001),
        (3, 10, 1.0, {"degree_law": "powerlaw", "degree_exponent": 3.0}, 0.002),
        (5, 10, -0.5, {"degree_law": "lognormal", "degree_sigma": 1.0}, 0.002),
        (2, 60, 2.0, {"degree_law": "powerlaw", "degree_exponent": 2.5}, 0.002),
    ],
)
@pytest.mark.parametrize("norm", ["sum", "mean", "sym"])
def test_variants_match_graph_averages(k, d, lam, law, bound, norm):
    """k classes and degree correction against the exact nodewise formula averaged over 40
    graphs from gnnrg's generator (one-layer control variate): within the documented bound
    (theory/accuracy.md) plus three combined standard errors."""
    n = 999 if k == 3 else 1000
    p_in, p_out = block_probabilities(n, d, lam, k)
    r = neighbourhood_accuracy(n, p_in, p_out, MUS, norm=norm, classes=k, **law)
    ref = graph_average_accuracy(
        n, layers=2, norm=norm, graphs=40, avg_degree=d, lam=lam, mu=MUS, classes=k,
        control=True, **law,
    )  # fmt: skip
    se = np.hypot(r["stderr"], ref["stderr"])
    assert (np.abs(r["accuracy"] - ref["accuracy"]) < bound + 3 * se).all()


def test_degree_correction_takes_independent_structures_in_turn():
    """Four structures from one seed, distinct and reproducible; the pairs' means grouped by
    the structure each pair took (pair i took structure i mod 4)."""
    from gnnrg.theory.neighbourhood import _grouped, _structure_seeds

    seeds = _structure_seeds(5, 4)
    assert len(set(seeds)) == 4 and seeds == _structure_seeds(5, 4)
    assert not set(seeds) & set(_structure_seeds(6, 4)) and _structure_seeds(5, 1) == [5]
    per_pair = np.arange(8.0)[:, None] * [1.0, 2.0]  # two rounds of four structures
    np.testing.assert_array_equal(_grouped(per_pair, 4), [[2, 4], [3, 6], [4, 8], [5, 10]])
    np.testing.assert_array_equal(_grouped(per_pair, 1), per_pair)


def test_population_sizes():
    """Plain graphs: up to 20 000 neighbourhoods (10 pairs), stopping at 7e-4; degree
    correction (8 structures): from 80 000 to 320 000 in whole rounds, stopping at 4e-4, or
    exactly a given ``samples`` (rounded down to whole rounds, at least one)."""
    from gnnrg.theory.neighbourhood import _sizes

    assert _sizes(1, None, None) == (1, 10, 7e-4)
    assert _sizes(1, 9_000, 1e-3) == (1, 4, 1e-3)
    assert _sizes(8, None, None) == (40, 160, 4e-4)
    assert _sizes(8, 40_000, None) == (16, 16, 4e-4)
    assert _sizes(8, 4_000, 1e-3) == (8, 8, 1e-3)
    with pytest.raises(ValueError, match="tol"):
        _sizes(8, None, 0.0)
    with pytest.raises(ValueError, match="samples"):
        _sizes(1, 100, None)


@pytest.mark.slow
def test_degree_corrected_stderr_covers_the_spread_over_seeds():
    """With degree correction a seed also draws the structures (propensity population, class
    samples), whose Monte Carlo error one structure's pairs cannot see (measured 0.0008 at
    this point with one structure, beside its population's 0.0008). Over eight seeds the
    accuracies spread about as their standard errors say (measured at 16 000 neighbourhoods,
    one pair per structure: 0.0011 against a stated 0.0021; the stated errors of eight
    structures are themselves uncertain, hence the wide band)."""
    p_in, p_out = block_probabilities(1000, 5, 1.0)
    law = {"degree_law": "powerlaw", "degree_exponent": 2.5}
    runs = [neighbourhood_accuracy(1000, p_in, p_out, 0.5, norm="sum", samples=16_000,
                                   seed=seed, **law) for seed in range(8)]  # fmt: skip
    spread = np.std([r["accuracy"] for r in runs], ddof=1)
    stderr = np.sqrt(np.mean([r["stderr"] ** 2 for r in runs]))
    assert 0.4 * stderr < spread < 2.5 * stderr


def test_the_evaluators_default_to_the_generators_degree_law():
    """The degree-law defaults are the generator's (its variant declaration), not copies that
    could drift: every theory entry point taking a degree law uses them."""
    import inspect

    from gnnrg.generators.csbm import VARIANT_DECLARATIONS
    from gnnrg.theory import linear_gcn_accuracy, one_layer_accuracy

    (degrees,) = [v for v in VARIANT_DECLARATIONS if "degree_law" in v.parameters]
    for fn in (one_layer_accuracy, neighbourhood_accuracy, linear_gcn_accuracy):
        signature = inspect.signature(fn).parameters
        for name, default in degrees.parameters.items():
            assert signature[name].default == default, (fn.__name__, name)


def test_edge_draws_invert_the_binomial_law():
    """The antithetic edge draws are exact binomial quantiles of their uniforms (scipy's
    ppf), the twin's of 1 − u; with many distinct p they are numpy's own draws."""
    from scipy.stats import binom

    from gnnrg.theory.neighbourhood import _EdgeDraws, _Quantiles

    rng = np.random.default_rng(3)
    trials = rng.integers(0, 301, 5_000)
    p = np.where(rng.random(5_000) < 0.5, 0.01, 0.2)
    draws = _EdgeDraws(np.random.default_rng(0), _Quantiles(300))
    first = draws.binomial(trials, p)
    (u,) = draws.kept
    np.testing.assert_array_equal(first, binom.ppf(u, trials, p))
    np.testing.assert_array_equal(draws.flipped().binomial(trials, p),
                                  binom.ppf(1 - u, trials, p))  # fmt: skip
    spread = np.linspace(0.01, 0.2, 5_000)  # degree correction: p per stratum
    assert (draws.binomial(trials, spread) <= trials).all() and len(draws.kept) == 1


@pytest.mark.parametrize(("norm", "lam"), [("sum", 1.0), ("sym", -0.3)])
def test_argmin_from_the_mirrored_table_is_the_direct_integral(norm, lam):
    """The argmin read-out is computed from the argmax's Φ table at the mirrored Gauss–Hermite
    nodes; it equals the argmin integral computed directly (argmax at −s) to rounding."""
    from scipy.special import ndtr

    import gnnrg.theory.neighbourhood as nb
    from gnnrg.theory.accuracy import _components
    from gnnrg.theory.kclass import _cells
    from gnnrg.theory.two_layer import _WEIGHTS

    n, k = 1000, 5
    p_in, p_out = block_probabilities(n, 10, lam, k)
    comps = _components(n, k, p_in, p_out, None, 2.5, 1.0, 0)
    strata = nb._Strata(comps, p_in, p_out)
    rng = np.random.default_rng(1)
    pop = nb._Neighbourhoods(
        n, k, norm, strata, nb._Ends(n, k, comps, _WEIGHTS[norm][2]), _cells(comps, k),
        rng, nb._EdgeDraws(rng, nb._Quantiles(n // k)),
    )  # fmt: skip
    s = np.array([0.0, 0.7, 1.9])
    _, minus = pop.accuracy(s)
    for value, x in zip(minus, -s, strict=True):  # argmax at −s, integrand built directly
        own = np.sqrt(x * x * pop.var_c + pop.mean_d[:, None])
        common = np.sqrt(x * x * pop.var_y + pop.mean_d)
        z = (x * pop.margin[..., None] + common[:, None, None] * nb._T) / own[..., None]
        assert value == pytest.approx((ndtr(z).prod(axis=1) @ nb._W).mean(), abs=1e-12)
