"""GraphSAGE (Hamilton et al., 2017) with mean aggregation, on PyG's ``SAGEConv``."""

from __future__ import annotations

from torch_geometric.nn import SAGEConv

from gnnrg.models.stack import ConvStack

__all__ = ["SAGE"]


class SAGE(ConvStack):
    r"""Stack of ``SAGEConv`` layers, :math:`h_i' = W_1 h_i + W_2\,\mathrm{mean}_{j \in N(i)} h_j`.

    The separate root weight lets SAGE ignore pure-noise edges, unlike GCN.

    Examples
    --------
    >>> SAGE(10, 3, layers=3)
    SAGE(10, 3, hidden=16, layers=3, dropout=0.0)
    """

    conv = SAGEConv
