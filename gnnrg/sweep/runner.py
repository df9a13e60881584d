"""Run a sweep: every missing cell, in parallel, each finished task saved at once."""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import time
import traceback
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gnnrg.sweep.cells import Task, plan_tasks
from gnnrg.sweep.config import SweepConfig
from gnnrg.sweep.store import done_cells, load_results

__all__ = [
    "ENGINES",
    "WORKER_RETRIES",
    "SweepFailed",
    "by_model",
    "chunk_tasks",
    "run_sweep",
    "run_tasks",
    "unit_size",
]


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


ENGINES = ("batched", "reference")


def run_tasks(
    tasks: list[Task],
    config_hash: str,
    sweep_name: str,
    *,
    engine: str = "batched",
    device: str = "cpu",
    threads: int | None = 1,
    watch_parent: bool = False,
) -> tuple[list[dict], list[tuple]]:
    """Generate each task's graphs once and train every pending model on them.

    With ``engine="batched"`` every model is trained on all the tasks' graphs at once
    (:func:`gnnrg.training.batched.train_many`); a batch that raises is retried cell by cell
    with the reference trainer so that only the failing cells are lost.

    With ``watch_parent`` (set for joblib's worker processes) the process exits as soon as the
    process that started it is gone, so a killed sweep leaves no workers behind.

    Returns the result rows and the (cell_id, traceback) of cells that raised.
    """
    if watch_parent:  # a worker process of this sweep: watch the driver before the slow imports
        _exit_with_parent()
    import torch

    if watch_parent:  # and tune it for the engine
        from gnnrg.batched.allocator import retain_freed_memory

        retain_freed_memory()
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)  # parallelism comes from the workers
    try:
        rows: list[dict] = []
        errors: list[tuple] = []
        prepared = []
        for task in tasks:  # a point that cannot be generated costs only its own cells
            try:
                prepared.append((_generate(task, config_hash, sweep_name), task))
            except Exception:
                message = traceback.format_exc()
                errors += [(cid, message) for cid, _, _ in task.models]
        stacks: dict = {}  # every model of the unit trains on the same stacked graphs
        for label in dict.fromkeys(spec.label() for t in tasks for _, spec, _ in t.models):
            cells = [
                (prep, cid, spec, options)
                for prep, task in prepared
                for cid, spec, options in task.models
                if spec.label() == label
            ]
            if not cells:
                continue
            _train_cells(cells, engine, device, stacks, rows, errors)
        return rows, errors
    finally:
        torch.set_num_threads(before)  # jobs=1 runs in the caller's process: leave it as found


_WATCHING = False


def _exit_with_parent(period: float = 0.5) -> None:
    """Start (once per process) a daemon thread that ends this process when its parent dies:
    a worker is re-parented then, and its results could go nowhere."""
    global _WATCHING
    if _WATCHING:
        return
    _WATCHING = True
    import os
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(period)
        os._exit(1)

    threading.Thread(target=watch, name="gnnrg-parent-watch", daemon=True).start()


def _generate(task: Task, config_hash: str, sweep_name: str) -> dict[str, Any]:
    from gnnrg.generators.registry import resolve_generator

    params = dict(task.params)
    generator = resolve_generator(params.pop("model", "csbm"))
    start = time.perf_counter()
    train_graph = generator(seed=np.random.default_rng(task.seed_sequence(0)), **params)
    test_graph = None
    if task.protocol == "fresh-graph":
        test_graph = generator(seed=np.random.default_rng(task.seed_sequence(1)), **params)
    base = {k: v for k, v in train_graph.params.items() if k not in ("seed",)}
    base.update({"sweep": sweep_name, "config_hash": config_hash, "seed": task.seed_index})
    base.update(_versions())
    base["generate_seconds"] = time.perf_counter() - start
    return {"task": task, "train": train_graph, "test": test_graph, "base": base}


