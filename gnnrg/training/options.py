"""The training options, declared once: :func:`gnnrg.train`, the batched engine and the
``train:`` section of a sweep file (with a model entry's overrides) all read :class:`TrainOptions`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["MODEL_KNOBS", "OVERRIDABLE", "TrainOptions", "validate_options"]


class TrainOptions(BaseModel):
    """Training options with their defaults and valid ranges.

    Examples
    --------
    >>> TrainOptions(epochs=50).epochs, TrainOptions().lr
    (50, 0.01)
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    #: ``fresh-graph`` (train on one graph, test on an independent one) or ``transductive``;
    #: None: ``fresh-graph`` when there is test data.
    protocol: Literal["fresh-graph", "transductive"] | None = None
    epochs: int = Field(400, ge=1)
    lr: float = Field(0.01, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    hidden: int = Field(16, ge=1)
    layers: int = Field(2, ge=1)
    heads: int = Field(1, ge=1)
    dropout: float = Field(0.0, ge=0, lt=1)
    early_stopping: int | None = Field(None, ge=1)
    val_fraction: float = Field(0.2, ge=0, le=1)
    test_fraction: float = Field(0.2, ge=0, le=1)


#: The options that build the model (the rest drive the training).
MODEL_KNOBS = ("hidden", "layers", "heads", "dropout")
#: The options a sweep's model entry may override (the split and protocol are shared).
OVERRIDABLE = (
    "epochs", "lr", "weight_decay", "hidden", "layers", "heads", "dropout", "early_stopping",
)  # fmt: skip


def validate_options(options: dict[str, Any]) -> dict[str, Any]:
    """``options`` over the defaults, validated, as a dict; a one-line error naming the
    option and what is valid otherwise.

    Raises
    ------
    TypeError
        An unknown option (with the valid names).
    ValueError
        A value out of range: ``epochs=0: Input should be greater than or equal to 1``.

    Examples
    --------
    >>> validate_options({"epochs": 5})["epochs"], validate_options({})["hidden"]
    (5, 16)
    """
    unknown = sorted(set(options) - set(TrainOptions.model_fields))
    if unknown:
        raise TypeError(
            f"unknown training option(s) {unknown}; valid: {list(TrainOptions.model_fields)}"
        )
    try:
        return TrainOptions(**options).model_dump()
    except ValidationError as err:
        first = err.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{name}={first['input']!r}: {first['msg']}") from None
