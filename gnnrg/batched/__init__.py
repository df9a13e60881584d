"""The batched training engine: many independent models trained at once, exactly.

Graphs of one size are stacked (:class:`GraphStack`), ``B`` models of one class become one
:class:`Twin` with stacked weights, and one Adam step updates all of them. The per-model
trainer (:func:`gnnrg.train` on one graph) stays the reference implementation.

Modules: :mod:`~gnnrg.batched.graphs` (stacks), :mod:`~gnnrg.batched.twin` (stacked weights,
batched linear layers), :mod:`~gnnrg.batched.convs` and :mod:`~gnnrg.batched.gps` (the twins),
:mod:`~gnnrg.batched.sparse` (CSR products with exact backward passes),
:mod:`~gnnrg.batched.attention` and :mod:`~gnnrg.batched.fused` (neighbour attention; fused
CPU kernels), :mod:`~gnnrg.batched.sizing` (batch sizes) and :mod:`~gnnrg.batched.allocator`.
"""

from gnnrg.batched.convs import GATTwin, GCNTwin, MLPTwin, SAGETwin, TransformerLocalTwin
from gnnrg.batched.gps import GraphTransformerTwin
from gnnrg.batched.graphs import GraphStack
from gnnrg.batched.twin import Twin

__all__ = ["TWINS", "GraphStack", "Twin", "twin_class"]

#: Batched twins of the trainable models.
TWINS: tuple[type[Twin], ...] = (
    MLPTwin,
    GCNTwin,
    SAGETwin,
    GATTwin,
    TransformerLocalTwin,
    GraphTransformerTwin,
)


def twin_class(model: object) -> type[Twin] | None:
    """The twin batching ``model``'s class (``None`` when there is none).

    Examples
    --------
    >>> from gnnrg.models import GCN
    >>> twin_class(GCN(3, 2)).__name__
    'GCNTwin'
    """
    cls = model if isinstance(model, type) else type(model)
    for twin in TWINS:
        if cls in twin.reference:
            return twin
    return None
