"""``gnnrg.train``: one entry point for training on one graph or on many, choosing the reference
trainer (:mod:`gnnrg.training.loop`) or the batched engine (:mod:`gnnrg.training.batched`)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["train"]


def train(
    model: Any,
    train_data: Any,
    test_data: Any = None,
    *,
    protocol: str | None = None,
    epochs: int = 400,
    lr: float = 0.01,
    weight_decay: float = 0.0,
    hidden: int = 16,
    layers: int = 2,
    heads: int = 1,
    dropout: float = 0.0,
    early_stopping: int | None = None,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int | np.random.SeedSequence | np.random.Generator | None = 0,
    device: str = "cpu",
    progress: bool = True,
) -> dict[str, Any] | list[dict[str, Any]]:
    """Train a node classifier with Adam and cross-entropy, full batch, and report accuracies.

    Parameters
    ----------
    model : str, model class or instance
        A registry name (``"gcn"``, ``"gat"``, ``"sage"``, ``"transformer"``,
        ``"transformer-local"``, ``"mlp"``, ``"logreg"``, ``"bp"``, ``"spectral"``, ``"louvain"``),
        a class, or a built module. Non-learned models are not trained by gradient descent:
        belief propagation (``"bp"``) estimates its parameters from the training nodes;
        spectral and louvain only cluster.
    train_data : torch_geometric.data.Data
        Graph with ``x`` and ``y``.
    test_data : Data, optional
        An independent graph to test on (``fresh-graph`` protocol).
    protocol : {"fresh-graph", "transductive"}, optional
        Default: ``fresh-graph`` when ``test_data`` is given, else ``transductive``.
    epochs, lr, weight_decay : training knobs (Adam).
    hidden, layers, heads, dropout : model knobs (ignored for a built instance).
    early_stopping : int, optional
        Patience in epochs on validation accuracy; the best state is restored. Needs a
        validation set (``val_fraction > 0``; under ``fresh-graph`` it is held out of the
        training graph).
    val_fraction, test_fraction : float
        Node fractions for the splits (``test_fraction`` only for ``transductive``).
    seed : int, SeedSequence, Generator or None
        Seeds the split, the initialisation and dropout. With a list of graphs, an int or
        SeedSequence is the root of one independent child per run (or give a list of seeds);
        ``train(m, g, seed=s)`` equals ``train(m, [g], seed=s)[0]`` for an int ``s``.
    device : str, default "cpu"
    progress : bool, default True
        A progress bar over the epochs (on stderr), shown once a training has taken
        :data:`PROGRESS_DELAY` seconds; ``False`` for none.

    Returns
    -------
    dict, or a list of dicts for a list of graphs (one per graph, in order)
        ``model``, ``protocol``, ``train_acc``, ``val_acc`` (NaN without a validation set),
        ``test_acc``, ``epochs_run``, ``train_seconds``, ``num_parameters``, ``diverged``
        (a training loss or a scored output was not finite; the accuracies are then NaN).

    Examples
    --------
    >>> from gnnrg import csbm
    >>> g, h = csbm(500, lam=2.0, mu=1.0, seed=0), csbm(500, lam=2.0, mu=1.0, seed=1)
    >>> r = train("gcn", g, h, epochs=50)
    >>> r["protocol"], r["test_acc"] > 0.9
    ('fresh-graph', True)
    """
    options = {
        "protocol": protocol, "epochs": epochs, "lr": lr, "weight_decay": weight_decay,
        "hidden": hidden, "layers": layers, "heads": heads, "dropout": dropout,
        "early_stopping": early_stopping, "val_fraction": val_fraction,
        "test_fraction": test_fraction, "device": device, "progress": progress,
    }  # fmt: skip
    if isinstance(train_data, list | tuple):
        from gnnrg.training.batched import train_many

        return train_many(model, train_data, test_data, seeds=seed, **options)
    from gnnrg.training.loop import train_one

    return train_one(model, train_data, test_data, seed=seed, **options)
