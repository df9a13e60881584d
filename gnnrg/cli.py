"""The ``gnnrg`` command line: ``sweep``, ``plot``, ``theory`` and ``profile``.

Only ``sweep`` and ``profile`` import torch; ``gnnrg theory`` starts without it. Bad input exits
with status 2 and one message naming the flag or field, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


#: The most values one theory range START:STOP:COUNT may have.
MAX_STEPS = 10_000


def _range_or_value(text: str) -> np.ndarray:
    """``"1.5"`` → [1.5]; ``"a:b:k"`` → k values from a to b."""
    parts = text.split(":")
    try:
        if len(parts) == 1:
            return np.array([float(text)])
        if len(parts) == 3:
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if not 1 <= num <= MAX_STEPS:
                raise argparse.ArgumentTypeError(
                    f"{text!r}: COUNT must be between 1 and {MAX_STEPS}"
                )
            return np.linspace(start, stop, num)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is neither a number nor a range START:STOP:COUNT")


_NUMERIC_FLAGS = ("--lam", "--mu", "--p-in", "--p-out", "--sigma", "--avg-degree")


def _join_negative_values(argv: list[str]) -> list[str]:
    """Let ``--lam -3:3:121`` through: argparse would read ``-3:3:121`` as a flag."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else ""
        if token in _NUMERIC_FLAGS and nxt[:1] == "-" and nxt[1:2].isdigit() | (nxt[1:2] == "."):
            out.append(f"{token}={nxt}")
            i += 2
            continue
        out.append(token)
        i += 1
    return out


