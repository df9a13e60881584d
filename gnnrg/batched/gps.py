"""Batched twin of the GPS graph transformer (local GIN + global multi-head attention).

Global attention is dense in the node count (``B x heads x n x n``): it dominates the cost of
this model and batching removes only the per-call overhead around it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.nn import functional as F

from gnnrg.batched.graphs import GraphStack
from gnnrg.batched.twin import Twin, linear
from gnnrg.models.gps import GraphTransformer

__all__ = ["GraphTransformerTwin"]


class GraphTransformerTwin(Twin):
    """Batched :class:`~gnnrg.models.gps.GraphTransformer` (``GPSConv`` with batch norm)."""

    reference = (GraphTransformer,)

    def prepare(self, stack: GraphStack) -> dict[str, Any]:
        key = ("gps-encoding", self.model.walk_length)
        return stack.cached(key, lambda: super(GraphTransformerTwin, self).prepare(stack))

    def _norm(self, h: Tensor, pre: str) -> Tensor:
        """``BatchNorm1d`` over each model's nodes, with its running statistics."""
        weight, bias = (
            self.param(pre + "weight").unsqueeze(1),
            self.param(pre + "bias").unsqueeze(1),
        )
        mean_buf, var_buf = self.param(pre + "running_mean"), self.param(pre + "running_var")
        norm = self.model.convs[0].norm1.module
        if self.training:
            mean, var = h.mean(1), h.var(1, unbiased=False)
            with torch.no_grad():
                n = h.shape[1]
                m = norm.momentum
                mean_buf.mul_(1 - m).add_(m * mean)
                var_buf.mul_(1 - m).add_(m * var * n / max(n - 1, 1))
                self.param(pre + "num_batches_tracked").add_(1)
        else:
            mean, var = mean_buf, var_buf
        return (h - mean.unsqueeze(1)) * torch.rsqrt(var.unsqueeze(1) + norm.eps) * weight + bias

    def _attention(self, h: Tensor, pre: str, heads: int) -> Tensor:
        batch, n, width = h.shape
        qkv = linear(h, self.param(pre + "in_proj_weight"), self.param(pre + "in_proj_bias"))
        q, k, v = (
            t.reshape(batch, n, heads, width // heads).transpose(1, 2)
            for t in qkv.split(width, dim=-1)
        )
        out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).reshape(batch, n, width)
        return linear(out, self.param(pre + "out_proj.weight"), self.param(pre + "out_proj.bias"))

    def forward(self, stack: GraphStack, *, encoding: Tensor, **extra: Any) -> Tensor:
        h = linear(
            torch.cat([stack.x, encoding], dim=-1),
            self.param("encode.weight"),
            self.param("encode.bias"),
        )
        for i, conv in enumerate(self.model.convs):
            pre = f"convs.{i}."
            gin = stack.propagate("sum", h) + (1 + self.param(pre + "conv.eps")).unsqueeze(1) * h
            gin = linear(
                gin,
                self.param(pre + "conv.nn.0.weight"),
                self.param(pre + "conv.nn.0.bias"),
                relu=True,
            )
            gin = linear(
                gin, self.param(pre + "conv.nn.2.weight"), self.param(pre + "conv.nn.2.bias")
            )
            local = self._norm(self._drop(gin) + h, pre + "norm1.module.")
            att = self._attention(h, pre + "attn.", conv.heads)
            att = self._norm(self._drop(att) + h, pre + "norm2.module.")
            out = local + att
            mlp = self.dense(
                out, self.param(pre + "mlp.0.weight"), self.param(pre + "mlp.0.bias"), False
            )
            mlp = linear(mlp, self.param(pre + "mlp.3.weight"), self.param(pre + "mlp.3.bias"))
            h = self._norm(out + self._drop(mlp), pre + "norm3.module.")
        return linear(h, self.param("readout.weight"), self.param("readout.bias"))
