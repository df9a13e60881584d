"""Graph convolutional network (Kipf & Welling, 2017) on PyG's ``GCNConv``."""

from __future__ import annotations

import itertools

from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from gnnrg.models.base import NodeClassifier

__all__ = ["GCN"]


class GCN(NodeClassifier):
    r"""Stack of ``GCNConv`` layers, :math:`H' = \sigma(\hat D^{-1/2}\hat A \hat D^{-1/2} H W)`.

    Examples
    --------
    >>> GCN(10, 2, hidden=16, layers=2)
    GCN(10, 2, hidden=16, layers=2, dropout=0.0)
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        w = self.widths()
        self.convs = nn.ModuleList(GCNConv(a, b) for a, b in itertools.pairwise(w))

    def forward(self, x: Tensor, edge_index: Tensor, **extra) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = self._act(conv(x, edge_index), i == len(self.convs) - 1)
        return x
