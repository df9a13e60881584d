"""Cells of a sweep: (parameter point, model, seed) with stable ids and independent seeds.

Seeds come from ``numpy.random.SeedSequence(root, spawn_key=...)`` keyed by a hash of the
point's parameters, so adding points, models or seeds never changes the graphs of existing
cells, and every model at one (point, seed) sees the same train and test graphs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gnnrg.sweep.config import ModelSpec, SweepConfig, canonical

__all__ = ["Task", "cell_id", "plan_tasks"]


def _digest(obj: Any) -> str:
    text = json.dumps(canonical(obj), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cell_id(
    params: dict[str, Any], label: str, options: dict[str, Any], seed: int, root: int
) -> str:
    """Stable identifier of one cell; numbers are canonical, so ``mu: 1`` and ``mu: 1.0`` name
    the same cell (and draw the same graphs).

    Examples
    --------
    >>> cell_id({"mu": 1}, "gcn", {}, 0, 0) == cell_id({"mu": 1.0}, "gcn", {}, 0, 0)
    True
    """
    return _digest([params, label, options, seed, root])[:24]


@dataclass
class Task:
    """All cells sharing one (point, seed): the unit of work sent to a worker."""

    point: dict[str, Any]
    params: dict[str, Any]
    seed_index: int
    root_seed: int
    protocol: str
    models: list[tuple[str, ModelSpec, dict[str, Any]]] = field(default_factory=list)

    def seed_sequence(self, *extra: int) -> np.random.SeedSequence:
        key = int(_digest(self.params)[:15], 16)
        return np.random.SeedSequence(self.root_seed, spawn_key=(key, self.seed_index, *extra))


def plan_tasks(config: SweepConfig, done: set[str] | None = None) -> list[Task]:
    """Tasks holding every cell of ``config`` not in ``done``.

    Examples
    --------
    >>> from gnnrg.sweep.config import load_config
    >>> tasks = plan_tasks(load_config("quick"))
    >>> len(tasks), len(tasks[0].models)
    (216, 5)
    """
    done = done or set()
    tasks = []
    for point in config.cell_points():
        params = config.generator_params(point)
        for s in range(config.seeds):
            task = Task(point, params, s, config.seed, config.train.protocol)
            for spec in config.models:
                options = spec.options(config.train)
                cid = cell_id(params, spec.label(), options, s, config.seed)
                if cid not in done:
                    task.models.append((cid, spec, options))
            if task.models:
                tasks.append(task)
    return tasks
