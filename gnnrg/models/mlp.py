"""Feature-only baselines: multilayer perceptron and logistic regression."""

from __future__ import annotations

import itertools

from torch import Tensor, nn

from gnnrg.models.base import NodeClassifier

__all__ = ["MLP", "LogReg"]


class MLP(NodeClassifier):
    """``layers`` linear layers with ReLU between; ignores the graph.

    Examples
    --------
    >>> MLP(10, 2)
    MLP(10, 2, hidden=16, layers=2, dropout=0.0)
    """

    uses_graph = False

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__(in_channels, out_channels, **kwargs)
        w = self.widths()
        self.lins = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(w))

    def forward(self, x: Tensor, edge_index: Tensor | None = None, **extra) -> Tensor:
        for i, lin in enumerate(self.lins):
            x = self._act(lin(x), i == len(self.lins) - 1)
        return x


class LogReg(MLP):
    """Multinomial logistic regression on the features (an MLP with one layer).

    Examples
    --------
    >>> LogReg(10, 2)
    LogReg(10, 2, hidden=16, layers=1, dropout=0.0)
    """

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        kwargs["layers"] = 1
        super().__init__(in_channels, out_channels, **kwargs)
