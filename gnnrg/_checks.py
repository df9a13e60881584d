"""Argument checks shared by the public API.

Every check raises :class:`ValueError` (or :class:`TypeError`) with a message that names the
offending argument, its value, and what would be valid. Never ``assert`` on user input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

__all__ = [
    "check_choice",
    "check_fraction",
    "check_int",
    "check_real",
]


def check_int(name: str, value: object, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and range (bounds inclusive)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name}={value!r} must be an integer")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name}={value} must be >= {low}")
    if high is not None and value > high:
        raise ValueError(f"{name}={value} must be <= {high}")
    return value


def check_real(
    name: str,
    value: object,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` after checking its range."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{name}={value!r} must be a real number")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}={value} must be finite")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name}={value:g} must be {op} {low:g}")
    if high is not None and (value > high or (high_open and value == high)):
        op = "<" if high_open else "<="
        raise ValueError(f"{name}={value:g} must be {op} {high:g}")
    return value


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float in ``[0, 1]``."""
    return check_real(name, value, low=0.0, high=1.0)


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (compared case-insensitively, ``_`` = ``-``)."""
    choices = list(choices)
    if isinstance(value, str):
        norm = value.lower().replace("_", "-")
        for choice in choices:
            if choice.lower().replace("_", "-") == norm:
                return choice
    raise ValueError(f"{name}={value!r} is not valid; choose one of {choices}")
