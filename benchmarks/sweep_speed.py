"""Speed of the batched engine against a plain one-model-at-a-time PyG loop, same cells.

Both sides train the study's cells (n = 1000, d = 10, F = 10, hidden 16, 400 epochs, Adam
lr 0.01, fresh test graph) on the same graphs with the same seeds, in one run of this script:

- baseline: the plain PyTorch Geometric loop — one model, ``zero_grad / forward /
  cross_entropy / backward / step`` for 400 epochs — in this process with torch's default
  threads (both cores), on the first ``--baseline-runs`` cells per architecture, each timed
  on its own; the median is reported (single trainings on this machine vary by up to 2x);
- the same plain loop in ``--jobs`` worker processes with one torch thread each (what a user
  who parallelises over seeds with joblib gets; on this machine one thread runs the plain loop
  faster than two), wall time divided by the cells;
- gnnrg: :func:`gnnrg.training.batched.train_many` on all ``--runs`` cells, split over
  ``--jobs`` worker processes with one torch thread each, as ``gnnrg sweep --jobs 2`` runs;
  the wall time of the whole parallel call, divided by the number of cells.

Both sides start from graphs already in memory (the workers generate the cells themselves
before the timing, as sweep workers do, instead of receiving them pickled), and both warm up
each architecture with one short training before the timing.

It prints seconds per training on each side, gnnrg's ratio against each baseline per
architecture and for the mix (the issue's targets are against the first), the mean test
accuracy of the baseline cells on both sides, and the projected time of the study's full map
(4 architectures x 121 x 200 grid x 10 seeds = 968,000 trainings).

Usage: ``python benchmarks/sweep_speed.py [--runs 128] [--baseline-runs 5] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import functools
import importlib
import time
from pathlib import Path

import numpy as np
import torch
from joblib import Parallel, delayed

from gnnrg import csbm
from gnnrg.training.batched import train_many
from gnnrg.training.protocol import build_model, run_seed

STUDY_CELLS = 121 * 200 * 10  # per architecture
ARCHITECTURES = ("mlp", "gcn", "sage", "gat", "transformer-local", "transformer")
STUDY_MIX = ("gcn", "sage", "gat", "transformer-local")  # the study's four architectures


@functools.cache
def cell(i: int) -> tuple:
    """Cell ``i``: (train graph, test graph, seed) at a point of the study's (lambda, mu) square."""
    rng = np.random.default_rng([0, i])
    lam, mu = rng.uniform(-3, 3), rng.uniform(0, 2)
    g = csbm(1000, avg_degree=10, lam=lam, mu=mu, num_features=10, seed=2 * i)
    h = csbm(1000, avg_degree=10, lam=lam, mu=mu, num_features=10, seed=2 * i + 1)
    return g, h, i


def plain_pyg(name: str, g, h, seed: int, epochs: int) -> float:
    """The plain loop: one model, full batch, Adam; returns the test accuracy."""
    torch.manual_seed(int(np.random.default_rng(run_seed(seed)).integers(2**62)))  # gnnrg's
    model = build_model(name, g.x.shape[1], 2, hidden=16)
    extra, test_extra = model.prepare(g.x, g.edge_index), model.prepare(h.x, h.edge_index)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(g.x, g.edge_index, **extra), g.y)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(h.x, h.edge_index, **test_extra).argmax(1)
    return float((pred == h.y).float().mean())


def _prepare(count: int, models: list[str], epochs: int) -> int:
    """In a worker: generate every cell and warm each architecture up (one short training)."""
    torch.set_num_threads(1)
    for i in range(count):
        cell(i)
    for name in models:
        _worker(name, [0, 1], epochs)
        _plain_worker(name, [0], epochs)
    time.sleep(1.0)  # hold this worker so that the other one takes the next task
    return torch.get_num_threads()


def _plain_worker(name: str, indices: list[int], epochs: int) -> list[float]:
    torch.set_num_threads(1)
    return [plain_pyg(name, *cell(i), epochs) for i in indices]


