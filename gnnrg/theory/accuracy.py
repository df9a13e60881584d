r"""Accuracy of linear GCNs on the two-class cSBM, averaged over the random graph.

Aggregations (``norm``): ``sum`` (A, no self loop — the study's Proposition 1), ``sum-self``
(A + I), ``mean`` (D̃⁻¹(A + I)) and ``sym`` (D̃^{-1/2}(A + I)D̃^{-1/2}). The readout is the oracle
sign(⟨m, h_i⟩); ``accuracy_best_sign`` is the better of it and its flip (a trained readout can
flip under heterophily). Ties count ½.

Which approximation each evaluator makes is stated in its docstring and in
``theory/accuracy.md``:

- ``one_layer_accuracy`` for ``sum``, ``sum-self``, ``mean``: **exact** at finite n (binomial
  neighbour counts) or in the sparse limit (``finite=False``: Poisson counts).
- ``one_layer_accuracy`` for ``sym``: the neighbours' degrees enter; exact sum over the node's
  own counts, neighbour degrees averaged by a seeded population sample with the ``sum-self``
  value as control variate (Monte Carlo error ≈ 1e-4).
- ``two_layer_tree_accuracy``: the study's Theorem 2 (Poisson tree), averaged by a seeded
  sample of the four Poisson counts. Exact only as n → ∞ at fixed d.
- ``graph_average_accuracy``: any layers and aggregation, any variant: the exact nodewise
  formula (features integrated analytically) averaged over graphs sampled from the generator.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np
from scipy import stats as st
from scipy.special import ndtr

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.theory.norms import NORMS
from gnnrg.theory.symbolic import numeric

__all__ = [
    "NORMS",
    "graph_average_accuracy",
    "one_layer_accuracy",
    "two_layer_tree_accuracy",
]


@cache
def _counts(trials: float, p: float, finite: bool) -> tuple[np.ndarray, np.ndarray]:
    """Support and pmf of a Binomial(trials, p) (or Poisson(trials·p)), terms below 1e-15 cut.

    Cached and read-only: the two-layer form asks for the same few laws many times.
    """
    p = min(max(p, 0.0), 1.0)
    mean = trials * p
    sd = math.sqrt(mean * (1 - p) if finite else mean)
    high = int(mean + 9 * sd + 40)
    k = np.arange(max(int(mean - 9 * sd - 40), 0), min(high, int(trials)) + 1 if finite else high)
    pmf = st.binom.pmf(k, int(trials), p) if finite else st.poisson.pmf(k, mean)
    keep = pmf > 1e-15
    k, pmf = k[keep], pmf[keep]
    k.setflags(write=False)
    pmf.setflags(write=False)
    return k, pmf


def _pair(result: float | np.ndarray) -> dict[str, Any]:
    """``accuracy`` and ``accuracy_best_sign`` (floats, or arrays for an array of μ)."""
    if np.ndim(result) == 0:
        result = float(result)
        return {"accuracy": result, "accuracy_best_sign": max(result, 1.0 - result)}
    result = np.asarray(result, dtype=float)
    return {"accuracy": result, "accuracy_best_sign": np.maximum(result, 1.0 - result)}


def _signal_to_noise(mu: Any, sigma: float) -> np.ndarray:
    """s = μ/σ as an array (μ may be a scalar or an array), with the arguments checked."""
    sigma = check_real("sigma", sigma, low=0.0, low_open=True)
    mu_arr = np.asarray(mu, dtype=float)
    if mu_arr.ndim == 0:
        check_real("mu", float(mu_arr), low=0.0)
    elif not (np.isfinite(mu_arr).all() and (mu_arr >= 0).all()):
        raise ValueError("mu must hold finite values >= 0")
    return mu_arr / sigma


def _expect_phi(s: np.ndarray, ratio: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Σ weight·Φ(s·ratio) / Σ weight for every s, over the distinct ratios only."""
    values, inverse = np.unique(ratio, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weight.ravel(), minlength=len(values))
    out = ndtr(np.multiply.outer(np.atleast_1d(s), values)) @ w / w.sum()
    return out if np.ndim(s) else out[0]


