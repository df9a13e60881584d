"""Training node classifiers under the study's protocols: :func:`train` (one graph or many),
the shared run plan (:mod:`~gnnrg.training.protocol`), the reference trainer
(:mod:`~gnnrg.training.loop`), the batched engine (:mod:`~gnnrg.training.batched`) and the
options they share (:mod:`~gnnrg.training.options`, importable without torch).

The names below load on first use, so importing the package (or its options) stays light.
"""

from importlib import import_module
from typing import Any

__all__ = ["PROTOCOLS", "build_model", "train"]

_WHERE = {
    "train": "gnnrg.training.api",
    "PROTOCOLS": "gnnrg.training.protocol",
    "build_model": "gnnrg.training.protocol",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'gnnrg.training' has no attribute {name!r}")
