"""Neighbour attention of the batched engine: GAT's additive and TransformerConv's dot product.

``out_i = sum_j softmax_j(s_ij) v_j`` over the entries ``(i, j)`` of a :class:`Pattern`, with

- :func:`additive_attend`: ``s_ij = LeakyReLU(a_i + b_j)`` (``GATConv``), and
- :func:`dot_attend`: ``s_ij = scale <q_i, k_j>`` (``TransformerConv``).

On CPU float32 tensors they run the fused kernels of :mod:`gnnrg.batched.fused` with an exact
hand-written backward; elsewhere (CUDA, other dtypes) the same arithmetic is composed from the
torch kernels of :mod:`gnnrg.batched.sparse`. Both paths are checked against each other and
against PyG's layers in the tests.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from gnnrg.batched.sparse import Pattern, attend, pair_sum, sddmm

__all__ = ["additive_attend", "dot_attend", "fused_available"]


def fused_available(*tensors: Tensor) -> bool:
    """Whether the fused CPU kernels apply: float32 tensors on the CPU, numba importable.

    Examples
    --------
    >>> fused_available(torch.zeros(2, dtype=torch.float64))
    False
    """
    if not all(t.device.type == "cpu" and t.dtype == torch.float32 for t in tensors):
        return False
    try:
        import gnnrg.batched.fused  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency; kept for stripped installs
        return False
    return True


def _use_fused(fused: bool | None, tensors: tuple[Tensor, ...], why_not: str = "") -> bool:
    """Resolve the ``fused`` argument: the default where the kernels apply, an error where
    ``fused=True`` asks for them on inputs they cannot take."""
    possible = not why_not and fused_available(*tensors)
    if fused and not possible:
        kinds = sorted({f"{t.dtype} on {t.device}" for t in tensors})
        raise ValueError(
            f"fused=True needs float32 CPU tensors{why_not}; got {', '.join(kinds)} "
            "(pass fused=None to choose the torch path there)"
        )
    return possible if fused is None else bool(fused)


def _arrays(pattern: Pattern) -> tuple:
    return pattern.crow.numpy(), pattern.csr_col.numpy()


def _np(t: Tensor) -> np.ndarray:
    """A numpy view (no copy) of a contiguous CPU tensor."""
    return t.detach().numpy()


#: Score and backward kernels of :mod:`gnnrg.batched.fused` by score function.
_KERNELS = {
    "additive": ("additive_scores", "additive_backward"),
    "dot": ("dot_scores", "dot_backward"),
}


class _Fused(torch.autograd.Function):
    """Attention with scores ``kind(left_i, right_j; param)``, through the fused kernels."""

    @staticmethod
    def forward(ctx, left, right, v, pattern: Pattern, kind: str, param: float) -> Tensor:
        from gnnrg.batched import fused

        crow, col = _arrays(pattern)
        param = np.float32(param)
        alpha = torch.empty(pattern.nnz, dtype=v.dtype)
        getattr(fused, _KERNELS[kind][0])(crow, col, _np(left), _np(right), param, _np(alpha))
        alpha.exp_()  # torch's vectorised exponential, between the two kernels
        out = torch.zeros(pattern.size, v.shape[1], dtype=v.dtype)
        fused.softmax_aggregate(crow, col, _np(alpha), _np(v), _np(out))
        ctx.save_for_backward(left, right, v, alpha, out)
        ctx.pattern, ctx.kind, ctx.param = pattern, kind, param
        return out

    @staticmethod
    def backward(ctx, grad: Tensor):
        from gnnrg.batched import fused

        left, right, v, alpha, out = ctx.saved_tensors
        # the target side always gets its gradient (the kernel accumulates it per row); the
        # source side only where asked for (an empty stand-in is never written)
        wanted = ctx.needs_input_grad[1], ctx.needs_input_grad[2]
        grads = [torch.zeros_like(left)] + [
            torch.zeros_like(t) if want else t.new_empty((0, *t.shape[1:]))
            for t, want in zip((right, v), wanted, strict=True)
        ]
        getattr(fused, _KERNELS[ctx.kind][1])(
            *_arrays(ctx.pattern), _np(left), _np(right), ctx.param, _np(alpha), _np(v),
            _np(out), _np(grad.contiguous()), *map(_np, grads), *wanted,
        )  # fmt: skip
        g_left, g_right, g_v = grads
        return (
            g_left if ctx.needs_input_grad[0] else None,
            g_right if wanted[0] else None,
            g_v if wanted[1] else None,
            None,
            None,
            None,
        )


def additive_attend(
    pattern: Pattern, a: Tensor, b: Tensor, v: Tensor, slope: float, *, fused: bool | None = None
) -> Tensor:
    """``sum_j softmax_j(LeakyReLU(a_i + b_j)) v_j`` per row: one head of ``GATConv``.

    Parameters
    ----------
    pattern : Pattern
        Rows are targets ``i``, columns sources ``j``.
    a, b : Tensor (N,)
        Target and source logits (``<W x_i, att_dst>``, ``<W x_j, att_src>``).
    v : Tensor (N, C)
        Source values.
    slope : float
        LeakyReLU's negative slope.
    fused : bool, optional
        Force the fused kernels (``True``) or the torch path (``False``); default: fused where
        :func:`fused_available` and ``0 <= slope <= 1``.

    Returns
    -------
    Tensor (N, C)
        Rows without entries are zero.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 0]), torch.tensor([0, 1]), 2)
    >>> v = torch.tensor([[1.0], [3.0]])
    >>> additive_attend(p, torch.zeros(2), torch.zeros(2), v, 0.2).flatten().tolist()
    [2.0, 0.0]
    """
    a, b, v = a.contiguous(), b.contiguous(), v.contiguous()
    steep = "" if 0.0 <= slope <= 1.0 else f" and a slope in [0, 1] (slope={slope})"
    if _use_fused(fused, (a, b, v), steep):
        return _Fused.apply(a, b, v, pattern, "additive", float(slope))
    scores = torch.nn.functional.leaky_relu(pair_sum(pattern, a, b), slope)
    return attend(pattern, scores, v)


def dot_attend(
    pattern: Pattern, q: Tensor, k: Tensor, v: Tensor, scale: float | None = None,
    *, fused: bool | None = None,
) -> Tensor:  # fmt: skip
    """``sum_j softmax_j(scale <q_i, k_j>) v_j`` per row: one head of ``TransformerConv``.

    Parameters
    ----------
    pattern : Pattern
    q, k : Tensor (N, D)
        Queries (targets) and keys (sources).
    v : Tensor (N, C)
        Source values.
    scale : float, optional
        Default ``1 / sqrt(D)``.
    fused : bool, optional
        As for :func:`additive_attend`.

    Returns
    -------
    Tensor (N, C)

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 0]), torch.tensor([0, 1]), 2)
    >>> q = k = torch.zeros(2, 4)
    >>> dot_attend(p, q, k, torch.tensor([[1.0], [3.0]])).flatten().tolist()
    [2.0, 0.0]
    """
    q, k, v = q.contiguous(), k.contiguous(), v.contiguous()
    scale = 1.0 / math.sqrt(q.shape[1]) if scale is None else float(scale)
    if _use_fused(fused, (q, k, v)):
        return _Fused.apply(q, k, v, pattern, "dot", scale)
    return attend(pattern, sddmm(pattern, q, k) * scale, v)
