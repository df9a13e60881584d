"""The Structure-Aware Transformer (SAT; Chen, O'Bray and Borgwardt, ICML 2022), the graph
transformer the study used, in its k-subtree form on PyG layers.

Each layer computes structure-aware node representations with a k-layer GCN run on the whole
graph (node u's output summarises its k-hop subtree: the paper's "k-subtree" extractor), takes
queries and keys from them and values from the layer's input, attends over *all* nodes, and
adds a residual, batch norm and a feed-forward block, as the paper's layer does:

.. math::

    \\mathrm{attn}(u) = \\sum_v \\mathrm{softmax}_v\\big(
        \\langle W_Q \\varphi(u, G), W_K \\varphi(v, G)\\rangle / \\sqrt{d_h}\\big)\\, W_V h_v.

Full self-attention costs O(n²) per layer and head, like GraphGPS's; gnnrg trains it one run
at a time (no batched twin).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch_geometric.nn import GCNConv

from gnnrg.models.base import NodeClassifier

__all__ = ["StructureAwareTransformer"]


class StructureAwareTransformer(NodeClassifier):
    """SAT layers (k-subtree GCN extractor, global structure-aware attention) and a readout.

    Parameters
    ----------
    in_channels, out_channels : int
    k_hops : int, default 2
        Depth of the subtree extractor (GCN layers per attention layer).
    **kwargs
        ``hidden``, ``layers`` (attention layers), ``heads``, ``dropout``
        (:class:`NodeClassifier`); ``hidden`` must be divisible by ``heads``.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(60, lam=2.0, mu=1.0, seed=0)
    >>> model = StructureAwareTransformer(10, 2, heads=2)
    >>> model(g.x, g.edge_index).shape
    torch.Size([60, 2])
    """

    attention = "global"

    def __init__(self, in_channels: int, out_channels: int, *, k_hops: int = 2, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} must be divisible by heads={self.heads}")
        if k_hops < 1:
            raise ValueError(f"k_hops={k_hops} must be >= 1")
        self.k_hops = k_hops
        width = self.hidden
        self.encode = nn.Linear(in_channels, width)
        self.extractors = nn.ModuleList(
            nn.ModuleList(GCNConv(width, width) for _ in range(k_hops)) for _ in range(self.layers)
        )
        self.query_key = nn.ModuleList(nn.Linear(width, 2 * width) for _ in range(self.layers))
        self.value = nn.ModuleList(nn.Linear(width, width) for _ in range(self.layers))
        self.project = nn.ModuleList(nn.Linear(width, width) for _ in range(self.layers))
        self.norm_attention = nn.ModuleList(nn.BatchNorm1d(width) for _ in range(self.layers))
        self.feed_forward = nn.ModuleList(
            nn.Sequential(nn.Linear(width, 2 * width), nn.ReLU(), nn.Linear(2 * width, width))
            for _ in range(self.layers)
        )
        self.norm_forward = nn.ModuleList(nn.BatchNorm1d(width) for _ in range(self.layers))
        self.readout = nn.Linear(width, out_channels)

    def forward(self, x: Tensor, edge_index: Tensor, **extra) -> Tensor:
        n, heads, width = x.shape[0], self.heads, self.hidden
        h = self.encode(x)
        for layer in range(self.layers):
            s = h
            for conv in self.extractors[layer]:  # the k-subtree extractor phi(u, G)
                s = torch.relu(conv(s, edge_index))
            q, k = self.query_key[layer](s).chunk(2, dim=-1)
            v = self.value[layer](h)
            q, k, v = (t.view(n, heads, width // heads).transpose(0, 1) for t in (q, k, v))
            attended = nn.functional.scaled_dot_product_attention(
                q, k, v, dropout_p=self.dropout if self.training else 0.0
            )
            attended = self.project[layer](attended.transpose(0, 1).reshape(n, width))
            h = self.norm_attention[layer](h + attended)
            h = self.norm_forward[layer](h + self.feed_forward[layer](h))
            h = nn.functional.dropout(h, p=self.dropout, training=self.training)
        return self.readout(h)
