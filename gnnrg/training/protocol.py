"""What every trainer shares: the protocols, option checks, the run plan drawn from a seed,
model construction, divergence, thread and progress policy, and the evaluation of models that
are not trained by gradient descent. The reference trainer (:mod:`gnnrg.training.loop`) and the
batched engine (:mod:`gnnrg.training.batched`) both build on it; it imports neither.

``fresh-graph`` (the study's): train on every node of one graph, test on every node of an
independently sampled graph with the same parameters. ``transductive``: one graph, nodes split
into train / validation / test.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from gnnrg._checks import check_choice
from gnnrg.models.contract import traits
from gnnrg.training.options import MODEL_KNOBS, TrainOptions, validate_options

__all__ = [
    "ACCURACIES",
    "DIVERGENCE_FACTOR",
    "PROGRESS_DELAY",
    "PROTOCOLS",
    "TRAIN_DEFAULTS",
    "Run",
    "build_model",
    "check_options",
    "epoch_range",
    "evaluate_unlearned",
    "mark_diverged",
    "new_model",
    "plan_run",
    "run_seed",
    "split_options",
    "threads_for",
]

PROTOCOLS = ("fresh-graph", "transductive")


def build_model(model: Any, in_channels: int, classes: int, *, seed: int = 0, **knobs: Any) -> Any:
    """Instantiate ``model`` (a registry name, a class, or an instance returned as is).

    Examples
    --------
    >>> build_model("gcn", 10, 2, hidden=8)
    GCN(10, 2, hidden=8, layers=2, dropout=0.0)
    """
    from gnnrg.models.registry import resolve_model

    if isinstance(model, str):
        model = resolve_model(model)
    if isinstance(model, type):
        if traits(model).learned:
            return model(in_channels, classes, **knobs)
        return model(classes, seed=seed)
    return model


@dataclass(frozen=True)
class Run:
    """What one training run draws from its seed: the torch seed and the node splits."""

    torch_seed: int
    classes: int
    train_idx: np.ndarray
    val_idx: np.ndarray
    test_idx: np.ndarray | None


def check_options(*, protocol: str | None, has_test_data: bool, **options: Any) -> dict[str, Any]:
    """The checks across options that :class:`~gnnrg.training.options.TrainOptions` cannot
    make alone: the protocol resolved from ``has_test_data`` when None (``fresh-graph`` needs
    test data), some nodes left to train on, validation nodes for early stopping.

    ``options`` are already valid one by one (:func:`~gnnrg.training.options.validate_options`);
    returns them with ``protocol``.

    Examples
    --------
    >>> check_options(protocol=None, has_test_data=True, val_fraction=0.2, test_fraction=0.2,
    ...               early_stopping=None)["protocol"]
    'fresh-graph'
    """
    protocol = check_choice(
        "protocol", protocol or ("fresh-graph" if has_test_data else "transductive"), PROTOCOLS
    )
    if protocol == "fresh-graph" and not has_test_data:
        raise ValueError("protocol='fresh-graph' needs test_data (an independent graph)")
    options = {**options, "protocol": protocol}
    held = options["val_fraction"] if options["early_stopping"] or protocol == "transductive" else 0
    if protocol == "transductive":
        held += options["test_fraction"]
    if held >= 1:
        parts = "val_fraction + test_fraction" if protocol == "transductive" else "val_fraction"
        raise ValueError(f"{parts} = {held:g} leaves no training nodes; it must be < 1")
    if options["early_stopping"] and options["val_fraction"] == 0:
        raise ValueError(
            f"early_stopping={options['early_stopping']} needs validation nodes; "
            f"set val_fraction > 0 (e.g. 0.2) or early_stopping to None"
        )
    return options


def run_seed(seed: Any) -> Any:
    """The seed one run draws from: an int (or None) stands for the first child of its
    ``SeedSequence``, so ``train(m, g, seed=3)``, ``train(m, [g], seed=3)[0]`` and
    ``train_many(m, [g], seeds=[3])[0]`` are the same run; a ``SeedSequence`` or ``Generator``
    is used as given.

    Examples
    --------
    >>> run_seed(3).spawn_key, run_seed(np.random.SeedSequence(3)).spawn_key
    ((0,), ())
    """
    if seed is None or (isinstance(seed, int | np.integer) and not isinstance(seed, bool)):
        return np.random.SeedSequence(seed).spawn(1)[0]
    return seed


#: The training options of :func:`gnnrg.train` and their defaults (model knobs included),
#: from their one declaration, :class:`~gnnrg.training.options.TrainOptions`.
TRAIN_DEFAULTS: dict[str, Any] = TrainOptions().model_dump()


def split_options(
    options: dict[str, Any], *, has_test_data: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``options`` over :data:`TRAIN_DEFAULTS`, validated (:func:`validate_options`, then
    :func:`check_options`), and the model knobs apart.

    Examples
    --------
    >>> opts, knobs = split_options({"epochs": 5}, has_test_data=True)
    >>> opts["epochs"], opts["protocol"], knobs["hidden"]
    (5, 'fresh-graph', 16)
    """
    merged = validate_options(options)
    knobs = {k: merged.pop(k) for k in MODEL_KNOBS}
    return check_options(has_test_data=has_test_data, **merged), knobs


