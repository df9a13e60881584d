"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, on PyG's ``SAGEConv``."""

from __future__ import annotations

import itertools

from torch import Tensor, nn
from torch_geometric.nn import SAGEConv

from gnnrg.models.base import NodeClassifier

__all__ = ["SAGE"]


class SAGE(NodeClassifier):
    r"""Stack of ``SAGEConv`` layers, :math:`h_i' = W_1 h_i + W_2\,\mathrm{mean}_{j \in N(i)} h_j`.

    The separate root weight lets SAGE ignore pure-noise edges, unlike GCN.

    Examples
    --------
    >>> SAGE(10, 3, layers=3)
    SAGE(10, 3, hidden=16, layers=3, dropout=0.0)
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        w = self.widths()
        self.convs = nn.ModuleList(SAGEConv(a, b) for a, b in itertools.pairwise(w))

    def forward(self, x: Tensor, edge_index: Tensor, **extra) -> Tensor:
        for i, conv in enumerate(self.convs):
            x = self._act(conv(x, edge_index), i == len(self.convs) - 1)
        return x
