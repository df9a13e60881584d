"""The aggregations a linear GCN layer can use, named once for the theory and the CLI.

``sum``: A x; ``sum-self``: (A + I) x; ``mean``: D⁻¹ A x; ``sym``: D^-1/2 A D^-1/2 x.
"""

__all__ = ["NORMS"]

#: Aggregation names, in the order tables and the CLI list them.
NORMS = ("sum", "sum-self", "mean", "sym")
