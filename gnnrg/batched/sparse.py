"""Sparse kernels of the batched engine: one CSR pattern for many graphs, with autograd.

Edge-wise gathers and scatters (what PyG's ``MessagePassing`` does) are slow on CPU for millions
of edges; CSR products are 30-40x faster. Every aggregation of the engine is therefore written as

- :func:`spmm` — ``S(values) @ X`` for a fixed pattern ``S`` (aggregation, attention), and
- :func:`sddmm` — ``(A @ B.T)`` sampled at the pattern (attention scores ``<q_i, k_j>``),

each with an exact backward through the transposed pattern. Rows are targets, columns sources
(PyG's ``source_to_target`` flow); duplicate edges stay separate entries, as in PyG.
"""

from __future__ import annotations

import warnings

import torch
from torch import Tensor

__all__ = ["Pattern", "attend", "pair_sum", "sddmm", "spmm"]

_QUIET = False


def _quiet_csr() -> None:
    """Consume torch's one-time "Sparse CSR tensor support is in beta" warning once, inside a
    local filter, instead of filtering it for the whole process at import."""
    global _QUIET
    if not _QUIET:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
            one = torch.ones(1)
            index = torch.zeros(1, dtype=torch.long)
            torch.sparse_csr_tensor(torch.tensor([0, 1]), index, one, (1, 1),
                                    check_invariants=False)  # fmt: skip
        _QUIET = True


_NARROW = 16  # widths below this are zero-padded for CPU sampled_addmm (3x faster measured)


class Pattern:
    """A fixed sparsity pattern (rows = targets, columns = sources) in CSR order.

    Parameters
    ----------
    dst, src : Tensor
        Edge endpoints (``src -> dst``), any order; they are sorted by (dst, src).
    size : int
        Number of rows and columns.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 1, 1]), torch.tensor([1, 0, 2]), 3)
    >>> p.lengths.tolist(), p.col.tolist()
    ([1, 2, 0], [1, 0, 2])
    """

    def __init__(self, dst: Tensor, src: Tensor, size: int) -> None:
        _quiet_csr()
        order = torch.argsort(dst * size + src)
        self.row, self.col = dst[order], src[order]
        self.size = size
        self.lengths = torch.bincount(self.row, minlength=size)
        # CSR indices in int32 when they fit: the CPU kernels convert int64 on every call
        index = torch.int32 if max(size, self.row.numel()) < 2**31 else torch.int64
        self.crow = torch.zeros(size + 1, dtype=index, device=dst.device)
        self.crow[1:] = torch.cumsum(self.lengths, 0)
        # the transposed pattern and the permutation taking values to its CSR order
        self.t_perm = torch.argsort(self.col * size + self.row)
        self.t_crow = torch.zeros_like(self.crow)
        self.t_crow[1:] = torch.cumsum(torch.bincount(self.col, minlength=size), 0)
        self.t_col = self.row[self.t_perm].to(index)
        self.csr_col = self.col.to(index)
        self.empty_rows = (self.lengths == 0).unsqueeze(1)
        # sampled_addmm rejects repeated entries (a multigraph's parallel edges)
        same = (self.row[1:] == self.row[:-1]) & (self.col[1:] == self.col[:-1])
        self.repeated = bool(same.any())
        self._fixed: dict[int, tuple[Tensor, Tensor, Tensor]] = {}
        self._ones: Tensor | None = None

    def fix(self, values: Tensor) -> None:
        """Keep the matrix and its transpose for ``values`` that never change (aggregations)."""
        self._fixed[id(values)] = (values, self.matrix(values), self.transposed(values))

    @property
    def nnz(self) -> int:
        return int(self.row.numel())

    def matrix(self, values: Tensor) -> Tensor:
        """The CSR matrix with ``values`` in this pattern's order."""
        if id(values) in self._fixed and self._fixed[id(values)][0] is values:
            return self._fixed[id(values)][1]
        return torch.sparse_csr_tensor(
            self.crow, self.csr_col, values, (self.size, self.size), check_invariants=False
        )

    def transposed(self, values: Tensor) -> Tensor:
        """The CSR matrix of the transpose."""
        if id(values) in self._fixed and self._fixed[id(values)][0] is values:
            return self._fixed[id(values)][2]
        return torch.sparse_csr_tensor(
            self.t_crow,
            self.t_col,
            values.index_select(0, self.t_perm),
            (self.size, self.size),
            check_invariants=False,
        )

    def sample(self, a: Tensor, b: Tensor) -> Tensor:
        """``<a[row_e], b[col_e]>`` for every entry ``e``."""
        if self.repeated:
            return (a.index_select(0, self.row) * b.index_select(0, self.col)).sum(1)
        if a.device.type == "cpu" and a.shape[1] < _NARROW:  # the CPU kernel is slow when narrow
            pad = (0, _NARROW - a.shape[1])
            a, b = torch.nn.functional.pad(a, pad), torch.nn.functional.pad(b, pad)
        if self._ones is None or self._ones.dtype != a.dtype:
            self._ones = self.matrix(torch.ones(self.nnz, dtype=a.dtype, device=a.device))
        return torch.sparse.sampled_addmm(self._ones, a, b.t(), beta=0.0).values()


