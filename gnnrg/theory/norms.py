"""The aggregations a linear GCN layer can use and the evaluators of its accuracy, named once
for the theory and the CLI (a module without imports: the CLI reads it at start-up).

``sum``: A x; ``sum-self``: (A + I) x; ``mean``: D⁻¹ A x; ``sym``: D^-1/2 A D^-1/2 x.
"""

__all__ = ["METHODS", "NORMS"]

#: Aggregation names, in the order tables and the CLI list them.
NORMS = ("sum", "sum-self", "mean", "sym")

#: Evaluators of :func:`gnnrg.theory.linear_gcn_accuracy` by name; ``auto`` picks the exact
#: one-layer form, the two-layer degree-conditioned moment form (two plain classes) or the
#: neighbourhood population form (k classes, degree correction).
METHODS = ("auto", "exact", "moment", "neighbourhood", "tree", "graph")