def _usable_cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _add_jobs(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--jobs`` option of a command (checked to be >= 1 in :func:`main`)."""
    parser.add_argument(
        "--jobs",
        type=int,
        default=_usable_cores(),
        help=f"{what} (default: the usable cores, here %(default)s)",
    )


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Defaults shown after each option's help; descriptions keep their line breaks."""


def _build_parser() -> argparse.ArgumentParser:
    from gnnrg.theory.norms import METHODS, NORMS

    parser = _Parser(prog="gnnrg", description="GNNs on random graphs: theory and simulation.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sw = sub.add_parser(
        "sweep",
        help="run a sweep from a YAML file (resumable)",
        formatter_class=_Help,
        description="Train every model of a sweep file on every (point, seed) cell and save the "
        "results in OUT (resumable: run the same command again to continue).\n"
        "Format of the file and of OUT: docs/sweeps.md.",
    )
    sw.add_argument("config", help="sweep YAML file")
    sw.add_argument("--out", help="output directory (default: results/NAME of the config)")
    _add_jobs(sw, "worker processes, one torch thread each")
    sw.add_argument("--dask", metavar="ADDRESS", help="'local' or a dask scheduler address")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument(
        "--engine",
        choices=("batched", "reference"),
        default="batched",
        help="train many models at once (default) or one at a time",
    )
    sw.add_argument("--device", default="cpu", help="torch device, e.g. cuda (default cpu)")
    sw.add_argument(
        "--batch",
        type=int,
        help="tasks per unit of work (default: the store's, or up to 32 on CPU balanced over "
        "the workers)",
    )
    sw.add_argument(
        "--add",
        action="store_true",
        help="add this config's cells to an --out that belongs to another config, on purpose",
    )
    sw.add_argument(
        "--repair",
        action="store_true",
        help="move unreadable or foreign result parts to OUT/quarantine and recompute them",
    )

    pl = sub.add_parser(
        "plot",
        help="phase diagrams, thresholds and summary of a sweep",
        formatter_class=_Help,
        description="Draw OUT's phase diagrams (one panel per model and slice) with the theory "
        "overlaid, and write thresholds.csv and summary.csv.",
    )
    pl.add_argument("out", help="sweep output directory")
    pl.add_argument("--level", type=float, help="accuracy level (default (1 + 1/k)/2)")
    pl.add_argument("--best-of", action="store_true", help="plot best over seeds (the study's)")
    pl.add_argument("--smooth", type=int, default=0, help="uniform smoothing width (study: 5)")
    pl.add_argument("--no-theory", action="store_true", help="no theory overlays")
    _add_jobs(pl, "worker processes evaluating the theory overlays")

    th = sub.add_parser(
        "theory",
        help="closed-form accuracy of linear GCNs on the cSBM",
        formatter_class=_Help,
        description="Accuracy of one- and two-layer linear GCNs on the cSBM (k classes, with or "
        "without degree correction), next to the features-only, graph-only and Bayes-optimal "
        "baselines, at one point or on a (λ, μ) grid (give --lam and/or --mu as "
        "START:STOP:COUNT). No torch needed.",
    )
    th.add_argument("--layers", type=int, choices=(1, 2), default=1, help="GCN layers")
    th.add_argument(
        "--norm",
        choices=NORMS,
        default="mean",
        help="aggregation: A, A + I, D^-1 A, or D^-1/2 A D^-1/2",
    )
    th.add_argument("--n", type=int, default=1000, help="number of nodes")
    th.add_argument("--avg-degree", type=float, default=10.0, help="mean degree d")
    th.add_argument(
        "--lam",
        type=_range_or_value,
        default="1",
        help="λ, or a range START:STOP:COUNT",
    )
    th.add_argument("--p-in", type=float, help="edge probability within a class (with --p-out)")
    th.add_argument("--p-out", type=float, help="edge probability between classes (with --p-in)")
    th.add_argument(
        "--mu", type=_range_or_value, default="0.5", help="μ, or a range START:STOP:COUNT"
    )
    th.add_argument("--sigma", type=float, default=1.0, help="feature noise σ")
    th.add_argument(
        "--classes", type=int, default=2, help="number of balanced classes k (orthogonal means)"
    )
    th.add_argument(
        "--lam-convention",
        choices=("kesten-stigum", "study"),
        default="kesten-stigum",
        help="how (d, λ) set p_in, p_out for k > 2 (gnnrg.parameters.LAM_CONVENTIONS)",
    )
    th.add_argument(
        "--degree-law",
        choices=("powerlaw", "lognormal"),
        help="Karrer-Newman degree correction, as gnnrg.csbm draws it",
    )
    th.add_argument("--degree-exponent", type=float, default=2.5, help="power-law exponent (> 2)")
    th.add_argument("--degree-sigma", type=float, default=1.0, help="lognormal spread")
    th.add_argument(
        "--num-features", type=int, default=10, help="feature dimension F (IT threshold)"
    )
    th.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="auto: exact one-layer forms; two layers: the degree-conditioned moment form "
        "(two plain classes, finite n, sparse or dense), the neighbourhood population form "
        "(k plain classes) or the graph average (degree correction); neighbourhood: that "
        "form, also with degree correction (approximate); tree: the study's Theorem 2 "
        "(sum/sum-self, Poisson tree); graph: the exact nodewise formula averaged over sampled "
        "graphs (40 at a point, 10 per grid column)",
    )
    th.add_argument("--json", action="store_true", help="print one JSON object")
    th.add_argument("--out", help="grid table to write (.csv or .parquet)")
    th.add_argument("--plot", help="accuracy map to draw (.png or .pdf)")
    th.add_argument("--symbolic", action="store_true", help="print the formulas in LaTeX")
    th.add_argument("--no-progress", action="store_true", help="no progress bar on grids")
    _add_jobs(th, "worker processes evaluating a grid's λ columns")

    pr = sub.add_parser(
        "profile",
        help="statistics and profile figure of your own graph",
        formatter_class=_Help,
        description="Degrees, homophily, triangles and the fitted cSBM parameters of a graph "
        "given as text files, and its profile figure next to a matched cSBM.",
    )
    pr.add_argument("edges", help="edge list: two integer node ids per line")
    pr.add_argument("--labels", help="one class (integer or name) per line, line i for node i")
    pr.add_argument("--header", action="store_true", help="every file starts with a header line")
    pr.add_argument("--features", help="one row of floats per line, line i for node i")
    pr.add_argument("--delimiter", help="column separator (default: any whitespace)")
    pr.add_argument("--json", action="store_true", help="print one JSON object")
    pr.add_argument("--plot", help="profile figure to draw (.png or .pdf)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``gnnrg`` command.

    Examples
    --------
    >>> main(["theory", "--layers", "1", "--lam", "0", "--mu", "1", "--json"])  # doctest: +ELLIPSIS
    {"layers": 1, "norm": "mean", ...}
    0
    """
    parser = _build_parser()
    args = parser.parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    if getattr(args, "jobs", 1) < 1:
        parser.error(f"--jobs={args.jobs} must be >= 1")
    handler = {"sweep": _sweep, "plot": _plot, "theory": _theory, "profile": _profile}[args.command]
    try:
        return handler(args, parser)
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(
            "interrupted: finished results are saved; run the same command to resume",
            file=sys.stderr,
        )
        return 130


# ----------------------------------------------------------------------------------------- sweep
def _sweep(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from gnnrg.sweep.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"gnnrg sweep: error: {err}", file=sys.stderr)
        return 2
    if args.batch is not None and args.batch < 1:
        parser.error(f"--batch={args.batch} must be >= 1")
    if args.device != "cpu":
        import torch

        try:
            torch.empty(0, device=args.device)
        except (RuntimeError, AssertionError) as err:
            parser.error(f"--device={args.device} is not usable here ({err}); try --device cpu")
    from gnnrg.sweep.recoverability import diverged_mask, summarize
    from gnnrg.sweep.runner import SweepFailed, run_sweep

    out = Path(args.out or Path("results") / config.name)
    try:
        df = run_sweep(
            config,
            out,
            jobs=args.jobs,
            dask=args.dask,
            progress=not args.no_progress,
            engine=args.engine,
            device=args.device,
            batch=args.batch,
            add=args.add,
            repair=args.repair,
        )
    except SweepFailed as err:
        print(
            f"gnnrg sweep: {err}; details in {out / 'errors.log'}; other results saved in {out}",
            file=sys.stderr,
        )
        return 1
    except ValueError as err:  # StoreError, a bad --dask address: nothing was run
        print(f"gnnrg sweep: error: {err}", file=sys.stderr)
        return 2
    summary = summarize(df)
    summary.to_csv(out / "summary.csv", index=False)
    print(f"{len(df)} results in {out}/results; summary: {out / 'summary.csv'}")
    with_mean = summary.groupby("model")["mean"].mean().sort_values(ascending=False)
    for model, acc in with_mean.items():
        print(f"  {model:<24} mean test accuracy over the grid {acc:.3f}")
    diverged = df.loc[diverged_mask(df), "model"].value_counts()
    if len(diverged):
        counts = ", ".join(f"{model} {count}" for model, count in diverged.items())
        print(
            f"  {int(diverged.sum())} run(s) diverged (non-finite or exploding loss; no accuracy, "
            f"left out of means and thresholds): {counts}"
        )
    return 0


# ------------------------------------------------------------------------------------------ plot
def _plot(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gnnrg.plot import plot_phase_diagram
    from gnnrg.sweep.recoverability import summarize, thresholds
    from gnnrg.sweep.store import load_results

    out = Path(args.out)
    if args.level is not None and not 0 < args.level < 1:
        parser.error(f"--level={args.level:g} must be between 0 and 1 (an accuracy)")
    if args.smooth < 0:
        parser.error(f"--smooth={args.smooth} must be >= 0 (0: no smoothing; the study used 5)")
    if not out.is_dir():
        parser.error(f"{out} is not a sweep output folder (gnnrg sweep ... --out {out})")
    try:
        df = load_results(out)
    except ValueError as err:  # StoreError: a bad part, named with its repair
        print(f"gnnrg plot: error: {err}", file=sys.stderr)
        return 2
    if df.empty:
        print(f"gnnrg plot: error: no results in {out}/results", file=sys.stderr)
        return 2
    section = _threshold_section(out)
    if args.level is None:
        args.level = section.get("level")
    axes_xy = {"x": section.get("x", "lam"), "y": section.get("y", "mu")}
    for column in axes_xy.values():
        if column not in df:
            parser.error(f"threshold axis {column!r} (config.json) is not a column of the results")
    suffix = ("_best" if args.best_of else "") + (
        f"_smooth{args.smooth}" if args.smooth > 1 else ""
    )
    if suffix:  # the study's presentation: thresholds of the maps as drawn
        th = thresholds(
            df, args.level, **axes_xy, stat="best" if args.best_of else "mean", smooth=args.smooth
        )
    else:
        th = thresholds(df, args.level, **axes_xy)
    th.to_csv(out / f"thresholds{suffix}.csv", index=False)
    summarize(df).to_csv(out / "summary.csv", index=False)
    panels = _panels(df, _model_order(out))
    slices = max(Counter(model for model, _ in panels).values())  # a row per model if sliced
    cols = min(len(panels), 3) if slices == 1 else slices
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    for ax, (model, where) in zip(axes.ravel(), panels, strict=False):
        plot_phase_diagram(
            df,
            model,
            **axes_xy,
            stat="best" if args.best_of else "mean",
            smooth=args.smooth,
            level=args.level,
            theory=not args.no_theory,
            legend=False,
            where=where,
            ax=ax,
            jobs=args.jobs,
        )
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if th["level"].nunique() > 1:  # slices with different numbers of classes
        labels = [
            "empirical threshold (acc ≥ (1 + 1/k)/2, 95% CI)"
            if "threshold (acc" in label
            else label
            for label in labels
        ]
    fig.tight_layout(rect=(0, 0.08 if handles else 0, 1, 1))
    if handles:
        fig.legend(
            handles,
            labels,
            loc="lower center",
            ncol=min(len(labels), 3),
            fontsize=9,
            facecolor="0.75",
        )
    written = []
    for ext in ("png", "pdf"):
        path = out / f"phase_diagrams{suffix}.{ext}"
        fig.savefig(path, dpi=130)
        written.append(str(path))
    plt.close(fig)
    tables = [str(out / f"thresholds{suffix}.csv"), str(out / "summary.csv")]
    print("wrote " + ", ".join([*written, *tables]))
    return 0


def _model_order(out: Path) -> list[str]:
    """The model labels in the order the sweep's config lists them ([] without a config)."""
    from gnnrg.sweep.config import SweepConfig

    try:
        config = SweepConfig.model_validate_json((out / "config.json").read_text())
    except (OSError, ValueError):
        return []
    return [spec.label() for spec in config.models]


def _threshold_section(out: Path) -> dict[str, Any]:
    """The ``threshold:`` section of the sweep's config (level, x, y), or {} without one."""
    try:
        config = json.loads((out / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    section = config.get("threshold") if isinstance(config, dict) else None
    if not isinstance(section, dict):
        return {}
    return {k: v for k, v in section.items() if v is not None}


def _panels(df, order: list[str] | None = None) -> list[tuple[str, dict[str, Any]]]:
    """One (model, slice) per phase diagram: a slice fixes every further swept parameter.
    Models come in ``order`` (the config's), then any others sorted by name."""
    from gnnrg.sweep.recoverability import extra_axes

    extra = extra_axes(df)
    panels = []
    present = set(df["model"])
    models = [m for m in order or [] if m in present] + sorted(present - set(order or []))
    for model in models:
        sub = df[df["model"] == model]
        if not extra:
            panels.append((model, {}))
            continue
        combos = sub[extra].drop_duplicates().sort_values(extra, na_position="first")
        panels += [(model, dict(zip(extra, row, strict=True))) for row in combos.to_numpy()]
    return panels


# --------------------------------------------------------------------------------------- profile
def _profile(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from gnnrg.datasets import load_graph_files
    from gnnrg.diagnostics import stats

    for name in ("edges", "labels", "features"):
        path = getattr(args, name)
        if path is not None and not Path(path).is_file():
            parser.error(f"{name} file {path!r} does not exist")
    _check_output(parser, "--plot", args.plot, FIGURE_FORMATS)
    try:
        data = load_graph_files(
            args.edges, args.labels, args.features, delimiter=args.delimiter, header=args.header
        )
    except ValueError as err:
        parser.error(str(err))
    summary = stats(data)
    if args.json:
        print(json.dumps(summary))
    else:
        width = max(map(len, summary))
        for key, value in summary.items():
            shown = f"{value:.4g}" if isinstance(value, float) else value
            print(f"{key:<{width}}  {shown}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from gnnrg.plot import plot_graph_profile

        fig = plot_graph_profile(data)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=130)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


#: File types ``--plot`` and ``--out`` write.
FIGURE_FORMATS = ("png", "pdf", "svg", "eps", "ps", "jpg", "jpeg", "tif", "tiff", "webp")
TABLE_FORMATS = ("csv", "parquet")


def _check_output(parser, flag: str, path: str | None, formats: tuple[str, ...]) -> None:
    """An output path's type and folder are checked before any work is done."""
    if path is None:
        return
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in formats:
        parser.error(f"{flag} {path}: unknown file type {suffix!r}; use one of {list(formats)}")
    folder = Path(path).parent
    if not folder.is_dir():
        parser.error(f"{flag} {path}: folder {folder} does not exist")
    if Path(path).is_dir():
        parser.error(f"{flag} {path} is a folder; give a file name")


# ---------------------------------------------------------------------------------------- theory
def _theory_column(
    args, lam: float, mus: np.ndarray, result: dict[str, Any]
) -> list[dict[str, Any]]:
    """Theory rows for one λ (or one (p_in, p_out)) and every μ in ``mus``: the GCN's accuracy
    in ``result`` (one column of the evaluator's answer) and the baselines next to it."""
    from gnnrg.parameters import (
        block_probabilities,
        kesten_stigum_lam,
        lam_from_probabilities,
        mu_deshpande,
    )
    from gnnrg.theory import (
        features_only_accuracy,
        graph_only_bayes_accuracy,
        graph_only_spectral_accuracy,
        joint_bayes_accuracy,
        weak_recovery_statistic,
    )

    n, k = args.n, args.classes
    if args.p_in is not None:
        p_in, p_out = args.p_in, args.p_out
        d, lam = lam_from_probabilities(n, p_in, p_out, k, args.lam_convention)
    else:
        d = args.avg_degree
        p_in, p_out = block_probabilities(n, d, lam, k, args.lam_convention)
    method = result["method"]
    plain = k == 2 and args.degree_law is None  # joint Bayes and the IT curve: two plain classes
    # the baselines and thresholds read λ as Kesten–Stigum's (λ² = 1 at the threshold) and the
    # mean degree, whatever --lam-convention the point was given in
    d_true, ks = kesten_stigum_lam(n, d, lam, k, args.lam_convention)
    graph_only = graph_spectral = None
    if args.degree_law is None:
        graph_only = float(graph_only_bayes_accuracy(ks, n=n, avg_degree=d_true, classes=k))
        graph_spectral = float(graph_only_spectral_accuracy(ks, n=n, avg_degree=d_true, classes=k))
    features = features_only_accuracy(mus, args.sigma, classes=k)
    rows = []
    for i, mu in enumerate(mus):
        rows.append(
            {
                "layers": args.layers,
                "norm": args.norm,
                "n": n,
                "classes": k,
                "degree_law": args.degree_law,
                "degree_exponent": args.degree_exponent if args.degree_law == "powerlaw" else None,
                "degree_sigma": args.degree_sigma if args.degree_law == "lognormal" else None,
                "avg_degree": d,
                "lam": lam,
                "p_in": p_in,
                "p_out": p_out,
                "mu": float(mu),
                "sigma": args.sigma,
                "accuracy": float(result["accuracy"][i]),
                "accuracy_best_sign": float(result["accuracy_best_sign"][i]),
                "features_only": float(features[i]),
                "graph_only_bayes": graph_only,
                "graph_only_spectral": graph_spectral,
                "joint_bayes": float(
                    joint_bayes_accuracy(ks, float(mu), args.sigma, n=n, avg_degree=d_true)
                ) if plain else None,
                "weak_recovery_statistic": float(weak_recovery_statistic(
                    ks, mu, sigma=args.sigma, n=n, num_features=args.num_features, classes=k
                )) if args.degree_law is None else None,
                "kesten_stigum": ks**2 if args.degree_law is None else None,
                "mu_deshpande": mu_deshpande(float(mu), args.sigma, n, args.num_features),
                "method": method,
                "stderr": float(result["stderr"][i]) if "stderr" in result else None,
            }
        )  # fmt: skip
    return rows


def _theory_rows(args, lams: np.ndarray, mus: np.ndarray) -> list[dict[str, Any]]:
    """Rows μ-major (all λ for the first μ, then the next μ), as a (μ, λ) grid reads; a
    progress bar (per λ column evaluated) on grids of more than a few hundred points."""
    from gnnrg.theory import linear_gcn_accuracy
    from gnnrg.theory.grid import accuracy_grid
    from gnnrg.theory.linear_gcn import skeleton_samples

    options = {
        "method": args.method, "samples": skeleton_samples(len(lams) * len(mus)),
        "graphs": 40 if len(mus) == 1 else 10, "degree_law": args.degree_law,
        "degree_exponent": args.degree_exponent, "degree_sigma": args.degree_sigma,
    }  # fmt: skip
    common = {"layers": args.layers, "norm": args.norm, "classes": args.classes}
    if args.p_in is not None:  # one column, given by its probabilities
        r = linear_gcn_accuracy(args.n, args.p_in, args.p_out, mus, args.sigma, **common, **options)
        results = [{key: np.atleast_1d(value) if key != "method" else value
                    for key, value in r.items()}]  # fmt: skip
    else:  # a λ out of range is an error before any work (strict)
        quiet = getattr(args, "no_progress", True) or len(lams) * len(mus) < 500
        grid = accuracy_grid(
            args.n, args.avg_degree, lams, mus, args.sigma, lam_convention=args.lam_convention,
            strict=True, progress=not quiet and len(lams) > 1, jobs=args.jobs, **common,
            **options,
        )  # fmt: skip
        results = [
            {key: value[:, j] if isinstance(value, np.ndarray) and value.ndim == 2 else value
             for key, value in grid.items()}
            for j in range(len(lams))
        ]  # fmt: skip
    columns = [_theory_column(args, lam, mus, r) for lam, r in zip(lams, results, strict=True)]
    return [columns[j][i] for i in range(len(mus)) for j in range(len(lams))]


def _theory(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if not 2 <= args.classes <= args.n:
        parser.error(f"--classes={args.classes} must be between 2 and --n={args.n}")
    if args.degree_law == "powerlaw" and not args.degree_exponent > 2:
        parser.error(f"--degree-exponent={args.degree_exponent:g} must be > 2")
    if args.degree_law == "lognormal" and not args.degree_sigma >= 0:
        parser.error(f"--degree-sigma={args.degree_sigma:g} must be >= 0")
    if (args.p_in is None) != (args.p_out is None):
        parser.error("--p-in and --p-out go together")
    if args.n < 2:
        parser.error(f"--n={args.n} must be >= 2")
    if args.sigma <= 0:
        parser.error(f"--sigma={args.sigma} must be > 0")
    if (args.mu < 0).any():
        parser.error(f"--mu={args.mu.min():g} must be >= 0")
    if args.num_features < 1:
        parser.error(f"--num-features={args.num_features} must be >= 1")
    if not math.isfinite(args.sigma) or not np.isfinite(args.mu).all():
        parser.error("--sigma and --mu must be finite")
    _check_output(parser, "--out", args.out, TABLE_FORMATS)
    _check_output(parser, "--plot", args.plot, FIGURE_FORMATS)
    if args.symbolic:
        from gnnrg.theory.symbolic import EXPRESSIONS, latex

        for layers, norm in EXPRESSIONS:
            print(f"layers={layers} norm={norm}:  {latex(layers, norm)}")
        return 0
    lams = np.array([math.nan]) if args.p_in is not None else args.lam
    grid = len(lams) > 1 or len(args.mu) > 1
    try:
        rows = _theory_rows(args, lams, args.mu)
    except ValueError as err:
        flag = "--p-in/--p-out" if args.p_in is not None else "--lam/--avg-degree/--mu"
        flag = "--method" if "method=" in str(err) else flag
        flag = "--norm" if "norm='sym'" in str(err) else flag
        parser.error(f"{flag}: {err}")
    if args.out:
        import pandas as pd

        table = pd.DataFrame(rows)
        if args.out.endswith(".parquet"):
            table.to_parquet(args.out, index=False)
        else:
            table.to_csv(args.out, index=False)
    if args.plot:
        _theory_plot(
            args,
            rows,
            lams if grid else np.linspace(-3, 3, 61),
            args.mu if grid else np.linspace(0, 2, 41),
            grid,
        )
    if args.json:
        print(json.dumps(rows if grid else rows[0]))
    elif grid:
        print(f"{len(rows)} grid points" + (f" written to {args.out}" if args.out else ""))
    else:
        _print_point(rows[0])
    return 0


def _theory_plot(args, rows, lams, mus, grid) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gnnrg.plot import plot_theory_map
    from gnnrg.theory import it_threshold_mu

    if not grid:
        rows = _theory_rows(args, lams, mus)
    acc = np.array([r["accuracy_best_sign"] for r in rows]).reshape(len(mus), len(lams))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    graph = f", k={args.classes}" if args.classes > 2 else ""
    graph += f", {args.degree_law} degrees" if args.degree_law else ""
    threshold = it_threshold_mu(
        lams, sigma=args.sigma, n=args.n, num_features=args.num_features, classes=args.classes
    )
    plot_theory_map(
        lams,
        mus,
        acc,
        it_mu=threshold if args.degree_law is None else None,
        level=(1 + 1 / args.classes) / 2,
        chance=1 / args.classes,
        title=f"{args.layers}-layer {args.norm} GCN, n={args.n}, d={args.avg_degree:g}{graph}",
        ax=ax,
        classes=args.classes,
    )
    fig.tight_layout()
    fig.savefig(args.plot, dpi=130)
    plt.close(fig)


def _print_point(r: dict[str, Any]) -> None:
    k, law = r["classes"], r["degree_law"]
    graph = "two-class cSBM" if k == 2 else f"{k}-class cSBM"
    if law:
        shape = f"exponent {r['degree_exponent']:g}" if law == "powerlaw" else (
            f"σ {r['degree_sigma']:g}"
        )  # fmt: skip
        graph += f" with {law} degrees ({shape})"
    print(
        f"{graph}: n={r['n']}, d={r['avg_degree']:.4g}, λ={r['lam']:.4g} "
        f"(p_in={r['p_in']:.4g}, p_out={r['p_out']:.4g}), μ={r['mu']:.4g}, σ={r['sigma']:.4g}"
    )
    print(f"{r['layers']}-layer linear GCN, aggregation {r['norm']}, method: {r['method']}")
    readout = "oracle readout" if k == 2 else "argmax readout"
    flip = "best sign" if k == 2 else "argmax or argmin"
    spread = f" ± {r['stderr']:.4f} (Monte Carlo SE)" if r.get("stderr") is not None else ""
    print(f"  accuracy ({readout})   {r['accuracy']:.4f}{spread}")
    print(f"  accuracy ({flip})".ljust(30) + f"{r['accuracy_best_sign']:.4f}")
    features = "features only, Φ(μ/σ)" if k == 2 else f"features only, Bayes, k={k}"
    print(f"  {features}".ljust(30) + f"{r['features_only']:.4f}")
    if r["graph_only_bayes"] is not None:
        bayes = "graph only, Bayes (dense)" if k == 2 else "graph only, AMP (dense)"
        print(f"  {bayes}".ljust(30) + f"{r['graph_only_bayes']:.4f}")
        print(f"  graph only, spectral        {r['graph_only_spectral']:.4f}")
    if r["joint_bayes"] is not None:
        print(f"  features + graph, Bayes     {r['joint_bayes']:.4f}")
        verdict = (
            "above: weak recovery possible"
            if r["weak_recovery_statistic"] > 1
            else "below: impossible"
        )
        print(f"  λ² + μ_D²/γ                 {r['weak_recovery_statistic']:.4f} ({verdict})")
    elif law is None:
        side = "above 1: edges alone recover" if r["kesten_stigum"] > 1 else "not above 1"
        print(f"  λ² (Kesten–Stigum)          {r['kesten_stigum']:.4f} ({side})")
        side = "above 1: edges and features recover" if r["weak_recovery_statistic"] > 1 else (
            "not above 1"
        )  # fmt: skip
        print(f"  λ² + γ(μ²/kσ²)²             {r['weak_recovery_statistic']:.4f} ({side})")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
