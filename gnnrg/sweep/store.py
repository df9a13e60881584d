"""The results store: one Parquet file per finished task under ``DIR/results/``.

Each file is written to a temporary name and renamed into place, so an interrupted sweep
leaves only whole files; rows carry a ``cell_id`` and :func:`load_results` keeps one row per
cell, so a resumed sweep never duplicates a result.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pandas as pd

__all__ = ["done_cells", "load_results", "write_rows"]


def _results_dir(out: str | Path) -> Path:
    return Path(out) / "results"


def write_rows(out: str | Path, rows: list[dict]) -> Path | None:
    """Atomically write rows as a new Parquet part; returns its path (None if no rows).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = write_rows(d, [{"cell_id": "a", "test_acc": 0.9}])
    >>> load_results(d)["test_acc"].tolist()
    [0.9]
    """
    if not rows:
        return None
    folder = _results_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"part-{uuid.uuid4().hex}.parquet"
    tmp = folder / f".{name}.tmp"
    pd.DataFrame(rows).to_parquet(tmp, index=False)
    os.replace(tmp, folder / name)
    return folder / name


def load_results(out: str | Path) -> pd.DataFrame:
    """All results of a sweep directory as one DataFrame, one row per cell.

    Parameters
    ----------
    out : str or Path
        The sweep's output directory (``gnnrg sweep ... --out DIR``).

    Returns
    -------
    pandas.DataFrame
        Empty (no columns) if nothing has finished yet.

    Examples
    --------
    >>> import tempfile
    >>> load_results(tempfile.mkdtemp()).empty
    True
    """
    folder = _results_dir(out)
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    if not parts:
        return pd.DataFrame()
    df = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    if "cell_id" in df:
        df = df.drop_duplicates("cell_id", keep="first").reset_index(drop=True)
    return _uniform_columns(df)


def _uniform_columns(df: pd.DataFrame) -> pd.DataFrame:
    """One representation per value across parts: a part where a parameter was always missing
    stores it as null and reads back as ``None`` or ``NaN``, one where it was set as ``100`` or
    ``100.0``. Numeric columns become numeric (missing = NaN), others keep ``None`` for missing,
    so grouping and de-duplication see one value, not two."""
    for column in df.columns:
        values = df[column]
        if not pd.api.types.is_object_dtype(values):
            continue
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("integer", "floating", "mixed-integer-float"):
            df[column] = pd.to_numeric(values)
        else:
            df[column] = values.astype(object).where(values.notna(), None)
    return df


def done_cells(out: str | Path) -> set[str]:
    """The ``cell_id`` of every finished cell in a sweep directory."""
    df = load_results(out)
    return set(df["cell_id"]) if "cell_id" in df else set()