def _train_cells(
    cells: list, engine: str, device: str, stacks: dict, rows: list, errors: list
) -> None:
    """Train one model spec on every cell's graphs, appending rows or errors."""
    from gnnrg.training import batched, loop

    spec, options = cells[0][2], cells[0][3]
    seeds = [prep["task"].seed_sequence(2, zlib.crc32(spec.label().encode())) for prep, *_ in cells]
    results: list[Any] = []
    if engine == "batched":
        try:
            results = batched.train_many(
                spec.name,
                [prep["train"] for prep, *_ in cells],
                None if cells[0][0]["test"] is None else [prep["test"] for prep, *_ in cells],
                seeds=seeds,
                device=device,
                stacks=stacks,
                progress=False,
                **options,
            )
        except Exception as err:  # retry one by one below, so that only failing cells are lost
            warnings.warn(
                f"batched training of {spec.label()} on {len(cells)} cells raised "
                f"{type(err).__name__}: {err}; retrying them one at a time",
                RuntimeWarning,
                stacklevel=2,
            )
            results = []
    if not results:
        for (prep, cid, _, _), seed in zip(cells, seeds, strict=True):
            try:
                result = loop.train_one(spec.name, prep["train"], prep["test"], seed=seed,
                                    device=device, progress=False, **options)  # fmt: skip
            except Exception:
                errors.append((cid, traceback.format_exc()))
                result = None
            results.append(result)
    for (prep, cid, spec, options), result in zip(cells, results, strict=True):
        if result is None:
            continue
        row = dict(prep["base"])
        row.update({f"opt_{k}": v for k, v in options.items() if k != "protocol"})
        row.update(result)
        row.update(
            {
                "model": spec.label(),
                "model_name": spec.name,
                "cell_id": cid,
                "engine": engine if result.get("batch") else "reference",
                "batch": result.get("batch", 1),
                "finished_at": dt.datetime.now(dt.UTC).isoformat(),
            }
        )
        rows.append(row)


#: Unit sizes are multiples of this: the batched kernels round alike for any multiple of 8
#: models (measured: batches of 8, 16, 24 and 32 give bit-identical results; 5 or 27 do not).
ALIGN = 8


def unit_size(tasks: int, workers: int, device: str = "cpu") -> int:
    """Tasks per unit: at most the device's batch limit, in about a multiple of ``workers``
    units of near-equal size, rounded up to a multiple of :data:`ALIGN` (so the number of
    workers does not change the batching, nor therefore the numbers).

    Examples
    --------
    >>> unit_size(144, 2), unit_size(40, 2), unit_size(216, 1), unit_size(216, 2), unit_size(3, 4)
    (24, 24, 32, 32, 1)
    """
    from gnnrg.batched.sizing import device_limit

    limit = device_limit(device)
    units = workers * math.ceil(tasks / (workers * limit))
    size = max(1, math.ceil(tasks / max(units, 1)))
    if size > ALIGN:
        size = min(limit, ALIGN * math.ceil(size / ALIGN))
    return size


def chunk_tasks(tasks: list[Task], size: int) -> list[list[Task]]:
    """Split ``tasks`` into chunks of at most ``size`` tasks with equal graph sizes.

    Examples
    --------
    >>> from gnnrg.sweep.config import load_config
    >>> from gnnrg.sweep.cells import plan_tasks
    >>> [len(c) for c in chunk_tasks(plan_tasks(load_config("quick")), 64)]
    [64, 64, 64, 24]
    """
    groups: dict[Any, list[Task]] = {}
    for task in tasks:
        key = (task.params.get("n"), task.params.get("num_features"), task.params.get("classes"))
        groups.setdefault(key, []).append(task)
    return [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]


