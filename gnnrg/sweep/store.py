"""The results store: one Parquet file per finished unit of work under ``DIR/results/``.

Guarantees (each tested with real processes):

- **Whole files only.** A part is written to a temporary name and renamed into place, so an
  interrupted sweep leaves only whole parts; leftover ``.part-*.tmp`` files of a killed write are
  removed when the next sweep opens the store.
- **No duplicates.** Rows carry a ``cell_id``; :func:`load_results` keeps one row per cell.
- **An identity.** ``DIR/store.json`` records the identity of the configuration that owns the
  store (its name, fixed generator parameters, training options and root seed: everything that
  gives a cell its meaning) and the hash of every configuration that wrote to it. Another
  configuration is refused (:class:`StoreError`) unless added on purpose (``add=True``); adding
  grid points, models or seeds to the same configuration resumes.
- **One writer.** An exclusive lock (``DIR/.lock``) refuses a second concurrent sweep.
- **Named damage.** An unreadable part, or one written by a configuration the store does not
  know, is named with the fix; :func:`repair` moves such parts to ``DIR/quarantine/`` so that a
  re-run recomputes their cells.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "Store",
    "StoreError",
    "bad_parts",
    "done_cells",
    "load_results",
    "repair",
    "write_rows",
]

STORE_FILE = "store.json"
LOCK_FILE = ".lock"
QUARANTINE = "quarantine"


class StoreError(ValueError):
    """A results folder that cannot be used as asked; the message says why and what to do."""


def _results_dir(out: str | Path) -> Path:
    return Path(out) / "results"


def _record(out: str | Path) -> dict[str, Any] | None:
    path = Path(out) / STORE_FILE
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise StoreError(f"{path} is unreadable ({err}); restore it or use a new --out") from None
    if not isinstance(record, dict) or not isinstance(record.get("identities"), list):
        raise StoreError(f"{path} is not a gnnrg store record; restore it or use a new --out")
    return record


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


def _read_parts(out: str | Path) -> tuple[list[pd.DataFrame], dict[Path, str]]:
    """Every readable part of the store, and ``{path: why}`` for the others."""
    folder = _results_dir(out)
    parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    record = _record(out)
    known = None if record is None else set(record.get("config_hashes", []))
    frames, bad = [], {}
    for path in parts:
        try:
            frame = pd.read_parquet(path)
        except Exception as err:  # pyarrow raises several types for damaged files
            bad[path] = f"unreadable ({type(err).__name__})"
            continue
        if "cell_id" not in frame:
            bad[path] = "not a gnnrg result part (no cell_id column)"
        elif known is not None and (
            "config_hash" not in frame or not set(frame["config_hash"]) <= known
        ):
            bad[path] = "written by a configuration this store does not know"
        else:
            frames.append(frame)
    return frames, bad


def bad_parts(out: str | Path) -> dict[Path, str]:
    """Parts of a store that :func:`load_results` refuses, with the reason for each.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = write_rows(d, [{"cell_id": "a"}])
    >>> (Path(d) / "results" / "part-x.parquet").write_text("garbage")
    7
    >>> [p.name for p in bad_parts(d)]
    ['part-x.parquet']
    """
    return _read_parts(out)[1]


def load_results(out: str | Path) -> pd.DataFrame:
    """All results of a sweep directory as one DataFrame, one row per cell.

    Parameters
    ----------
    out : str or Path
        The sweep's output directory (``gnnrg sweep ... --out DIR``).

    Returns
    -------
    pandas.DataFrame
        Empty (no columns) if nothing has finished yet. Diverged runs are rows too, with
        ``diverged`` True and no accuracy.

    Raises
    ------
    StoreError
        A part is unreadable or foreign: the message names it and the repair.

    Examples
    --------
    >>> import tempfile
    >>> load_results(tempfile.mkdtemp()).empty
    True
    """
    frames, bad = _read_parts(out)
    if bad:
        listed = "; ".join(f"{p.name}: {why}" for p, why in list(bad.items())[:3])
        more = f" (and {len(bad) - 3} more)" if len(bad) > 3 else ""
        raise StoreError(
            f"{out}: {len(bad)} bad result part(s): {listed}{more}; run the sweep again with "
            f"--repair to move them to {Path(out) / QUARANTINE} and recompute their cells"
        )
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    df = df.drop_duplicates("cell_id", keep="first").reset_index(drop=True)
    return _uniform_columns(df)


def repair(out: str | Path) -> list[Path]:
    """Move every bad part (:func:`bad_parts`) to ``out/quarantine/``; returns their new paths.

    Their cells are then missing from the store, so the next sweep run recomputes them.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> (Path(d) / "results").mkdir()
    >>> (Path(d) / "results" / "part-x.parquet").write_bytes(b"")
    0
    >>> [p.parent.name for p in repair(d)], load_results(d).empty
    (['quarantine'], True)
    """
    moved = []
    target = Path(out) / QUARANTINE
    for path in bad_parts(out):
        target.mkdir(exist_ok=True)
        dest = target / path.name
        os.replace(path, dest)
        moved.append(dest)
    return moved


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
        elif kind == "boolean":
            df[column] = values.astype(object).where(values.notna(), False).astype(bool)
        else:
            df[column] = values.astype(object).where(values.notna(), None)
    return df


def done_cells(out: str | Path) -> set[str]:
    """The ``cell_id`` of every finished cell in a sweep directory."""
    df = load_results(out)
    return set(df["cell_id"]) if "cell_id" in df else set()


def _describe_change(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """``field: old -> new`` for every leaf that differs between two identities."""
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key, "<unset>"), new.get(key, "<unset>")
        if isinstance(a, dict) and isinstance(b, dict):
            changes += _describe_change(a, b, f"{prefix}{key}.")
        elif a != b:
            changes.append(f"{prefix}{key}: {a} -> {b}")
    return changes


class Store:
    """A sweep's output folder, opened for writing by one sweep at a time.

    Use as a context manager: entering checks the configuration against the store's identity
    and takes the lock; leaving releases it, and removes the folder again if it was created
    here and nothing was written into it.

    Parameters
    ----------
    out : str or Path
        The folder (created if missing).
    identity : dict
        What gives the configuration's cells their meaning
        (:meth:`gnnrg.sweep.config.SweepConfig.identity`).
    config_hash : str
        Hash of the whole configuration; stored with every row.
    config_json : str
        The configuration, written to ``out/config.json`` with the first results.
    add : bool, default False
        Accept a configuration of another identity on purpose.
    repair : bool, default False
        Move bad parts to quarantine first (:func:`repair`).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> with Store(d, {"name": "a"}, "h1", "{}") as store:
    ...     _ = store.write([{"cell_id": "x", "config_hash": "h1"}])
    >>> with Store(d, {"name": "b"}, "h2", "{}"):
    ...     pass  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gnnrg.sweep.store.StoreError: ... holds sweep 'a'; this configuration differs in name: a -> b...
    """

    def __init__(
        self,
        out: str | Path,
        identity: dict[str, Any],
        config_hash: str,
        config_json: str,
        *,
        add: bool = False,
        repair: bool = False,
    ):
        self.out = Path(out)
        self.identity = identity
        self.config_hash = config_hash
        self.config_json = config_json
        self.add = add
        self.repair = repair
        self.settings: dict[str, Any] = {}
        self._lock: Any = None
        self._created: Path | None = None
        self._wrote = False

    # -- opening --------------------------------------------------------------------------
    def __enter__(self) -> Store:
        if self.out.exists() and not self.out.is_dir():
            raise StoreError(f"--out {self.out} is a file, not a folder; choose another --out")
        self._created = _first_missing(self.out)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self._take_lock()
        except OSError as err:
            self._cleanup()
            raise StoreError(f"--out {self.out} cannot be written ({err.strerror})") from None
        try:
            self._check_identity()
            if self.repair:
                repair(self.out)
            for tmp in _results_dir(self.out).glob(".part-*.tmp"):
                tmp.unlink()  # a killed write's leftovers: the lock says no one is writing
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no advisory locks on this platform
            return
        handle = open(self.out / LOCK_FILE, "a+")  # held until __exit__
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise StoreError(
                f"{self.out} is in use by another gnnrg sweep ({holder}); wait for it to finish "
                f"or use another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._lock = handle

    def _check_identity(self) -> None:
        record = _record(self.out)
        if record is None:
            if any(_results_dir(self.out).glob("part-*.parquet")):
                raise StoreError(
                    f"{self.out} holds results without a store record (another tool or an older "
                    f"gnnrg wrote them); use a new --out, or --add to add to it on purpose"
                )
            self.record = {"format": 1, "identities": [], "config_hashes": [], "settings": {}}
            return
        self.record = record
        if self.identity in record["identities"] or self.add:
            self.settings = dict(record.get("settings", {}))
            return
        owner = record["identities"][0]
        changes = _describe_change(owner, self.identity)
        shown = "; ".join(changes[:4]) + (
            f"; and {len(changes) - 4} more" if len(changes) > 4 else ""
        )
        raise StoreError(
            f"{self.out} holds sweep {owner.get('name')!r}; this configuration differs in "
            f"{shown}; use a new --out, or --add to add its cells to this store on purpose"
        )

    # -- writing --------------------------------------------------------------------------
    def write(self, rows: list[dict], **settings: Any) -> Path | None:
        """Save finished rows as one part; the store's record is written with the first."""
        if not rows:
            return None
        if not self._wrote:
            record = self.record
            if self.identity not in record["identities"]:
                record["identities"].append(self.identity)
            if self.config_hash not in record["config_hashes"]:
                record["config_hashes"].append(self.config_hash)
            record["settings"] = {**settings, **record.get("settings", {})}
            tmp = self.out / f".{STORE_FILE}.tmp"
            tmp.write_text(json.dumps(record, indent=2, default=str))
            os.replace(tmp, self.out / STORE_FILE)
            (self.out / "config.json").write_text(self.config_json)
            self._wrote = True
        return write_rows(self.out, rows)

    # -- closing --------------------------------------------------------------------------
    def __exit__(self, *exc: Any) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None
        self._cleanup()

    def _cleanup(self) -> None:
        """Remove what opening created, if nothing was written: a failed run leaves no trace."""
        if self._created is None or self._wrote or not self.out.is_dir():
            return
        lock = self.out / LOCK_FILE
        if lock.exists():
            lock.unlink()
        folder = self.out
        while True:
            try:
                folder.rmdir()  # only if nothing else is in it
            except OSError:
                return
            if folder == self._created:
                return
            folder = folder.parent


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (None if it exists)."""
    missing = None
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        missing = folder
    return missing
