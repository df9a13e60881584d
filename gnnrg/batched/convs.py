"""Batched twins of the MLP, GCN, GraphSAGE, GAT and TransformerConv stacks.

Each reproduces the PyG layer's arithmetic (checked against it in tests) with batched matrix
products and CSR aggregations. Where it is exact, work is reordered: a fixed aggregation of the
input features is computed once per stack (``Â X W = (Â X) W``), and ``Â (H W)`` or ``(Â H) W``
is chosen by the narrower width.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from gnnrg.batched.attention import additive_attend, dot_attend
from gnnrg.batched.graphs import GraphStack
from gnnrg.batched.twin import Twin, linear
from gnnrg.models.gat import GAT
from gnnrg.models.gcn import GCN
from gnnrg.models.mlp import MLP, LogReg
from gnnrg.models.sage import SAGE
from gnnrg.models.transformer_local import TransformerLocal

__all__ = ["GATTwin", "GCNTwin", "MLPTwin", "SAGETwin", "TransformerLocalTwin"]


def _aggregate_then_project(
    stack: GraphStack, kind: str, h: Tensor, weight: Tensor, first: bool
) -> Tensor:
    """``Agg(h) @ W.T`` with the cheaper association (cached for the input features)."""
    if first:
        return linear(stack.aggregated_features(kind), weight)
    if weight.shape[2] <= weight.shape[1]:  # in <= out: aggregate the narrower input
        return linear(stack.propagate(kind, h), weight)
    return stack.propagate(kind, linear(h, weight))


class MLPTwin(Twin):
    """Batched :class:`~gnnrg.models.mlp.MLP` / :class:`~gnnrg.models.mlp.LogReg`."""

    reference = (MLP, LogReg)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, layers = stack.x, self.model.layers
        for i in range(layers):
            h = self.act(
                linear(h, self.p(f"lins.{i}.weight"), self.p(f"lins.{i}.bias")), i == layers - 1
            )
        return h


class GCNTwin(Twin):
    r"""Batched :class:`~gnnrg.models.gcn.GCN`: :math:`\hat A (H W) + b` per layer."""

    reference = (GCN,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, layers = stack.x, self.model.layers
        for i in range(layers):
            z = _aggregate_then_project(stack, "gcn", h, self.p(f"convs.{i}.lin.weight"), i == 0)
            h = self.act(z + self.p(f"convs.{i}.bias").unsqueeze(1), i == layers - 1)
        return h


class SAGETwin(Twin):
    """Batched :class:`~gnnrg.models.sage.SAGE`: ``W_l mean(H) + b + W_r H`` per layer.

    The two products are one: ``[mean(H), H] @ [W_l, W_r].T`` (the first layer's ``[mean(X),
    X]`` is fixed), or ``H @ [W_l; W_r].T`` then the mean of the ``W_l`` part when narrower.
    """

    reference = (SAGE,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, layers = stack.x, self.model.layers
        for i in range(layers):
            pre = f"convs.{i}."
            w_l, w_r = self.p(pre + "lin_l.weight"), self.p(pre + "lin_r.weight")
            bias = self.p(pre + "lin_l.bias")
            if i == 0:
                both = stack.cached(
                    "sage-input",
                    lambda: torch.cat([stack.aggregated_features("mean"), stack.x], -1),
                )
                z = linear(both, torch.cat([w_l, w_r], 2), bias)
            elif w_l.shape[2] <= w_l.shape[1]:
                z = linear(torch.cat([stack.propagate("mean", h), h], -1),
                           torch.cat([w_l, w_r], 2), bias)  # fmt: skip
            else:
                both = linear(h, torch.cat([w_l, w_r], 1))
                out = w_l.shape[1]
                z = stack.propagate("mean", both[..., :out]) + both[..., out:] + bias.unsqueeze(1)
            h = self.act(z, i == layers - 1)
        return h


def _merge_heads(heads: list[Tensor], concat: bool) -> Tensor:
    return torch.cat(heads, dim=-1) if concat else torch.stack(heads).mean(0)


class GATTwin(Twin):
    """Batched :class:`~gnnrg.models.gat.GAT` (``GATConv`` with self loops, LeakyReLU 0.2)."""

    reference = (GAT,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, convs = stack.x, self.model.convs
        pattern = stack.loops
        for i, conv in enumerate(convs):
            pre = f"convs.{i}."
            heads, width = conv.heads, conv.out_channels
            xw = linear(h, self.p(pre + "lin.weight")).view(stack.batch, stack.n, heads, width)
            src = (xw * self.p(pre + "att_src")).sum(-1).reshape(stack.size, heads).t()
            dst = (xw * self.p(pre + "att_dst")).sum(-1).reshape(stack.size, heads).t()
            flat = xw.reshape(stack.size, heads, width)
            outs = []
            for k in range(heads):
                outs.append(
                    additive_attend(pattern, dst[k], src[k], flat[:, k], conv.negative_slope)
                )
            z = _merge_heads(outs, conv.concat).view(stack.batch, stack.n, -1)
            h = self.act(z + self.p(pre + "bias").unsqueeze(1), i == len(convs) - 1)
        return h


class TransformerLocalTwin(Twin):
    """Batched :class:`~gnnrg.models.transformer_local.TransformerLocal`
    (``TransformerConv``: scaled dot-product attention over neighbours plus a root weight)."""

    reference = (TransformerLocal,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, convs = stack.x, self.model.convs
        pattern = stack.plain
        for i, conv in enumerate(convs):
            pre = f"convs.{i}."
            heads, width = conv.heads, conv.out_channels
            q, k, v = (
                linear(
                    h, self.p(f"{pre}lin_{name}.weight"), self.p(f"{pre}lin_{name}.bias")
                ).reshape(stack.size, heads, width)
                for name in ("query", "key", "value")
            )
            outs = []
            for j in range(heads):
                outs.append(dot_attend(pattern, q[:, j], k[:, j], v[:, j]))
            z = _merge_heads(outs, conv.concat).view(stack.batch, stack.n, -1)
            z = z + linear(h, self.p(pre + "lin_skip.weight"), self.p(pre + "lin_skip.bias"))
            h = self.act(z, i == len(convs) - 1)
        return h