def run_sweep(
    config: SweepConfig,
    out: str | Path,
    *,
    jobs: int = 1,
    dask: str | None = None,
    progress: bool = True,
    engine: str = "batched",
    device: str = "cpu",
    batch: int | None = None,
    add: bool = False,
    repair: bool = False,
) -> pd.DataFrame:
    """Run every cell of ``config`` that ``out`` does not hold yet.

    Parameters
    ----------
    config : SweepConfig
        A validated configuration (:func:`gnnrg.sweep.config.load_config`).
    out : str or Path
        Output directory (:class:`gnnrg.sweep.store.Store`): results go to
        ``out/results/part-*.parquet``, one file per finished unit of work; the configuration
        to ``out/config.json`` and the store's identity to ``out/store.json`` with the first
        results; cells that raised to ``out/errors.log``.
    jobs : int, default 1
        Worker processes (joblib); with ``dask``, the local cluster's worker count.
    dask : str, optional
        ``"local"`` for a local ``dask.distributed`` cluster, or a scheduler address
        (``tcp://host:8786``) to run the tasks on a distributed cluster.
    progress : bool, default True
        Show a progress bar with ETA (on stderr).
    engine : {"batched", "reference"}, default "batched"
        ``batched`` trains each model on many (point, seed) tasks at once
        (:mod:`gnnrg.batched`); ``reference`` trains one model at a time. Cells and seeds are
        the same; the numbers agree up to float rounding (docs/sweeps.md measures how often
        that rounding moves a test node's prediction).
    device : str, default "cpu"
        Torch device for training (``"cuda"`` where available).
    batch : int, optional
        Tasks per unit of work under the batched engine. Default: the batch the store was
        started with, so a resumed sweep keeps its batching; for a new store the largest batch
        the device trains fastest (:data:`gnnrg.batched.sizing.LIMITS`: 32 on CPU) or less,
        with the number of units a multiple of the workers so that they finish together.
    add : bool, default False
        Add this configuration's cells to a store that belongs to another configuration
        (otherwise refused with :class:`~gnnrg.sweep.store.StoreError`).
    repair : bool, default False
        Move unreadable or foreign result parts to ``out/quarantine/`` first and recompute
        their cells.

    Returns
    -------
    pandas.DataFrame
        All results in ``out`` (:func:`gnnrg.load_results`), diverged runs included
        (``diverged`` True, accuracies NaN).

    Raises
    ------
    StoreError
        ``out`` belongs to another configuration, is in use by another sweep, cannot be
        written, or holds bad parts (nothing is run).
    SweepFailed
        If cells raised or their worker was lost repeatedly; every other cell's result is
        saved, and a re-run retries only those.

    Examples
    --------
    >>> from gnnrg.sweep.config import SweepConfig
    >>> import tempfile
    >>> cfg = SweepConfig(name="tiny", generator={"n": 60, "avg_degree": 5}, grid={"lam": [1.0]},
    ...                   models=["logreg"], train={"epochs": 5}, seeds=1)
    >>> df = run_sweep(cfg, tempfile.mkdtemp(), progress=False)
    >>> len(df), df["model"].tolist(), df["diverged"].tolist()
    (1, ['logreg'], [False])
    """
    from gnnrg._checks import check_choice, check_int
    from gnnrg.sweep.store import Store

    engine = check_choice("engine", engine, ENGINES)
    jobs = check_int("jobs", jobs, low=1)
    if batch is not None:
        batch = check_int("batch", batch, low=1)
    out = Path(out)
    store = Store(
        out,
        config.identity(),
        config.config_hash(),
        config.model_dump_json(indent=2),
        add=add,
        repair=repair,
    )
    with store:
        client = _dask_client(dask, jobs) if dask is not None else None
        try:
            errors = _run_pending(
                config, store, jobs, client, progress, engine, device,
                batch or store.settings.get("batch"),
            )  # fmt: skip
        finally:
            if client is not None:
                _close_dask(client)
        log = out / "errors.log"
        if errors:
            log.write_text("\n\n".join(f"cell {cid}\n{tb}" for cid, tb in errors))
            raise SweepFailed(errors)
        if log.exists():
            log.unlink()  # every cell of this configuration has a result now
        return load_results(out)


#: How often the cells of a lost worker (killed, out of memory) are rerun before giving up.
WORKER_RETRIES = 2


def _run_pending(config, store, jobs, client, progress, engine, device, batch) -> list[tuple]:
    """Run every cell the store lacks; a lost worker's cells are planned and run again."""
    from tqdm.auto import tqdm

    config_hash = config.config_hash()
    errors: list[tuple[str, str]] = []
    failed: set[str] = set()
    tasks = plan_tasks(config, done_cells(store.out))
    total = sum(len(t.models) for t in tasks)
    bar = tqdm(total=total, desc=config.name, unit="cell", disable=not progress or total == 0)
    if engine == "batched":
        size = batch or unit_size(len(tasks), jobs, device)
    else:
        size = 1
    kwargs = {"engine": engine, "device": device, "threads": 1 if jobs > 1 or client else None}
    try:
        for attempt in range(WORKER_RETRIES + 1):
            if attempt:
                tasks = plan_tasks(config, done_cells(store.out) | failed)
            if not tasks:
                break
            try:
                units = by_model(chunk_tasks(tasks, size))
                for rows, errs in _results(units, jobs, client, kwargs, config_hash, config.name):
                    store.write(rows, batch=size if engine == "batched" else None)
                    errors.extend(errs)
                    failed.update(cid for cid, _ in errs)
                    bar.update(len(rows) + len(errs))
                break
            except _lost_worker_errors() as err:
                lost = type(err).__name__
                codes = re.search(r"exit codes of the workers are \{([^}]*)\}", str(err))
                lost += f", exit code {codes.group(1)}" if codes else ""
                if attempt == WORKER_RETRIES:
                    pending = plan_tasks(config, done_cells(store.out) | failed)
                    message = f"worker lost {WORKER_RETRIES + 1} times ({lost})"
                    errors += [(cid, message) for t in pending for cid, _, _ in t.models]
                else:
                    bar.write(
                        f"{config.name}: a worker process was lost ({lost}: killed or out of "
                        f"memory); running the unfinished cells again",
                        file=sys.stderr,
                    )
    finally:
        bar.close()
    return errors


