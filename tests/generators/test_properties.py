"""Property tests: the invariants every generator output keeps, for any valid parameters."""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gnnrg import csbm, erase
from gnnrg.generators.csbm import VARIANTS

variant = st.sampled_from(
    [
        {},
        {"degree_law": "powerlaw", "degree_exponent": 2.2},
        {"degree_law": "lognormal"},
        {"edge_noise": 0.3},
        {"edge_noise": 0.5, "edge_noise_mode": "degree"},
        {"feature_noise": 0.5, "noise_features": 2},
        {"motif": "triangle", "motif_count": 5},
        {"motif": "clique", "motif_size": 4, "motif_classes": "mixed"},
        {"motif": "cycle", "motif_count": 3},
        {"motif": "star"},
        {"motif": "spatial", "motif_degree": 1.0},
        {"motif": "triadic", "motif_count": 20},
        {"motif": "hierarchical", "motif_size": 2},
    ]
)


@st.composite
def csbm_args(draw):
    classes = draw(st.integers(2, 5))
    n = draw(st.integers(max(classes, 12), 300))
    d = draw(st.floats(0.5, min(20.0, (n - 1) / 2)))
    low, high = -np.sqrt(d) / (classes - 1), np.sqrt(d)
    lam = draw(st.floats(low, high))
    # keep p_in <= 1 for small n
    if d + (classes - 1) * lam * np.sqrt(d) > n:
        lam = 0.0
    variants = draw(variant)
    if variants.get("motif") in ("triangle", "clique", "cycle", "star"):
        assume(n // classes >= variants.get("motif_size", 5))
    return {
        "n": n,
        "classes": classes,
        "avg_degree": d,
        "lam": lam,
        "mu": draw(st.floats(0, 3)),
        "sigma": draw(st.floats(0, 2)),
        "num_features": draw(st.integers(classes, 12)),
        "seed": draw(st.integers(0, 2**32 - 1)),
        **variants,
    }


def check_graph(data, n, classes, num_features):
    ei = data.edge_index.numpy()
    assert data.edge_index.dtype.is_floating_point is False and ei.dtype == np.int64
    assert ei.shape[0] == 2 and (ei.size == 0 or (ei.max() < n and ei.min() >= 0))
    assert (ei[0] != ei[1]).all(), "self loop"
    key = ei[0] * n + ei[1]
    assert (np.diff(key) > 0).all(), "edge_index not sorted or holds duplicates"
    assert np.array_equal(np.sort(ei[1] * n + ei[0]), key), "not symmetric"
    y = data.y.numpy()
    assert y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    assert data.x.shape == (n, num_features) and str(data.x.dtype) == "torch.float32"
    assert np.isfinite(data.x.numpy()).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csbm_args())
def test_every_output_is_a_valid_graph(args):
    data = csbm(**args)
    extra = args.get("noise_features", 0)
    check_graph(data, args["n"], args["classes"], args["num_features"] + extra)
    assert set(VARIANTS) <= set(data.params)
    again = csbm(**args)
    assert again.edge_index.equal(data.edge_index) and again.x.equal(data.x)


@settings(max_examples=30, deadline=None)
@given(csbm_args(), st.integers(0, 1000))
def test_erase_keeps_degrees_and_class_pair_counts(args, seed):
    data = csbm(**args)
    out = erase(data, seed=seed)
    n = args["n"]
    check_graph(out, n, args["classes"], data.x.shape[1])
    deg_in = np.bincount(data.edge_index[0].numpy(), minlength=n)
    deg_out = np.bincount(out.edge_index[0].numpy(), minlength=n)
    y = data.y.numpy()

    def mixing(g):
        ei = g.edge_index.numpy()
        k = args["classes"]
        return np.bincount(y[ei[0]] * k + y[ei[1]], minlength=k * k)

    assert np.array_equal(deg_in, deg_out)
    assert np.array_equal(mixing(data), mixing(out))
