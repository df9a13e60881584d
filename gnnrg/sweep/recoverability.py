r"""Summaries and empirical recoverability thresholds of sweep results.

**Threshold definition.** For one model and one value of the row parameter ``x`` (λ by
default), take the mean test accuracy over seeds at each value of ``y`` (μ by default). The
threshold is the smallest swept ``y`` whose mean reaches ``level``, *and every larger swept y
too* (so one lucky point below a dip does not count). ``level`` defaults to halfway between
chance and perfect, :math:`(1 + 1/k)/2` (0.75 for two classes). NaN when no swept ``y``
qualifies. The 95% confidence interval comes from a bootstrap over seeds: each (x, y) cell's
seeds are resampled with replacement, the threshold recomputed, and the 2.5% / 97.5%
quantiles reported (a resample without a threshold counts as +∞ for the upper bound).

**Diverged runs** (``diverged`` column: a non-finite or exploding training loss, see
:func:`gnnrg.training.protocol.mark_diverged`) have no accuracy: they are left out of every mean,
CI and threshold, and :func:`summarize` counts them per cell.

**Further swept parameters.** A sweep may vary more than (λ, μ): the number of classes, a
variant's strength, a motif, a training option. Such a parameter (:func:`extra_axes`) takes
several values within one (model, λ, μ) cell; summaries and thresholds are then kept apart per
value, never pooled, and each phase diagram shows one slice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "OUTCOMES",
    "default_level",
    "diverged_mask",
    "extra_axes",
    "map_table",
    "summarize",
    "thresholds",
]

#: Columns of a results table that are outcomes or bookkeeping, never swept parameters.
OUTCOMES = frozenset(
    {
        "seed", "sweep", "config_hash", "gnnrg_version", "torch_version", "pyg_version",
        "generate_seconds", "train_acc", "val_acc", "test_acc", "epochs_run", "train_seconds",
        "num_parameters", "batch", "model_name", "cell_id", "engine", "finished_at",
        "diverged",
    }
)  # fmt: skip


def extra_axes(df: pd.DataFrame, keys: tuple[str, ...] = ("model", "lam", "mu")) -> list[str]:
    """Parameters that take more than one value within a cell of ``keys``, besides the seed.

    Parameters derived from the keys or from an axis found earlier in column order (``p_in``
    and ``p_out`` from λ and the number of classes) are not counted; outcome columns
    (:data:`OUTCOMES`) never are.

    Parameters
    ----------
    df : DataFrame
        Sweep results (:func:`gnnrg.load_results`).
    keys : tuple of str, default ("model", "lam", "mu")
        The columns that already separate cells (those absent from ``df`` are ignored).

    Returns
    -------
    list of str
        In ``df``'s column order; empty for a plain (λ, μ) sweep.

    Examples
    --------
    >>> df = pd.DataFrame({"model": "gcn", "classes": [2, 3, 2, 3], "lam": [0, 0, 1, 1],
    ...                    "p_in": [1, 2, 3, 4], "mu": 1.0, "seed": [0, 1, 0, 1],
    ...                    "test_acc": [0.6, 0.5, 0.8, 0.7]})
    >>> extra_axes(df)
    ['classes']
    """
    present = [k for k in keys if k in df]
    columns = [
        c for c in df.columns if c not in OUTCOMES and c not in present and _varies(df[c])
    ]  # most parameters are constant over a sweep: only the others need the grouped test
    if df.empty or not columns:
        return []
    cells = df[columns].astype(object)
    text = cells.where(cells.notna(), "<missing>").astype(str)  # None and NaN alike; arrays
    found: list[str] = []
    for column in columns:  # a column fixed by the keys and the axes found so far is derived
        groups = [df[k] for k in present] + [text[c] for c in found]
        if groups:
            varies = text[column].groupby(groups, dropna=False).nunique(dropna=False).max() > 1
        else:
            varies = text[column].nunique(dropna=False) > 1
        if varies:
            found.append(column)
    return found


def _varies(column: pd.Series) -> bool:
    try:
        return column.nunique(dropna=False) > 1
    except TypeError:  # unhashable values (arrays): compare their text
        return column.astype(str).nunique(dropna=False) > 1


def default_level(df: pd.DataFrame) -> float:
    """Halfway between chance and perfect accuracy, (1 + 1/k)/2.

    Examples
    --------
    >>> default_level(pd.DataFrame({"classes": [3]}))
    0.6666666666666666
    """
    k = int(df["classes"].max()) if "classes" in df and len(df) else 2
    return (1.0 + 1.0 / k) / 2.0


def summarize(
    df: pd.DataFrame, by: list[str] | None = None, metric: str = "test_acc"
) -> pd.DataFrame:
    """Mean, standard error, 95% CI half-width, best and count of ``metric`` per group.

    Parameters
    ----------
    df : DataFrame
        Sweep results (:func:`gnnrg.load_results`).
    by : list of str, optional
        Grouping columns; default: ``model``, ``lam`` and ``mu`` where present, then every
        further swept parameter (:func:`extra_axes`).
    metric : str, default "test_acc"

    Returns
    -------
    DataFrame with columns ``by + [mean, stderr, ci95, best, count, diverged]``: ``count`` runs
    with an accuracy, ``diverged`` runs without one (left out of the statistics); ``ci95`` is
    the half-width of the t-based 95% interval over those runs (NaN with fewer than two).

    Examples
    --------
    >>> df = pd.DataFrame({"model": ["a"] * 3, "lam": [0] * 3, "mu": [1] * 3,
    ...                    "test_acc": [0.6, 0.7, 0.8]})
    >>> summarize(df)[["mean", "ci95", "best", "count"]].round(3).values.tolist()
    [[0.7, 0.248, 0.8, 3.0]]
    """
    from scipy import stats as st

    if by is None:
        by = [c for c in ("model", "lam", "mu") if c in df]
        by += extra_axes(df, tuple(by))
    df = df.assign(_diverged=diverged_mask(df))
    values = df[metric].where(~df["_diverged"])
    g = values.groupby([df[c] for c in by], dropna=False)
    out = g.agg(mean="mean", std="std", best="max", count="count").reset_index()
    out["diverged"] = df.groupby(by, dropna=False)["_diverged"].sum().to_numpy().astype(int)
    out["stderr"] = out["std"] / np.sqrt(out["count"])
    dof = (out["count"] - 1).where(out["count"] > 1)
    out["ci95"] = st.t.ppf(0.975, dof) * out["stderr"]
    return out[[*by, "mean", "stderr", "ci95", "best", "count", "diverged"]]


def diverged_mask(df: pd.DataFrame) -> pd.Series:
    """True for the rows of runs that diverged (the ``diverged`` column; False without it).

    Examples
    --------
    >>> diverged_mask(pd.DataFrame({"diverged": [False, True, None]})).tolist()
    [False, True, False]
    """
    if "diverged" not in df:
        return pd.Series(False, index=df.index)
    return df["diverged"].astype(object).where(df["diverged"].notna(), False).astype(bool)


def _threshold(ys: np.ndarray, means: np.ndarray, level: float) -> float:
    ok = means >= level
    # smallest y from which every larger swept y also reaches the level
    bad = np.flatnonzero(~ok)
    start = bad[-1] + 1 if len(bad) else 0
    return float(ys[start]) if start < len(ys) else float("nan")


def _thresholds(ys: np.ndarray, means: np.ndarray, level: float) -> np.ndarray:
    """:func:`_threshold` for each row of ``means`` (shape (rows, len(ys)))."""
    bad = means < level
    any_bad = bad.any(1)
    last_bad = len(ys) - 1 - np.argmax(bad[:, ::-1], axis=1)
    start = np.where(any_bad, last_bad + 1, 0)
    out = np.full(len(means), np.nan)
    inside = start < len(ys)
    out[inside] = np.asarray(ys, dtype=float)[start[inside]]
    return out


def thresholds(
    df: pd.DataFrame,
    level: float | None = None,
    *,
    x: str = "lam",
    y: str = "mu",
    metric: str = "test_acc",
    by: str = "model",
    n_boot: int = 200,
    seed: int = 0,
    stat: str = "mean",
    smooth: int = 0,
) -> pd.DataFrame:
    """Empirical recoverability threshold in ``y`` for each model and each ``x``.

    Parameters
    ----------
    df : DataFrame
        Sweep results, one row per (point, model, seed).
    level : float, optional
        Accuracy to reach; default :func:`default_level` of each slice (so each number of
        classes gets its own halfway level).
    x, y : str
        Row and threshold parameters (default λ and μ).
    metric : str, default "test_acc"
    by : str, default "model"
    n_boot : int, default 200
        Bootstrap resamples for the CI (0 for none).
    seed : int
    stat, smooth
        The study's presentation (``stat="best"``: best seed; ``smooth``: uniform filter
        width): thresholds are then read off each model's :func:`map_table` as drawn, without
        a bootstrap CI.

    Returns
    -------
    DataFrame with columns ``by``, any further swept parameters (:func:`extra_axes`), ``x``,
    ``threshold, ci_low, ci_high, level``: one row per model, slice and ``x``.

    Examples
    --------
    >>> rows = [{"model": "m", "lam": 0, "mu": mu, "test_acc": acc}
    ...         for mu, acc in [(0.1, 0.5), (0.5, 0.8), (1.0, 0.9)] for _ in range(3)]
    >>> thresholds(pd.DataFrame(rows), 0.75, n_boot=0)[["threshold"]].values.tolist()
    [[0.5]]
    """
    if stat == "best" or smooth > 1:
        return thresholds(_shown(df, x, y, metric, by, stat, smooth), level, x=x, y=y,
                          metric=metric, by=by, n_boot=0)  # fmt: skip
    rng = np.random.default_rng(seed)
    records = []
    df = df[~diverged_mask(df) & df[metric].notna()]
    extra = extra_axes(df, (by, x, y))
    for key, sub in df.groupby([by, *extra, x], dropna=False):
        group, *values, xv = key
        lvl = default_level(sub) if level is None else float(level)
        ys = np.sort(sub[y].unique())
        cells = [sub.loc[sub[y] == yv, metric].to_numpy(dtype=float) for yv in ys]
        means = np.array([c.mean() for c in cells])
        est = _threshold(ys, means, lvl)
        low = high = np.nan
        if n_boot > 0:
            # every resample at once: (n_boot, len(ys)) means of seeds drawn with replacement
            resampled = np.stack(
                [rng.choice(c, size=(n_boot, len(c))).mean(1) for c in cells], axis=1
            )
            boots = _thresholds(ys, resampled, lvl)
            boots[np.isnan(boots)] = np.inf
            boots.sort()  # order statistics: no interpolation across +inf
            low = boots[int(np.floor(0.025 * (n_boot - 1)))]
            high = boots[int(np.ceil(0.975 * (n_boot - 1)))]
            low = np.nan if np.isinf(low) else float(low)
            high = np.nan if np.isinf(high) else float(high)
        records.append(
            {by: group, **dict(zip(extra, values, strict=True)), x: xv, "threshold": est,
             "ci_low": low, "ci_high": high, "level": lvl}
        )  # fmt: skip
    return pd.DataFrame.from_records(records)


def map_table(
    df: pd.DataFrame,
    *,
    x: str = "lam",
    y: str = "mu",
    metric: str = "test_acc",
    stat: str = "mean",
    smooth: int = 0,
) -> pd.DataFrame:
    """One model's accuracy map as a (y × x) table: the mean over seeds, or the study's
    presentation (``stat="best"``: the best seed; ``smooth``: a uniform filter of that width).
    Diverged runs are left out.

    Examples
    --------
    >>> df = pd.DataFrame({"lam": [0, 0, 1, 1], "mu": 1, "test_acc": [0.6, 0.8, 0.7, 0.9]})
    >>> map_table(df).values.tolist(), map_table(df, stat="best").values.tolist()
    ([[0.7, 0.8]], [[0.8, 0.9]])
    """
    df = df[~diverged_mask(df)]
    agg = "max" if stat == "best" else "mean"
    table = df.pivot_table(index=y, columns=x, values=metric, aggfunc=agg).sort_index()
    if smooth and smooth > 1:
        from scipy.ndimage import uniform_filter

        values = table.to_numpy()
        values = uniform_filter(
            np.nan_to_num(values, nan=np.nanmean(values)), size=smooth, mode="nearest"
        )
        table = pd.DataFrame(values, index=table.index, columns=table.columns)
    return table


def _shown(df, x, y, metric, by, stat, smooth) -> pd.DataFrame:
    """One row per cell of each group's map as drawn (:func:`map_table`)."""
    frames = []
    for group, sub in df.groupby(by, sort=False):
        long = map_table(sub, x=x, y=y, metric=metric, stat=stat, smooth=smooth)
        long = long.stack().rename(metric).reset_index()
        long[by] = group
        if "classes" in sub:
            long["classes"] = sub["classes"].iloc[0]
        frames.append(long)
    return pd.concat(frames, ignore_index=True)
