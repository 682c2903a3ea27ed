"""Releasing an edition atomically, and recovering from a run that died while releasing.

Layout under the output folder `out/`:

    out/<edition>                -> symbolic link to .releases/<edition>-<n> (the published edition)
    out/.releases/<edition>-<n>/ the released folders (only the linked one survives a clean run)
    out/.stage-<edition>-*/      an edition being rendered (never visible as `out/<edition>`)
    out/.locks/<edition>.lock    held (flock) by the one run publishing that edition

The edition's warehouse rows are replaced in one transaction that also records the release name in
the `edition_releases` table; the link is switched just before that transaction commits. A run killed
at any point leaves either the old state or (between link switch and commit) a link that the next
run puts back to the release the warehouse records. Stale staging folders, temporary links and
unlinked releases are removed by the next run for the same edition, under the lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RELEASES = ".releases"
KILL_ENV = "TECHPACT_KILL_AT"
CHECKPOINTS = ("rendered", "warehouse_written", "released")


def checkpoint(name: str) -> None:
    """Test hook for crash tests: `TECHPACT_KILL_AT=<name>` kills this process (SIGKILL) here."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def edition_lock(out: Path, edition: str) -> Iterator[Path]:
    """Exclusive lock on one edition's publication (released by the OS if the process dies)."""
    locks = out / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / f"{edition}.lock"
    with open(path, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def current_release(out: Path, edition: str) -> str | None:
    """Name of the release `out/<edition>` points at (None when not published)."""
    link = out / edition
    if not link.is_symlink():
        if link.exists():
            raise RuntimeError(f"{link} exists and is not a release link; move it away before publishing")
        return None
    return Path(os.readlink(link)).name


def next_release_name(out: Path, edition: str) -> str:
    releases = out / RELEASES
    numbers = (
        [int(p.name.rsplit("-", 1)[1]) for p in releases.glob(f"{edition}-*") if p.name.rsplit("-", 1)[1].isdigit()]
        if releases.is_dir()
        else []
    )
    return f"{edition}-{1 + max(numbers or [0])}"


def point_link(out: Path, edition: str, release_name: str) -> Path:
    """Switch `out/<edition>` to `.releases/<release_name>` with one rename."""
    link = out / edition
    temp_link = out / f".{edition}.link-{os.getpid()}"
    if temp_link.is_symlink() or temp_link.exists():
        temp_link.unlink()
    os.symlink(Path(RELEASES) / release_name, temp_link)
    os.replace(temp_link, link)
    return link


def release(out: Path, edition: str, stage: Path, name: str | None = None) -> Path:
    """Move the complete `stage` folder to `.releases/<name>` and switch the edition's link to it.

    The previous release stays on disk (the caller removes it once the warehouse has committed)."""
    current_release(out, edition)  # refuses a real folder in the link's place
    releases = out / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    name = name or next_release_name(out, edition)
    target = releases / name
    if target.exists():
        raise RuntimeError(f"release folder {target} exists already")
    os.chmod(stage, 0o755)  # the staging folder was private (mkdtemp); a release is for readers
    os.replace(stage, target)
    return point_link(out, edition, name)


def recover(out: Path, edition: str, recorded: str | None) -> list[str]:
    """Bring `out/` back to a clean state for `edition` after a crashed run; returns what was done.

    `recorded` is the release the warehouse committed for this edition (None if unknown). Must run
    under `edition_lock`, so no other run is writing this edition."""
    actions: list[str] = []
    releases = out / RELEASES
    linked = current_release(out, edition)
    if recorded and linked != recorded and (releases / recorded).is_dir():
        point_link(out, edition, recorded)
        actions.append(f"link {edition} put back from {linked} to {recorded} (the release the warehouse committed)")
        linked = recorded
    for stale in sorted(out.glob(f".stage-{edition}-*")):
        shutil.rmtree(stale, ignore_errors=True)
        actions.append(f"removed stale staging folder {stale.name}")
    for temp in sorted(out.glob(f".{edition}.link-*")):
        temp.unlink()
        actions.append(f"removed stale link {temp.name}")
    if releases.is_dir():
        for folder in sorted(releases.glob(f"{edition}-*")):
            if folder.name != linked:
                shutil.rmtree(folder, ignore_errors=True)
                actions.append(f"removed unpublished release {folder.name}")
    return actions


def drop_release(out: Path, name: str | None) -> None:
    if name:
        shutil.rmtree(out / RELEASES / name, ignore_errors=True)


RELEASE_TABLE = "edition_releases"


def recorded_release(url: str, edition: str) -> str | None:
    """The release name the warehouse committed for `edition` (None without a record)."""
    import sqlalchemy as sa

    from pipeline import warehouse

    eng = warehouse.engine(url)
    try:
        with eng.connect() as conn:
            if not sa.inspect(conn).has_table(RELEASE_TABLE):
                return None
            row = conn.execute(
                sa.text(f'SELECT "release" FROM "{RELEASE_TABLE}" WHERE "edition" = :e'), {"e": edition}
            ).first()
    finally:
        eng.dispose()
    return row[0] if row else None
