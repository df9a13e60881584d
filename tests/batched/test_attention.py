"""The fused CPU attention kernels equal the torch composition: outputs and every gradient."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from gnnrg.batched.attention import additive_attend, dot_attend, fused_available
from gnnrg.batched.sparse import Pattern


def _pattern(edges, size):
    dst = torch.tensor([e[0] for e in edges], dtype=torch.long)
    src = torch.tensor([e[1] for e in edges], dtype=torch.long)
    return Pattern(dst, src, size)


def _inputs(kind, size, width, keys, seed, scale=1.0):
    gen = torch.Generator().manual_seed(seed)
    shapes = [(size,), (size,)] if kind == "additive" else [(size, keys), (size, keys)]
    shapes.append((size, width))
    return [scale * torch.randn(s, generator=gen, dtype=torch.float64) for s in shapes]


def _run(kind, pattern, tensors, fused, grad, fixed=()):
    """Output and gradients of the inputs not in ``fixed`` (indices), in float32 (fused) or
    float64 (torch path)."""
    dtype = torch.float32 if fused else torch.float64
    leaves = [t.to(dtype).requires_grad_(i not in fixed) for i, t in enumerate(tensors)]
    if kind == "additive":
        out = additive_attend(pattern, *leaves, 0.2, fused=fused)
    else:
        out = dot_attend(pattern, *leaves, fused=fused)
    wanted = [t for t in leaves if t.requires_grad]
    grads = torch.autograd.grad(out, wanted, grad.to(dtype))
    return [out.detach().double(), *(g.double() for g in grads)]


edge_lists = st.integers(2, 12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40),
    )
)


@settings(max_examples=60, deadline=None)
@given(
    graph=edge_lists,
    kind=st.sampled_from(["additive", "dot"]),
    width=st.sampled_from([1, 2, 5, 16]),
    keys=st.sampled_from([1, 3, 16]),
    seed=st.integers(0, 2**16),
    fixed=st.sampled_from([(), (2,), (1, 2)]),
)
def test_fused_kernels_equal_the_torch_path(graph, kind, width, keys, seed, fixed):
    # any pattern: empty rows, self loops, duplicate edges, every width; source-side inputs
    # with or without gradients (fixed features as keys and values)
    size, edges = graph
    pattern = _pattern(edges, size)
    tensors = _inputs(kind, size, width, keys, seed)
    grad = torch.randn(size, width, generator=torch.Generator().manual_seed(seed + 1))
    fused = _run(kind, pattern, tensors, True, grad, fixed)
    exact = _run(kind, pattern, tensors, False, grad, fixed)
    assert len(fused) == 4 - len(fixed)
    for i, (f, e) in enumerate(zip(fused, exact, strict=True)):
        assert torch.allclose(f, e, rtol=1e-4, atol=1e-5), (i, (f - e).abs().max())


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_large_scores_do_not_overflow(kind):
    # the softmax subtracts each row's maximum: scores of several hundred stay finite
    pattern = _pattern([(0, 0), (0, 1), (1, 0), (2, 1)], 3)
    tensors = _inputs(kind, 3, 2, 4, seed=0, scale=60.0)
    grad = torch.ones(3, 2)
    fused, exact = (
        _run(kind, pattern, tensors, True, grad),
        _run(kind, pattern, tensors, False, grad),
    )
    for f, e in zip(fused, exact, strict=True):
        assert torch.isfinite(f).all()
        assert torch.allclose(f, e, rtol=1e-4, atol=1e-4)


def test_fused_path_is_chosen_for_cpu_float32_only():
    assert fused_available(torch.zeros(2), torch.zeros(2, 3))
    assert not fused_available(torch.zeros(2, dtype=torch.float64))
    # a LeakyReLU slope above one is not max(s, slope s): the torch path handles it
    pattern = _pattern([(0, 1), (1, 0)], 2)
    a, b, v = torch.tensor([1.0, -3.0]), torch.tensor([-2.0, 0.5]), torch.eye(2)
    steep = additive_attend(pattern, a, b, v, 2.0)
    assert torch.allclose(steep, additive_attend(pattern, a, b, v, 2.0, fused=False))


def test_forcing_the_fused_kernels_where_they_cannot_run_is_named():
    pattern = _pattern([(0, 1), (1, 0)], 2)
    x = torch.zeros(2, 3, dtype=torch.float64)
    with pytest.raises(
        ValueError, match=r"fused=True needs float32 CPU tensors; got torch\.float64"
    ):
        dot_attend(pattern, x, x, x, fused=True)
    a = torch.zeros(2)
    with pytest.raises(ValueError, match=r"slope in \[0, 1\] \(slope=2.0\)"):
        additive_attend(pattern, a, a, torch.zeros(2, 3), 2.0, fused=True)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_nans_come_out_where_the_torch_path_puts_them(kind):
    # a diverged model: the fused kernels must not assume finite inputs
    pattern = _pattern([(0, 0), (0, 1), (1, 2), (2, 2), (3, 0)], 4)
    tensors = _inputs(kind, 4, 2, 3, seed=1)
    tensors[1][2] = float("nan")  # one source's logit or key
    grad = torch.ones(4, 2)
    fused, exact = (
        _run(kind, pattern, tensors, True, grad),
        _run(kind, pattern, tensors, False, grad),
    )
    for f, e in zip(fused, exact, strict=True):
        assert torch.equal(torch.isnan(f), torch.isnan(e))
        assert torch.isnan(f).any()
