"""The (λ, μ) grid evaluator: every column evaluated where it is asked to be, and the
interpolated maps against the columns evaluated one by one."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from gnnrg.parameters import block_probabilities, lam_range
from gnnrg.theory import grid, linear_gcn_accuracy
from gnnrg.theory.grid import LOBATTO_COLUMNS, accuracy_grid

MUS = np.array([0.0, 0.4, 0.9, 1.5])


def test_without_interpolation_every_column_is_the_evaluator():
    lams = np.array([-1.0, 0.0, 0.5, 2.0])
    g = accuracy_grid(600, 8.0, lams, MUS, norm="sym", interpolate=False)
    assert g["accuracy"].shape == (len(MUS), len(lams))
    for j, lam in enumerate(lams):
        r = linear_gcn_accuracy(600, *block_probabilities(600, 8.0, lam), MUS, norm="sym")
        for key in ("accuracy", "accuracy_flipped", "accuracy_best_sign"):
            np.testing.assert_array_equal(g[key][:, j], r[key])
    np.testing.assert_array_equal(g["columns"], lams)


def test_exact_forms_interpolate_to_their_columns():
    """Noise-free (the one-layer exact form): the polynomial through 13 Chebyshev–Lobatto
    columns is the column-by-column map to 1e-5 at every λ (measured 1.1e-6), the best sign
    included."""
    low, high = lam_range(10.0, 2)
    lams = np.linspace(max(low, -3), min(high, 3), 61)
    fast = accuracy_grid(1000, 10.0, lams, MUS, interpolate=True)
    slow = accuracy_grid(1000, 10.0, lams, MUS, interpolate=False)
    assert len(fast["columns"]) == LOBATTO_COLUMNS[0] and "interpolated" in fast["method"]
    for key in ("accuracy", "accuracy_flipped", "accuracy_best_sign"):
        assert np.abs(fast[key] - slow[key]).max() < 1e-5


def test_a_lam_outside_the_range_is_a_nan_column():
    g = accuracy_grid(500, 5.0, [0.0, 50.0], [0.5])
    assert np.isfinite(g["accuracy"][0, 0]) and np.isnan(g["accuracy"][0, 1])
    assert g["columns"].tolist() == [0.0]


def test_strict_grids_name_the_lam_out_of_range():
    with pytest.raises(ValueError, match="lam=50 must satisfy"):
        accuracy_grid(500, 5.0, [0.0, 50.0], [0.5], layers=2, strict=True)


@pytest.mark.parametrize(("classes", "norm"), [(2, "sym"), (3, "mean")])
def test_two_layer_maps_match_their_columns(classes, norm):
    """The sampled two-layer forms, interpolated in λ, against the same evaluator run at λ
    between the Chebyshev columns: apart by no more than the two evaluations' Monte Carlo
    error (3 standard errors, or 2e-3 for the moment form, which reports none)."""
    n = 600 if classes == 2 else 597
    low, high = lam_range(8.0, classes)
    lams = np.linspace(max(low, -3) * 0.999, min(high, 3) * 0.999, 41)
    g = accuracy_grid(n, 8.0, lams, MUS, layers=2, norm=norm, classes=classes)
    assert "interpolated" in g["method"]
    between = [j for j, lam in enumerate(lams) if not np.isclose(g["columns"], lam).any()]
    for j in between[::6]:
        r = linear_gcn_accuracy(n, *block_probabilities(n, 8.0, lams[j], classes), MUS,
                                layers=2, norm=norm, classes=classes)  # fmt: skip
        se = np.hypot(g.get("stderr", np.zeros_like(g["accuracy"]))[:, j], r.get("stderr", 0))
        bound = 3 * se + (2e-3 if "stderr" not in r else 0.0)
        assert (np.abs(g["accuracy"][:, j] - r["accuracy"]) <= bound + 1e-4).all(), lams[j]


def test_workers_give_the_same_grid(monkeypatch):
    """Columns evaluated in two worker processes (here however quick the columns are): the
    same map, to the last bit, as in one (each column seeded on its own)."""
    lams = np.linspace(-0.4, 1.9, 21)
    one = accuracy_grid(597, 8.0, lams, MUS, layers=2, norm="mean", classes=3)
    monkeypatch.setattr(grid, "WORKERS_AFTER", 0.0)
    pools = []

    class Recorded(joblib.Parallel):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs["n_jobs"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(joblib, "Parallel", Recorded)
    two = accuracy_grid(597, 8.0, lams, MUS, layers=2, norm="mean", classes=3, jobs=2)
    assert pools and set(pools) == {2}
    for key in ("accuracy", "accuracy_flipped", "stderr", "columns"):
        np.testing.assert_array_equal(two[key], one[key])
    assert two["method"] == one["method"]


def test_jobs_must_be_a_positive_count():
    with pytest.raises(ValueError, match="jobs"):
        accuracy_grid(500, 5.0, [0.0, 1.0], [0.5], jobs=0)


def test_quick_columns_stay_in_this_process(monkeypatch):
    """The one-layer exact columns take milliseconds: no workers are started for them."""
    monkeypatch.setattr(joblib, "Parallel", None)  # any use would fail
    g = accuracy_grid(1000, 10.0, np.linspace(-2, 2, 41), MUS, jobs=2)
    assert np.isfinite(g["accuracy"]).all()
