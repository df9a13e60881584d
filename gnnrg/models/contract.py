"""The model contract: what the trainers and the batched engine read from a model class.

A model is a class in :data:`gnnrg.models.registry.MODELS`. Trainable ones derive from
:class:`~gnnrg.models.base.NodeClassifier` (``__init__(in_channels, out_channels, *, hidden,
layers, heads, dropout)``, ``forward(x, edge_index, **prepare(x, edge_index))``); non-learned
ones take ``(classes, *, seed)`` and implement ``predict(data)`` (and ``fit(data, train_idx)``
when they read labels). Everything else the code needs is declared as class attributes and
read here, never guessed with ``hasattr``:

========================  =========  ====================================================
attribute                 default    meaning
========================  =========  ====================================================
``learned``               ``True``   trained by gradient descent (False: fit/predict)
``uses_labels``           ``True``   reads training labels (a clustering baseline does not)
``attention``             ``"none"`` ``"edges"`` (GAT-like) or ``"global"`` (n × n): sizing
========================  =========  ====================================================

A batched twin (:class:`gnnrg.batched.twin.Twin`) is optional: a model without one trains one
run at a time through the reference trainer, with the same results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ATTENTION", "Traits", "traits"]

#: Valid values of a model's ``attention`` trait.
ATTENTION = ("none", "edges", "global")


@dataclass(frozen=True)
class Traits:
    """A model class's declared traits (see the module docstring)."""

    learned: bool
    uses_labels: bool
    attention: str


def traits(model: Any) -> Traits:
    """The traits of a model class or instance.

    Examples
    --------
    >>> from gnnrg.models import GAT, BeliefPropagation, Spectral
    >>> traits(GAT).attention, traits(BeliefPropagation).learned, traits(Spectral).uses_labels
    ('edges', False, False)
    """
    cls = model if isinstance(model, type) else type(model)
    attention = getattr(cls, "attention", "none")
    if attention not in ATTENTION:
        raise ValueError(f"{cls.__name__}.attention={attention!r}; choose one of {ATTENTION}")
    return Traits(
        learned=bool(getattr(cls, "learned", True)),
        uses_labels=bool(getattr(cls, "uses_labels", True)),
        attention=attention,
    )
