"""Local graph transformer (Shi et al., 2021) on PyG's ``TransformerConv``."""

from __future__ import annotations

from torch_geometric.nn import TransformerConv

from gnnrg.models.stack import HeadedConvStack

__all__ = ["TransformerLocal"]


class TransformerLocal(HeadedConvStack):
    """``TransformerConv`` layers: dot-product attention over each node's neighbours plus a
    root (skip) weight. Heads as in :class:`gnnrg.models.gat.GAT`.

    Examples
    --------
    >>> TransformerLocal(10, 2, heads=2)
    TransformerLocal(10, 2, hidden=16, layers=2, heads=2, dropout=0.0)
    """

    attention = "edges"

    conv = TransformerConv