def plan_run(train_data: Any, test_data: Any, seed: Any, options: dict[str, Any]) -> Run:
    """Draw a run's torch seed and node splits from ``seed`` (the same for every engine).

    ``options`` are the checked training options (:func:`split_options`); the protocol, the
    validation and test fractions and early stopping decide the splits.
    """
    protocol, early_stopping = options["protocol"], options["early_stopping"]
    val_fraction, test_fraction = options["val_fraction"], options["test_fraction"]
    for name, data in (("train_data", train_data), ("test_data", test_data)):
        if data is not None and (getattr(data, "x", None) is None or data.y is None):
            raise ValueError(f"{name} needs node features x and labels y")
    _check_pair(train_data, test_data)
    rng = np.random.default_rng(seed)
    torch_seed = int(rng.integers(2**62))
    classes = int(train_data.y.max()) + 1
    n = train_data.num_nodes
    if protocol == "transductive":
        train_idx, val_idx, test_idx = _split(n, rng, val_fraction, test_fraction)
    else:
        held = val_fraction if early_stopping else 0.0
        train_idx, val_idx, _ = _split(n, rng, held, 0.0)
        test_idx = None
    if len(train_idx) == 0:
        raise ValueError(
            f"no training nodes: {n} nodes minus the held-out fractions leave none; lower "
            f"val_fraction/test_fraction"
        )
    return Run(torch_seed, classes, train_idx, val_idx, test_idx)


def _check_pair(train_data: Any, test_data: Any) -> None:
    """A test graph must share the training graph's feature width and classes."""
    if int(train_data.y.min()) < 0:
        raise ValueError("train_data.y has negative labels; classes must be 0, 1, ..., k-1")
    if test_data is None:
        return
    width, test_width = train_data.x.shape[1], test_data.x.shape[1]
    if width != test_width:
        raise ValueError(
            f"test_data has {test_width} features per node; the model is trained on {width} "
            f"(train_data): give a test graph with the same features"
        )
    classes = int(train_data.y.max()) + 1
    if int(test_data.y.min()) < 0 or int(test_data.y.max()) >= classes:
        found = sorted(set(test_data.y.unique().tolist()))
        raise ValueError(
            f"test_data has labels {found[:8]}; train_data's classes are 0..{classes - 1}: give "
            f"a test graph with the same classes"
        )


def new_model(model: Any, train_data: Any, run: Run, knobs: dict[str, Any]) -> Any:
    """Build ``model`` for ``train_data`` initialised from the run's torch seed.

    Call inside :func:`torch.random.fork_rng`: it seeds torch's global generator.
    """
    import torch

    torch.manual_seed(run.torch_seed)
    return build_model(
        model, train_data.x.shape[1], run.classes, seed=run.torch_seed % 2**31, **knobs
    )


#: Below this many node-channels (nodes × widest layer) one torch thread trains fastest: the
#: work per operation is too small to share (on 2 shared cores a 50-epoch GCN at n = 1000 took
#: 23 s with torch's default threads and 0.8 s with one).
ONE_THREAD_WORK = 4_000_000


