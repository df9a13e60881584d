r"""Symbolic forms of the conditional accuracies: the one source the numeric evaluators use.

Each expression is the accuracy of a linear GCN with the oracle readout sign(⟨m, h_i⟩) at a
node whose neighbourhood counts are given, two classes, s = μ/σ. The numeric evaluators in
:mod:`gnnrg.theory.one_layer` and :mod:`gnnrg.theory.two_layer` call the functions that
:func:`numeric` lambdifies from these expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import sympy as sp

__all__ = ["EXPRESSIONS", "latex", "numeric"]

s, k_s, k_d = sp.symbols("s k_s k_d", real=True)
n_in, n_out, n_2in, n_2out = sp.symbols("n_in n_out n_2in n_2out", nonnegative=True)


def _Phi(z: sp.Expr) -> sp.Expr:
    return (1 + sp.erf(z / sp.sqrt(2))) / 2


#: Argument of Φ (the node's signal-to-noise ratio), by (layers, aggregation).
EXPRESSIONS: dict[tuple[int, str], tuple[tuple[sp.Symbol, ...], sp.Expr]] = {
    # one layer, A + I (mean aggregation D̃⁻¹(A+I) has the same sign, hence the same accuracy)
    (1, "sum-self"): ((s, k_s, k_d), s * (1 + k_s - k_d) / sp.sqrt(1 + k_s + k_d)),
    # one layer, A without self loop (the study's Proposition 1); 0/0 is a tie (accuracy ½)
    (1, "sum"): ((s, k_s, k_d), s * (k_s - k_d) / sp.sqrt(k_s + k_d)),
    # two layers, (A + I)² on a tree (the study's Theorem 2)
    (2, "sum-self"): (
        (s, n_in, n_out, n_2in, n_2out),
        s
        * (1 + 3 * n_in - n_out + n_2in - n_2out)
        / sp.sqrt((n_in + n_out + 1) ** 2 + 4 * (n_in + n_out) + n_2in + n_2out),
    ),
    # two layers, A² on a tree: own term d_i, walks of length two to 2-hop nodes
    (2, "sum"): (
        (s, n_in, n_out, n_2in, n_2out),
        s * (n_in + n_out + n_2in - n_2out) / sp.sqrt((n_in + n_out) ** 2 + n_2in + n_2out),
    ),
}


def latex(layers: int, norm: str) -> str:
    """LaTeX of the nodewise accuracy Φ(·) for a (layers, aggregation) pair.

    Examples
    --------
    >>> print(latex(1, "sum-self"))
    \\Phi\\left(\\frac{s \\left(- k_{d} + k_{s} + 1\\right)}{\\sqrt{k_{d} + k_{s} + 1}}\\right)
    """
    _, expr = EXPRESSIONS[(layers, norm)]
    return r"\Phi\left(" + sp.latex(expr) + r"\right)"


@cache
def numeric(layers: int, norm: str) -> Callable[..., object]:
    """NumPy function of the Φ-argument, lambdified from :data:`EXPRESSIONS`.

    Examples
    --------
    >>> f = numeric(1, "sum-self")
    >>> float(f(1.0, 3, 1))
    1.3416407864998738
    """
    symbols, expr = EXPRESSIONS[(layers, norm)]
    return sp.lambdify(symbols, expr, modules="numpy")
