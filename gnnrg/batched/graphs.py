"""Many graphs of one size stacked for the batched engine.

Node tensors are laid out ``(B, n, ...)``; as one graph, the stack is the block-diagonal union
(node ``i`` of graph ``b`` is ``b * n + i``), so one CSR product aggregates every graph at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import torch
from torch import Tensor

from gnnrg.batched.sparse import Pattern, spmm

__all__ = ["GraphStack"]


class GraphStack:
    """``B`` graphs with the same number of nodes and features, stacked.

    Parameters
    ----------
    graphs : list of torch_geometric.data.Data
        Each with ``x`` (n, F), ``y`` (n,) and ``edge_index``; ``n`` and ``F`` shared.
    device : str, default "cpu"
    dtype : torch.dtype, default torch.float32
        Of the features and the aggregation weights (float64 for exactness checks).

    Attributes
    ----------
    x : Tensor (B, n, F)
    y : Tensor (B, n)

    Examples
    --------
    >>> from gnnrg import csbm
    >>> s = GraphStack([csbm(50, seed=0), csbm(50, seed=1)])
    >>> s.x.shape, s.plain.size
    (torch.Size([2, 50, 10]), 100)
    """

    def __init__(
        self,
        graphs: list[Any],
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        if not graphs:
            raise ValueError("graphs must hold at least one graph")
        n, f = graphs[0].num_nodes, graphs[0].x.shape[1]
        for i, g in enumerate(graphs):
            if g.num_nodes != n or g.x.shape[1] != f:
                raise ValueError(
                    f"graphs[{i}] has {g.num_nodes} nodes and {g.x.shape[1]} features; "
                    f"a stack needs every graph like graphs[0] ({n} nodes, {f} features)"
                )
        self.device = torch.device(device)
        self.graphs = graphs
        self.batch, self.n = len(graphs), n
        self.dtype = dtype
        self.x = torch.stack([g.x.to(dtype) for g in graphs]).to(self.device)
        self.y = torch.stack([g.y.long() for g in graphs]).to(self.device)
        edges = torch.cat([g.edge_index.long() + b * n for b, g in enumerate(graphs)], dim=1)
        self._edges = edges.to(self.device)
        self._cache: dict[Any, Any] = {}

    @property
    def size(self) -> int:
        """Nodes of the union, ``B * n``."""
        return self.batch * self.n

    @cached_property
    def plain(self) -> Pattern:
        """The edges as given (PyG's aggregation for SAGE, GIN, TransformerConv)."""
        src, dst = self._edges
        return Pattern(dst, src, self.size)

    @cached_property
    def loops(self) -> Pattern:
        """Self loops removed, then one added per node (GCNConv's and GATConv's graph)."""
        src, dst = self._edges
        keep = src != dst
        nodes = torch.arange(self.size, device=self.device)
        return Pattern(torch.cat([dst[keep], nodes]), torch.cat([src[keep], nodes]), self.size)

    @cached_property
    def gcn_values(self) -> Tensor:
        r"""Entries of :math:`\tilde D^{-1/2}(A+I)\tilde D^{-1/2}` on :attr:`loops`."""
        p = self.loops
        inv_sqrt = p.lengths.to(self.dtype).pow(-0.5)
        values = inv_sqrt[p.row] * inv_sqrt[p.col]
        p.fix(values)
        return values

    @cached_property
    def mean_values(self) -> Tensor:
        """Entries of the in-neighbour mean on :attr:`plain`."""
        p = self.plain
        values = 1.0 / p.lengths.clamp(min=1).to(self.dtype)[p.row]
        p.fix(values)
        return values

    @cached_property
    def sum_values(self) -> Tensor:
        """Ones on :attr:`plain` (sum aggregation)."""
        values = torch.ones(self.plain.nnz, dtype=self.dtype, device=self.device)
        self.plain.fix(values)
        return values

    def propagate(self, kind: str, h: Tensor) -> Tensor:
        """Aggregate node tensor ``h`` (B, n, C) with ``kind`` in {"gcn", "mean", "sum"}."""
        if kind == "gcn":  # only the pattern this kind needs is built
            pattern, values = self.loops, self.gcn_values
        elif kind in ("mean", "sum"):
            pattern, values = self.plain, self.mean_values if kind == "mean" else self.sum_values
        else:
            raise ValueError(f"kind={kind!r} must be one of 'gcn', 'mean', 'sum'")
        flat = spmm(pattern, values, h.reshape(self.size, -1))
        return flat.view(self.batch, self.n, -1)

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, evaluated once per stack under ``key``: inputs derived from the graphs
        alone (aggregated features, structural encodings) that every model on the stack reuses.
        """
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def aggregated_features(self, kind: str) -> Tensor:
        """:meth:`propagate` of the fixed features, computed once per stack."""

        def compute() -> Tensor:
            with torch.no_grad():
                return self.propagate(kind, self.x)

        return self.cached(("aggregated", kind), compute)
