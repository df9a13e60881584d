"""The reference trainer: one model at a time, full batch, under the study's protocols
(:mod:`gnnrg.training.protocol`). The batched engine must agree with it; :func:`gnnrg.train`
picks one or the other.

Library code never touches torch's global random state: model initialisation and dropout run
inside :func:`torch.random.fork_rng` seeded from the call's own seed.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from gnnrg.models.contract import traits
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

__all__ = ["fit", "train_one"]


def train_one(
    model: Any,
    train_data: Any,
    test_data: Any = None,
    *,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    device: str = "cpu",
    progress: bool = True,
    **options: Any,
) -> dict[str, Any]:
    """One run of :func:`gnnrg.train` on one graph with the reference trainer: the same options
    (defaults :data:`gnnrg.training.protocol.TRAIN_DEFAULTS`) and result; see there.

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g, h = csbm(300, lam=2.0, mu=1.0, seed=0), csbm(300, lam=2.0, mu=1.0, seed=1)
    >>> train_one("mlp", g, h, epochs=20)["model"]
    'mlp'
    """
    import torch

    from gnnrg.models.registry import model_name

    options, knobs = split_options(options, has_test_data=test_data is not None)
    protocol, early_stopping = options["protocol"], options["early_stopping"]
    run = plan_run(train_data, test_data, run_seed(seed), options)
    width = max(knobs["hidden"], train_data.x.shape[1])
    with torch.random.fork_rng(devices=[]), threads_for(train_data.num_nodes, width):
        net = new_model(model, train_data, run, knobs)
        if not traits(net).learned:
            return evaluate_unlearned(net, train_data, test_data, protocol, run)
        return fit(
            net,
            train_data,
            test_data,
            run.train_idx,
            run.val_idx,
            run.test_idx,
            epochs=options["epochs"],
            lr=options["lr"],
            weight_decay=options["weight_decay"],
            patience=early_stopping,
            device=device,
            protocol=protocol,
            name=model_name(net),
            progress=progress,
        )


def fit(
    net,
    train_data,
    test_data,
    train_idx,
    val_idx,
    test_idx,
    *,
    epochs,
    lr,
    weight_decay,
    patience,
    device,
    protocol,
    name,
    progress=False,
) -> dict[str, Any]:
    import torch

    net = net.to(device)
    x, ei, y = (t.to(device) for t in (train_data.x, train_data.edge_index, train_data.y))
    extra = net.prepare(x, ei)
    tr = torch.as_tensor(train_idx, device=device)
    va = torch.as_tensor(val_idx, device=device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    best = (-1.0, None, 0)
    start = time.perf_counter()
    epochs_run = 0
    finite = torch.ones((), dtype=torch.bool, device=device)
    first = last = None
    for epoch in epoch_range(epochs, name, progress):
        net.train()
        opt.zero_grad()
        out = net(x, ei, **extra)
        loss = torch.nn.functional.cross_entropy(out[tr], y[tr])
        finite &= torch.isfinite(loss)
        last = loss.detach()
        first = last if first is None else first
        loss.backward()
        opt.step()
        epochs_run = epoch + 1
        if patience and len(va):
            acc = _accuracy(net, x, ei, extra, y, va)
            if acc > best[0]:
                best = (acc, {k: v.detach().clone() for k, v in net.state_dict().items()}, epoch)
            elif epoch - best[2] >= patience:
                break
    if best[1] is not None:
        net.load_state_dict(best[1])
    seconds = time.perf_counter() - start
    outputs_finite: list[bool] = []
    result = {
        "model": name,
        "protocol": protocol,
        "train_acc": _accuracy(net, x, ei, extra, y, tr, outputs_finite),
        "val_acc": _accuracy(net, x, ei, extra, y, va) if len(va) else float("nan"),
        "epochs_run": epochs_run,
        "train_seconds": seconds,
        "num_parameters": sum(p.numel() for p in net.parameters()),
    }
    if protocol == "transductive":
        result["test_acc"] = _accuracy(net, x, ei, extra, y, torch.as_tensor(test_idx))
    else:
        tx, tei, ty = (t.to(device) for t in (test_data.x, test_data.edge_index, test_data.y))
        result["test_acc"] = _accuracy(net, tx, tei, net.prepare(tx, tei), ty, None, outputs_finite)
    exploded = first is not None and bool(last > DIVERGENCE_FACTOR * first)
    return mark_diverged(result, exploded or not (bool(finite) and all(outputs_finite)))


def _accuracy(net, x, ei, extra, y, idx, finite: list[bool] | None = None) -> float:
    import torch

    net.eval()
    with torch.no_grad():
        logits = net(x, ei, **extra)
        pred = logits.argmax(dim=1)
    if finite is not None:
        finite.append(bool(torch.isfinite(logits).all()))
    if idx is None:
        return float((pred == y).float().mean())
    if len(idx) == 0:
        return float("nan")
    return float((pred[idx] == y[idx]).float().mean())
