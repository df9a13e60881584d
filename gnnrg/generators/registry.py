"""Look generators up by name (the ``model:`` field of a sweep's ``generator`` section)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gnnrg._registry import resolve
from gnnrg.generators.csbm import csbm, csbm_parameters

__all__ = ["GENERATORS", "PARAMETER_CHECKS", "generator_parameters", "resolve_generator"]

#: Generators by name. Each takes ``n`` and keyword arguments and returns a PyG ``Data``.
GENERATORS: dict[str, Callable[..., Any]] = {"csbm": csbm}
#: Each generator's argument check: ``check(n, **arguments)`` returns the resolved parameters
#: (what becomes ``data.params``) or raises a one-line ``ValueError``, sampling nothing.
PARAMETER_CHECKS: dict[str, Callable[..., dict[str, Any]]] = {"csbm": csbm_parameters}


def generator_parameters(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The named generator's own check of ``arguments`` (``n`` among them), resolved.

    Examples
    --------
    >>> generator_parameters("csbm", {"n": 100, "lam": 1.0})["p_in"]
    0.1316227766016838
    """
    arguments = dict(arguments)
    return resolve(name, PARAMETER_CHECKS)(arguments.pop("n"), **arguments)


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
