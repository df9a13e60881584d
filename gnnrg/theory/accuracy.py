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
from typing import Any

import numpy as np

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.theory.counts import count_law, count_ratios, expect_phi
from gnnrg.theory.kclass import Component, best_sign, count_accuracy, readouts
from gnnrg.theory.norms import NORMS
from gnnrg.theory.symbolic import numeric

__all__ = [
    "NORMS",
    "graph_average_accuracy",
    "one_layer_accuracy",
    "two_layer_tree_accuracy",
]


def _pair(result: float | np.ndarray) -> dict[str, Any]:
    """Two classes: the read-outs (:func:`~gnnrg.theory.kclass.readouts`) of a sign accuracy,
    whose flip is 1 − accuracy."""
    return readouts(result, 1.0 - np.clip(result, 0.0, 1.0))


def _signal_to_noise(mu: Any, sigma: float) -> np.ndarray:
    """s = μ/σ as an array (μ may be a scalar or an array), with the arguments checked."""
    sigma = check_real("sigma", sigma, low=0.0, low_open=True)
    mu_arr = np.asarray(mu, dtype=float)
    if mu_arr.ndim == 0:
        check_real("mu", float(mu_arr), low=0.0)
    elif not (np.isfinite(mu_arr).all() and (mu_arr >= 0).all()):
        raise ValueError("mu must hold finite values >= 0")
    return mu_arr / sigma


def one_layer_accuracy(
    n: int,
    p_in: float,
    p_out: float,
    mu: float,
    sigma: float = 1.0,
    *,
    norm: str = "mean",
    classes: int = 2,
    degree_law: str | None = None,
    degree_exponent: float = 2.5,
    degree_sigma: float = 1.0,
    finite: bool = True,
    samples: int = 200_000,
    seed: int = 0,
) -> dict[str, float]:
    r"""Mean nodewise accuracy of a one-layer linear GCN on the cSBM.

    Two classes: a node with :math:`k_s` same-class and :math:`k_d` other-class neighbours is
    classified correctly with probability :math:`\Phi(s(1 + k_s - k_d)/\sqrt{1 + k_s + k_d})`
    for ``sum-self`` and ``mean`` (the mean's positive factor does not change the sign) and
    :math:`\Phi(s(k_s - k_d)/\sqrt{k_s + k_d})` for ``sum``, averaged exactly over
    :math:`k_s \sim \mathrm{Bin}(n/2 - 1, p_\mathrm{in})` and
    :math:`k_d \sim \mathrm{Bin}(n/2, p_\mathrm{out})`. k classes and degree-corrected graphs:
    :mod:`gnnrg.theory.kclass` and :mod:`gnnrg.theory.degree_corrected` (what is exact there and
    what is sampled is stated in ``theory/accuracy.md``).

    Parameters
    ----------
    n : int
        Number of nodes (balanced classes of n // classes).
    p_in, p_out : float
        Edge probabilities (before degree correction).
    mu : float or array-like
        Feature signal; an array gives arrays in the result (one graph law, many μ).
    sigma : float
        Feature noise; only s = μ/σ matters.
    norm : {"sum", "sum-self", "mean", "sym"}, default "mean"
    classes : int, default 2
        k >= 2 (orthogonal class means for k > 2, as :func:`gnnrg.csbm` draws them).
    degree_law : {"powerlaw", "lognormal"}, optional
        Karrer–Newman degree correction as :func:`gnnrg.csbm` draws it (not with ``sym``).
    degree_exponent, degree_sigma : float
        The law's power-law exponent (> 2) or lognormal spread.
    finite : bool, default True
        Binomial counts (exact at this n) or their Poisson limit (two plain classes only).
    samples, seed : int
        Population sample for the ``sym`` neighbour degrees (and, capped at 50 000, for the
        k-class and degree-corrected forms).

    Returns
    -------
    dict
        ``accuracy`` (oracle readout: the sign for two classes, argmax for k),
        ``accuracy_flipped`` (its flip: 1 − accuracy, argmin for k) and
        ``accuracy_best_sign`` (the better of the two).

    Examples
    --------
    >>> r = one_layer_accuracy(1000, 0.0158, 0.0042, mu=0.5)
    >>> round(r["accuracy"], 4)
    0.8268
    >>> r = one_layer_accuracy(1000, 0.0042, 0.0158, mu=0.5)   # heterophily
    >>> r["accuracy"] < 0.5 < r["accuracy_best_sign"]
    True
    >>> from gnnrg.parameters import block_probabilities
    >>> p_in, p_out = block_probabilities(999, 10.0, 1.0, classes=3)
    >>> round(one_layer_accuracy(999, p_in, p_out, mu=0.5, classes=3)["accuracy"], 3)
    0.516
    """
    n = check_int("n", n, low=2)
    norm = check_choice("norm", norm, NORMS)
    classes = check_int("classes", classes, low=2, high=n)
    s = _signal_to_noise(mu, sigma)
    if classes > 2 or degree_law is not None:
        if not finite:
            raise ValueError("finite=False (Poisson counts) is for two plain classes only")
        return _mixture_accuracy(
            n, p_in, p_out, s, norm, classes, degree_law, degree_exponent, degree_sigma,
            min(samples, 50_000), seed,
        )  # fmt: skip
    half = n / 2
    ratio, weight = count_ratios(
        count_law(half - 1, p_in, finite), count_law(half, p_out, finite), norm != "sum"
    )
    exact = expect_phi(s, ratio, weight)
    if norm != "sym":
        return _pair(exact)
    return _pair(exact + _sym_correction(n, p_in, p_out, s, finite, samples, seed))


