"""Phase diagrams: accuracy over the (λ, μ) plane with theory curves on top.

Plotting functions take ``ax=None`` and return the Axes; only the CLI and ``paper_figs/``
scripts save files.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_graph_profile", "plot_phase_diagram", "plot_theory_map", "theory_grid"]


@cache
def _theory_grid_cached(
    n: int, avg_degree: float, sigma: float, num_features: int, lams: tuple, mus: tuple,
    graph: tuple = (), jobs: int = 1,
) -> dict[str, Any]:  # fmt: skip
    from gnnrg.theory import joint_bayes_accuracy
    from gnnrg.theory.grid import accuracy_grid

    law = dict(graph)
    classes = int(law.pop("classes", 2))
    convention = law.pop("lam_convention", "kesten-stigum")
    plain = classes == 2 and law.get("degree_law") is None
    tables, methods = {}, {}
    for layers in (1, 2):
        r = accuracy_grid(n, avg_degree, lams, mus, sigma, layers=layers, classes=classes,
                          lam_convention=convention, jobs=jobs, **law)  # fmt: skip
        tables[layers], methods[layers] = r["accuracy_best_sign"], r["method"]
    one, two = tables[1], tables[2]
    bayes = np.full_like(one, np.nan)
    if plain:
        bayes = joint_bayes_accuracy(
            np.asarray(lams)[None, :], np.asarray(mus)[:, None], sigma, n=n, avg_degree=avg_degree
        )
    return {
        "one_layer": one, "two_layer": two, "bayes": bayes,
        "one_layer_method": methods.get(1, ""), "two_layer_method": methods.get(2, ""),
    }  # fmt: skip


def theory_grid(
    n: int,
    avg_degree: float,
    sigma: float,
    num_features: int,
    lams: Any,
    mus: Any,
    *,
    jobs: int = 1,
    **graph: Any,
) -> dict[str, Any]:
    """Theory accuracy maps (best sign) on a (μ, λ) grid: one-layer mean GCN (exact counts),
    the two-layer mean GCN (degree-conditioned moment form; with k > 2 classes the
    neighbourhood population form; with degree correction the graph average, 10 graphs per
    column, one-layer control variate) and the Bayes-optimal accuracy
    from features and edges (:func:`~gnnrg.theory.joint.joint_bayes_accuracy`, dense limit;
    two plain classes, NaN otherwise), arrays of shape (len(mus), len(lams)), and the
    evaluators used (``one_layer_method``, ...). The maps come from
    :func:`~gnnrg.theory.grid.accuracy_grid` (two layers: at Chebyshev λ columns, interpolated).

    ``graph`` takes ``classes``, ``lam_convention`` and the degree correction
    (``degree_law``, ``degree_exponent``, ``degree_sigma``); ``jobs`` worker processes
    evaluate the λ columns (the maps do not depend on it).

    Examples
    --------
    >>> g = theory_grid(1000, 10.0, 1.0, 10, [0.0, 1.0], [0.5])
    >>> g["one_layer"].shape
    (1, 2)
    >>> g = theory_grid(999, 10.0, 1.0, 10, [1.0], [0.5], classes=3)
    >>> round(float(g["one_layer"][0, 0]), 2), g["one_layer_method"]
    (0.52, '3 classes: exact counts, sampled rival split')
    """
    return _theory_grid_cached(
        int(n),
        float(avg_degree),
        float(sigma),
        int(num_features),
        tuple(float(v) for v in lams),
        tuple(float(v) for v in mus),
        tuple(sorted((key, value) for key, value in graph.items() if value is not None)),
        int(jobs),
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _show(value: Any) -> str:
    """A swept value for a panel title (a missing one, e.g. no motif, as ``none``)."""
    return "none" if _missing(value) else str(value)


def _plain_csbm(df: pd.DataFrame, allow: tuple[str, ...] = ()) -> bool:
    """Whether every row's graphs are the plain cSBM: every variant switched off (as its
    declaration says, :data:`gnnrg.generators.csbm.VARIANT_DECLARATIONS`), but those whose
    names are in ``allow``. A column missing is a variant never switched on."""
    from gnnrg.generators.csbm import VARIANT_DECLARATIONS

    for variant in VARIANT_DECLARATIONS:
        if variant.name in allow:
            continue
        for key in variant.switches:
            if key not in df:
                continue
            default, column = variant.parameters[key], df[key]
            plain = column.isna() if default is None else (column == default)
            if not plain.all():
                return False
    return True


def _theory_graph(sub: pd.DataFrame) -> dict[str, Any] | None:
    """The graph arguments of the theory for a slice (classes, λ convention and the
    parameters of the variants the theory describes, when switched on), or None when the
    slice is not a graph the theory describes (another variant, arguments that vary, an array
    of propensities)."""
    from gnnrg.generators.csbm import VARIANT_DECLARATIONS

    described = [v for v in VARIANT_DECLARATIONS if v.theory]
    if not _plain_csbm(sub, allow=tuple(v.name for v in described)):
        return None
    keys = [key for key in ("classes", "lam_convention") if key in sub]
    for variant in described:  # a variant switched on in the slice: its arguments too
        switches = [key for key in variant.switches if key in sub]
        if switches and not sub[switches[0]].isna().all():
            keys += [key for key in variant.parameters if key in sub]
    graph: dict[str, Any] = {}
    for key in keys:
        if sub[key].nunique(dropna=False) > 1:
            return None
        value = sub[key].iloc[0]
        graph[key] = value.item() if hasattr(value, "item") else value
    if graph.get("degree_law") == "array":  # the caller's propensities: no law to average
        return None
    return graph


def _features_line(ax, sigma: float, classes: int, level: float, mus) -> None:
    """The μ at which the features alone reach ``level`` (Bayes, k classes), if in range."""
    from scipy.optimize import brentq

    from gnnrg.theory import features_only_accuracy

    def gap(mu: float) -> float:
        return float(features_only_accuracy(mu, sigma, classes=classes)) - level

    lo, hi = min(mus), max(mus)
    if gap(lo) <= 0 <= gap(hi):
        ax.axhline(
            brentq(gap, lo, hi), color="orange", ls=":",
            label=f"features only, Bayes (accuracy {level:.2f})",
        )  # fmt: skip


def _overlay_theory(
    ax, params: dict[str, Any], graph: dict[str, Any], lams, mus, level, jobs
) -> None:
    from gnnrg.parameters import kesten_stigum_lam
    from gnnrg.theory import it_threshold_mu

    n, d = int(params["n"]), float(params["avg_degree"])
    sigma, f = float(params["sigma"]), int(params["num_features"])
    fine_l = np.linspace(min(lams), max(lams), 31)
    fine_m = np.linspace(min(mus), max(mus), 31)
    grid = theory_grid(n, d, sigma, f, fine_l, fine_m, jobs=jobs, **graph)
    styles = {"one_layer": ("white", "-"), "two_layer": ("white", "--"), "bayes": ("magenta", "-.")}
    labels = {
        "one_layer": f"1-layer linear GCN, theory (accuracy {level:.2f} contour)",
        "two_layer": f"2-layer linear GCN, theory (accuracy {level:.2f} contour)",
        "bayes": f"Bayes-optimal, features + edges, dense limit ({level:.2f} contour)",
    }
    plain = int(graph.get("classes", 2)) == 2 and graph.get("degree_law") is None
    for key, (color, ls) in styles.items():
        if np.isfinite(grid[key]).any() and np.nanmax(grid[key]) >= level:
            ax.contour(fine_l, fine_m, grid[key], levels=[level], colors=color, linestyles=ls)
            label = labels[key]
            if not plain:  # say which evaluator drew a curve beyond the two-class closed forms
                label = label.replace("theory (", f"theory: {grid[key + '_method']} (")
            ax.plot([], [], color=color, ls=ls, label=label)
    classes = int(graph.get("classes", 2))
    _features_line(ax, sigma, classes, level, mus)
    if graph.get("degree_law") is None:  # at each λ of the panel's convention, Kesten–Stigum's
        convention = graph.get("lam_convention", "kesten-stigum")
        ks = [kesten_stigum_lam(n, d, lam, classes, convention)[1] for lam in fine_l]
        it = it_threshold_mu(ks, sigma=sigma, n=n, num_features=f, classes=classes)
        ax.plot(fine_l, it, color="red", lw=1.5, label=_threshold_label(classes))


def _threshold_label(classes: int) -> str:
    """What the red curve μ(λ) of :func:`~gnnrg.theory.it_threshold_mu` is called."""
    if classes == 2:
        return "information-theoretic threshold"
    return "weak-recovery threshold λ² + γθ² = 1 (Kesten–Stigum type)"


def plot_phase_diagram(
    df: pd.DataFrame,
    model: str,
    *,
    x: str = "lam",
    y: str = "mu",
    metric: str = "test_acc",
    stat: str = "mean",
    smooth: int = 0,
    level: float | None = None,
    theory: bool = True,
    show_thresholds: bool = True,
    legend: bool = True,
    where: dict[str, Any] | None = None,
    ax: Any = None,
    jobs: int = 1,
) -> Any:
    """Draw one model's accuracy over the swept (x, y) plane.

    Parameters
    ----------
    df : DataFrame
        Sweep results (:func:`gnnrg.load_results`).
    model : str
        Value of the ``model`` column to draw.
    x, y : str
        Swept parameters on the horizontal and vertical axes.
    metric : str, default "test_acc"
    stat : {"mean", "best"}, default "mean"
        Mean over seeds (default), or the study's best of N (labelled as such).
    smooth : int, default 0
        Width of a uniform smoothing filter (the study used 5); 0 for none. Labelled.
    level : float, optional
        Accuracy level of the threshold and the theory contours; default (1 + 1/k)/2.
    theory : bool, default True
        Overlay theory (x = λ, y = μ; the cSBM with any number of classes, with or without
        degree correction; none for a variant such as planted motifs or edge noise, which the
        curves do not describe): 1- and 2-layer GCN contours at ``level``, the features-only
        line, for two plain classes the Bayes and information-theoretic curves (k plain
        classes: the weak-recovery threshold of :func:`~gnnrg.theory.it_threshold_mu`). With
        k > 2 classes or degree correction both contours are drawn, the legend naming the
        evaluator (two degree-corrected layers: the graph average, 10 graphs per λ column).
    show_thresholds : bool, default True
        Mark the empirical threshold per x with its bootstrap 95% CI.
    legend : bool, default True
        Draw the legend inside the axes (figure-level legends: pass False).
    where : dict, optional
        One value for each further swept parameter (:func:`gnnrg.sweep.extra_axes`), e.g.
        ``{"classes": 3}``: the slice to draw. Required when the results vary in anything
        besides ``x`` and ``y`` (they are never pooled).
    ax : matplotlib Axes, optional
    jobs : int, default 1
        Worker processes evaluating the theory overlay's λ columns
        (:func:`~gnnrg.theory.grid.accuracy_grid`); the curves do not depend on it.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> rows = [{"model": "gcn", "lam": l, "mu": m, "test_acc": 0.5 + m / 4, "classes": 2}
    ...         for l in (0, 1) for m in (0.5, 1.0) for _ in range(2)]
    >>> ax = plot_phase_diagram(pd.DataFrame(rows), "gcn", theory=False)
    >>> ax.get_title().splitlines()
    ['gcn', 'mean test accuracy, 2 seeds']
    """
    import matplotlib.pyplot as plt

    from gnnrg.sweep.recoverability import (
        default_level,
        extra_axes,
        map_table,
        thresholds,
    )

    sub = df[df["model"] == model]
    if sub.empty:
        raise ValueError(
            f"model={model!r} has no results; models present: {sorted(df['model'].unique())}"
        )
    for key, value in (where or {}).items():
        if key not in sub:
            raise ValueError(f"where: {key!r} is not a column of the results")
        picked = sub[sub[key].isna() if _missing(value) else sub[key] == value]
        if picked.empty:
            raise ValueError(
                f"where: {key}={value!r} has no results for {model!r}; "
                f"values present: {sorted(map(str, sub[key].unique()))}"
            )
        sub = picked
    extra = extra_axes(sub, ("model", x, y))
    if extra:
        values = {c: sorted(sub[c].astype(str).unique().tolist()) for c in extra}
        raise ValueError(
            f"results for {model!r} also vary in {', '.join(extra)} (values {values}); "
            f"pick one slice with where={{{extra[0]!r}: ...}}"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    level = default_level(sub) if level is None else level
    table = map_table(sub, x=x, y=y, metric=metric, stat=stat, smooth=smooth)
    values = table.to_numpy()
    xs, ys = table.columns.to_numpy(dtype=float), table.index.to_numpy(dtype=float)
    k = int(sub["classes"].max()) if "classes" in sub else 2
    mesh = ax.pcolormesh(xs, ys, values, shading="nearest", vmin=1.0 / k, vmax=1.0, cmap="viridis")
    ax.figure.colorbar(mesh, ax=ax, label=_METRICS.get(metric, metric.replace("_", " ")))
    seeds = int(sub.groupby([x, y])[metric].count().max())
    name = _METRICS.get(metric, metric.replace("_", " "))
    what = f"best {name} of {seeds} seeds" if stat == "best" else f"mean {name}, {seeds} seeds"
    if stat != "best" and seeds == 1:
        what = f"{name}, 1 seed"
    label = model + "".join(f" · {k} = {_show(v)}" for k, v in (where or {}).items())
    smoothing = f", {smooth}×{smooth} smoothed" if smooth > 1 else ""
    ax.set_title(f"{label}\n{what}{smoothing}", fontsize=9)
    ax.set_xlabel({"lam": "λ (edge signal)"}.get(x, x))
    ax.set_ylabel({"mu": "μ (feature signal)"}.get(y, y))
    first = sub.iloc[0]
    graph = _theory_graph(sub) if theory else None
    if graph is not None and x == "lam" and y == "mu" and first.get("model") is not None:
        needed = ("n", "avg_degree", "sigma", "num_features")
        constant = all(c in sub for c in needed) and sub[list(needed)].nunique().max() == 1
        if constant:
            _overlay_theory(ax, first[list(needed)].to_dict(), graph, xs, ys, level, jobs)
    elif theory and y == "mu" and "sigma" in sub and sub["sigma"].nunique() == 1:
        if _plain_csbm(sub):  # of the theory, only the features-only baseline applies
            _features_line(ax, float(sub["sigma"].iloc[0]), k, level, ys)
    if show_thresholds and len(ys) > 1:
        shown = stat == "best" or smooth > 1
        if shown:  # the threshold of the map as drawn (no bootstrap)
            th = thresholds(sub, level, x=x, y=y, metric=metric, stat=stat, smooth=smooth)
        else:
            th = thresholds(sub, level, x=x, y=y, n_boot=200)
        th = th[np.isfinite(th["threshold"])]
        if len(th):
            lo = (th["threshold"] - th["ci_low"]).clip(lower=0).fillna(0)
            hi = (th["ci_high"] - th["threshold"]).clip(lower=0).fillna(0)
            ax.errorbar(
                th[x],
                th["threshold"],
                yerr=[lo, hi],
                fmt="o",
                color="black",
                ms=4,
                capsize=2,
                label=f"threshold of this map (acc ≥ {level:.2f})"
                if shown
                else f"empirical threshold (acc ≥ {level:.2f}, 95% CI)",
            )
    ax.set_xlim(*_edges(xs))  # whole cells: each value at its cell's centre
    ax.set_ylim(*_edges(ys))
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=6, loc="upper right", framealpha=0.6)
    return ax


_METRICS = {"test_acc": "test accuracy", "train_acc": "train accuracy", "val_acc": "val accuracy"}


def _edges(values: np.ndarray) -> tuple[float, float]:
    """The outer edges of cells centred on sorted ``values`` (half a step beyond each end)."""
    if len(values) < 2:
        return float(values[0]) - 0.5, float(values[0]) + 0.5
    return (
        float(values[0] - (values[1] - values[0]) / 2),
        float(values[-1] + (values[-1] - values[-2]) / 2),
    )


def plot_theory_map(
    lams: Any,
    mus: Any,
    accuracy: np.ndarray,
    *,
    it_mu: Any = None,
    level: float = 0.75,
    chance: float = 0.5,
    title: str = "",
    ax: Any = None,
    classes: int = 2,
) -> Any:
    """Draw a theory accuracy map of shape (len(mus), len(lams)) with its level contour and
    the threshold curve ``it_mu`` (μ on :func:`~gnnrg.theory.it_threshold_mu` at each λ: for
    two ``classes`` the information-theoretic threshold, else the weak-recovery one); the
    colour scale runs from ``chance`` (1/k) to 1.

    Examples
    --------
    >>> ax = plot_theory_map([0, 1], [0.1, 1.0], np.array([[0.5, 0.6], [0.8, 0.9]]))
    >>> ax.get_xlabel()
    'λ (edge signal)'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    mesh = ax.pcolormesh(
        lams, mus, accuracy, shading="nearest", vmin=chance, vmax=1.0, cmap="viridis"
    )
    ax.figure.colorbar(mesh, ax=ax, label="accuracy")
    if np.nanmin(accuracy) < level < np.nanmax(accuracy):
        ax.contour(lams, mus, accuracy, levels=[level], colors="white")
        ax.plot([], [], color="white", label=f"accuracy = {level:g}")
    if it_mu is not None:
        ax.plot(lams, it_mu, color="red", label=_threshold_label(classes))
    ax.set_ylim(min(mus), max(mus))
    ax.set_xlabel("λ (edge signal)")
    ax.set_ylabel("μ (feature signal)")
    ax.set_title(title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper right")
    return ax


def _ccdf(ax, degrees: np.ndarray, **style: Any) -> None:
    values = np.sort(degrees[degrees > 0])
    if len(values):
        share = 1.0 - np.arange(len(values)) / len(values)  # P(D >= value)
        ax.step(values, share, where="post", **style)


def _triangles_by_degree(ax, degrees: np.ndarray, triangles: np.ndarray, **style: Any) -> None:
    """Mean triangles through a node, in logarithmic degree bins."""
    present = degrees > 0
    if not present.any():
        return
    edges = np.unique(np.geomspace(1, degrees.max() + 1, 12).astype(int))
    which = np.digitize(degrees[present], edges)
    mids, means = [], []
    for b in np.unique(which):
        members = which == b
        mids.append(degrees[present][members].mean())
        means.append(triangles[present][members].mean())
    ax.plot(mids, means, marker="o", ms=3, **style)


def plot_graph_profile(data: Any, *, compare: bool = True, seed: int = 0, axes: Any = None) -> Any:
    """The structure the cSBM speaks about, of any labelled graph, next to its matched cSBM.

    Three panels: the degree distribution (complementary CDF, log-log; Hill tail exponent in
    the title), the class mixing matrix (share of each class's edge ends that land in each
    class; edge and adjusted homophily in the title) and the mean number of triangles through
    a node by degree (higher-order structure). With ``compare``, a cSBM with the graph's node
    count, number of classes and estimated (d, λ) is drawn dashed: what the graph would look
    like if it were a (balanced, degree-homogeneous) SBM.

    Parameters
    ----------
    data : torch_geometric.data.Data or networkx.Graph
        Labels ``y`` are used when present (the mixing panel needs them).
    compare : bool, default True
        Also draw the matched cSBM (skipped, with a note, where no valid one exists).
    seed : int, default 0
        Seed of the matched cSBM.
    axes : sequence of three matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Its first three axes are the panels (``fig.axes``).

    Examples
    --------
    >>> from gnnrg import csbm
    >>> fig = plot_graph_profile(csbm(500, lam=1.5, mu=1.0, seed=0, motif="triangle"))
    >>> [ax.get_xlabel() for ax in fig.axes[:3]]
    ['degree', 'class of the other end', 'degree']
    """
    import matplotlib.pyplot as plt

    from gnnrg.diagnostics import _structure, _summary

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(14, 4))
    axes = np.asarray(axes).ravel()
    edges, n, degrees, triangles = _structure(data)  # triangles counted once, for both uses
    summary = _summary(data, edges, n, degrees, triangles)
    graph_style = {"color": "C0", "label": "this graph"}
    _ccdf(axes[0], degrees, **graph_style)
    _triangles_by_degree(axes[2], degrees, triangles, **graph_style)
    matched = None
    if compare:
        matched, why_not = _matched_csbm(summary, seed)
        if matched is not None:
            _, _, m_degrees, m_triangles = _structure(matched)
            style = {"color": "C1", "ls": "--", "label": "matched cSBM"}
            _ccdf(axes[0], m_degrees, **style)
            _triangles_by_degree(axes[2], m_degrees, m_triangles, **style)
        else:
            axes[0].plot([], [], " ", label=f"no matched cSBM: {why_not}")
    axes[0].set(xscale="log", yscale="log", xlabel="degree", ylabel="P(degree ≥ k)")
    tail = (
        f"Hill exponent {summary['degree_exponent']:.2f}"
        if summary["heavy_tail"]
        else f"no power-law tail (Hill {summary['degree_exponent']:.1f})"
    )
    axes[0].set_title(
        f"n = {summary['num_nodes']}, mean degree {summary['mean_degree']:.1f}, {tail}",
        fontsize=9,
    )
    axes[0].legend(fontsize=7)
    _mixing_panel(axes[1], data, edges, summary)
    axes[2].set(xscale="log", xlabel="degree", ylabel="mean triangles through a node")
    extra = "" if matched is None else f" (matched cSBM {round(m_triangles.sum() / 3)})"
    axes[2].set_title(f"{summary['triangles']} triangles{extra}", fontsize=9)
    axes[2].legend(fontsize=7)
    return axes[0].figure