def one_layer_accuracy(
    n: int,
    p_in: float,
    p_out: float,
    mu: float,
    sigma: float = 1.0,
    *,
    norm: str = "mean",
    finite: bool = True,
    samples: int = 200_000,
    seed: int = 0,
) -> dict[str, float]:
    r"""Mean nodewise accuracy of a one-layer linear GCN on the two-class cSBM.

    A node with :math:`k_s` same-class and :math:`k_d` other-class neighbours is classified
    correctly with probability :math:`\Phi(s(1 + k_s - k_d)/\sqrt{1 + k_s + k_d})` for ``sum-self``
    and ``mean`` (the mean's positive factor does not change the sign) and
    :math:`\Phi(s(k_s - k_d)/\sqrt{k_s + k_d})` for ``sum``. This averages over
    :math:`k_s \sim \mathrm{Bin}(n/2 - 1, p_\mathrm{in})` and
    :math:`k_d \sim \mathrm{Bin}(n/2, p_\mathrm{out})`.

    Parameters
    ----------
    n : int
        Number of nodes (even; two balanced classes).
    p_in, p_out : float
        Edge probabilities.
    mu : float or array-like
        Feature signal; an array gives arrays in the result (one graph law, many μ).
    sigma : float
        Feature noise; only s = μ/σ matters.
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"
    finite : bool, default True
        Binomial counts (exact at this n) or their Poisson limit.
    samples, seed : int
        Population sample for the ``sym`` neighbour degrees.

    Returns
    -------
    dict
        ``accuracy`` (oracle readout) and ``accuracy_best_sign``.

    Examples
    --------
    >>> r = one_layer_accuracy(1000, 0.0158, 0.0042, mu=0.5)
    >>> round(r["accuracy"], 4)
    0.8268
    >>> r = one_layer_accuracy(1000, 0.0042, 0.0158, mu=0.5)   # heterophily
    >>> r["accuracy"] < 0.5 < r["accuracy_best_sign"]
    True
    """
    n = check_int("n", n, low=2)
    norm = check_choice("norm", norm, NORMS)
    s = _signal_to_noise(mu, sigma)
    half = n / 2
    ks, ps = _counts(half - 1, p_in, finite)
    kd, pd = _counts(half, p_out, finite)
    KS, KD = np.meshgrid(ks, kd, indexing="ij")
    weight = np.outer(ps, pd)
    base = "sum" if norm == "sum" else "sum-self"
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.nan_to_num(numeric(1, base)(1.0, KS, KD), nan=0.0)  # z / s
    exact = _expect_phi(s, ratio, weight)
    if norm != "sym":
        return _pair(exact)
    return _pair(exact + _sym_correction(n, p_in, p_out, s, finite, samples, seed))


def _sym_correction(
    n: int, p_in: float, p_out: float, s: Any, finite: bool, samples: int, seed: int
) -> Any:
    """E[Φ(z_sym) − Φ(z_sum-self)] by a population sample of nodes and neighbour degrees."""
    rng = np.random.default_rng(seed)
    half = n / 2

    def draw(trials: float, p: float, size: Any) -> np.ndarray:
        return rng.binomial(int(trials), p, size) if finite else rng.poisson(trials * p, size)

    ks, kd = draw(half - 1, p_in, samples), draw(half, p_out, samples)
    own = 1.0 + ks + kd  # d̃_i
    # a neighbour's d̃_j = 2 + its other neighbours; same-class neighbour (of i's class)
    tot_s, tot_d = int(ks.sum()), int(kd.sum())
    dj_same = 2.0 + draw(half - 2, p_in, tot_s) + draw(half, p_out, tot_s)
    dj_diff = 2.0 + draw(half - 1, p_in, tot_d) + draw(half - 1, p_out, tot_d)
    node_s = np.repeat(np.arange(samples), ks)
    node_d = np.repeat(np.arange(samples), kd)
    signal = 1.0 / np.sqrt(own)
    signal += np.bincount(node_s, 1.0 / np.sqrt(dj_same), samples)
    signal -= np.bincount(node_d, 1.0 / np.sqrt(dj_diff), samples)
    noise = 1.0 / own + np.bincount(node_s, 1.0 / dj_same, samples)
    noise += np.bincount(node_d, 1.0 / dj_diff, samples)
    ones = np.ones(samples)
    ratio_sym = signal / np.sqrt(noise)
    ratio_self = numeric(1, "sum-self")(1.0, ks, kd)
    return _expect_phi(s, ratio_sym, ones) - _expect_phi(s, ratio_self, ones)


