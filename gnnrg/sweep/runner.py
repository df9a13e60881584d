"""Run a sweep: every missing cell, in parallel, each finished task saved at once."""

from __future__ import annotations

import datetime as dt
import time
import traceback
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gnnrg.sweep.cells import Task, plan_tasks
from gnnrg.sweep.config import SweepConfig
from gnnrg.sweep.store import done_cells, load_results, write_rows

__all__ = ["SweepFailed", "run_sweep", "run_task"]


class SweepFailed(RuntimeError):
    """Some cells raised; all other results were saved. ``errors`` lists (cell, message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        first = errors[0][1].strip().splitlines()[-1]
        super().__init__(f"{len(errors)} cell(s) failed; first: {first}")


def _versions() -> dict[str, str]:
    import torch
    import torch_geometric

    import gnnrg

    return {
        "gnnrg_version": gnnrg.__version__,
        "torch_version": torch.__version__,
        "pyg_version": torch_geometric.__version__,
    }


def run_task(task: Task, config_hash: str, sweep_name: str) -> tuple[list[dict], list[tuple]]:
    """Generate the (point, seed) graphs once and train every pending model on them.

    Returns the result rows and the (cell_id, traceback) of cells that raised.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread per task; parallelism comes from the workers
    try:
        return _run_task_models(task, config_hash, sweep_name)
    finally:
        torch.set_num_threads(threads)  # jobs=1 runs in the caller's process: leave it as found


def _run_task_models(task: Task, config_hash: str, sweep_name: str) -> tuple[list, list]:
    from gnnrg.generators.registry import resolve_generator
    from gnnrg.training.loop import train

    params = dict(task.params)
    generator = resolve_generator(params.pop("model", "csbm"))
    start = time.perf_counter()
    train_seq, test_seq = task.seed_sequence(0), task.seed_sequence(1)
    train_graph = generator(seed=np.random.default_rng(train_seq), **params)
    test_graph = None
    if task.protocol == "fresh-graph":
        test_graph = generator(seed=np.random.default_rng(test_seq), **params)
    generate_seconds = time.perf_counter() - start
    base = {k: v for k, v in train_graph.params.items() if k not in ("seed",)}
    base.update({"sweep": sweep_name, "config_hash": config_hash, "seed": task.seed_index})
    base.update(_versions())
    rows, errors = [], []
    for cid, spec, options in task.models:
        model_seed = task.seed_sequence(2, zlib.crc32(spec.label().encode()))
        try:
            result = train(spec.name, train_graph, test_graph, seed=model_seed, **options)
        except Exception:
            errors.append((cid, traceback.format_exc()))
            continue
        row = dict(base)
        row.update({f"opt_{k}": v for k, v in options.items() if k != "protocol"})
        row.update(result)
        row.update(
            {
                "model": spec.label(),
                "model_name": spec.name,
                "cell_id": cid,
                "generate_seconds": generate_seconds,
                "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            }
        )
        rows.append(row)
    return rows, errors


def run_sweep(
    config: SweepConfig,
    out: str | Path,
    *,
    jobs: int = 1,
    dask: str | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every cell of ``config`` that ``out`` does not hold yet.

    Parameters
    ----------
    config : SweepConfig
        A validated configuration (:func:`gnnrg.sweep.config.load_config`).
    out : str or Path
        Output directory; results go to ``out/results/part-*.parquet``, one file per finished
        (point, seed) task, and the configuration to ``out/config.json``.
    jobs : int, default 1
        Worker processes (joblib); with ``dask``, the local cluster's worker count.
    dask : str, optional
        ``"local"`` for a local ``dask.distributed`` cluster, or a scheduler address
        (``tcp://host:8786``) to run the tasks on a distributed cluster.
    progress : bool, default True
        Show a progress bar with ETA (on stderr).

    Returns
    -------
    pandas.DataFrame
        All results in ``out`` (:func:`gnnrg.load_results`).

    Raises
    ------
    SweepFailed
        If cells raised; every other cell's result is saved, and a re-run retries only those.

    Examples
    --------
    >>> from gnnrg.sweep.config import SweepConfig
    >>> import tempfile
    >>> cfg = SweepConfig(name="tiny", generator={"n": 60, "avg_degree": 5}, grid={"lam": [1.0]},
    ...                   models=["logreg"], train={"epochs": 5}, seeds=1)
    >>> df = run_sweep(cfg, tempfile.mkdtemp(), progress=False)
    >>> len(df), df["model"].tolist()
    (1, ['logreg'])
    """
    from joblib import Parallel, delayed, parallel_config
    from tqdm.auto import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(config.model_dump_json(indent=2))
    tasks = plan_tasks(config, done_cells(out))
    total = sum(len(t.models) for t in tasks)
    config_hash = config.config_hash()
    errors: list[tuple[str, str]] = []
    bar = tqdm(total=total, desc=config.name, unit="cell", disable=not progress or total == 0)
    work = (delayed(run_task)(t, config_hash, config.name) for t in tasks)

    def consume(results) -> None:
        for rows, errs in results:
            write_rows(out, rows)
            errors.extend(errs)
            bar.update(len(rows) + len(errs))

    try:
        if dask is not None:
            consume(_run_dask(work, dask, jobs))
        elif jobs == 1:
            consume(run_task(t, config_hash, config.name) for t in tasks)
        else:
            with parallel_config(backend="loky", n_jobs=jobs):
                consume(Parallel(return_as="generator_unordered")(work))
    finally:
        bar.close()
    if errors:
        raise SweepFailed(errors)
    return load_results(out)


def _run_dask(work: Any, address: str, jobs: int):
    from dask.distributed import Client, LocalCluster
    from joblib import Parallel, parallel_config

    if address == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        cluster, client = None, Client(address)
    try:
        with parallel_config(backend="dask"):
            yield from Parallel(return_as="generator_unordered")(work)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
