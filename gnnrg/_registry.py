"""Name lookup shared by the generator and model registries (PyG-style resolver)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = ["resolve"]

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
