"""Node classifiers: GCN, GAT, GraphSAGE, graph transformers, MLP/logistic baselines, and
non-learned baselines: belief propagation (the cSBM's Bayes-optimal reference), spectral
and Louvain."""

from gnnrg.models.base import NodeClassifier
from gnnrg.models.belief import BeliefPropagation
from gnnrg.models.gat import GAT
from gnnrg.models.gcn import GCN
from gnnrg.models.gps import GraphTransformer
from gnnrg.models.mlp import MLP, LogReg
from gnnrg.models.registry import MODELS, model_name, resolve_model
from gnnrg.models.sage import SAGE
from gnnrg.models.sat import StructureAwareTransformer
from gnnrg.models.transformer_local import TransformerLocal
from gnnrg.models.unsupervised import Louvain, Spectral, matched_accuracy

__all__ = [
    "GAT",
    "GCN",
    "MLP",
    "MODELS",
    "SAGE",
    "BeliefPropagation",
    "GraphTransformer",
    "LogReg",
    "Louvain",
    "NodeClassifier",
    "Spectral",
    "StructureAwareTransformer",
    "TransformerLocal",
    "matched_accuracy",
    "model_name",
    "resolve_model",
]
