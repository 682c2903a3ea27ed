"""What the landing-area sensor compares: the sha256 of every delivery, per edition.

A delivery is new or changed when its content hash differs from the one the sensor saw last
(its cursor); modification times are never used, so touching or re-copying a file with the same
bytes starts nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from pipeline.sources.files import sha256_file

Snapshot = dict[str, dict[str, str]]  # edition -> file name -> sha256


def snapshot(landing, editions: Iterable[str]) -> Snapshot:
    """Content hashes of the deliveries of every edition that has a landing folder."""
    result: Snapshot = {}
    for edition in editions:
        files = landing.files(edition)
        if files:
            result[edition] = {path.name: sha256_file(path) for path in files}
    return result


def changed(previous: Mapping[str, Mapping[str, str]], current: Snapshot) -> dict[str, list[str]]:
    """Per edition, the files that are new or whose content changed since `previous`."""
    out: dict[str, list[str]] = {}
    for edition, files in sorted(current.items()):
        before = previous.get(edition, {})
        names = sorted(name for name, digest in files.items() if before.get(name) != digest)
        if names:
            out[edition] = names
    return out


def fingerprint(files: Mapping[str, str]) -> str:
    """One hash over an edition's deliveries (names and contents), for run keys."""
    return hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest()


def load_cursor(cursor: str | None) -> Snapshot:
    return json.loads(cursor) if cursor else {}


def dump_cursor(current: Snapshot) -> str:
    return json.dumps(current, sort_keys=True, separators=(",", ":"))