def _mixture_accuracy(
    n, p_in, p_out, s, norm, classes, degree_law, degree_exponent, degree_sigma, samples, seed
) -> dict[str, Any]:
    """k classes and/or degree correction: the count laws as a mixture of components."""
    check_real("p_in", p_in, low=0.0, high=1.0)
    check_real("p_out", p_out, low=0.0, high=1.0)
    components = _components(
        n, classes, p_in, p_out, degree_law, degree_exponent, degree_sigma, seed
    )
    margins = None
    if norm == "sym":
        margins = _sym_margins(n, classes, components)
    values = best_sign(
        lambda v: count_accuracy(
            v, components, classes, self_loop=norm != "sum", samples=samples, seed=seed,
            margins=margins,
        ),
        np.atleast_1d(s),
    )  # fmt: skip
    if np.ndim(s) == 0:
        return {key: float(value[0]) for key, value in values.items()}
    return values


def _components(
    n: int, classes: int, p_in: float, p_out: float, degree_law: Any, exponent: float,
    sigma: float, seed: int,
) -> list:  # fmt: skip
    """The neighbour-count laws of a node (:class:`gnnrg.theory.kclass.Component`): one for the
    plain cSBM, one per propensity stratum with degree correction."""
    size = n // classes
    if degree_law is None:
        return [Component(1.0, size - 1, p_in, size, p_out)]
    from gnnrg.theory.degree_corrected import propensity_components

    return propensity_components(
        n, classes, p_in, p_out, degree_law, exponent=exponent, sigma=sigma, seed=seed
    )


