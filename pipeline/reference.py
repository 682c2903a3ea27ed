"""Versioned reference tables: STEM definitions, ISCED-F, regions, mergers, editions, targets.

Each table is a CSV in `reference/<area>/<name>.csv` with a sidecar `<name>.meta.toml` giving its
id, version, status (official, derived, best-effort, example), source and column descriptions.
A table can be replaced by an official list without touching code: put a CSV with the same name
and columns in the folder named by `TECHPACT_REFERENCE_OVERRIDES` (with its own meta file), and it
is used instead; the loaded table's sha256 and version are recorded with every output.
"""

from __future__ import annotations

import contextlib
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


# With this variable set, every process appends the reference files it opens to that file (one
# line: path relative to the reference root, tab, sha256): a build's reads can be compared with its
# manifest (tests/test_manifest.py).
OPEN_LOG = "TECHPACT_REFERENCE_LOG"
_logged: set[tuple[str, str]] = set()


def _relative_name(path: Path) -> str:
    """A reference file's name relative to the reference root (an override: relative to its folder)."""
    for root in (REFERENCE_DIR, _override_dir()):
        if root is not None:
            with contextlib.suppress(ValueError):
                return path.resolve().relative_to(Path(root).resolve()).as_posix()
    return path.name


def _record_open(path: Path, digest: str) -> None:
    log = os.environ.get(OPEN_LOG)
    if not log:
        return
    entry = (_relative_name(path), digest)
    if entry in _logged:
        return
    _logged.add(entry)
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"{entry[0]}\t{entry[1]}\n")


def load(relative: str) -> ReferenceTable:
    """Load `reference/<relative>` (or its override); the frame is a fresh copy with text columns."""
    path = table_path(relative)
    if not path.exists():
        raise ReferenceError(f"reference table {relative} not found at {path}")
    table = _load(path, path.stat().st_mtime_ns)
    _record_open(path, table.sha256)
    return ReferenceTable(**{**table.__dict__, "frame": table.frame.copy()})


def sha256(relative: str) -> str:
    """The sha256 of `reference/<relative>` (or its override), without copying its frame."""
    path = table_path(relative)
    if not path.exists():
        raise ReferenceError(f"reference table {relative} not found at {path}")
    digest = _load(path, path.stat().st_mtime_ns).sha256
    _record_open(path, digest)
    return digest


def read_file(path: Path) -> bytes:
    """The bytes of a reference file that is not a table (e.g. the TopoJSON boundaries of reference/geo/)."""
    data = Path(path).read_bytes()
    _record_open(Path(path), hashlib.sha256(data).hexdigest())
    return data


def _peek(relative: str) -> ReferenceTable:
    """A table for the inventory: not recorded as opened by the build."""
    path = table_path(relative)
    return _load(path, path.stat().st_mtime_ns)


def inventory() -> list[dict[str, str]]:
    """Every reference file the code ships, as the build would read it (an override replaces its
    table file for file): each table with id, version, status, sha256 and path relative to the
    reference root; each other file (boundaries, ...) with its sha256 and the version and id of the
    table that names it."""
    tables, others = [], []
    files = sorted(p for p in REFERENCE_DIR.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc", ".toml"))
    for path in files:
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(REFERENCE_DIR).as_posix()
        if path.suffix == ".csv" and path.with_suffix(".meta.toml").exists():
            table = _peek(relative)
            tables.append({**table.lineage(), "path": relative, "source": table.source})
        else:
            others.append((relative, path))
    entries = list(tables)
    for relative, path in others:
        owner = next(
            (
                t
                for t in tables
                if Path(t["path"]).parent == Path(relative).parent
                and "file" in (frame := _peek(t["path"]).frame).columns
                and path.name in set(frame["file"])
            ),
            None,
        )
        entries.append(
            {
                "id": f"{owner['id']}:{path.name}" if owner else f"file:{relative}",
                "version": owner["version"] if owner else "",
                "status": owner["status"] if owner else "",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "path": relative,
            }
        )
    return sorted(entries, key=lambda e: e["path"])


def as_bool(series: pd.Series) -> pd.Series:
    mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "ja": True, "nee": False}
    lowered = series.str.strip().str.lower()
    unknown = ~lowered.isin(list(mapping))
    if unknown.any():
        raise ReferenceError(f"not a boolean: {sorted(set(series[unknown]))[:5]}")
    return lowered.map(mapping).astype(bool)
