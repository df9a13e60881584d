"""Look generators up by name (the ``model:`` field of a sweep's ``generator`` section)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gnnrg._registry import resolve
from gnnrg.generators.csbm import csbm

__all__ = ["GENERATORS", "resolve_generator"]

#: Generators by name. Each takes ``n`` and keyword arguments and returns a PyG ``Data``.
GENERATORS: dict[str, Callable[..., Any]] = {"csbm": csbm}


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
    return resolve(name, GENERATORS)
