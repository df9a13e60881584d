"""Graph convolutional network (Kipf & Welling, 2017) on PyG's ``GCNConv``."""

from __future__ import annotations

from torch_geometric.nn import GCNConv

from gnnrg.models.stack import ConvStack

__all__ = ["GCN"]


class GCN(ConvStack):
    r"""Stack of ``GCNConv`` layers, :math:`H' = \sigma(\hat D^{-1/2}\hat A \hat D^{-1/2} H W)`.

    Examples
    --------
    >>> GCN(10, 2, hidden=16, layers=2)
    GCN(10, 2, hidden=16, layers=2, dropout=0.0)
    """

    conv = GCNConv
