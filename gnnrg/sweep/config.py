"""Sweep configuration: the YAML schema, validated with pydantic before anything runs.

.. code-block:: yaml

    name: quick
    generator: {model: csbm, n: 1000, classes: 2, avg_degree: 10, num_features: 10, sigma: 1.0}
    grid: {lam: [-2, -1, 0, 1, 2], mu: [0.25, 0.5, 1.0]}   # cartesian product
    # points: [{lam: 0, mu: 1}, ...]                     # or an explicit list (or both)
    models: [mlp, gcn, {name: gat, heads: 4}]
    train: {protocol: fresh-graph, epochs: 400, lr: 0.01, hidden: 16, layers: 2}
    seeds: 10
    seed: 0          # root entropy of every graph and initialisation
    threshold: {level: 0.75, x: lam, y: mu}

Any :func:`gnnrg.csbm` argument may be fixed in ``generator`` or swept in ``grid``/``points``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from gnnrg.training.options import OVERRIDABLE, TrainOptions

__all__ = [
    "ConfigError",
    "ModelSpec",
    "SweepConfig",
    "TrainConfig",
    "load_config",
]


class ConfigError(ValueError):
    """A sweep file that cannot be used; the message names the file, line or field."""


class TrainConfig(TrainOptions):
    """Training knobs shared by every model (a model entry may override them): the options of
    :func:`gnnrg.train` (:class:`~gnnrg.training.options.TrainOptions`), with the study's
    ``fresh-graph`` protocol as the default."""

    protocol: Literal["fresh-graph", "transductive"] = "fresh-graph"


def _override(name: str) -> tuple[Any, Any]:
    """A model entry's optional override of the training option ``name``: its type or None,
    with the same valid range, default None (the shared value)."""
    field = TrainOptions.model_fields[name]
    return field.annotation | None, FieldInfo.merge_field_infos(field, default=None)


class _ModelEntry(BaseModel):
    """One model entry: a registry name and optional per-model training overrides."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str

    @field_validator("name")
    @classmethod
    def _known(cls, name: str) -> str:
        from gnnrg._registry import registry_key
        from gnnrg.models.registry import MODELS

        key = registry_key(name, MODELS)
        if key is None:
            raise ValueError(f"unknown model {name!r}{_did_you_mean(name, MODELS)}; "
                             f"choose one of {list(MODELS)}")  # fmt: skip
        return key

    def options(self, train: TrainConfig) -> dict[str, Any]:
        """The training options for this model: the shared ones with this entry's overrides."""
        merged = train.model_dump()
        merged.update({k: v for k, v in self.model_dump().items() if v is not None})
        merged.pop("name")
        return merged

    def label(self) -> str:
        """A short unique name: the model name plus its overrides (``gat[heads=4]``)."""
        extra = {k: v for k, v in self.model_dump().items() if v is not None and k != "name"}
        if not extra:
            return self.name
        return self.name + "[" + ",".join(f"{k}={v}" for k, v in sorted(extra.items())) + "]"


#: A model entry: ``name`` and the overridable training options (:data:`OVERRIDABLE`).
ModelSpec = create_model(
    "ModelSpec",
    __base__=_ModelEntry,
    __doc__=_ModelEntry.__doc__,
    **{name: _override(name) for name in OVERRIDABLE},
)


