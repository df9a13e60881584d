"""How many runs to train together: an estimate of one run's memory against a budget."""

from __future__ import annotations

import os
from typing import Any

__all__ = ["LIMITS", "batch_size", "bytes_per_run", "default_budget", "device_limit"]

#: Largest batch by device type. On CPU the time per run is lowest at 16-32 runs and grows by
#: 10-25 % at 64-128 for mlp, gcn and sage (n = 1000, one thread: once the batch's activations
#: leave the cache, every elementwise pass costs more); a GPU needs larger batches to be busy.
LIMITS = {"cpu": 32, "cuda": 128}


def device_limit(device: Any = "cpu") -> int:
    """The largest batch for ``device`` (:data:`LIMITS` by its type; other accelerators as CUDA).

    Examples
    --------
    >>> device_limit("cpu"), device_limit("cuda:1")
    (32, 128)
    """
    return LIMITS.get(str(device).split(":")[0], LIMITS["cuda"])


def default_budget() -> float:
    """Bytes one batch may use: an eighth of physical memory, at most 2 GiB.

    Examples
    --------
    >>> 0 < default_budget() <= 2 * 2**30
    True
    """
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        physical = 8 * 2**30
    return float(min(2 * 2**30, physical / 8))


def bytes_per_run(model: Any, graph: Any, knobs: dict[str, Any], classes: int) -> float:
    """Estimated peak bytes of one run in a batch (activations, gradients, graph patterns).

    Node activations are counted about twelve times (forward, saved for backward, gradients);
    attention adds a few floats per edge and head, global attention ``3 n^2`` per head and layer.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(1000, seed=0)
    >>> knobs = {"hidden": 16, "layers": 2, "heads": 1}
    >>> bytes_per_run("gcn", g, knobs, 2) < bytes_per_run("transformer", g, knobs, 2)
    True
    """
    from gnnrg.models.contract import traits
    from gnnrg.models.registry import resolve_model

    attention = traits(resolve_model(model) if isinstance(model, str) else model).attention
    n, features = graph.num_nodes, graph.x.shape[1]
    edges = graph.edge_index.shape[1] + n
    hidden, layers, heads = knobs.get("hidden", 16), knobs.get("layers", 2), knobs.get("heads", 1)
    floats = 12.0 * n * (features + hidden * layers + classes)
    if attention == "edges":
        floats += 8.0 * edges * heads * layers
    if attention == "global":
        floats += layers * (3.0 * heads * n * n + 12.0 * n * hidden * 8)
    patterns = 2 * 2 * 40.0 * edges  # train and test stacks, two patterns, indices + transpose
    return 4.0 * floats + patterns


def batch_size(
    model: Any,
    graph: Any,
    knobs: dict[str, Any],
    classes: int,
    *,
    budget: float | None = None,
    limit: int | None = None,
    device: str = "cpu",
) -> int:
    """Runs per batch: as many as ``budget`` bytes hold, between 1 and ``limit``.

    Parameters
    ----------
    model : str or class
    graph : Data
        A representative training graph.
    knobs : dict
        ``hidden``, ``layers``, ``heads``.
    classes : int
    budget : float, optional
        Bytes; default :func:`default_budget`.
    limit : int, optional
        Default :data:`LIMITS` for ``device``'s type.
    device : str, default "cpu"

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g = csbm(1000, seed=0)
    >>> batch_size("gcn", g, {}, 2, budget=50e6), batch_size("gcn", g, {}, 2)
    (12, 32)
    """
    budget = default_budget() if budget is None else float(budget)
    if budget <= 0:
        raise ValueError(f"budget={budget} must be a positive number of bytes")
    if limit is None:
        limit = device_limit(device)
    per_run = bytes_per_run(model, graph, knobs, classes)
    return int(max(1, min(limit, budget // per_run)))
