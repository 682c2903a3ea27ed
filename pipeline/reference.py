"""Versioned reference tables: STEM definitions, ISCED-F, regions, mergers, editions, targets.

Each table is a CSV in `reference/<area>/<name>.csv` with a sidecar `<name>.meta.toml` giving its
id, version, status (official, derived, best-effort, example), source and column descriptions.
A table can be replaced by an official list without touching code: put a CSV with the same name
and columns in the folder named by `TECHPACT_REFERENCE_OVERRIDES` (with its own meta file), and it
is used instead; the loaded table's sha256 and version are recorded with every output.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from pipeline.settings import REFERENCE_DIR


@dataclass(frozen=True)
class ReferenceTable:
    id: str
    path: Path
    version: str
    status: str
    title: str
    source: str
    sha256: str
    frame: pd.DataFrame

    def lineage(self) -> dict[str, str]:
        return {
            "id": self.id,
            "version": self.version,
            "status": self.status,
            "sha256": self.sha256,
            "path": str(self.path.relative_to(self.path.parents[1])) if len(self.path.parents) > 1 else str(self.path),
        }


class ReferenceError(Exception):
    pass


def _override_dir() -> Path | None:
    value = os.environ.get("TECHPACT_REFERENCE_OVERRIDES")
    return Path(value) if value else None


def table_path(relative: str) -> Path:
    override = _override_dir()
    if override is not None:
        candidate = override / Path(relative).name
        if candidate.exists():
            return candidate
    return REFERENCE_DIR / relative


@cache
def _load(path: Path, mtime_ns: int) -> ReferenceTable:
    meta_path = path.with_suffix(".meta.toml")
    if not meta_path.exists():
        raise ReferenceError(f"{path}: reference table has no metadata file {meta_path.name}")
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    for key in ("id", "version", "status", "source"):
        if key not in meta:
            raise ReferenceError(f"{meta_path}: metadata lacks {key!r}")
    data = path.read_bytes()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    declared = list(meta.get("columns", {}))
    if declared and declared != list(frame.columns):
        raise ReferenceError(f"{path}: columns {list(frame.columns)} differ from those in {meta_path.name}: {declared}")
    return ReferenceTable(
        id=meta["id"],
        path=path,
        version=str(meta["version"]),
        status=meta["status"],
        title=meta.get("title", meta["id"]),
        source=meta["source"],
        sha256=hashlib.sha256(data).hexdigest(),
        frame=frame,
    )


def load(relative: str) -> ReferenceTable:
    """Load `reference/<relative>` (or its override); the frame is a fresh copy with text columns."""
    path = table_path(relative)
    if not path.exists():
        raise ReferenceError(f"reference table {relative} not found at {path}")
    table = _load(path, path.stat().st_mtime_ns)
    return ReferenceTable(**{**table.__dict__, "frame": table.frame.copy()})


def sha256(relative: str) -> str:
    """The sha256 of `reference/<relative>` (or its override), without copying its frame."""
    path = table_path(relative)
    if not path.exists():
        raise ReferenceError(f"reference table {relative} not found at {path}")
    return _load(path, path.stat().st_mtime_ns).sha256


def as_bool(series: pd.Series) -> pd.Series:
    mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "ja": True, "nee": False}
    lowered = series.str.strip().str.lower()
    unknown = ~lowered.isin(list(mapping))
    if unknown.any():
        raise ReferenceError(f"not a boolean: {sorted(set(series[unknown]))[:5]}")
    return lowered.map(mapping).astype(bool)
