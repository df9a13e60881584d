"""Training node classifiers under the study's protocols."""

from gnnrg.train.loop import PROTOCOLS, build_model, train

__all__ = ["PROTOCOLS", "build_model", "train"]
