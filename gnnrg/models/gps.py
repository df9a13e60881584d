"""Graph transformer with global attention and structural encodings (GraphGPS, Rampášek et al.
2022) on PyG's ``GPSConv``.

The study used a structure-aware transformer; GPS is its maintained PyG counterpart: each layer
adds a local message-passing update (GIN) and global multi-head self-attention over all nodes.
Structural encodings are random-walk return probabilities (RWSE) of lengths 1..``walk_length``
and the log degree, concatenated to the input features.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch_geometric.nn import GINConv, GPSConv

from gnnrg.models.base import NodeClassifier

__all__ = ["GraphTransformer", "random_walk_encoding"]


def random_walk_encoding(edge_index: Tensor, num_nodes: int, walk_length: int) -> Tensor:
    """Return probabilities of random walks of lengths 1..walk_length, shape (n, walk_length).

    Computed with sparse products of the walk matrix against the identity's columns in blocks,
    O(walk_length · E · n / block) work — fine for the study's sizes (n ≲ 10⁴).

    Examples
    --------
    >>> ei = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    >>> random_walk_encoding(ei, 3, 2)[:, 1].tolist()
    [0.5, 1.0, 0.5]
    """
    row, _col = edge_index
    deg = torch.bincount(row, minlength=num_nodes).clamp(min=1).to(torch.float32)
    walk = torch.sparse_coo_tensor(
        edge_index,
        1.0 / deg[row],
        (num_nodes, num_nodes),
        dtype=torch.float32,
        check_invariants=False,
    ).coalesce()
    out = torch.empty(num_nodes, walk_length)
    block = 2048
    for start in range(0, num_nodes, block):
        stop = min(start + block, num_nodes)
        cols = torch.arange(start, stop)
        state = torch.zeros(num_nodes, stop - start)
        state[cols, cols - start] = 1.0
        for step in range(walk_length):
            state = torch.sparse.mm(walk, state)
            out[start:stop, step] = state[cols, cols - start]
    return out


class GraphTransformer(NodeClassifier):
    """GPS layers (local GIN + global attention) on encoded inputs, then a linear readout.

    Parameters
    ----------
    in_channels, out_channels : int
    walk_length : int, default 8
        Lengths of the random-walk structural encoding.
    **kwargs
        ``hidden``, ``layers``, ``heads``, ``dropout`` (see :class:`NodeClassifier`);
        ``hidden`` must be divisible by ``heads``.

    Examples
    --------
    >>> GraphTransformer(10, 2, heads=2)
    GraphTransformer(10, 2, hidden=16, layers=2, heads=2, dropout=0.0)
    """

    attention = "global"

    def __init__(
        self, in_channels: int, out_channels: int, *, walk_length: int = 8, **kwargs
    ) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads}")
        self.walk_length = walk_length
        self.encode = nn.Linear(in_channels + walk_length + 1, self.hidden)
        self.convs = nn.ModuleList()
        for _ in range(self.layers):
            mlp = nn.Sequential(
                nn.Linear(self.hidden, self.hidden), nn.ReLU(), nn.Linear(self.hidden, self.hidden)
            )
            self.convs.append(
                GPSConv(self.hidden, GINConv(mlp), heads=self.heads, dropout=self.dropout)
            )
        self.readout = nn.Linear(self.hidden, out_channels)

    def prepare(self, x: Tensor, edge_index: Tensor) -> dict[str, Any]:
        n = x.shape[0]
        rw = random_walk_encoding(edge_index.cpu(), n, self.walk_length)
        deg = torch.bincount(edge_index[0].cpu(), minlength=n).to(torch.float32)
        return {"encoding": torch.cat([rw, torch.log1p(deg)[:, None]], dim=1).to(x.device)}

    def forward(self, x: Tensor, edge_index: Tensor, *, encoding: Tensor, **extra) -> Tensor:
        h = self.encode(torch.cat([x, encoding], dim=1))
        for conv in self.convs:
            h = conv(h, edge_index)
        return self.readout(h)
