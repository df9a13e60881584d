"""Local graph transformer (Shi et al., 2021) on PyG's ``TransformerConv``."""

from __future__ import annotations

from torch import Tensor, nn
from torch_geometric.nn import TransformerConv

from gnnrg.models.base import NodeClassifier

__all__ = ["TransformerLocal"]


class TransformerLocal(NodeClassifier):
    """``TransformerConv`` layers: dot-product attention over each node's neighbours plus a
    root (skip) weight. Heads as in :class:`gnnrg.models.gat.GAT`.

    Examples
    --------
    >>> TransformerLocal(10, 2, heads=2)
    TransformerLocal(10, 2, hidden=16, layers=2, heads=2, dropout=0.0)
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        per_head = max(1, self.hidden // self.heads)
        self.convs = nn.ModuleList()
        width = in_channels
        for i in range(self.layers):
            last = i == self.layers - 1
            out = out_channels if last else per_head
            self.convs.append(TransformerConv(width, out, heads=self.heads, concat=not last))
            width = per_head * self.heads

    def forward(self, x: Tensor, edge_index: Tensor, **extra) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = self._act(conv(x, edge_index), i == len(self.convs) - 1)
        return x
