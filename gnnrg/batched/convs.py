"""Batched twins of the MLP, GCN, GraphSAGE, GAT and TransformerConv stacks.

Each reproduces the PyG layer's arithmetic (checked against it in tests) with batched matrix
products and CSR aggregations. Where it is exact, work is reordered: a fixed aggregation of the
input features is computed once per stack (``Â X W = (Â X) W``), and ``Â (H W)`` or ``(Â H) W``
is chosen by the narrower width.
"""

from __future__ import annotations

import math
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
    twin: Twin, stack: GraphStack, kind: str, h: Tensor, weight: Tensor, bias: Tensor, i: int
) -> Tensor:
    """Layer ``i``'s ``act(Agg(h) @ W.T + b)`` with the cheaper association (the input
    features' aggregation is cached)."""
    last = i == twin.model.layers - 1
    if i == 0:
        return twin.dense(stack.aggregated_features(kind), weight, bias, last)
    if weight.shape[2] <= weight.shape[1]:  # in <= out: aggregate the narrower input
        return twin.dense(stack.propagate(kind, h), weight, bias, last)
    return twin.act(stack.propagate(kind, linear(h, weight)) + bias.unsqueeze(1), last)


class MLPTwin(Twin):
    """Batched :class:`~gnnrg.models.mlp.MLP` / :class:`~gnnrg.models.mlp.LogReg`.

    Row-wise (:meth:`rows`): a node's output depends on its own features only, so training
    needs the forward pass on the training nodes alone.
    """

    reference = (MLP, LogReg)
    rowwise = True

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        return self.rows(stack.x)

    def rows(self, x: Tensor) -> Tensor:
        """Logits of feature rows ``x`` ``(B, m, F)``, any subset of each model's nodes."""
        h, layers = x, self.model.layers
        for i in range(layers):
            h = self.dense(
                h, self.param(f"lins.{i}.weight"), self.param(f"lins.{i}.bias"), i == layers - 1
            )
        return h


