"""Theorem 1 (odd part / linearisation) checked on gnnrg's cSBM graphs, and its failure when
the reflection symmetry does not hold."""

import numpy as np
import pytest

from gnnrg.generators.csbm import sample_block_graph
from gnnrg.generators.features import class_means, sample_features
from gnnrg.parameters import block_probabilities
from gnnrg.theory.linearisation import (
    cross_entropy,
    linearised_margin,
    odd_part,
    relu_gcn_margin,
)
from gnnrg.theory.nodewise import filter_matrix

N, D, GRAPHS = 600, 10, 40


def _samples(lam, mu, means=None, count=GRAPHS, seed=0):
    p_in, p_out = block_probabilities(N, D, lam, 2)
    means = class_means(2, 10) if means is None else means
    for s in range(count):
        rng = np.random.default_rng([seed, s])
        edges, y = sample_block_graph(N, 2, p_in, p_out, rng)
        x, _ = sample_features(y, means, mu, 1.0, rng)
        yield filter_matrix(edges, N, "mean"), x.astype(float), y


def _gap(lam, mu, w1, w2, b2=0.0, means=None):
    """Per-graph cross-entropy of the ReLU GCN minus that of its linearisation."""
    return np.array(
        [
            cross_entropy(relu_gcn_margin(k, x, w1, w2, b2=b2), y)
            - cross_entropy(linearised_margin(k, x, w1, w2), y)
            for k, x, y in _samples(lam, mu, means)
        ]
    )


@pytest.mark.parametrize(("lam", "mu", "seed"), [(1.0, 0.5, 0), (-1.5, 0.8, 1), (0.0, 1.0, 2)])
def test_relu_gcn_never_beats_its_linearisation_under_symmetry(lam, mu, seed):
    """Random weights and a random output bias: the gap is positive beyond 3 SE."""
    rng = np.random.default_rng(seed)
    w1, w2 = rng.normal(size=(10, 16)), rng.normal(size=16)
    gap = _gap(lam, mu, w1, w2, b2=rng.normal())
    assert gap.mean() > 3 * gap.std(ddof=1) / np.sqrt(GRAPHS)


def test_the_odd_part_wins_pairwise_under_reflection():
    """The proof's step: for every sample, the average loss of (X, y) and (−X, 1 − y) under f
    is at least the loss of the odd part (Jensen), exactly, not only on average."""
    rng = np.random.default_rng(3)
    w1, b1, w2 = rng.normal(size=(10, 8)), rng.normal(size=8), rng.normal(size=8)
    for k, x, y in _samples(1.0, 0.7, count=5):
        f = lambda z, k=k: relu_gcn_margin(k, z, w1, w2, b1=b1, b2=0.3)  # noqa: E731
        both = 0.5 * (cross_entropy(f(x), y) + cross_entropy(f(-x), 1 - y))
        assert both >= cross_entropy(odd_part(f, x), y) - 1e-12


def test_trained_relu_gcn_does_not_beat_its_linearisation():
    """Weights from 300 Adam steps on one graph (torch), evaluated on 40 fresh graphs."""
    torch = pytest.importorskip("torch")
    k, x, y = next(_samples(1.0, 0.4, count=1, seed=99))
    kt = torch.tensor(k.toarray(), dtype=torch.float32)
    xt, yt = torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)
    gen = torch.Generator().manual_seed(0)
    w1 = (0.3 * torch.randn(10, 16, generator=gen)).requires_grad_()
    w2 = (0.3 * torch.randn(16, generator=gen)).requires_grad_()
    b2 = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w1, w2, b2], lr=0.01)
    for _ in range(300):
        opt.zero_grad()
        margin = kt @ (torch.relu(kt @ xt @ w1) @ w2) + b2
        torch.nn.functional.binary_cross_entropy_with_logits(margin, yt).backward()
        opt.step()
    gap = _gap(1.0, 0.4, w1.detach().numpy(), w2.detach().numpy(), b2=float(b2.detach()))
    assert gap.mean() >= -2 * gap.std(ddof=1) / np.sqrt(GRAPHS)


def test_without_reflection_symmetry_the_bound_fails():
    """Class means 0 and 2μ e_0 (a shifted mixture): a model with the right offset beats its
    odd part, so the symmetry condition cannot be dropped."""
    means = np.zeros((2, 10))
    means[1, 0] = 2.0  # sample_features scales by μ: class means 0 and 2μ e_0
    w = np.zeros((10, 1))
    w[0, 0] = 4.0
    gaps = []
    for k, x, y in _samples(1.0, 0.8, means=means, count=20):
        f = lambda z, k=k: linearised_margin(k, z, w, np.ones(1)) - 1.6  # noqa: E731
        gaps.append(cross_entropy(f(x), y) - cross_entropy(odd_part(f, x), y))
    gaps = np.array(gaps)
    assert gaps.mean() < -3 * gaps.std(ddof=1) / np.sqrt(len(gaps))
