"""Training node classifiers under the study's protocols: :func:`train` (one graph or many),
the shared run plan (:mod:`~gnnrg.training.protocol`), the reference trainer
(:mod:`~gnnrg.training.loop`) and the batched engine (:mod:`~gnnrg.training.batched`)."""

from gnnrg.training.api import train
from gnnrg.training.protocol import PROTOCOLS, build_model

__all__ = ["PROTOCOLS", "build_model", "train"]
