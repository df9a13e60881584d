"""Bad input raises ValueError naming the argument and the valid range."""

import numpy as np
import pytest

from gnnrg import csbm, resolve_generator
from gnnrg.parameters import block_probabilities


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"lam": 4.0}, r"lam=4 must satisfy -3\.162 <= lam <= sqrt\(avg_degree\)=3\.162"),
        ({"lam": -1.0, "classes": 5, "num_features": 10}, r"lam=-1 must satisfy -0\.7906"),
        ({"p_in": 1.5, "p_out": 0.1}, r"p_in=1\.5 must be <= 1"),
        ({"p_in": 0.1, "p_out": -0.1}, r"p_out=-0\.1 must be >= 0"),
        ({"p_in": 0.1}, r"give both p_in and p_out"),
        ({"classes": 4, "num_features": 3}, r"num_features=3 must be >= classes=4"),
        ({"n": 2, "classes": 3}, r"n=2 must be >= 3"),
        ({"sigma": -1.0}, r"sigma=-1 must be >= 0"),
        ({"mu": -0.5}, r"mu=-0\.5 must be >= 0"),
        ({"avg_degree": 0.0}, r"avg_degree=0 must be > 0"),
        (
            {"avg_degree": 600.0, "lam": 20.0},
            r"avg_degree=600 with lam=20 gives p_in=1\.09.*must be <= 1",
        ),
        ({"edge_noise": 1.5}, r"edge_noise=1\.5 must be <= 1"),
        ({"edge_noise_mode": "swap"}, r"edge_noise_mode='swap' is not valid; choose one of"),
        ({"feature_noise": -0.1}, r"feature_noise=-0\.1 must be >= 0"),
        ({"noise_features": -1}, r"noise_features=-1 must be >= 0"),
        ({"degree_law": "zipf"}, r"degree_law='zipf' is not valid; choose one of \['powerlaw'"),
        ({"degree_law": "powerlaw", "degree_exponent": 1.5}, r"degree_exponent=1\.5 must be > 2"),
        ({"degree_law": np.ones(3)}, r"degree_law array has shape \(3,\); expected \(1000,\)"),
        ({"motif": "pentagon"}, r"motif='pentagon' is not valid; choose one of \['triangle'"),
        ({"motif": "clique", "motif_size": 2}, r"motif_size=2 must be >= 3"),
        ({"n": 10, "classes": 5, "motif": "triangle"}, r"motif_size=3 must be <= 2, the nodes"),
        ({"motif": "star", "motif_classes": "both"}, r"motif_classes='both' is not valid"),
        ({"degree_correction": True}, r"unknown csbm argument\(s\): degree_correction; valid"),
    ],
)
def test_bad_arguments_are_named(kwargs, match):
    kwargs = {"n": 1000, **kwargs}
    with pytest.raises(ValueError, match=match):
        csbm(**kwargs)


def test_non_integer_n_is_a_type_error():
    with pytest.raises(TypeError, match=r"n=10\.5 must be an integer"):
        csbm(10.5)


def test_generator_registry_names_choices():
    assert resolve_generator("c-SBM") is csbm
    with pytest.raises(ValueError, match=r"Could not resolve 'sbm2' among choices \['csbm'\]"):
        resolve_generator("sbm2")


def test_block_probabilities_reduce_to_two_class_formula():
    n, d, lam = 1000, 10.0, 1.7
    p_in, p_out = block_probabilities(n, d, lam, 2)
    assert p_in == pytest.approx((d + lam * np.sqrt(d)) / n)
    assert p_out == pytest.approx((d - lam * np.sqrt(d)) / n)
    for k in (3, 5):
        p_in, p_out = block_probabilities(n, d, 0.5, k)
        assert n * (p_in + (k - 1) * p_out) / k == pytest.approx(d)
        assert n * (p_in - p_out) / (k * np.sqrt(d)) == pytest.approx(0.5)


def test_csbm_signature_is_its_declaration():
    """csbm's keyword defaults are CORE and the variants' declarations, one fact each."""
    import inspect

    from gnnrg.generators.csbm import CORE, VARIANT_DECLARATIONS, VARIANTS, csbm_parameters

    signature = inspect.signature(csbm).parameters
    declared = {**CORE, **VARIANTS}
    assert set(signature) - {"n", "seed", "unknown"} == set(declared)
    for name, default in declared.items():
        assert signature[name].default == default, name
    # every variant's switches are among its parameters, and its check accepts its defaults
    for variant in VARIANT_DECLARATIONS:
        assert set(variant.switches) <= set(variant.parameters)
        assert set(variant.check(100, 2, **variant.parameters)) == set(variant.parameters)
        assert not variant.is_on(variant.parameters)
    assert set(csbm_parameters(100)) >= set(declared) - {"seed"}


def test_sweep_checks_a_point_with_its_generators_own_declaration():
    from gnnrg.generators.registry import generator_parameters

    with pytest.raises(ValueError, match=r"edge_noise=1.5 must be <= 1"):
        generator_parameters("csbm", {"n": 100, "edge_noise": 1.5})
    with pytest.raises(ValueError, match=r"Could not resolve 'sbm2'"):
        generator_parameters("sbm2", {"n": 100})
