"""The study's erasure experiment: accuracy before and after erasing a graph's higher-order
structure.

    python paper_figs/erasure.py [--root DATA --datasets cora citeseer ...] [--seeds 10]
                                 [--models gcn sage gat mlp] [--epochs 400]
                                 [--out paper_figs/output/erasure]

Erasure (:func:`gnnrg.erase`) rewires the edges keeping every node's degree and every class
pair's edge count, and resamples the features from per-class Gaussians fitted to the graph.
Each graph is trained in four versions — original, edges erased, features erased, both — with
the transductive protocol (60/20/20 split); every seed draws a fresh erasure, split and
initialisation. Real datasets are read from files already under ``--root`` (nothing is
downloaded; a missing one is skipped with a note). Always included: a cSBM with class-blind
planted triangles, whose higher-order structure is known, so what erasure removes is measured
(the table's ``triangles`` column); it is drawn afresh for every seed, so each seed compares
one graph with its own erasures. A real dataset is one graph for every seed.

Writes ``OUT/erasure.csv`` (one row per graph, version, model and seed), ``OUT/summary.csv``
(mean and 95% CI, and the change against the original paired by seed) and
``OUT/erasure.{png,pdf}``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: The four versions of a graph: (erase edges, erase features).
VERSIONS = {
    "original": (False, False),
    "edges erased": (True, False),
    "features erased": (False, True),
    "both erased": (True, True),
}


def planted_graph(n: int = 1000, seed: Any = 0) -> Any:
    """The built-in graph: a two-class cSBM (d = 10, λ = 1, μ = 0.5) with 3n/10 class-blind
    planted triangles."""
    from gnnrg import csbm

    return csbm(n, lam=1.0, mu=0.5, seed=seed, motif="triangle", motif_count=3 * n // 10,
                motif_classes="mixed")  # fmt: skip


def erasure_table(
    graphs: dict[str, Any],
    models: list[str],
    seeds: int = 10,
    epochs: int = 400,
    covariance: str = "full",
) -> pd.DataFrame:
    """Test accuracy of each model on each graph's four versions, ``seeds`` runs each.

    Parameters
    ----------
    graphs : dict of name -> Data or callable
        Labelled graphs with features, or functions of a seed (a ``SeedSequence``) returning
        one: a fresh graph per seed, which that seed's erasures start from.
    models : list of str
        Registry names (trained together per version through the batched engine).
    seeds : int
        Runs per (graph, version, model); each erases, splits and initialises afresh.
    epochs : int
    covariance : {"full", "diagonal"}
        Of the per-class Gaussians the features are resampled from.

    Returns
    -------
    DataFrame with columns ``graph, version, model, seed, test_acc, triangles``.

    Examples
    --------
    >>> family = lambda seed: planted_graph(200, seed)
    >>> t = erasure_table({"planted": family}, ["mlp"], seeds=2, epochs=5)
    >>> t.groupby("version").size().to_dict()
    {'both erased': 2, 'edges erased': 2, 'features erased': 2, 'original': 2}
    """
    from gnnrg import erase
    from gnnrg.training.batched import train_many

    rows = []
    for g_index, (name, source) in enumerate(graphs.items()):
        if hasattr(source, "edge_index"):  # one graph (a Data is callable too: test this)
            originals = [source] * seeds
        else:
            originals = [source(np.random.SeedSequence([g_index, s])) for s in range(seeds)]
        for v_index, (version, (edges, features)) in enumerate(VERSIONS.items()):
            roots = [np.random.SeedSequence([g_index, s, v_index]) for s in range(seeds)]
            if edges or features:
                versions = [
                    erase(graph, rewire=edges, resample_features=features, covariance=covariance,
                          seed=np.random.default_rng(root.spawn(1)[0]))
                    for graph, root in zip(originals, roots, strict=True)
                ]  # fmt: skip
            else:
                versions = originals
            counted: dict[int, int] = {}  # a real dataset is one graph for every seed
            for g in versions:
                if id(g) not in counted:
                    counted[id(g)] = _triangles(g)
            triangles = [counted[id(g)] for g in versions]
            for model in models:
                results = train_many(model, versions, seeds=roots, protocol="transductive",
                                     epochs=epochs)  # fmt: skip
                rows += [
                    {"graph": name, "version": version, "model": model, "seed": s,
                     "test_acc": r["test_acc"], "triangles": triangles[s]}
                    for s, r in enumerate(results)
                ]  # fmt: skip
    return pd.DataFrame(rows)


def _triangles(graph: Any) -> int:
    from gnnrg.diagnostics import adjacency, triangles_per_node
    from gnnrg.edgelist import edge_array

    return round(triangles_per_node(adjacency(*edge_array(graph))).sum() / 3)


def summarize_erasure(table: pd.DataFrame) -> pd.DataFrame:
    """Per (graph, model, version), versions in :data:`VERSIONS` order: mean test accuracy and
    its t-based 95% CI half-width over seeds, the mean triangle count, and the change against
    the original paired by seed (``change``, ``change_ci95``)."""
    keys = ["graph", "model", "seed"]
    base = table[table["version"] == "original"].set_index(keys)["test_acc"]
    table = table.assign(
        change=table["test_acc"] - base.reindex(table.set_index(keys).index).values
    )
    g = table.groupby(["graph", "model", "version"], sort=False)
    out = g.agg(mean=("test_acc", "mean"), std=("test_acc", "std"), count=("test_acc", "size"),
                triangles=("triangles", "mean"), change=("change", "mean"),
                change_std=("change", "std")).reset_index()  # fmt: skip
    from scipy import stats

    root = np.sqrt(out["count"])
    quantile = stats.t.ppf(0.975, (out["count"] - 1).where(out["count"] > 1))  # t over seeds
    out["ci95"] = quantile * out["std"] / root
    out["change_ci95"] = quantile * out["change_std"] / root
    return out.drop(columns=["std", "change_std"])


def plot_erasure(summary: pd.DataFrame) -> Any:
    """Grouped bars: one panel per graph, models along x, one bar per version (95% CI)."""
    import matplotlib.pyplot as plt

    graphs = list(dict.fromkeys(summary["graph"]))
    fig, axes = plt.subplots(1, len(graphs), figsize=(5.5 * len(graphs), 4), squeeze=False)
    width = 0.8 / len(VERSIONS)
    for ax, name in zip(axes[0], graphs, strict=True):
        sub = summary[summary["graph"] == name]
        models = list(dict.fromkeys(sub["model"]))
        for i, version in enumerate(VERSIONS):
            part = sub[sub["version"] == version].set_index("model").reindex(models)
            triangles = part["triangles"].iloc[0]
            ax.bar(np.arange(len(models)) + (i - 1.5) * width, part["mean"], width,
                   yerr=part["ci95"], capsize=2,
                   label=f"{version} ({triangles:.0f} triangles)")  # fmt: skip
        ax.set_xticks(np.arange(len(models)), models)
        ax.set_ylim(max(0.0, sub["mean"].min() - 0.15), 1.0)
        ax.set_ylabel("test accuracy (transductive)")
        runs = int(sub["count"].max())
        ax.set_title(f"{name}: mean of {runs} runs, 95% CI")
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    from gnnrg.cli import _Parser  # one-line errors, exit status 2

    parser = _Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="folder holding PyG datasets' raw files")
    parser.add_argument("--datasets", nargs="*", default=[], help="e.g. cora citeseer pubmed")
    parser.add_argument("--models", nargs="+", default=["mlp", "gcn", "sage", "gat"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--n", type=int, default=1000, help="nodes of the built-in graph")
    parser.add_argument("--out", default="paper_figs/output/erasure")
    args = parser.parse_args(argv)
    if args.datasets and not args.root:
        parser.error("--datasets needs --root (the folder holding their raw files)")
    from gnnrg._registry import registry_key
    from gnnrg.datasets import PYG_DATASETS

    for name in args.datasets:
        if registry_key(name, PYG_DATASETS) is None:
            parser.error(f"--datasets: unknown dataset {name!r}; choose from {list(PYG_DATASETS)}")

    import matplotlib

    matplotlib.use("Agg")
    from gnnrg.datasets import load_pyg_dataset

    graphs: dict[str, Any] = {"planted triangles (cSBM)": lambda seed: planted_graph(args.n, seed)}
    for name in args.datasets:
        try:
            graphs[name] = load_pyg_dataset(name, args.root)
        except (FileNotFoundError, ValueError) as err:  # missing or unreadable raw files
            parser.error(f"--datasets {name}: {err}")
    table = erasure_table(graphs, args.models, seeds=args.seeds, epochs=args.epochs)
    summary = summarize_erasure(table)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "erasure.csv", index=False)
    summary.to_csv(out / "summary.csv", index=False)
    fig = plot_erasure(summary)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"erasure.{ext}", dpi=130)
    print(summary.round(3).to_string(index=False))
    print(f"wrote {out}/erasure.csv, summary.csv, erasure.png, erasure.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