class _SpMM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, values: Tensor, x: Tensor, pattern: Pattern) -> Tensor:
        ctx.save_for_backward(values, x)
        ctx.pattern = pattern
        return pattern.matrix(values) @ x

    @staticmethod
    def backward(ctx, grad: Tensor):
        values, x = ctx.saved_tensors
        pattern, grad = ctx.pattern, grad.contiguous()
        g_values = g_x = None
        if ctx.needs_input_grad[0]:
            g_values = pattern.sample(grad, x)
        if ctx.needs_input_grad[1]:
            g_x = pattern.transposed(values) @ grad
        return g_values, g_x, None


class _SDDMM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, pattern: Pattern) -> Tensor:
        ctx.save_for_backward(a, b)
        ctx.pattern = pattern
        return pattern.sample(a, b)

    @staticmethod
    def backward(ctx, grad: Tensor):
        a, b = ctx.saved_tensors
        pattern = ctx.pattern
        g_a = pattern.matrix(grad) @ b if ctx.needs_input_grad[0] else None
        g_b = pattern.transposed(grad) @ a if ctx.needs_input_grad[1] else None
        return g_a, g_b, None


class _PairSum(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a: Tensor, b: Tensor, pattern: Pattern) -> Tensor:
        ctx.pattern = pattern
        return a.index_select(0, pattern.row) + b.index_select(0, pattern.col)

    @staticmethod
    def backward(ctx, grad: Tensor):
        p = ctx.pattern
        g_a = g_b = None
        if ctx.needs_input_grad[0]:
            g_a = torch.zeros(p.size, dtype=grad.dtype, device=grad.device)
            g_a.index_add_(0, p.row, grad)
        if ctx.needs_input_grad[1]:
            g_b = torch.zeros(p.size, dtype=grad.dtype, device=grad.device)
            g_b.index_add_(0, p.col, grad)
        return g_a, g_b, None


def pair_sum(pattern: Pattern, a: Tensor, b: Tensor) -> Tensor:
    """``a[i] + b[j]`` for every entry ``(i, j)``: GAT's attention logits before LeakyReLU.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 1]), torch.tensor([1, 0]), 2)
    >>> pair_sum(p, torch.tensor([1.0, 2.0]), torch.tensor([10.0, 20.0])).tolist()
    [21.0, 12.0]
    """
    return _PairSum.apply(a.contiguous(), b.contiguous(), pattern)


def spmm(pattern: Pattern, values: Tensor, x: Tensor) -> Tensor:
    """``S(values) @ x``, differentiable in ``values`` and ``x``.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 1, 1]), torch.tensor([1, 0, 2]), 3)
    >>> spmm(p, torch.ones(3), torch.tensor([[1.0], [2.0], [4.0]])).flatten().tolist()
    [2.0, 5.0, 0.0]
    """
    return _SpMM.apply(values, x.contiguous(), pattern)


def sddmm(pattern: Pattern, a: Tensor, b: Tensor) -> Tensor:
    """``<a[i], b[j]>`` for every entry ``(i, j)`` of the pattern, differentiable in both.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 1]), torch.tensor([1, 0]), 2)
    >>> sddmm(p, torch.tensor([[1.0], [2.0]]), torch.tensor([[3.0], [5.0]])).tolist()
    [5.0, 6.0]
    """
    return _SDDMM.apply(a.contiguous(), b.contiguous(), pattern)


def attend(pattern: Pattern, scores: Tensor, values: Tensor) -> Tensor:
    """Softmax-weighted sums: ``out_i = sum_j softmax_j(scores_ij) values_j`` per row.

    The softmax subtracts each row's (detached) maximum, as PyG's does; rows without entries
    give zeros. Numerator and denominator come from one :func:`spmm` with a column of ones.

    Examples
    --------
    >>> p = Pattern(torch.tensor([0, 0]), torch.tensor([0, 1]), 2)
    >>> attend(p, torch.tensor([0.0, 0.0]), torch.tensor([[1.0], [3.0]])).flatten().tolist()
    [2.0, 0.0]
    """
    peak = torch.segment_reduce(scores.detach(), "max", lengths=pattern.lengths, unsafe=True)
    weights = torch.exp(scores - peak.index_select(0, pattern.row))
    ones = torch.ones(values.shape[0], 1, dtype=values.dtype, device=values.device)
    both = spmm(pattern, weights, torch.cat([values, ones], dim=1))
    return both[:, :-1] / (both[:, -1:] + pattern.empty_rows.to(values.dtype))
