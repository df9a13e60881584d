"""The base class every trainable gnnrg model derives from."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

__all__ = ["NodeClassifier"]


class NodeClassifier(nn.Module):
    """A node classifier with the common depth/width knobs.

    Subclasses build their layers in ``__init__`` and implement :meth:`forward`. Structural
    inputs that depend only on the graph (e.g. positional encodings) come from :meth:`prepare`,
    which the trainer calls once per graph.

    Parameters
    ----------
    in_channels : int
        Input feature dimension.
    out_channels : int
        Number of classes.
    hidden : int, default 16
        Hidden width.
    layers : int, default 2
        Number of layers (message-passing layers, or linear layers for the MLP).
    heads : int, default 1
        Attention heads (attention models only).
    dropout : float, default 0.0
        Dropout probability between layers.
    """

    #: whether the model reads the graph (False for feature-only baselines)
    uses_graph: bool = True
    #: trained by gradient descent; reads the training labels (:mod:`gnnrg.models.contract`)
    learned: bool = True
    uses_labels: bool = True
    #: attention over edges ("edges") or all node pairs ("global"), for memory sizing
    attention: str = "none"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        hidden: int = 16,
        layers: int = 2,
        heads: int = 1,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if layers < 1:
            raise ValueError(f"layers={layers} must be >= 1")
        if hidden < 1:
            raise ValueError(f"hidden={hidden} must be >= 1")
        if heads < 1:
            raise ValueError(f"heads={heads} must be >= 1")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout={dropout} must be in [0, 1)")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.dropout = dropout

    def widths(self) -> list[int]:
        """Channel widths from input to output: ``[in, hidden, ..., hidden, out]``."""
        return [self.in_channels] + [self.hidden] * (self.layers - 1) + [self.out_channels]

    def prepare(self, x: Tensor, edge_index: Tensor) -> dict[str, Any]:
        """Graph-dependent extra inputs for :meth:`forward`, computed once per graph."""
        return {}

    def forward(self, x: Tensor, edge_index: Tensor, **extra: Any) -> Tensor:  # pragma: no cover
        raise NotImplementedError

    def _act(self, h: Tensor, last: bool) -> Tensor:
        if last:
            return h
        h = torch.relu(h)
        return nn.functional.dropout(h, p=self.dropout, training=self.training)

    def __repr__(self) -> str:
        extra = f", heads={self.heads}" if self.heads != 1 else ""
        return (
            f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
            f"hidden={self.hidden}, layers={self.layers}{extra}, dropout={self.dropout})"
        )