@contextlib.contextmanager
def threads_for(num_nodes: int, width: int):
    """Run the block with the torch thread count suited to ``num_nodes`` × ``width`` work (one
    thread for small graphs, torch's default for large ones), restoring the caller's after.

    Examples
    --------
    >>> import torch
    >>> before = torch.get_num_threads()
    >>> with threads_for(1000, 16):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    import torch

    before = torch.get_num_threads()
    if num_nodes * width <= ONE_THREAD_WORK:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _split(n: int, rng: np.random.Generator, val: float, test: float) -> tuple[np.ndarray, ...]:
    perm = rng.permutation(n)
    n_test, n_val = round(test * n), round(val * n)
    return perm[n_test + n_val :], perm[n_test : n_test + n_val], perm[:n_test]


#: Seconds a training runs before its progress bar appears (quick ones never show one).
PROGRESS_DELAY = 3.0


def epoch_range(epochs: int, name: str, progress: bool) -> Any:
    """``range(epochs)``, wrapped in a progress bar that appears after :data:`PROGRESS_DELAY`
    seconds when ``progress``."""
    if not progress:
        return range(epochs)
    from tqdm.auto import tqdm

    return tqdm(range(epochs), desc=name, unit="epoch", delay=PROGRESS_DELAY, leave=False)


#: A run whose last training loss exceeds this multiple of its first has diverged, even while
#: its numbers are still finite (e.g. GAT at lr 1000: loss 0.68 -> 1.7e13, logits ±1e13).
DIVERGENCE_FACTOR = 10.0


def mark_diverged(result: dict[str, Any], diverged: bool) -> dict[str, Any]:
    """Record whether a run diverged; a diverged run reports no accuracy (NaN), never the
    accuracy of the arbitrary classes an argmax over NaN logits picks.

    A run diverges when a training loss or an output it is scored on is not finite, or when
    its last training loss exceeds :data:`DIVERGENCE_FACTOR` times its first.

    Examples
    --------
    >>> mark_diverged({"train_acc": 0.5, "val_acc": 0.5, "test_acc": 0.5}, True)
    {'train_acc': nan, 'val_acc': nan, 'test_acc': nan, 'diverged': True}
    """
    if diverged:
        result.update({k: float("nan") for k in ACCURACIES})
    result["diverged"] = bool(diverged)
    return result


#: The accuracy fields of a run's result (NaN when it diverged).
ACCURACIES = ("train_acc", "val_acc", "test_acc")


def evaluate_unlearned(net, train_data, test_data, protocol, run) -> dict[str, Any]:
    """Evaluate a non-learned model: clustering (accuracy up to a relabelling of the
    clusters), or, for a model that reads labels (``uses_labels``, e.g. belief propagation),
    fitted on ``run.train_idx`` and scored by plain accuracy; under ``transductive`` those
    nodes are also clamped to their labels on the graph being classified."""
    from gnnrg.models.registry import model_name
    from gnnrg.models.unsupervised import matched_accuracy

    start = time.perf_counter()
    y_train = train_data.y.numpy()
    supervised = traits(net).uses_labels
    if supervised:
        net.fit(train_data, run.train_idx)
        pred = net.predict(train_data, clamp=run.train_idx if protocol == "transductive" else None)
        score, seen = _plain_accuracy, run.train_idx
    else:
        pred = net.predict(train_data)
        score, seen = matched_accuracy, slice(None)
    result = {
        "model": model_name(net),
        "protocol": protocol,
        "train_acc": score(pred[seen], y_train[seen]),
        "val_acc": float("nan"),
        "epochs_run": 0,
        "num_parameters": 0,
        "diverged": False,
    }
    if protocol == "transductive":
        result["test_acc"] = score(pred[run.test_idx], y_train[run.test_idx])
    else:
        result["test_acc"] = score(net.predict(test_data), test_data.y.numpy())
    result["train_seconds"] = time.perf_counter() - start
    return result


def _plain_accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float((pred == y).mean()) if len(y) else float("nan")
