"""Train many independent models at once with the batched engine (:mod:`gnnrg.batched`).

Every run is planned exactly as :func:`gnnrg.train` plans it (same torch seed, same splits,
same initial weights); runs of one model on graphs of one size are then trained together as a
:class:`~gnnrg.batched.twin.Twin` with one Adam optimizer. Without dropout the result equals
one-at-a-time training up to float rounding; with dropout the masks are drawn for the whole
batch, so results follow the same distribution but not the same numbers.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

from gnnrg.models.contract import traits
from gnnrg.training.loop import fit as _fit_one
from gnnrg.training.protocol import (
    DIVERGENCE_FACTOR,
    epoch_range,
    evaluate_unlearned,
    mark_diverged,
    new_model,
    plan_run,
    run_seed,
    split_options,
    threads_for,
)

__all__ = ["stacked_cross_entropy", "train_many"]


def _seeds(seeds: Any, count: int) -> list[Any]:
    if isinstance(seeds, list | tuple):
        if len(seeds) != count:
            raise ValueError(f"seeds has {len(seeds)} entries; expected one per graph ({count})")
        return [run_seed(seed) for seed in seeds]
    return list(np.random.SeedSequence(seeds).spawn(count))


def train_many(
    model: Any,
    train_graphs: list[Any],
    test_graphs: list[Any] | None = None,
    *,
    seeds: Any = 0,
    device: str = "cpu",
    batch_size: int | None = None,
    memory_budget: float | None = None,
    stacks: dict | None = None,
    progress: bool = True,
    **options: Any,
) -> list[dict[str, Any]]:
    """Train one model type on each of many graphs, as independent runs, in batches.

    Parameters
    ----------
    model : str or model class
        As for :func:`gnnrg.train` (a built instance is not accepted: each run needs its own).
    train_graphs : list of Data
        One training graph per run.
    test_graphs : list of Data, optional
        One independent test graph per run (``fresh-graph`` protocol).
    seeds : list, or int / SeedSequence
        One seed per run (anything :func:`gnnrg.train` accepts), or a root from which one
        independent child per run is spawned.
    device : str, default "cpu"
    **options
        The training options of :func:`gnnrg.train` (``epochs``, ``lr``, ``hidden``, ...;
        :class:`~gnnrg.training.options.TrainOptions`).
    batch_size : int, optional
        Runs trained together; default from ``memory_budget``
        (:func:`gnnrg.batched.sizing.batch_size`).
    memory_budget : float, optional
        Bytes one batch may use; default :func:`gnnrg.batched.sizing.default_budget`.
    stacks : dict, optional
        A dict the caller keeps to reuse stacked graphs (CSR patterns, aggregated features)
        across calls on the same graph objects; ``gnnrg sweep`` keeps one per unit of work, where
        every model trains on the same graphs. Do not modify the graphs while it is kept.
    progress : bool, default True
        A progress bar over each batch's epochs, shown once it has taken
        :data:`gnnrg.training.protocol.PROGRESS_DELAY` seconds (sweeps turn it off).

    Notes
    -----
    ``gnnrg sweep`` raises glibc's allocator thresholds in its engine processes
    (:func:`gnnrg.batched.allocator.retain_freed_memory`: each epoch reuses the memory of the last
    instead of faulting fresh pages in); a library call leaves the process's allocator alone.

    Returns
    -------
    list of dict
        One :func:`gnnrg.train` result per run, in input order; ``train_seconds`` is the
        batch's time divided by its size, and ``batch`` the number of runs trained with it.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> graphs = [csbm(300, lam=2.0, mu=1.0, seed=s) for s in range(4)]
    >>> tests = [csbm(300, lam=2.0, mu=1.0, seed=10 + s) for s in range(4)]
    >>> rs = train_many("gcn", graphs, tests, seeds=[0, 1, 2, 3], epochs=50)
    >>> len(rs), all(r["test_acc"] > 0.9 for r in rs), rs[0]["batch"]
    (4, True, 4)
    """
    train_graphs = list(train_graphs)
    if test_graphs is not None:
        test_graphs = list(test_graphs)
        if len(test_graphs) != len(train_graphs):
            raise ValueError(
                f"test_graphs has {len(test_graphs)} graphs; expected one per training graph "
                f"({len(train_graphs)})"
            )
    options, knobs = split_options(options, has_test_data=test_graphs is not None)
    if not isinstance(model, str | type):
        raise ValueError(f"model must be a registry name or a class, not an instance ({model!r})")
    tests = test_graphs or [None] * len(train_graphs)
    runs = [
        plan_run(g, h, s, options)
        for g, h, s in zip(train_graphs, tests, _seeds(seeds, len(train_graphs)), strict=True)
    ]
    largest = max(train_graphs, key=lambda g: g.num_nodes)
    width = max(knobs["hidden"], largest.x.shape[1])
    with threads_for(largest.num_nodes * len(train_graphs), width):
        return _train_groups(
            model, train_graphs, tests, runs, knobs, {**options, "progress": progress}, device,
            batch_size, memory_budget, stacks,
        )  # fmt: skip


def _train_groups(
    model, train_graphs, tests, runs, knobs, options, device, batch_size, memory_budget, stacks
) -> list[dict[str, Any]]:
    """Train every run, grouped by graph size and classes, in batches."""
    from gnnrg.batched.sizing import batch_size as sized_batch

    groups: dict[tuple, list[int]] = {}
    for i, (g, run) in enumerate(zip(train_graphs, runs, strict=True)):
        groups.setdefault((g.num_nodes, g.x.shape[1], run.classes), []).append(i)
    results: list[dict[str, Any] | None] = [None] * len(train_graphs)
    for members in groups.values():
        first = members[0]
        size = batch_size or sized_batch(
            model, train_graphs[first], knobs, runs[first].classes, budget=memory_budget,
            device=device,
        )  # fmt: skip
        for start in range(0, len(members), size):
            chunk = members[start : start + size]
            out = _train_chunk(
                model,
                [train_graphs[i] for i in chunk],
                [tests[i] for i in chunk],
                [runs[i] for i in chunk],
                knobs,
                options,
                device,
                {} if stacks is None else stacks,
            )
            for i, r in zip(chunk, out, strict=True):
                results[i] = r
    return results  # type: ignore[return-value]


def _stack(graphs: list[Any], device: str, stacks: dict) -> Any:
    """The stack of ``graphs``, built once per ``stacks`` dict (it keeps the graphs alive, so
    their ids stay unique while the entry exists)."""
    from gnnrg.batched import GraphStack

    key = (tuple(map(id, graphs)), str(device))
    if key not in stacks:
        stacks[key] = GraphStack(graphs, device)
    return stacks[key]


def _train_chunk(
    model, graphs, tests, runs, knobs, options, device, stacks
) -> list[dict[str, Any]]:
    from gnnrg.batched import twin_class
    from gnnrg.models.registry import model_name

    with torch.random.fork_rng(devices=[]):
        nets = [new_model(model, g, run, knobs) for g, run in zip(graphs, runs, strict=True)]
    twin = twin_class(nets[0])
    if not traits(nets[0]).learned:
        return [
            evaluate_unlearned(net, g, h, options["protocol"], run)
            for net, g, h, run in zip(nets, graphs, tests, runs, strict=True)
        ]
    if twin is None:  # a user's model class without a twin: the reference loop, one by one
        return [
            _fit_reference(net, g, h, run, options, device)
            for net, g, h, run in zip(nets, graphs, tests, runs, strict=True)
        ]
    start = time.perf_counter()
    batched = twin(nets).to(device)
    stack = _stack(graphs, device, stacks)
    test_stack = _stack(tests, device, stacks) if options["protocol"] == "fresh-graph" else None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(runs[0].torch_seed)
        metrics = _fit(batched, stack, test_stack, runs, options)
    seconds = (time.perf_counter() - start) / len(nets)
    name = model_name(nets[0])
    count = sum(p.numel() for p in nets[0].parameters())
    diverged = metrics.pop("diverged")
    return [
        mark_diverged(
            {
                "model": name,
                "protocol": options["protocol"],
                **{k: v[b] for k, v in metrics.items()},
                "train_seconds": seconds,
                "num_parameters": count,
                "batch": len(nets),
            },
            diverged[b],
        )
        for b in range(len(nets))
    ]


def _fit_reference(net, graph, test, run, options, device) -> dict[str, Any]:
    from gnnrg.models.registry import model_name

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(run.torch_seed)
        result = _fit_one(
            net, graph, test, run.train_idx, run.val_idx, run.test_idx,
            epochs=options["epochs"], lr=options["lr"], weight_decay=options["weight_decay"],
            patience=options["early_stopping"], device=device, protocol=options["protocol"],
            name=model_name(net), progress=options.get("progress", False),
        )  # fmt: skip
    return {**result, "batch": 1}


def _masks(runs, attr: str, shape: tuple[int, int], device) -> Any:
    mask = torch.zeros(shape, dtype=torch.bool)
    for b, run in enumerate(runs):
        idx = getattr(run, attr)
        if idx is not None:
            mask[b, torch.as_tensor(idx, dtype=torch.long)] = True
    return mask.to(device)


def _train_rows(twin, stack, runs) -> Any:
    """Each model's training nodes as a ``(B, m)`` index, for twins whose outputs are row-wise
    (``rows``) when every run has ``m < n`` of them (transductive splits, or a validation set
    held out for early stopping); else None (train on every row, masked)."""
    if not twin.rowwise:
        return None
    sizes = {len(run.train_idx) for run in runs}
    if len(sizes) != 1 or 0 in sizes or stack.n in sizes:  # every node trains: nothing to skip
        return None
    rows = np.stack([np.sort(np.asarray(run.train_idx, dtype=np.int64)) for run in runs])
    return torch.as_tensor(rows, device=stack.device)


def _accuracy(pred, y, mask):
    """Per-model accuracy of predictions ``pred`` over ``mask`` (NaN where it is empty)."""
    correct = ((pred == y) & mask).sum(1).to(torch.float64)
    count = mask.sum(1).to(torch.float64)
    return torch.where(count > 0, correct / count.clamp(min=1), torch.nan)


def _predict(twin, stack, extra, finite=None):
    """Every model's predicted classes on its graph, ``(B, n)``, in eval mode; with a
    ``(B,)`` bool tensor ``finite``, clear the flag of models whose outputs are not finite."""
    twin.eval()
    with torch.no_grad():
        logits = twin(stack, **extra)
        if finite is not None:
            finite &= torch.isfinite(logits).flatten(1).all(1)
        return logits.argmax(-1)


def _fit(twin, stack, test_stack, runs, options) -> dict[str, list]:
    """Adam on the stacked parameters: the loss is the sum of the per-model mean losses."""
    shape = (stack.batch, stack.n)
    train_mask = _masks(runs, "train_idx", shape, stack.device)
    val_mask = _masks(runs, "val_idx", shape, stack.device)
    # each model's loss is the mean over its training nodes; the batch loss is their sum
    weights = train_mask / train_mask.sum(1, keepdim=True).clamp(min=1)
    extra = twin.prepare(stack)
    opt = _adam(twin.parameters(), lr=options["lr"], weight_decay=options["weight_decay"])
    patience = options["early_stopping"]
    watch = bool(patience) and bool(val_mask.any())
    batch = stack.batch
    best_acc = torch.full((batch,), -1.0, dtype=torch.float64, device=stack.device)
    best_epoch = torch.zeros(batch, dtype=torch.long, device=stack.device)
    stopped = torch.zeros(batch, dtype=torch.bool, device=stack.device)
    epochs_run = torch.full((batch,), options["epochs"], dtype=torch.long, device=stack.device)
    best_state = twin.state() if watch else None
    rows = _train_rows(twin, stack, runs)
    if rows is None:
        loss_fn, inputs = stacked_cross_entropy(stack.y), None
    else:  # a row-wise model: its training pass needs the training nodes only
        inputs = torch.gather(stack.x, 1, rows.unsqueeze(-1).expand(-1, -1, stack.x.shape[-1]))
        loss_fn = stacked_cross_entropy(torch.gather(stack.y, 1, rows))
        weights = torch.full(rows.shape, 1.0 / rows.shape[1], device=stack.device)
    finite = torch.ones(batch, dtype=torch.bool, device=stack.device)
    first = last = torch.zeros(batch, device=stack.device)  # each model's first and last loss
    label = f"{type(twin).__name__.removesuffix('Twin').lower()} x{batch}"
    for epoch in epoch_range(options["epochs"], label, options.get("progress", False)):
        twin.train()
        opt.zero_grad()
        logits = twin(stack, **extra) if inputs is None else twin.rows(inputs)
        losses = (loss_fn(logits) * weights).sum(1)  # each model's loss: finite or diverged
        finite &= torch.isfinite(losses)
        first = losses.detach() if epoch == 0 else first
        last = torch.where(stopped, last, losses.detach())
        losses.sum().backward()
        opt.step()
        if watch:
            epochs_run = torch.where(stopped, epochs_run, epoch + 1)
            acc = _accuracy(_predict(twin, stack, extra), stack.y, val_mask)
            better = (acc > best_acc) & ~stopped
            best_acc = torch.where(better, acc, best_acc)
            best_epoch = torch.where(better, epoch, best_epoch)
            _keep(best_state, twin.tensors(), better)
            stopped |= ~better & (epoch - best_epoch >= patience)
            if bool(stopped.all()):
                break
    if watch:
        twin.load(best_state)
    finite &= ~(last > DIVERGENCE_FACTOR * first)
    pred = _predict(twin, stack, extra, finite)  # one pass serves the train, val, test splits
    if test_stack is None:
        test = _accuracy(pred, stack.y, _masks(runs, "test_idx", shape, stack.device))
    else:
        everything = torch.ones_like(test_stack.y, dtype=torch.bool)
        test_pred = _predict(twin, test_stack, twin.prepare(test_stack), finite)
        test = _accuracy(test_pred, test_stack.y, everything)
    return {
        "train_acc": _accuracy(pred, stack.y, train_mask).tolist(),
        "val_acc": _accuracy(pred, stack.y, val_mask).tolist(),
        "test_acc": test.tolist(),
        "epochs_run": epochs_run.tolist(),
        "diverged": (~finite).tolist(),
    }


def _adam(params, **options) -> torch.optim.Adam:
    """Adam, in its fused single-kernel form where this torch has it: the same update, one
    kernel per step (measured on CPU for 32 stacked MLPs with weight decay: 28 instead of
    81 microseconds a step)."""
    params = list(params)
    try:
        return torch.optim.Adam(params, fused=True, **options)
    except (RuntimeError, TypeError):  # pragma: no cover - torch without fused CPU Adam
        return torch.optim.Adam(params, **options)


def stacked_cross_entropy(y: torch.Tensor):
    """A function of logits ``(B, n, C)`` giving each node's cross-entropy ``(B, n)``.

    Two classes use ``softplus(z_other - z_true)``, the same loss in one fused pass (five times
    faster than ``cross_entropy`` on CPU at the study's size); more classes ``logsumexp``.

    Examples
    --------
    >>> z, y = torch.randn(2, 5, 2), torch.randint(0, 2, (2, 5))
    >>> ref = torch.nn.functional.cross_entropy(z.reshape(-1, 2), y.reshape(-1), reduction="none")
    >>> torch.allclose(stacked_cross_entropy(y)(z), ref.view(2, 5), atol=1e-6)
    True
    """
    sign = (1 - 2 * y).to(torch.float32)
    index = y.unsqueeze(-1)

    def loss(logits: torch.Tensor) -> torch.Tensor:
        if logits.shape[-1] == 2:
            return torch.nn.functional.softplus((logits[..., 1] - logits[..., 0]) * sign)
        return torch.logsumexp(logits, -1) - logits.gather(-1, index).squeeze(-1)

    return loss


def _keep(best: dict, current: dict, better) -> None:
    """Copy the models flagged in ``better`` from ``current`` into ``best``."""
    for key, value in current.items():
        flag = better.view(-1, *([1] * (value.dim() - 1)))
        best[key] = torch.where(flag, value, best[key])
