"""What a variant of the cSBM declares: its keyword arguments with the plain model's values,
which of them switch it on, how they are checked, and whether the theory describes it.

Each variant module (:mod:`~gnnrg.generators.degrees`, :mod:`~gnnrg.generators.edge_noise`,
:mod:`~gnnrg.generators.features`, :mod:`~gnnrg.generators.motifs`) holds its declaration;
:data:`gnnrg.generators.csbm.VARIANT_DECLARATIONS` lists them, and everything that needs to
know a variant's arguments (``csbm_parameters``, the sweep's checks, the plots' "is this a
plain cSBM" test, the theory overlays) reads them from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Variant"]


@dataclass(frozen=True)
class Variant:
    """One variant of the cSBM.

    Attributes
    ----------
    name : str
        What it is, in words.
    parameters : Mapping[str, Any]
        Its keyword arguments of :func:`gnnrg.csbm` and their defaults (the plain cSBM).
    switches : tuple of str
        The parameters whose value, when not the default, turns the variant on; the others
        only shape it.
    check : callable
        ``check(n, classes, **parameters) -> dict``: the parameters checked and resolved
        (a ``ValueError`` naming the argument and its valid values otherwise).
    theory : bool
        Whether :mod:`gnnrg.theory` describes graphs with the variant on (the phase diagrams
        then draw theory on its panels).

    Examples
    --------
    >>> from gnnrg.generators.edge_noise import EDGE_NOISE
    >>> EDGE_NOISE.is_on({"edge_noise": 0.1}), EDGE_NOISE.is_on({"edge_noise": 0.0})
    (True, False)
    """

    name: str
    parameters: Mapping[str, Any]
    switches: tuple[str, ...]
    check: Callable[..., dict[str, Any]]
    theory: bool = False

    def is_on(self, values: Mapping[str, Any]) -> bool:
        """Whether any switch in ``values`` differs from its default (missing: default)."""
        return any(
            values.get(key, default) is not None
            if default is None
            else values.get(key, default) != default
            for key, default in ((k, self.parameters[k]) for k in self.switches)
        )