def by_model(chunks: list[list[Task]]) -> list[list[Task]]:
    """Each chunk split into one unit per model: a unit trains one model on the chunk's graphs,
    so progress and saved results come per model, and every model still sees the same graphs
    (they are drawn from the cells' seeds, not shared objects).

    Examples
    --------
    >>> from gnnrg.sweep.config import load_config
    >>> from gnnrg.sweep.cells import plan_tasks
    >>> chunks = chunk_tasks(plan_tasks(load_config("quick")), 32)
    >>> units = by_model(chunks)
    >>> len(chunks), len(units), {len(t.models) for u in units for t in u}
    (7, 35, {1})
    """
    import dataclasses

    units = []
    for chunk in chunks:
        labels = dict.fromkeys(spec.label() for task in chunk for _, spec, _ in task.models)
        for label in labels:
            unit = [
                dataclasses.replace(task, models=[m for m in task.models if m[1].label() == label])
                for task in chunk
            ]
            units.append([task for task in unit if task.models])
    return units


def _lost_worker_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean a worker process died under a unit of work."""
    from joblib.externals.loky.process_executor import BrokenProcessPool, TerminatedWorkerError

    kinds: list[type[BaseException]] = [TerminatedWorkerError, BrokenProcessPool]
    try:
        from distributed.scheduler import KilledWorker

        kinds.append(KilledWorker)
    except ImportError:  # pragma: no cover - without the dask extra
        pass
    return tuple(kinds)


def _results(chunks, jobs, client, kwargs, config_hash, name):
    """Each unit's (rows, errors) as it finishes: in this process, in joblib's loky workers,
    or on a dask cluster."""
    from joblib import Parallel, delayed, parallel_config

    if client is None and jobs == 1:
        yield from (run_tasks(c, config_hash, name, **kwargs) for c in chunks)
        return
    if client is not None:
        work = (delayed(run_tasks)(c, config_hash, name, **kwargs) for c in chunks)
        with parallel_config(backend="dask"):
            yield from Parallel(return_as="generator_unordered")(work)
        return
    kwargs = {**kwargs, "watch_parent": True}
    work = (delayed(run_tasks)(c, config_hash, name, **kwargs) for c in chunks)
    with parallel_config(backend="loky", n_jobs=jobs):
        yield from Parallel(return_as="generator_unordered")(work)


#: Seconds to wait for a dask scheduler before giving up.
DASK_TIMEOUT = 10


def _dask_client(address: str, jobs: int):
    """A dask client: a local cluster for ``"local"``, else a connection to ``address``.

    Raises ``ValueError`` naming the address when it is malformed or unreachable."""
    import re

    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ValueError("--dask needs the dask extra: pip install 'gnnrg[dask]'") from None
    if address == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
        client._gnnrg_cluster = cluster
        return client
    if not re.fullmatch(r"(tcp|tls|ucx)://[^\s:/]+:\d{1,5}", address):
        raise ValueError(
            f"--dask {address!r} is not a scheduler address; use 'local' or tcp://HOST:PORT"
        )
    try:
        return Client(address, timeout=DASK_TIMEOUT)
    except (OSError, TimeoutError) as err:
        raise ValueError(
            f"--dask {address}: no scheduler answered within {DASK_TIMEOUT} s ({err}); start "
            f"one (dask scheduler) or use --dask local"
        ) from None


def _close_dask(client) -> None:
    cluster = getattr(client, "_gnnrg_cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()
