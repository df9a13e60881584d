"""Look models up by name: the YAML name and the class map one-to-one."""

from __future__ import annotations

from typing import Any

from gnnrg._registry import resolve
from gnnrg.models.belief import BeliefPropagation
from gnnrg.models.gat import GAT
from gnnrg.models.gcn import GCN
from gnnrg.models.gps import GraphTransformer
from gnnrg.models.mlp import MLP, LogReg
from gnnrg.models.sage import SAGE
from gnnrg.models.sat import StructureAwareTransformer
from gnnrg.models.transformer_local import TransformerLocal
from gnnrg.models.unsupervised import Louvain, Spectral

__all__ = ["MODELS", "resolve_model"]

#: Model classes by their sweep name.
MODELS: dict[str, type] = {
    "mlp": MLP,
    "logreg": LogReg,
    "gcn": GCN,
    "sage": SAGE,
    "gat": GAT,
    "transformer": GraphTransformer,
    "transformer-local": TransformerLocal,
    "sat": StructureAwareTransformer,
    "spectral": Spectral,
    "louvain": Louvain,
    "bp": BeliefPropagation,
}


def resolve_model(name: str) -> type:
    """The model class called ``name`` (case, ``-`` and ``_`` ignored).

    Raises
    ------
    ValueError
        ``Could not resolve 'x' among choices [...]``.

    Examples
    --------
    >>> resolve_model("Transformer_Local").__name__
    'TransformerLocal'
    """
    return resolve(name, MODELS)


def model_name(model: Any) -> str:
    """The registry name of a model class or instance (its class name if unregistered).

    Examples
    --------
    >>> model_name(GCN(3, 2))
    'gcn'
    """
    cls = model if isinstance(model, type) else type(model)
    for key, value in MODELS.items():
        if value is cls:
            return key
    return cls.__name__
