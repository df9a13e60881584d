"""Graph attention network (Veličković et al., 2018) on PyG's ``GATConv``."""

from __future__ import annotations

from torch_geometric.nn import GATConv

from gnnrg.models.stack import HeadedConvStack

__all__ = ["GAT"]


class GAT(HeadedConvStack):
    """``GATConv`` layers; hidden layers concatenate ``heads`` heads of width ``hidden // heads``
    (at least 1), the output layer averages its heads.

    Examples
    --------
    >>> GAT(10, 2, heads=4)
    GAT(10, 2, hidden=16, layers=2, heads=4, dropout=0.0)
    """

    attention = "edges"

    conv = GATConv