def _worker(name: str, indices: list[int], epochs: int) -> list[float]:
    torch.set_num_threads(1)
    graphs, tests, seeds = zip(*(cell(i) for i in indices), strict=True)
    rs = train_many(name, list(graphs), list(tests), seeds=list(seeds), epochs=epochs, hidden=16)
    return [r["test_acc"] for r in rs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=128, help="cells per architecture (gnnrg)")
    parser.add_argument("--gps-runs", type=int, default=16, help="cells for the GPS transformer")
    parser.add_argument("--baseline-runs", type=int, default=5, help="cells per architecture")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=400)
    parser.add_argument("--models", default=",".join(ARCHITECTURES))
    args = parser.parse_args()
    models = args.models.split(",")
    count = max(args.runs, args.gps_runs, args.baseline_runs)
    pool = Parallel(n_jobs=args.jobs, backend="loky")
    # the workers call this file as a module, so that the cells they generate stay in memory
    bench = importlib.import_module(Path(__file__).stem)
    pool(delayed(bench._prepare)(count, models, 2) for _ in range(args.jobs))
    for name in models:
        g, h, s = cell(0)
        plain_pyg(name, g, h, s, 2)  # the baseline's warm-up
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads (baseline), "
        f"{args.jobs} gnnrg workers x 1 thread; {args.epochs} epochs, n=1000, d=10, F=10"
    )
    print(
        f"{'model':<18} {'plain s/run':>11} {'plain x' + str(args.jobs):>11} "
        f"{'gnnrg s/run':>11} {'ratio':>7} {'ratio x' + str(args.jobs):>9} "
        f"{'acc plain':>9} {'acc gnnrg':>9}"
    )
    per_run: dict[str, tuple[float, float, float]] = {}
    plain_cells = args.jobs * -(-args.baseline_runs // args.jobs)
    for name in models:
        runs = args.gps_runs if name == "transformer" else args.runs
        acc_base, seconds = [], []
        for i in range(args.baseline_runs):
            start = time.perf_counter()
            acc_base.append(plain_pyg(name, *cell(i), args.epochs))
            seconds.append(time.perf_counter() - start)
        base = float(np.median(seconds))
        parts = [list(range(plain_cells))[j :: args.jobs] for j in range(args.jobs)]
        start = time.perf_counter()
        pool(delayed(bench._plain_worker)(name, part, args.epochs) for part in parts)
        parallel = (time.perf_counter() - start) / plain_cells
        parts = [list(range(runs))[j :: args.jobs] for j in range(args.jobs)]
        start = time.perf_counter()
        accs = pool(delayed(bench._worker)(name, part, args.epochs) for part in parts)
        fast = (time.perf_counter() - start) / runs
        ordered = [accs[i % args.jobs][i // args.jobs] for i in range(args.baseline_runs)]
        per_run[name] = (base, parallel, fast)
        print(
            f"{name:<18} {base:>11.3f} {parallel:>11.3f} {fast:>11.4f} {base / fast:>6.1f}x "
            f"{parallel / fast:>8.1f}x {np.mean(acc_base):>9.3f} {np.mean(ordered):>9.3f}"
        )
    for label, mix in (
        ("mix mlp/gcn/sage/gat/transformer-local", ("mlp", *STUDY_MIX)),
        ("mix mlp/gcn/sage/gat/transformer (GPS)", ("mlp", "gcn", "sage", "gat", "transformer")),
    ):
        if all(m in per_run for m in mix):
            base, parallel, fast = (sum(per_run[m][k] for m in mix) for k in range(3))
            print(
                f"{label}: {base / fast:.1f}x ({parallel / fast:.1f}x against plain x{args.jobs})"
            )
    for label, mix in (
        ("gcn/sage/gat/transformer-local", STUDY_MIX),
        ("gcn/sage/gat/transformer (GPS)", ("gcn", "sage", "gat", "transformer")),
    ):
        if all(m in per_run for m in mix):
            base, parallel, fast = (
                sum(per_run[m][k] for m in mix) * STUDY_CELLS / 3600 for k in range(3)
            )
            print(
                f"study map ({label}, {4 * STUDY_CELLS:,} trainings): plain {base:,.0f} h "
                f"(x{args.jobs}: {parallel:,.0f} h), gnnrg {fast:,.1f} h on this machine"
            )


if __name__ == "__main__":
    main()
