"""Graph attention network (Veličković et al., 2018) on PyG's ``GATConv``."""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.nn import GATConv

from gnnrg.models.base import NodeClassifier

__all__ = ["GAT"]


class GAT(NodeClassifier):
    """``GATConv`` layers; hidden layers concatenate ``heads`` heads of width ``hidden // heads``
    (at least 1), the output layer averages its heads.

    Examples
    --------
    >>> GAT(10, 2, heads=4)
    GAT(10, 2, hidden=16, layers=2, heads=4, dropout=0.0)
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        per_head = max(1, self.hidden // self.heads)
        self.convs = nn.ModuleList()
        width = in_channels
        for i in range(self.layers):
            last = i == self.layers - 1
            out = out_channels if last else per_head
            self.convs.append(GATConv(width, out, heads=self.heads, concat=not last))
            width = per_head * self.heads

    def forward(self, x: Tensor, edge_index: Tensor, **extra) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = self._act(conv(x, edge_index), i == len(self.convs) - 1)
        return x
