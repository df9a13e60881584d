"""Stacks of one PyG convolution type: the body shared by GCN, SAGE, GAT and TransformerConv."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from torch import Tensor, nn

from gnnrg.models.base import NodeClassifier

__all__ = ["ConvStack", "HeadedConvStack"]


class ConvStack(NodeClassifier):
    """``layers`` convolutions ``conv(in, out)`` of the class in :attr:`conv`, ReLU and dropout
    between them."""

    conv: ClassVar[type]

    def __init__(self, in_channels: int, out_channels: int, **kwargs: Any) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        w = self.widths()
        self.convs = nn.ModuleList(self.conv(a, b) for a, b in itertools.pairwise(w))

    def forward(self, x: Tensor, edge_index: Tensor, **extra: Any) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = self._act(conv(x, edge_index), i == len(self.convs) - 1)
        return x


class HeadedConvStack(ConvStack):
    """Attention convolutions: hidden layers concatenate ``heads`` heads of width
    ``hidden // heads`` (at least 1); the output layer averages its heads."""

    def __init__(self, in_channels: int, out_channels: int, **kwargs: Any) -> None:
        NodeClassifier.__init__(self, in_channels, out_channels, **kwargs)
        per_head = max(1, self.hidden // self.heads)
        self.convs = nn.ModuleList()
        width = in_channels
        for i in range(self.layers):
            last = i == self.layers - 1
            out = out_channels if last else per_head
            self.convs.append(self.conv(width, out, heads=self.heads, concat=not last))
            width = per_head * self.heads
