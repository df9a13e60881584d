r"""The contextual stochastic block model and its variants.

One function, :func:`csbm`, whose keyword arguments switch on the variants (degree correction,
edge noise, feature noise, planted motifs). Every variant is a layer over the one sparse sampler
in :mod:`gnnrg.generators.sbm`; all draws come from one ``numpy.random.Generator``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from gnnrg._checks import check_choice, check_int, check_real
from gnnrg.generators.degrees import DEGREE_CORRECTION, sample_propensities
from gnnrg.generators.edge_noise import EDGE_NOISE, rewire_edges
from gnnrg.generators.features import FEATURE_NOISE, sample_features
from gnnrg.generators.features import class_means as default_class_means
from gnnrg.generators.motifs import PLANTED_MOTIFS, plant_motifs
from gnnrg.generators.sbm import sample_sbm_edges
from gnnrg.generators.variant import Variant
from gnnrg.interop import make_data
from gnnrg.parameters import LAM_CONVENTIONS, block_probabilities, lam_from_probabilities

if TYPE_CHECKING:
    from torch_geometric.data import Data

__all__ = [
    "CORE",
    "VARIANTS",
    "VARIANT_DECLARATIONS",
    "balanced_labels",
    "csbm",
    "csbm_parameters",
    "sample_block_graph",
]

#: The variants of the cSBM, each declared in its own module: their keyword arguments of
#: :func:`csbm`, which of them switch the variant on, their checks (see
#: :class:`~gnnrg.generators.variant.Variant`). A new variant is its module and a line here.
VARIANT_DECLARATIONS: tuple[Variant, ...] = (
    DEGREE_CORRECTION,
    EDGE_NOISE,
    FEATURE_NOISE,
    PLANTED_MOTIFS,
)

#: Variant keyword arguments of :func:`csbm` and their defaults (the plain cSBM).
VARIANTS: dict[str, Any] = {
    name: default
    for variant in VARIANT_DECLARATIONS
    for name, default in variant.parameters.items()
}

#: The other keyword arguments of :func:`csbm` (but ``n`` and ``seed``) and their defaults.
CORE: dict[str, Any] = {
    "classes": 2,
    "avg_degree": 10.0,
    "lam": 0.0,
    "mu": 1.0,
    "sigma": 1.0,
    "num_features": 10,
    "p_in": None,
    "p_out": None,
    "class_means": None,
    "lam_convention": "kesten-stigum",
}


def balanced_labels(n: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Labels 0..k-1 with class sizes differing by at most one, in random node order.

    Examples
    --------
    >>> np.bincount(balanced_labels(10, 3, np.random.default_rng(0))).tolist()
    [4, 3, 3]
    """
    return rng.permutation(np.arange(n) % classes)