class ThresholdConfig(BaseModel):
    """Where the recoverability threshold is read: smallest ``y`` reaching ``level`` per ``x``."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    level: float | None = Field(None, gt=0, lt=1)
    x: str = "lam"
    y: str = "mu"


class SweepConfig(BaseModel):
    """A whole sweep file."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    generator: dict[str, Any]
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    points: list[dict[str, Any]] = Field(default_factory=list)
    models: list[ModelSpec] = Field(min_length=1)
    train: TrainConfig = Field(default_factory=TrainConfig)
    seeds: int = Field(10, ge=1)
    seed: int = Field(0, ge=0)
    threshold: ThresholdConfig = Field(default_factory=ThresholdConfig)

    @field_validator("models", mode="before")
    @classmethod
    def _names_to_specs(cls, models: Any) -> Any:
        if isinstance(models, list):
            return [{"name": m} if isinstance(m, str) else m for m in models]
        return models

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        if set(name) == {"."}:
            raise ValueError(f"{name!r} is not a folder name; use letters, digits, '_', '-', '.'")
        return name

    @field_validator("grid")
    @classmethod
    def _non_empty_axes(cls, grid: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for key, values in grid.items():
            if not values:
                raise ValueError(f"grid.{key} is empty; give at least one value")
        return grid

    @model_validator(mode="after")
    def _check_points(self) -> SweepConfig:
        from gnnrg.generators.registry import resolve_generator

        gen = dict(self.generator)
        name = gen.pop("model", "csbm")
        resolve_generator(name)
        if "n" not in gen:
            raise ValueError("generator.n is required (number of nodes)")
        for key in ("seed",):
            if key in gen or key in self.grid:
                raise ValueError(f"generator.{key} is not allowed: seeds come from 'seed'/'seeds'")
        labels = {spec.label() for spec in self.models}
        if len(labels) != len(self.models):
            raise ValueError("models lists the same model twice with the same options")
        if not self.grid and not self.points:
            raise ValueError(
                "no parameter points: give grid (e.g. grid: {mu: [0.5, 1.0]}) or points"
            )
        for spec in self.models:
            _check_training(spec, self.train)
        hidden = max(spec.options(self.train)["hidden"] for spec in self.models)
        for point in self.cell_points():
            _check_generator_point(name, {**gen, **point}, point, hidden)
        return self

    def identity(self) -> dict[str, Any]:
        """What gives this sweep's cells their meaning: its name, fixed generator parameters,
        shared training options and root seed (numbers canonical: ``1`` is ``1.0``). Grid,
        points, models and seeds only add cells, so they are not part of it.

        Examples
        --------
        >>> cfg = SweepConfig(name="a", generator={"n": 100, "mu": 1}, grid={"lam": [0]},
        ...                   models=["gcn"])
        >>> cfg.identity()["generator"]
        {'mu': 1.0, 'n': 100.0}
        """
        dump = self.model_dump(mode="json")
        return canonical({k: dump[k] for k in ("name", "generator", "train", "seed")})

    def cell_points(self) -> list[dict[str, Any]]:
        """Every parameter point: the grid's cartesian product, then the explicit points."""
        keys = list(self.grid)
        product = [
            dict(zip(keys, vals, strict=True)) for vals in itertools.product(*self.grid.values())
        ]
        if not keys:
            product = [] if self.points else [{}]
        return product + [dict(p) for p in self.points]

    def generator_params(self, point: dict[str, Any]) -> dict[str, Any]:
        """Generator keyword arguments at one point (fixed values overridden by the point)."""
        gen = {k: v for k, v in self.generator.items() if k != "model"}
        return {**gen, **point}

    def config_hash(self) -> str:
        """A stable hash of the validated configuration (stored with every result row)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def canonical(obj: Any) -> Any:
    """``obj`` with every real number as a float and mappings sorted by key, so that ``1`` and
    ``1.0`` (or ``mu: [1]`` and ``mu: [1.0]``) name the same cell.

    Examples
    --------
    >>> canonical({"mu": 1, "n": 1000.0, "law": None, "on": True})
    {'law': None, 'mu': 1.0, 'n': 1000.0, 'on': True}
    """
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int | float):
        return float(obj)
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in sorted(obj.items(), key=lambda kv: str(kv[0]))}
    if isinstance(obj, list | tuple):
        return [canonical(v) for v in obj]
    return obj


def _check_training(spec: ModelSpec, train: TrainConfig) -> None:
    from gnnrg.training.protocol import check_options

    options = spec.options(train)
    try:
        check_options(
            has_test_data=options["protocol"] == "fresh-graph",
            **{k: options[k] for k in ("protocol", "val_fraction", "test_fraction",
                                       "early_stopping")},
        )  # fmt: skip
    except (TypeError, ValueError) as err:
        where = "train" if spec.label() == spec.name else f"models ({spec.label()})"
        raise ValueError(f"{where}: {err}") from None


#: Share of this machine's memory one task (a training and a test graph, one model) may need.
MEMORY_SHARE = 0.5


def task_bytes(params: dict[str, Any], hidden: int = 16) -> float:
    """A generous estimate of the memory one task at these resolved generator parameters
    needs: two graphs (features, both edge directions and the sampler's temporaries) and one
    model's activations and gradients.

    Examples
    --------
    >>> round(task_bytes({"n": 1000, "avg_degree": 10, "num_features": 10}) / 2**20, 1)
    1.6
    """
    n = float(params["n"])
    width = float(params.get("num_features") or 0) + float(params.get("noise_features") or 0)
    degree = float(params.get("avg_degree") or 0) + float(params.get("motif_degree") or 0)
    per_graph = n * (4 * width + 48 * degree + 64)
    return 2 * per_graph + n * hidden * 4 * 8


def _memory() -> float:
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return float("inf")


def _check_generator_point(
    name: str, params: dict[str, Any], point: dict[str, Any], hidden: int = 16
) -> None:
    from gnnrg.generators.registry import generator_parameters

    where = ", ".join(f"{k}={v}" for k, v in point.items()) or "the fixed generator"
    try:
        resolved = generator_parameters(name, params)
    except (TypeError, ValueError) as err:
        raise ValueError(f"generator at point ({where}): {err}") from None
    need, have = task_bytes(resolved, hidden), _memory()
    if need > MEMORY_SHARE * have:
        raise ValueError(
            f"generator at point ({where}): n={resolved['n']} needs about {need / 2**30:.1f} GiB "
            f"per task; this machine has {have / 2**30:.1f} GiB (at most "
            f"{MEMORY_SHARE:.0%} per task): lower n or avg_degree"
        )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML's safe loader (no tags that build objects), refusing duplicate keys: a mapping
    that names a field twice is a mistake, never "the last one wins"."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _yaml_error(path: Path, err: yaml.YAMLError) -> ConfigError:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    if mark is not None:
        return ConfigError(f"{path}:{mark.line + 1}:{mark.column + 1}: invalid YAML: {problem}")
    return ConfigError(f"{path}: invalid YAML: {problem}")


def _did_you_mean(name: str, choices: Any) -> str:
    """``" (did you mean 'gcn'?)"`` for the closest valid name, or ``""``."""
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fields(loc: tuple) -> list[str]:
    """The valid field names at ``loc`` (the section holding an unknown field)."""
    section = {"train": TrainConfig, "threshold": ThresholdConfig}.get(str(loc[0]))
    if len(loc) == 1:
        return list(SweepConfig.model_fields)
    if section is not None and len(loc) == 2:
        return list(section.model_fields)
    if loc[0] == "models" and len(loc) == 3:
        return list(ModelSpec.model_fields)
    return []


def _format_validation(path: Path, err: ValidationError) -> ConfigError:
    lines = [f"{path}: invalid sweep configuration"]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "missing":
            msg = "required field is missing"
        elif e["type"] == "extra_forbidden":
            valid = _fields(e["loc"])
            msg = f"unknown field{_did_you_mean(e['loc'][-1], valid)}"
            if valid:
                msg += f"; valid fields: {', '.join(valid)}"
        lines.append(f"  {loc}: {msg}")
    return ConfigError("\n".join(lines))


#: Sweep files shipped inside the package (``gnnrg sweep quick`` works from any folder).
_SHIPPED = Path(__file__).resolve().parents[1] / "sweeps"


def shipped_config(name: str) -> Path | None:
    """The packaged sweep file called ``name`` (``"quick"`` or ``"quick.yaml"``), or None.

    Examples
    --------
    >>> shipped_config("quick").name, shipped_config("nope")
    ('quick.yaml', None)
    """
    if "/" in name or "\\" in name:
        return None
    path = _SHIPPED / (name if name.endswith(".yaml") else f"{name}.yaml")
    return path if path.is_file() else None


def load_config(path: str | Path) -> SweepConfig:
    """Read and validate a sweep file.

    Parameters
    ----------
    path : str or Path
        A YAML file, or the name of a config shipped with gnnrg (``"quick"``).

    Returns
    -------
    SweepConfig

    Raises
    ------
    ConfigError
        Missing file, broken YAML (with its line and column) or invalid fields (each with its
        dotted path, e.g. ``train.lr``, and the valid values).

    Examples
    --------
    >>> cfg = load_config("quick")
    >>> cfg.name, [m.name for m in cfg.models][:2]
    ('quick', ['mlp', 'gcn'])
    """
    path = Path(path)
    if not path.is_file() and shipped_config(str(path)) is not None:
        path = shipped_config(str(path))
    if not path.is_file():
        shipped = ", ".join(p.stem for p in sorted(_SHIPPED.glob("*.yaml")))
        raise ConfigError(f"{path}: no such sweep file (shipped configs, by name: {shipped})")
    try:
        raw = yaml.load(path.read_text(), Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot be read ({err})") from None
    except yaml.YAMLError as err:
        raise _yaml_error(path, err) from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a sweep file must be a YAML mapping with name, generator, ...")
    try:
        return SweepConfig.model_validate(raw)
    except ValidationError as err:
        raise _format_validation(path, err) from None
