"""gnnrg: graph neural networks on random graphs, theory and simulation side by side.

The top-level names are loaded lazily, so ``import gnnrg`` (and ``gnnrg theory``) do not import
torch until a torch-backed function is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "csbm": "gnnrg.generators.csbm",
    "erase": "gnnrg.generators.erase",
    "resolve_generator": "gnnrg.generators.registry",
    "to_networkx": "gnnrg.interop",
    "from_networkx": "gnnrg.interop",
    "from_edge_list": "gnnrg.interop",
    "stats": "gnnrg.diagnostics",
    "nodewise_accuracy": "gnnrg.theory.nodewise",
    "load_results": "gnnrg.sweep.store",
    "thresholds": "gnnrg.sweep.recoverability",
    "train": "gnnrg.training.api",
}

#: Subpackages and modules reachable as attributes after ``import gnnrg`` (also lazily).
_SUBMODULES = (
    "datasets", "diagnostics", "generators", "interop", "models", "parameters", "plot",
    "sweep", "theory", "training",
)  # fmt: skip

__all__ = [*sorted(_LAZY), "__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = importlib.import_module(f"gnnrg.{name}")
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        raise AttributeError(f"module 'gnnrg' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_SUBMODULES])