def sample_block_graph(
    n: int,
    classes: int,
    p_in: float,
    p_out: float,
    rng: np.random.Generator,
    *,
    degree_law: str | np.ndarray | None = None,
    degree_exponent: float = 2.5,
    degree_sigma: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Balanced labels and the planted-partition SBM edges of the cSBM (no features, no torch).

    Parameters
    ----------
    n, classes : int
    p_in, p_out : float
        Edge probabilities inside and between classes.
    rng : numpy.random.Generator
    degree_law, degree_exponent, degree_sigma
        Optional Karrer–Newman degree correction (see :func:`csbm`).

    Returns
    -------
    edges : ndarray of shape (2, m)
        Each undirected edge once, no self loops, in no particular order (every consumer
        sorts when it needs to, so sorting here would be done twice).
    labels : ndarray of shape (n,)

    Examples
    --------
    >>> e, y = sample_block_graph(100, 2, 0.1, 0.01, np.random.default_rng(0))
    >>> np.bincount(y).tolist(), e.shape[0]
    ([50, 50], 2)
    """
    y = balanced_labels(n, classes, rng)
    order = np.argsort(y, kind="stable")  # block position t is node order[t]
    sizes = np.bincount(y, minlength=classes)
    probs = np.full((classes, classes), p_out)
    np.fill_diagonal(probs, p_in)
    theta = None
    if degree_law is not None:  # a string law, or the caller's array of propensities
        theta = sample_propensities(
            y, degree_law, rng, exponent=degree_exponent, sigma=degree_sigma
        )[order]
    return order[sample_sbm_edges(sizes, probs, rng, propensities=theta)], y


def csbm_parameters(n: int, **arguments: Any) -> dict[str, Any]:
    """Check :func:`csbm`'s arguments and resolve them, without sampling anything.

    Takes the arguments of :func:`csbm` (but ``seed``; positional ones by name) and returns
    the dict that becomes ``data.params``: every argument after checking (each variant by its
    own declaration, :data:`VARIANT_DECLARATIONS`), with both ``(avg_degree, lam)`` and
    ``(p_in, p_out)`` filled in and motif defaults applied.

    Raises
    ------
    ValueError
        As :func:`csbm`.

    Examples
    --------
    >>> p = csbm_parameters(1000, avg_degree=10, lam=1.0)
    >>> round(p["p_in"], 6), p["motif"]
    (0.013162, None)
    """
    unknown = sorted(set(arguments) - set(CORE) - set(VARIANTS))
    if unknown:
        raise ValueError(
            f"unknown csbm argument(s): {', '.join(unknown)}; valid variants are {sorted(VARIANTS)}"
        )
    values = {**CORE, **VARIANTS, **arguments}
    classes = check_int("classes", values["classes"], low=2)
    n = check_int("n", n, low=classes)
    mu = check_real("mu", values["mu"], low=0.0)
    sigma = check_real("sigma", values["sigma"], low=0.0)
    num_features = check_int("num_features", values["num_features"], low=1)
    if classes > 2 and num_features < classes:
        raise ValueError(
            f"num_features={num_features} must be >= classes={classes} (class means are orthogonal)"
        )
    class_means = values["class_means"]
    if class_means is not None:
        class_means = np.asarray(class_means, dtype=np.float64)
        if class_means.shape != (classes, num_features):
            raise ValueError(
                f"class_means has shape {class_means.shape}; expected "
                f"(classes, num_features) = ({classes}, {num_features})"
            )
    p_in, p_out = values["p_in"], values["p_out"]
    if (p_in is None) != (p_out is None):
        raise ValueError("give both p_in and p_out, or neither (then avg_degree and lam are used)")
    lam_convention = check_choice("lam_convention", values["lam_convention"], LAM_CONVENTIONS)
    if p_in is not None:
        avg_degree, lam = lam_from_probabilities(n, p_in, p_out, classes, lam_convention)
    else:
        avg_degree, lam = values["avg_degree"], values["lam"]
        p_in, p_out = block_probabilities(n, avg_degree, lam, classes, lam_convention)
    params = {
        "model": "csbm",
        "n": n,
        "classes": classes,
        "avg_degree": float(avg_degree),
        "lam": float(lam),
        "p_in": float(p_in),
        "p_out": float(p_out),
        "mu": mu,
        "sigma": sigma,
        "num_features": num_features,
    }
    for variant in VARIANT_DECLARATIONS:
        params.update(variant.check(n, classes, **{k: values[k] for k in variant.parameters}))
    params["class_means"] = None if class_means is None else "custom"
    params["lam_convention"] = lam_convention
    return params


def csbm(
    n: int,
    classes: int = 2,
    avg_degree: float = 10.0,
    lam: float = 0.0,
    mu: float = 1.0,
    sigma: float = 1.0,
    num_features: int = 10,
    seed: int | np.random.Generator | np.random.SeedSequence | None = None,
    *,
    p_in: float | None = None,
    p_out: float | None = None,
    degree_law: str | np.ndarray | None = None,
    degree_exponent: float = 2.5,
    degree_sigma: float = 1.0,
    edge_noise: float = 0.0,
    edge_noise_mode: str = "uniform",
    feature_noise: float = 0.0,
    noise_features: int = 0,
    motif: str | None = None,
    motif_count: int | None = None,
    motif_size: int | None = None,
    motif_classes: str = "same",
    motif_degree: float = 2.0,
    class_means: np.ndarray | None = None,
    lam_convention: str = "kesten-stigum",
    **unknown: Any,
) -> Data:
    r"""Sample a contextual stochastic block model graph.

    Labels are balanced over ``classes``. Edges between nodes of the same class appear with
    probability ``p_in``, between different classes with ``p_out``, where (see
    :mod:`gnnrg.parameters`)

    .. math::

        p_\mathrm{in} = \frac{d + (k-1)\lambda\sqrt{d}}{n}, \qquad
        p_\mathrm{out} = \frac{d - \lambda\sqrt{d}}{n},

    so the expected mean degree is d and λ is the Kesten–Stigum signal. Features are
    :math:`x_i = \mu\, m_{y_i} + \sigma z_i` with unit class means (±e₀ for k = 2, e_c for
    k > 2, or ``class_means``) and :math:`z_i \sim N(0, I_F)`.

    Parameters
    ----------
    n : int
        Number of nodes, at least ``classes``.
    classes : int, default 2
        Number of classes k >= 2.
    avg_degree : float, default 10.0
        Expected mean degree d > 0 (ignored when ``p_in``/``p_out`` are given).
    lam : float, default 0.0
        Edge signal λ in ``[-√d/(k-1), √d]``: > 0 homophily, 0 pure-noise edges, < 0 heterophily.
    mu : float, default 1.0
        Feature signal μ >= 0.
    sigma : float, default 1.0
        Feature noise σ >= 0.
    num_features : int, default 10
        Informative feature dimension F (>= k when k > 2).
    seed : int, Generator, SeedSequence or None
        Random source; the same seed gives the same graph bit for bit.
    p_in, p_out : float, optional
        Edge probabilities given directly (both, in [0, 1]) instead of ``avg_degree``/``lam``.
    degree_law : {"powerlaw", "lognormal"} or ndarray of shape (n,), optional
        Karrer–Newman degree correction with propensities from this law (normalised to mean 1
        in each class): heavy-tailed degrees with the same expected mean degree and mixing.
    degree_exponent : float, default 2.5
        Exponent of the power law (> 2).
    degree_sigma : float, default 1.0
        Log-scale spread of the lognormal law.
    edge_noise : float, default 0.0
        Fraction r in [0, 1] of edges rewired; edge homophily becomes ``(1-r) h + r/k``.
    edge_noise_mode : {"uniform", "degree"}, default "uniform"
        Rewire to uniformly random endpoints, or re-pair the rewired edges' endpoints
        (keeps degrees).
    feature_noise : float, default 0.0
        Fraction τ in [0, 1] of nodes whose features come from a uniformly random class.
    noise_features : int, default 0
        Number of label-free N(0, σ²) feature dimensions appended.
    motif : str, optional
        Planted structure, one of ``triangle``, ``clique``, ``cycle``, ``star``, ``spatial``,
        ``triadic``, ``hierarchical`` (see :func:`gnnrg.generators.motifs.plant_motifs`).
    motif_count : int, optional
        Motifs planted, or wedges closed for ``triadic``; default ``n // 10``.
    motif_size : int, optional
        Nodes per motif (clique 4, cycle 5, star 5 by default; triangle is 3), or sub-blocks
        per class for ``hierarchical`` (default 4).
    motif_classes : {"same", "mixed"}, default "same"
        Whether a motif's nodes share one class or are drawn class-blind.
    motif_degree : float, default 2.0
        Added mean degree of the ``spatial`` and ``hierarchical`` overlays.
    class_means : ndarray of shape (k, F), optional
        Class mean vectors (any norm; μ scales them). Default: :func:`class_means`.
    lam_convention : {"kesten-stigum", "study"}, default "kesten-stigum"
        How (d, λ) set the edge probabilities for k > 2 classes: the formula above (mean
        degree d, λ the Kesten–Stigum signal), or the study's literal
        ``p_in = (d + λ√d)/n``, ``p_out = (d − λ√d)/n`` for every k (mean degree
        ``d − (k−2)λ√d/k``). The same at k = 2.

    Returns
    -------
    data : torch_geometric.data.Data
        ``x`` float32 (n, F + noise_features); ``edge_index`` int64 (2, 2m), both directions,
        no self loops or duplicates; ``y`` int64 (n,); ``class_means`` float32 (k, F);
        ``params``, a dict of every generating parameter (including ``p_in``, ``p_out``).

    Raises
    ------
    ValueError
        For arguments outside their valid range or unknown variant names; the message names
        the argument and the valid values.

    Examples
    --------
    >>> data = csbm(1000, avg_degree=10, lam=1.0, mu=1.0, seed=0)
    >>> data.x.shape, data.y.bincount().tolist()
    (torch.Size([1000, 10]), [500, 500])
    >>> round(data.params["p_in"] * 1000, 3), round(data.params["p_out"] * 1000, 3)
    (13.162, 6.838)
    """
    arguments = {
        name: value for name, value in locals().items() if name in CORE or name in VARIANTS
    }
    params = csbm_parameters(n, **arguments, **unknown)
    params["seed"] = seed if isinstance(seed, int) else None
    n, classes, motif = params["n"], params["classes"], params["motif"]
    p_in, p_out = params["p_in"], params["p_out"]
    if class_means is not None:
        class_means = np.asarray(class_means, dtype=np.float64)
    rng = np.random.default_rng(seed)
    edges, y = sample_block_graph(
        n,
        classes,
        p_in,
        p_out,
        rng,
        degree_law=degree_law,
        degree_exponent=params["degree_exponent"],
        degree_sigma=params["degree_sigma"],
    )
    if params["edge_noise"] > 0:
        edges = rewire_edges(edges, n, params["edge_noise"], rng, mode=params["edge_noise_mode"])
    if motif is not None:
        edges = plant_motifs(
            edges,
            y,
            motif,
            rng,
            count=params["motif_count"],
            size=params["motif_size"],
            same_class=params["motif_classes"] == "same",
            degree=params["motif_degree"],
        )
    num_features = params["num_features"]
    means = default_class_means(classes, num_features) if class_means is None else class_means
    x, _ = sample_features(
        y,
        means,
        params["mu"],
        params["sigma"],
        rng,
        feature_noise=params["feature_noise"],
        noise_features=params["noise_features"],
    )
    data = make_data(edges, x, y, n, params)
    import torch

    data.class_means = torch.from_numpy(means.astype(np.float32))
    return data
