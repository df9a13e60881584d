"""Training node classifiers under the study's protocols."""

from gnnrg.training.loop import PROTOCOLS, build_model, train

__all__ = ["PROTOCOLS", "build_model", "train"]
