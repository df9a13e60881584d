r"""Belief propagation on the cSBM: the Bayes-optimal reference as a model in the sweep.

Inference in the contextual SBM combines two channels (Duranthon & Zdeborová, TMLR 2024): the
graph, through belief propagation on the sparse edges (Decelle, Krzakala, Moore & Zdeborová
2011), and the features, through each node's class likelihood. Duranthon & Zdeborová learn
unknown, high-dimensional class means by AMP inside the loop; in gnnrg's protocols the means
are learnable from labelled nodes (F = 10 features against hundreds of labels), so the feature
channel is the plug-in Gaussian log-likelihood — the known-means limit, whose dense state
evolution is :func:`gnnrg.theory.joint_bayes_accuracy`.

The parameters — edge probabilities between classes, class means, per-dimension noise
variance, class proportions — are estimated from the labelled nodes (:meth:`fit`), the way a
GNN learns its weights from them. Messages then run on any graph with the same parameters:

.. math:: \psi^{i\to j}_c \propto e^{h_i(c) - \bar h(c) + \beta_c}
          \prod_{k \in \partial i \setminus j} \sum_{c'} p_{cc'}\, \psi^{k\to i}_{c'},
          \qquad \bar h(c) = n \sum_{c'} p_{cc'}\, \pi_{c'},

with :math:`h_i(c) = \log \pi_c + \log \mathcal N(x_i; m_c, \operatorname{diag}\sigma^2)`,
:math:`\bar h` the mean-field effect of the non-edges and :math:`\beta` the offsets that hold
the mean marginal at the class proportions :math:`\pi` (without them, a uniform drift of every
node towards one class is balanced only to first order, and a damped iteration slides into
one-class fixed points). Labelled nodes of the graph being classified (the transductive
protocol) are clamped to their class. Each sweep costs O(E k + n k F); accuracy is plain (the
labels fix which cluster is which class): without feature signal on a fresh graph the classes'
names are not identifiable, and plain accuracy averages 0.5, as for any model trained on
another graph. It is the reference for the plain cSBM: on graphs with heavy-tailed degrees,
loops among hubs make it overconfident (below the features alone at λ = 1, μ = 0.5 with
power-law degrees; ``theory/baselines.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import softmax

from gnnrg.diagnostics import _node_array, class_edge_ends
from gnnrg.edgelist import edge_array

__all__ = ["BeliefPropagation"]


class BeliefPropagation:
    """Bayes-optimal node classification on the cSBM by belief propagation (``"bp"``).

    Not trained by gradient descent: :meth:`fit` estimates the model's parameters from the
    labelled nodes, :meth:`predict` runs the messages to a fixed point on a graph.

    Parameters
    ----------
    classes : int
        Number of classes k (any k >= 2).
    seed : int, default 0
        Seeds the small random perturbation of the initial messages (it breaks the symmetry
        when the features carry no signal).
    max_iter : int, default 200
        Most message sweeps.
    tol : float, default 1e-6
        Convergence: the largest change of any node's class probability in one sweep.
    damping : float, default 0.0
        Fraction of the old message kept at each sweep, in [0, 1).

    Attributes
    ----------
    edge_probability_ : ndarray of shape (k, k)
        Estimated probability of an edge between a node of class c and one of class c'.
    means_, variance_ : ndarray of shape (k, F) and (F,)
        Estimated class means and per-dimension noise variance.
    prior_ : ndarray of shape (k,)
        Estimated class proportions.
    iterations_, converged_ : int, bool
        Of the last :meth:`posterior` call.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g, h = csbm(2000, lam=1.5, mu=0.6, seed=0), csbm(2000, lam=1.5, mu=0.6, seed=1)
    >>> bp = BeliefPropagation(2).fit(g)
    >>> bool((bp.predict(h) == h.y.numpy()).mean() > 0.8)
    True
    """

    learned = False
    uses_graph = True
    uses_labels = True

    def __init__(
        self,
        classes: int,
        *,
        seed: int = 0,
        max_iter: int = 200,
        tol: float = 1e-6,
        damping: float = 0.0,
    ) -> None:
        if int(classes) < 2:
            raise ValueError(f"classes={classes} must be >= 2")
        if int(max_iter) < 1:
            raise ValueError(f"max_iter={max_iter} must be >= 1")
        if not tol > 0:
            raise ValueError(f"tol={tol} must be > 0")
        if not 0 <= damping < 1:
            raise ValueError(f"damping={damping} must be in [0, 1)")
        self.classes = int(classes)
        self.seed = seed
        self.max_iter = int(max_iter)
        self.tol = float(tol)
        self.damping = float(damping)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.classes})"

    def fit(self, data: Any, idx: Any = None) -> BeliefPropagation:
        """Estimate the parameters from the labelled nodes ``idx`` of ``data`` (default all).

        Edge probabilities are edge counts over node pairs within the labelled set, with half
        an edge added to each count so that no class pair is impossible.

        Parameters
        ----------
        data : Data
            A graph with features ``x`` and labels ``y``.
        idx : array of int, optional
            The labelled nodes.

        Returns
        -------
        BeliefPropagation
            ``self``.

        Examples
        --------
        >>> from gnnrg import csbm
        >>> bp = BeliefPropagation(2).fit(csbm(4000, avg_degree=10, lam=2.0, seed=0))
        >>> (bp.edge_probability_ * 4000).round(1).tolist()   # d ± λ√d = 16.3, 3.7
        [[16.2, 3.7], [3.7, 16.4]]
        """
        x, y = _node(data, "x", np.float64), _node(data, "y", np.int64)
        n, k = len(y), self.classes
        idx = np.arange(n) if idx is None else np.asarray(idx, dtype=np.int64)
        labels = y[idx]
        if len(idx) < 2 * k or labels.max(initial=0) >= k or labels.min(initial=0) < 0:
            raise ValueError(
                f"fit needs labels in 0..{k - 1} and at least two labelled nodes per class; "
                f"got {len(idx)} labelled nodes"
            )
        counts = np.bincount(labels, minlength=k).astype(float)
        if counts.min() < 2:
            raise ValueError(f"every class needs two labelled nodes; counts are {counts.tolist()}")
        self.prior_ = counts / counts.sum()
        self.means_ = np.stack([x[idx][labels == c].mean(0) for c in range(k)])
        residual = x[idx] - self.means_[labels]
        self.variance_ = np.maximum((residual**2).sum(0) / (len(idx) - k), 1e-12)
        cls = np.full(n, -1)
        cls[idx] = labels
        ends = class_edge_ends(edge_array(data)[0], cls, k)
        hits = ends - np.diag(np.diag(ends)) / 2  # edges per class pair
        pairs = np.outer(counts, counts) - np.diag(counts * (counts + 1) / 2)
        self.edge_probability_ = (hits + 0.5) / (pairs + 1.0)
        return self

    def posterior(self, data: Any, *, clamp: Any = None) -> np.ndarray:
        """Class marginals of every node of ``data`` at BP's fixed point.

        Parameters
        ----------
        data : Data
            Any graph with features of the fitted dimension (labels only read for ``clamp``).
        clamp : array of int, optional
            Nodes whose labels ``data.y`` are known: fixed to their class.

        Returns
        -------
        ndarray of shape (n, k)
            Rows sum to one.

        Examples
        --------
        >>> from gnnrg import csbm
        >>> g = csbm(500, lam=2.0, mu=1.0, seed=0)
        >>> post = BeliefPropagation(2).fit(g).posterior(g, clamp=[0, 1])
        >>> post.shape, bool(post[0, int(g.y[0])] == 1.0)
        ((500, 2), True)
        """
        if not hasattr(self, "means_"):
            raise RuntimeError("call fit(data, idx) before posterior/predict")
        x = _node(data, "x", np.float64)
        if x.shape[1] != self.means_.shape[1]:
            raise ValueError(
                f"data has {x.shape[1]} features; the model was fitted on {self.means_.shape[1]}"
            )
        edges, n = edge_array(data)
        k, m = self.classes, edges.shape[1]
        # log prior + Gaussian log-likelihood, up to a per-node constant (softmax ignores it)
        scaled = self.means_ / self.variance_
        field = np.log(self.prior_) + x @ scaled.T - 0.5 * (self.means_ * scaled).sum(1)
        fixed = np.zeros(n, dtype=bool)
        known = np.zeros((n, k))
        if clamp is not None:
            clamp = np.asarray(clamp, dtype=np.int64)
            fixed[clamp] = True
            known[clamp, _node(data, "y", np.int64)[clamp]] = 1.0
        src = np.concatenate([edges[0], edges[1]])
        dst = np.concatenate([edges[1], edges[0]])
        reverse = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
        into = sp.csr_matrix((np.ones(2 * m), (dst, np.arange(2 * m))), shape=(n, 2 * m))
        rates = self.edge_probability_
        crowd = n * rates @ self.prior_  # the non-edges' mean field at the fitted class sizes
        rng = np.random.default_rng(self.seed)
        start = softmax(field, axis=1)
        msg = softmax(np.log(start[src]) + 0.05 * rng.standard_normal((2 * m, k)), axis=1)
        msg[fixed[src]] = known[src[fixed[src]]]
        shift = np.zeros(k)
        marg = np.where(fixed[:, None], known, start)
        self.converged_ = False
        for sweep in range(1, self.max_iter + 1):
            self.iterations_ = sweep
            incoming = np.log(msg @ rates)  # log sum_c' p_cc' psi_c' per directed edge
            total = field - crowd + into @ incoming
            shift = _size_shift(total[~fixed], self.prior_, shift)
            total += shift
            new = softmax(total[src] - incoming[reverse], axis=1)
            new[fixed[src]] = known[src[fixed[src]]]
            if self.damping:
                new = (1 - self.damping) * new + self.damping * msg
            msg = new
            marg, last = np.where(fixed[:, None], known, softmax(total, axis=1)), marg
            if np.abs(marg - last).max(initial=0.0) < self.tol:
                self.converged_ = True
                break
        return marg

    def predict(self, data: Any, *, clamp: Any = None) -> np.ndarray:
        """Most probable class of every node (the argmax of :meth:`posterior`).

        Parameters
        ----------
        data, clamp
            As for :meth:`posterior`.

        Returns
        -------
        ndarray of shape (n,)

        Examples
        --------
        >>> from gnnrg import csbm
        >>> g = csbm(300, lam=3.0, mu=2.0, seed=0)
        >>> BeliefPropagation(2).fit(g).predict(g).shape
        (300,)
        """
        return self.posterior(data, clamp=clamp).argmax(1)

    def score(self, data: Any, *, clamp: Any = None) -> float:
        """The fraction of all nodes of ``data`` (clamped ones too) whose :meth:`predict`
        class (same ``data`` and ``clamp``) is their label ``data.y``: a float in [0, 1].

        Examples
        --------
        >>> from gnnrg import csbm
        >>> g, h = csbm(1000, lam=2.0, mu=1.0, seed=0), csbm(1000, lam=2.0, mu=1.0, seed=1)
        >>> BeliefPropagation(2).fit(g).score(h) > 0.95
        True
        """
        return float((self.predict(data, clamp=clamp) == _node(data, "y", np.int64)).mean())


def _size_shift(total: np.ndarray, prior: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Per-class log-offsets that make the mean marginal of ``total + shift`` the fitted class
    proportions, by Newton's method on the convex dual from the previous sweep's offsets (steps
    capped at one nat; no line search, whose sufficient-decrease test cannot be met in floating
    point once the gradient is tiny).

    Fixing the class sizes removes the one direction along which BP's non-edge field only
    balances the edges to first order: uniformly shifting every node towards one class. The
    solve must be exact: where the posterior is nearly deterministic the sizes hardly respond
    to the offsets, and iterative scaling, stopping short, let offsets and messages drift
    together for hundreds of sweeps (|λ| = 3, d = 10).
    """
    if len(total) == 0:
        return shift
    for _ in range(50):  # on the dual mean(logsumexp(total + shift)) - shift . prior
        p = softmax(total + shift, axis=1)
        sizes = p.mean(0)
        grad = sizes - prior  # the dual's gradient
        if np.abs(grad).max() < 1e-10:
            break
        hess = np.diag(sizes) - p.T @ p / len(p) + 1e-12 * np.eye(len(prior))
        step = np.linalg.solve(hess, -grad)
        shift = shift + step / max(1.0, np.abs(step).max())  # at most one nat per step
    return shift - shift.mean()


def _node(data: Any, name: str, dtype: type) -> np.ndarray:
    value = _node_array(data, name)
    if value is None:
        raise ValueError(f"belief propagation needs node attribute {name!r} (data.{name})")
    return value.astype(dtype, copy=False)