def _matched_csbm(summary: dict[str, Any], seed: int) -> tuple[Any, str]:
    """A cSBM with the graph's n, k and estimated (d, λ), or ``(None, why)``."""
    from gnnrg import csbm

    k = int(summary.get("classes", 1))
    if k < 2 or not np.isfinite(summary.get("lam", np.nan)):
        return None, "needs labels of two or more classes"
    try:
        graph = csbm(summary["num_nodes"], classes=k, avg_degree=summary["avg_degree"],
                     lam=summary["lam"], num_features=1, seed=seed)  # fmt: skip
    except ValueError as err:
        return None, str(err)
    return graph, ""


def _mixing_panel(ax, data: Any, edges: np.ndarray, summary: dict[str, Any]) -> None:
    from gnnrg.diagnostics import _node_array, class_edge_ends

    y = _node_array(data, "y")
    ax.set_xlabel("class of the other end")
    if y is None:
        ax.text(0.5, 0.5, "no labels", ha="center", va="center", transform=ax.transAxes)
        return
    y = y.astype(np.int64)
    k = int(y.max()) + 1
    counts = class_edge_ends(edges, y, k)
    share = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    image = ax.imshow(share, vmin=0, vmax=1, cmap="Blues")
    if k <= 10:
        for a in range(k):
            for b in range(k):
                colour = "white" if share[a, b] > 0.6 else "black"
                ax.text(b, a, f"{share[a, b]:.2f}", ha="center", va="center", fontsize=7,
                        color=colour)  # fmt: skip
    ax.figure.colorbar(image, ax=ax, label="share of the class's edge ends")
    ax.set_ylabel("class")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_title(
        f"edge homophily {summary['edge_homophily']:.2f}, "
        f"adjusted {summary['adjusted_homophily']:.2f}",
        fontsize=9,
    )