def _sym_margins(n: int, classes: int, components: list):
    """The ``sym`` ratios of a population of nodes given their counts: each neighbour's degree
    drawn from its exact law (same class: 2 + Bin(n_c − 2, p_in) + Bin(n − n_c, p_out); another
    class: 2 + Bin(n_c − 1, p_in) + Bin(n − n_c − 1, p_out)), for the count laws ``components``
    of :func:`_components`. With degree correction (one component per propensity stratum) a
    neighbour's stratum is drawn size-biased, in proportion to the stratum's share times its
    edge probability to the node's class, and its degree from that stratum's laws (the hubs'
    merged edges with each other ignored)."""
    size = n // classes
    weight = np.array([c.weight for c in components])
    q_in = np.array([c.same_p for c in components])
    q_out = np.array([c.other_p for c in components])
    bias = {
        "same": weight * q_in / (weight * q_in).sum() if q_in.any() else weight,
        "other": weight * q_out / (weight * q_out).sum() if q_out.any() else weight,
    }

    def degrees(rng: np.random.Generator, count: int, kind: str) -> np.ndarray:
        stratum = rng.choice(len(components), size=count, p=bias[kind])
        inside = size - 2 if kind == "same" else size - 1
        outside = n - size if kind == "same" else n - size - 1
        return 2.0 + rng.binomial(inside, q_in[stratum]) + rng.binomial(outside, q_out[stratum])

    def margins(ky: np.ndarray, others: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        nodes = len(ky)
        own = 1.0 + ky + others.sum(axis=1)
        same = degrees(rng, int(ky.sum()), "same")
        node_same = np.repeat(np.arange(nodes), ky)
        flat = others.ravel()
        other = degrees(rng, int(flat.sum()), "other")
        slot = np.repeat(np.arange(flat.size), flat)
        mass_y = 1.0 / np.sqrt(own) + np.bincount(node_same, 1.0 / np.sqrt(same), nodes)
        mass_c = np.bincount(slot, 1.0 / np.sqrt(other), flat.size).reshape(others.shape)
        square = 1.0 / own + np.bincount(node_same, 1.0 / same, nodes)
        square += np.bincount(np.repeat(np.arange(nodes), others.sum(axis=1)), 1.0 / other, nodes)
        return (mass_y[:, None] - mass_c) / np.sqrt(square)[:, None]

    return margins


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
    return expect_phi(s, ratio_sym, ones) - expect_phi(s, ratio_self, ones)


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
        ``accuracy``, ``accuracy_flipped`` and ``accuracy_best_sign``.

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
    return _pair(expect_phi(s, ratio, np.ones(samples)))


def graph_average_accuracy(
    n: int,
    *,
    layers: int = 1,
    norm: str = "mean",
    graphs: int = 10,
    seed: int = 0,
    control: bool = False,
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
    control : bool, default False
        With more than one layer on a (k-class, degree-corrected) cSBM: use each graph's
        one-layer accuracy, whose mean :func:`one_layer_accuracy` knows exactly, as a control
        variate (coefficient fitted over the graphs). The two move together from graph to
        graph (correlation 0.94–0.99 measured), so the standard error drops 3–6×. With
        degree correction the one-layer form's own error (up to 0.0013) passes into the
        estimate, times the coefficient: up to 0.0008 against plain averages of the same
        4 000 graphs (15 points), several standard errors; a reference averages plainly.
    **csbm_kwargs
        Passed to :func:`gnnrg.csbm` (``avg_degree``, ``lam``, ``mu``, ``sigma``, ``classes``,
        variants...). ``mu`` may be an array: every graph serves all of them.

    Returns
    -------
    dict
        ``accuracy``, ``accuracy_flipped``, ``accuracy_best_sign`` and ``stderr`` (over
        graphs): floats, or arrays shaped like ``mu``.

    Examples
    --------
    >>> r = graph_average_accuracy(2000, avg_degree=10, lam=1.0, mu=0.5, graphs=4)
    >>> abs(r["accuracy"] - 0.716) < 0.01  # one_layer_accuracy gives 0.7158 here
    True
    """
    from gnnrg.theory.nodewise import margins_accuracy, nodewise_margins

    mu = csbm_kwargs.get("mu", 1.0)
    sigma = csbm_kwargs.get("sigma", 1.0)
    s = _signal_to_noise(mu, sigma)
    both_signs = np.concatenate([np.ravel(s), -np.ravel(s)])
    seeds = np.random.SeedSequence(seed).spawn(graphs)
    plain = set(csbm_kwargs) <= _SAMPLED_WITHOUT_TORCH
    law = csbm_kwargs.get("degree_law")
    control = control and plain and layers > 1 and graphs > 2 and not isinstance(law, np.ndarray)
    values, first = [], []
    for ss in seeds:
        rng = np.random.default_rng(ss)
        if plain:  # numpy only: the cSBM's edges from the shared sparse sampler, no torch
            graph, y = _plain_graph(n, rng, **csbm_kwargs)
        else:
            from gnnrg.generators.csbm import csbm

            data = csbm(n, seed=rng, **csbm_kwargs)
            graph, y = data, data.y.numpy()
        values.append(margins_accuracy(nodewise_margins(graph, y, layers=layers, norm=norm),
                                       both_signs))  # fmt: skip
        if control:
            first.append(margins_accuracy(nodewise_margins(graph, y, layers=1, norm=norm),
                                          both_signs))  # fmt: skip
    values = np.array(values)
    if control:
        values = _controlled(n, values, np.array(first), both_signs, norm, csbm_kwargs)
    mean = values.mean(axis=0)
    stderr = values.std(axis=0, ddof=1) / math.sqrt(graphs) if graphs > 1 else np.nan + mean
    half = np.size(s)
    out = readouts(mean[:half].reshape(np.shape(s)), mean[half:].reshape(np.shape(s)))
    stderr = stderr[:half].reshape(np.shape(s))
    out["stderr"] = float(stderr) if np.ndim(s) == 0 else stderr
    return out


def _controlled(
    n: int, values: np.ndarray, first: np.ndarray, s: np.ndarray, norm: str, kwargs: dict
) -> np.ndarray:
    """Per-graph values minus β (one-layer value with ``norm`` − its exact mean), β fitted
    per s."""
    from gnnrg.generators.csbm import csbm_parameters

    params = csbm_parameters(n, **{k: v for k, v in kwargs.items() if k not in ("mu", "sigma")})
    components = _components(
        n, params["classes"], params["p_in"], params["p_out"], params["degree_law"],
        params["degree_exponent"], params["degree_sigma"], 0,
    )  # fmt: skip
    classes, law = params["classes"], params["degree_law"]
    if norm == "sym" and classes == 2 and law is None:  # exact counts plus its correction
        half = len(s) // 2
        one = one_layer_accuracy(n, params["p_in"], params["p_out"], s[:half], norm="sym")
        expected = np.concatenate([one["accuracy"], 1.0 - one["accuracy"]])
    else:
        margins = None
        if norm == "sym":
            margins = _sym_margins(n, classes, components)
        expected = count_accuracy(s, components, classes, self_loop=norm != "sum", margins=margins)
    centred = first - first.mean(axis=0)
    spread = (centred**2).sum(axis=0)
    beta = np.divide((centred * (values - values.mean(axis=0))).sum(axis=0), spread,
                     out=np.zeros_like(spread), where=spread > 0)  # fmt: skip
    return values - beta * (first - expected)


#: csbm arguments the graph average samples with numpy alone (others go through csbm).
_SAMPLED_WITHOUT_TORCH = {
    "avg_degree", "lam", "p_in", "p_out", "mu", "sigma", "num_features", "classes",
    "degree_law", "degree_exponent", "degree_sigma", "lam_convention",
}  # fmt: skip


def _plain_graph(n: int, rng: np.random.Generator, **kwargs: Any) -> tuple[tuple, np.ndarray]:
    """Edges and labels of a (degree-corrected) cSBM, sampled without torch."""
    from gnnrg.generators.csbm import csbm_parameters, sample_block_graph

    kwargs = {key: value for key, value in kwargs.items() if key not in ("mu", "sigma")}
    params = csbm_parameters(n, **kwargs)
    edges, y = sample_block_graph(
        n, params["classes"], params["p_in"], params["p_out"], rng,
        degree_law=kwargs.get("degree_law"), degree_exponent=params["degree_exponent"],
        degree_sigma=params["degree_sigma"],
    )  # fmt: skip
    return (edges, n), y
