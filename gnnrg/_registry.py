"""Name lookup shared by the generator and model registries (PyG-style resolver)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["registry_key", "resolve"]

T = TypeVar("T")


def _normalise(name: str) -> str:
    return name.lower().replace("-", "").replace("_", "")


def resolve(name: object, table: Mapping[str, T]) -> T:
    """The entry of ``table`` called ``name``, ignoring case, ``-`` and ``_``.

    Raises
    ------
    ValueError
        ``Could not resolve 'x' among choices [...]``.

    Examples
    --------
    >>> resolve("A_b", {"ab": 1})
    1
    """
    if isinstance(name, str):
        for key, value in table.items():
            if _normalise(key) == _normalise(name):
                return value
    raise ValueError(f"Could not resolve {name!r} among choices {list(table)}")


def registry_key(name: object, table: Mapping[str, object]) -> str | None:
    """The key of ``table`` that ``name`` names (as :func:`resolve` matches), or None.

    Examples
    --------
    >>> registry_key("TransformerLocal", {"transformer-local": 1}), registry_key("x", {"a": 1})
    ('transformer-local', None)
    """
    if isinstance(name, str):
        for key in table:
            if _normalise(key) == _normalise(name):
                return key
    return None
