"""Look generators up by name (the ``model:`` field of a sweep's ``generator`` section)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gnnrg.generators.csbm import csbm

__all__ = ["GENERATORS", "resolve_generator"]

#: Generators by name. Each takes ``n`` and keyword arguments and returns a PyG ``Data``.
GENERATORS: dict[str, Callable[..., Any]] = {"csbm": csbm}


def _normalise(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def resolve_generator(name: str) -> Callable[..., Any]:
    """Return the generator called ``name`` (case, ``-`` and ``_`` ignored).

    Raises
    ------
    ValueError
        ``Could not resolve 'x' among choices [...]``.

    Examples
    --------
    >>> resolve_generator("CSBM").__name__
    'csbm'
    """
    for key, fn in GENERATORS.items():
        if isinstance(name, str) and _normalise(key) == _normalise(name):
            return fn
    raise ValueError(f"Could not resolve {name!r} among choices {sorted(GENERATORS)}")