def two_layer_tree_accuracy(
    c_s: float,
    c_d: float,
    mu: float,
    sigma: float = 1.0,
    *,
    norm: str = "sum-self",
    samples: int = 400_000,
    seed: int = 0,
) -> dict[str, float]:
    r"""The study's Theorem 2: two-layer linear GCN accuracy on a Poisson tree.

    .. math::

        \mathrm{acc} = E\,\Phi\!\left(s\,\frac{1 + 3n_\mathrm{in} - n_\mathrm{out}
        + n_{2\mathrm{in}} - n_{2\mathrm{out}}}{\sqrt{(n_\mathrm{in} + n_\mathrm{out} + 1)^2
        + 4(n_\mathrm{in} + n_\mathrm{out}) + n_{2\mathrm{in}} + n_{2\mathrm{out}}}}\right)

    with :math:`n_\mathrm{in} \sim \mathrm{Poi}(c_s)`,
    :math:`n_\mathrm{out} \sim \mathrm{Poi}(c_d)`,
    :math:`n_{2\mathrm{in}} \sim \mathrm{Poi}(c_s n_\mathrm{in} + c_d n_\mathrm{out})`,
    :math:`n_{2\mathrm{out}} \sim \mathrm{Poi}(c_d n_\mathrm{in} + c_s n_\mathrm{out})`, for
    (A + I)² (``sum-self``); ``sum`` is A². The expectation is taken over a seeded sample of
    the counts (standard error ≈ 5e-4 at the default size). Exact as n → ∞ at fixed degree;
    short cycles make it drift on dense graphs (see ``theory/accuracy.md``).

    Parameters
    ----------
    c_s, c_d : float
        Expected same- and other-class neighbour counts.
    mu : float or array-like
        An array gives arrays in the result (the same count sample serves every μ).
    sigma : float
    norm : {"sum-self", "sum"}
    samples, seed : int

    Returns
    -------
    dict
        ``accuracy``, ``accuracy_best_sign``.

    Examples
    --------
    >>> round(two_layer_tree_accuracy(7.5, 2.5, mu=0.3)["accuracy"], 2)
    0.78
    """
    norm = check_choice("norm", norm, ("sum-self", "sum"))
    s = _signal_to_noise(mu, sigma)
    rng = np.random.default_rng(seed)
    n_in, n_out = rng.poisson(c_s, samples), rng.poisson(c_d, samples)
    n_2in = rng.poisson(c_s * n_in + c_d * n_out)
    n_2out = rng.poisson(c_d * n_in + c_s * n_out)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.nan_to_num(numeric(2, norm)(1.0, n_in, n_out, n_2in, n_2out), nan=0.0)
    return _pair(_expect_phi(s, ratio, np.ones(samples)))


def graph_average_accuracy(
    n: int,
    *,
    layers: int = 1,
    norm: str = "mean",
    graphs: int = 10,
    seed: int = 0,
    **csbm_kwargs: Any,
) -> dict[str, float]:
    """Exact-given-the-graph accuracy averaged over graphs drawn from :func:`gnnrg.csbm`.

    Features are integrated analytically (:func:`gnnrg.theory.nodewise_accuracy`); only the
    graph is sampled, so this holds for any density, any variant, any layer count.

    Parameters
    ----------
    n : int
    layers : int, default 1
    norm : {"sum", "sum-self", "mean", "sym"}
    graphs : int, default 10
        Independent graphs averaged.
    seed : int
    **csbm_kwargs
        Passed to :func:`gnnrg.csbm` (``avg_degree``, ``lam``, ``mu``, ``sigma``, variants...).

    Returns
    -------
    dict
        ``accuracy``, ``accuracy_best_sign`` and ``stderr`` (over graphs).

    Examples
    --------
    >>> r = graph_average_accuracy(2000, avg_degree=10, lam=1.0, mu=0.5, graphs=4)
    >>> abs(r["accuracy"] - 0.716) < 0.01  # one_layer_accuracy gives 0.7158 here
    True
    """
    from gnnrg.theory.nodewise import nodewise_accuracy

    mu = csbm_kwargs.get("mu", 1.0)
    sigma = csbm_kwargs.get("sigma", 1.0)
    seeds = np.random.SeedSequence(seed).spawn(graphs)
    plain = set(csbm_kwargs) <= {
        "avg_degree",
        "lam",
        "p_in",
        "p_out",
        "mu",
        "sigma",
        "num_features",
    }
    values = []
    for ss in seeds:
        rng = np.random.default_rng(ss)
        if plain:  # numpy only: the cSBM's edges from the shared sparse sampler, no torch
            graph, y = _plain_graph(n, rng, **csbm_kwargs)
        else:
            from gnnrg.generators.csbm import csbm

            data = csbm(n, seed=rng, **csbm_kwargs)
            graph, y = data, data.y.numpy()
        acc = nodewise_accuracy(graph, y, mu, sigma, layers=layers, norm=norm)
        values.append(float(acc.mean()))
    mean = float(np.mean(values))
    out = _pair(mean)
    out["stderr"] = float(np.std(values, ddof=1) / math.sqrt(graphs)) if graphs > 1 else math.nan
    return out


def _plain_graph(n: int, rng: np.random.Generator, **kwargs: Any) -> tuple[tuple, np.ndarray]:
    """Edges and labels of a two-class cSBM, sampled without torch."""
    from gnnrg.generators.csbm import sample_block_graph
    from gnnrg.parameters import block_probabilities

    p_in, p_out = kwargs.get("p_in"), kwargs.get("p_out")
    if p_in is None:
        p_in, p_out = block_probabilities(n, kwargs.get("avg_degree", 10.0), kwargs.get("lam", 0.0))
    edges, y = sample_block_graph(n, 2, p_in, p_out, rng)
    return (edges, n), y
