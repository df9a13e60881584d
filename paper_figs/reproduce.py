"""The study's reproduction: recompute the results, or redraw every figure and table from them.

    python paper_figs/reproduce.py draw [--pdf]         # seconds: figures and claims from results
    python paper_figs/reproduce.py run [--jobs 2]       # recompute (resumable), then draw
    python paper_figs/reproduce.py run --full           # the study's size (121 x 200, 10 seeds)
    python paper_figs/reproduce.py cost                 # what --full costs, from measured times

``run`` sweeps each config of ``paper_figs/configs/`` into ``paper_figs/results/NAME/`` (a
gnnrg store: re-run to continue an interrupted one) and the erasure experiment on the real
graphs under ``--root`` into ``paper_figs/results/erasure/``. ``--full`` keeps each config's
ranges and models but takes the study's steps (λ every 0.05, μ every 2/199) and 10 seeds, into
``paper_figs/results/full/NAME/``. ``draw`` reads whichever results exist and writes
``paper_figs/figures/`` and ``paper_figs/claims.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
CONFIGS = HERE / "configs"
RESULTS = HERE / "results"
FIGURES = HERE / "figures"
EXPERIMENTS = (
    "recoverability", "transformers", "degree_corrected", "classes", "classes_study", "motifs",
)  # fmt: skip
DATASETS = ("cora", "cornell", "texas", "wisconsin", "actor")

#: The study's grid: λ in [−3, 3] in 121 steps, μ in [0, 2] in 200 steps, 10 seeds.
FULL_STEPS = {"lam": 0.05, "mu": 2 / 199}
FULL_SEEDS = 10


def load(name: str, full: bool = False) -> Any:
    """The sweep config of experiment ``name`` at the reduced size, or at the study's.

    Examples
    --------
    >>> cfg = load("recoverability", full=True)
    >>> len(cfg.grid["lam"]), len(cfg.grid["mu"]), cfg.seeds
    (121, 200, 10)
    """
    from gnnrg.sweep import load_config

    config = load_config(CONFIGS / f"{name}.yaml")
    if not full:
        return config
    grid = dict(config.grid)
    for axis, step in FULL_STEPS.items():
        low, high = min(grid[axis]), max(grid[axis])
        steps = round((high - low) / step) + 1
        grid[axis] = [round(float(v), 6) for v in np.linspace(low, high, steps)]
    return config.model_copy(update={"grid": grid, "seeds": FULL_SEEDS})


def store(name: str, full: bool = False) -> Path:
    """Where experiment ``name``'s results live."""
    return RESULTS / "full" / name if full else RESULTS / name


def run(names: list[str], *, full: bool, jobs: int, root: Path | None) -> int:
    """Sweep each experiment in turn (resumable), then the erasure experiment."""
    from gnnrg.sweep import run_sweep
    from gnnrg.sweep.runner import SweepFailed

    status = 0
    for name in names:
        if name == "erasure":
            status |= run_erasure(root, jobs)
            continue
        config = load(name, full)
        print(f"== {name}: {len(config.cell_points())} points x {config.seeds} seeds", flush=True)
        try:
            run_sweep(config, store(name, full), jobs=jobs)
        except SweepFailed as err:
            print(f"{name}: {err}; see {store(name, full) / 'errors.log'}", file=sys.stderr)
            status = 1
    return status


def run_erasure(root: Path | None, jobs: int) -> int:
    """The erasure experiment on every real graph found under ``root`` (skipped without)."""
    import importlib.util

    if root is None or not root.is_dir():
        print(f"erasure: no datasets under {root}; skipped", file=sys.stderr)
        return 0
    spec = importlib.util.spec_from_file_location("erasure", HERE / "erasure.py")
    erasure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(erasure)
    args = ["--root", str(root), "--datasets", *DATASETS, "--out", str(RESULTS / "erasure")]
    return erasure.main(args)


def cost(names: list[str]) -> None:
    """Measured seconds per training (from the reduced runs: a batch's time over its size, plus
    generating the graphs) times the --full counts, on two workers."""
    from gnnrg.sweep import load_results

    total = 0.0
    for name in names:
        if name == "erasure" or not store(name).is_dir():
            continue
        df = load_results(store(name))
        per_model = df.groupby("model")["train_seconds"].mean() + df["generate_seconds"].mean()
        full = load(name, full=True)
        tasks = len(full.cell_points()) * full.seeds
        seconds = float(per_model.sum()) * tasks / 2  # two workers
        total += seconds
        print(f"{name:<18} {tasks:>8} tasks x {len(per_model)} models: {seconds / 3600:7.1f} h")
        for model, each in per_model.items():
            print(f"    {model:<18} {each:6.3f} s a training: {each * tasks / 2 / 3600:7.1f} h")
    print(f"{'all':<18} {total / 3600:7.1f} h on 2 cores")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("run", "draw", "cost"))
    parser.add_argument("--only", nargs="+", choices=(*EXPERIMENTS, "erasure"))
    parser.add_argument("--full", action="store_true", help="the study's grid and seeds")
    parser.add_argument("--pdf", action="store_true", help="also write each figure as PDF")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--root", type=Path, default=HERE.parents[1] / "shared" / "datasets",
        help="folder with the real graphs' raw files (default ../shared/datasets)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    names = list(args.only or (*EXPERIMENTS, "erasure"))
    if args.command == "cost":
        cost(names)
        return 0
    if args.command == "run":
        status = run(names, full=args.full, jobs=args.jobs, root=args.root)
        if status:
            return status
    sys.path.insert(0, str(HERE))
    import draw as drawing

    drawing.PDF = args.pdf
    return drawing.draw(full=args.full)


if __name__ == "__main__":
    sys.exit(main())
