r"""When a ReLU GCN cannot beat its linearisation (the study's Theorem 1, in the form proved here).

**Symmetry.** The data law is *reflection symmetric* when ``(G, X, y)`` and ``(G, −X, 1 − y)``
have the same law: the graph's law is unchanged by swapping the two class labels (balanced
classes, ``p_in`` and ``p_out`` the same for both — *class symmetry*) and the class feature laws
are mirror images, ``x | y=1  ~  −x | y=0`` (means ``±m``, centred noise — *reflection*). The
two-class cSBM with means ``±μ e_0`` is; k > 2 classes, unequal class sizes, shifted means, or a
degree law that depends on the class are not.

**Theorem.** Let ``f(X)`` be any model's logit margin (``logit_1 − logit_0``) per node and
``o(X) = (f(X) − f(−X))/2`` its odd part. Under reflection symmetry the expected cross-entropy
of ``o`` is at most that of ``f``, with equality iff ``f`` is odd almost surely.

*Proof.* Write ``f = o + e`` with ``e`` even in ``X`` and ``s = 2y − 1``; the cross-entropy of a
node is ``ℓ(s f)`` with ``ℓ(t) = log(1 + e^{−t})``. Reflection maps ``(s, o, e)`` to
``(−s, −o, e)``, so ``E ℓ(s(o + e)) = E[½ ℓ(s o + s e) + ½ ℓ(s o − s e)] ≥ E ℓ(s o)`` by the
strict convexity of ``ℓ``. ∎

**Corollary (linearisation).** For a two-layer ReLU GCN without hidden bias,
``f(X) = K relu(K X W_1) W_2 + b``, ``relu(z) = (z + |z|)/2`` gives the odd part
``o(X) = ½ K² X W_1 W_2``: a linear two-layer GCN. Training the linear model (which can represent
``o``) therefore reaches cross-entropy no higher than the ReLU model; with a hidden bias the odd
part is a GCN with an odd clipped activation, not a linear one. Accuracy is not cross-entropy:
the corollary bounds the loss, and the accuracy of the linear model is what
:mod:`gnnrg.theory.accuracy` computes.

Checked numerically in ``tests/theory/test_linearisation.py`` (random and trained weights on
gnnrg's cSBM graphs; and a shifted-means model where the symmetry fails and the bound fails too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["cross_entropy", "linearised_margin", "odd_part", "relu_gcn_margin"]


def relu_gcn_margin(
    filt: Any, x: np.ndarray, w1: np.ndarray, w2: np.ndarray, b1=None, b2: float = 0.0
) -> np.ndarray:
    """Logit margin of a two-layer ReLU GCN, ``K relu(K X W1 + b1) w2 + b2``.

    Parameters
    ----------
    filt : (n, n) sparse matrix or array
        The graph filter ``K`` (e.g. :func:`gnnrg.theory.filter_matrix`).
    x : (n, F) array
    w1 : (F, H) array
    w2 : (H,) array
        Read-out of the margin ``logit_1 − logit_0``.
    b1 : (H,) array, optional
    b2 : float

    Returns
    -------
    ndarray (n,)

    Examples
    --------
    >>> import numpy as np
    >>> k = np.eye(3)
    >>> relu_gcn_margin(k, np.array([[1.0], [-1.0], [2.0]]), np.ones((1, 1)), np.ones(1)).tolist()
    [1.0, 0.0, 2.0]
    """
    hidden = filt @ (x @ w1)
    if b1 is not None:
        hidden = hidden + b1
    return filt @ (np.maximum(hidden, 0.0) @ w2) + b2


def linearised_margin(filt: Any, x: np.ndarray, w1: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """The odd part of a bias-free :func:`relu_gcn_margin`: ``½ K² X W1 w2``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[2.0], [-2.0]])
    >>> linearised_margin(np.eye(2), x, np.ones((1, 1)), np.ones(1)).tolist()
    [1.0, -1.0]
    """
    return 0.5 * (filt @ (filt @ (x @ (w1 @ w2))))


def odd_part(margin: Any, x: np.ndarray) -> np.ndarray:
    """``(f(X) − f(−X))/2`` for a callable ``margin`` of the features.

    Examples
    --------
    >>> import numpy as np
    >>> odd_part(lambda x: x[:, 0] ** 2 + x[:, 0] + 3, np.array([[2.0]])).tolist()
    [2.0]
    """
    return 0.5 * (np.asarray(margin(x)) - np.asarray(margin(-x)))


def cross_entropy(margin: np.ndarray, labels: np.ndarray) -> float:
    """Mean two-class cross-entropy ``log(1 + exp(−(2y − 1) f))`` of logit margins.

    Examples
    --------
    >>> import numpy as np
    >>> round(cross_entropy(np.zeros(4), np.array([0, 1, 0, 1])), 6)
    0.693147
    """
    signed = (2 * np.asarray(labels) - 1) * np.asarray(margin, dtype=float)
    return float(np.mean(np.logaddexp(0.0, -signed)))