class GCNTwin(Twin):
    r"""Batched :class:`~gnnrg.models.gcn.GCN`: :math:`\hat A (H W) + b` per layer."""

    reference = (GCN,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, layers = stack.x, self.model.layers
        for i in range(layers):
            weight, bias = self.param(f"convs.{i}.lin.weight"), self.param(f"convs.{i}.bias")
            h = _aggregate_then_project(self, stack, "gcn", h, weight, bias, i)
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
            w_l, w_r = self.param(pre + "lin_l.weight"), self.param(pre + "lin_r.weight")
            bias, last = self.param(pre + "lin_l.bias"), i == layers - 1
            if i == 0:
                both = stack.cached(
                    "sage-input",
                    lambda: torch.cat([stack.aggregated_features("mean"), stack.x], -1),
                )
                h = self.dense(both, torch.cat([w_l, w_r], 2), bias, last)
            elif w_l.shape[2] <= w_l.shape[1]:
                both = torch.cat([stack.propagate("mean", h), h], -1)
                h = self.dense(both, torch.cat([w_l, w_r], 2), bias, last)
            else:
                both = linear(h, torch.cat([w_l, w_r], 1))
                out = w_l.shape[1]
                z = stack.propagate("mean", both[..., :out]) + both[..., out:] + bias.unsqueeze(1)
                h = self.act(z, last)
        return h


def _merge_heads(heads: list[Tensor], concat: bool) -> Tensor:
    return torch.cat(heads, dim=-1) if concat else torch.stack(heads).mean(0)


class GATTwin(Twin):
    """Batched :class:`~gnnrg.models.gat.GAT` (``GATConv`` with self loops, LeakyReLU 0.2).

    On fixed input features no wider than a head, the first layer aggregates the features and
    projects afterwards, ``sum_j alpha_ij W x_j = W sum_j alpha_ij x_j``, with the logits
    ``<W x, att>`` as ``x <W.T att>``: narrower aggregation and no gradient to scatter into
    the sources.
    """

    reference = (GAT,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, convs = stack.x, self.model.convs
        for i, conv in enumerate(convs):
            pre = f"convs.{i}."
            if i == 0 and stack.x.shape[2] <= conv.out_channels:
                outs = self._heads_on_features(stack, conv, pre)
            else:
                outs = self._heads(stack, conv, pre, h)
            z = _merge_heads(outs, conv.concat).view(stack.batch, stack.n, -1)
            h = self.act(z + self.param(pre + "bias").unsqueeze(1), i == len(convs) - 1)
        return h

    def _heads(self, stack: GraphStack, conv: Any, pre: str, h: Tensor) -> list[Tensor]:
        heads, width = conv.heads, conv.out_channels
        xw = linear(h, self.param(pre + "lin.weight")).view(stack.batch, stack.n, heads, width)
        src = (xw * self.param(pre + "att_src")).sum(-1).reshape(stack.size, heads).t()
        dst = (xw * self.param(pre + "att_dst")).sum(-1).reshape(stack.size, heads).t()
        flat = xw.reshape(stack.size, heads, width)
        slope = conv.negative_slope
        return [
            additive_attend(stack.loops, dst[k], src[k], flat[:, k], slope) for k in range(heads)
        ]

    def _heads_on_features(self, stack: GraphStack, conv: Any, pre: str) -> list[Tensor]:
        weight = self.param(pre + "lin.weight").view(stack.batch, conv.heads, conv.out_channels, -1)
        features = stack.x.reshape(stack.size, -1)
        outs = []
        for k in range(conv.heads):
            att = [self.param(pre + name)[:, 0, k] for name in ("att_dst", "att_src")]
            directions = torch.stack([torch.einsum("bcf,bc->bf", weight[:, k], a) for a in att], 2)
            logits = linear(stack.x, directions.transpose(1, 2)).reshape(stack.size, 2).t()
            mixed = additive_attend(
                stack.loops, logits[0], logits[1], features, conv.negative_slope
            )
            outs.append(linear(mixed.view(stack.batch, stack.n, -1), weight[:, k]))
        return [o.reshape(stack.size, -1) for o in outs]


class TransformerLocalTwin(Twin):
    """Batched :class:`~gnnrg.models.transformer_local.TransformerLocal`
    (``TransformerConv``: scaled dot-product attention over neighbours plus a root weight).

    On fixed input features no wider than a head, the first layer works in feature space:
    with ``x~ = [x, 1]`` and ``Q = [W_q, b_q]`` (likewise ``K``, ``V``), the scores are
    ``<x~_i Q.T K, x~_j>`` and the output ``V sum_j alpha_ij x~_j``: narrower keys and values,
    and no gradient to scatter into the sources.
    """

    reference = (TransformerLocal,)

    def forward(self, stack: GraphStack, **extra: Any) -> Tensor:
        h, convs = stack.x, self.model.convs
        for i, conv in enumerate(convs):
            pre = f"convs.{i}."
            if i == 0 and stack.x.shape[2] < conv.out_channels:
                outs = self._heads_on_features(stack, conv, pre)
            else:
                outs = self._heads(stack, conv, pre, h)
            z = _merge_heads(outs, conv.concat).view(stack.batch, stack.n, -1)
            z = z + linear(
                h, self.param(pre + "lin_skip.weight"), self.param(pre + "lin_skip.bias")
            )
            h = self.act(z, i == len(convs) - 1)
        return h

    def _heads(self, stack: GraphStack, conv: Any, pre: str, h: Tensor) -> list[Tensor]:
        heads, width = conv.heads, conv.out_channels
        q, k, v = (
            linear(
                h, self.param(f"{pre}lin_{name}.weight"), self.param(f"{pre}lin_{name}.bias")
            ).reshape(stack.size, heads, width)
            for name in ("query", "key", "value")
        )
        return [dot_attend(stack.plain, q[:, j], k[:, j], v[:, j]) for j in range(heads)]

    def _heads_on_features(self, stack: GraphStack, conv: Any, pre: str) -> list[Tensor]:
        batch, heads, width = stack.batch, conv.heads, conv.out_channels
        # [x, 1] padded with zeros to a multiple of 8 columns: the kernels run 20-35 % faster
        # at 16 columns than at 11 (measured), and zero columns add exactly nothing
        features = stack.x.shape[2]
        padded = 8 * math.ceil((features + 1) / 8)

        def augmented(name: str) -> Tensor:  # [W, b, 0] per head: (B, heads, width, padded)
            weight = self.param(f"{pre}lin_{name}.weight").view(batch, heads, width, -1)
            bias = self.param(f"{pre}lin_{name}.bias").view(batch, heads, width, 1)
            return torch.nn.functional.pad(torch.cat([weight, bias], 3), (0, padded - features - 1))

        q, k, v = augmented("query"), augmented("key"), augmented("value")

        def with_one() -> Tensor:
            out = torch.zeros(batch, stack.n, padded, dtype=stack.x.dtype, device=stack.device)
            out[..., :features] = stack.x
            out[..., features] = 1.0
            return out

        ones = stack.cached(("features-and-one", padded), with_one)
        flat = ones.reshape(stack.size, -1)
        outs = []
        for j in range(heads):
            # queries x~ Q.T K, as a batched linear layer (each GEMM in its faster orientation)
            queries = linear(ones, torch.bmm(k[:, j].transpose(1, 2), q[:, j]))
            mixed = dot_attend(
                stack.plain, queries.reshape(stack.size, -1), flat, flat, 1 / math.sqrt(width)
            )
            outs.append(linear(mixed.view(batch, stack.n, -1), v[:, j]))
        return [o.reshape(stack.size, -1) for o in outs]
