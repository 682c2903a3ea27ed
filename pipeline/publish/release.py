"""Releasing an edition atomically, and recovering from a run that died while releasing.

Layout under the output folder `out/`:

    out/<edition>                -> symbolic link to .releases/<edition>-<n> (the published edition)
    out/.releases/<edition>-<n>/ the released folders (only the linked one survives a clean run)
    out/.stage-<edition>-*/      an edition being rendered (never visible as `out/<edition>`)
    out/.locks/<edition>.lock    held (flock) by the one run publishing that edition

The warehouse decides which release is published. The edition's rows are replaced in one transaction
that also records the release (its folder name, the run that built it and the sha256 of its
manifest) in the `edition_releases` table; the complete release folder is in `.releases/` before
that transaction commits, and `out/<edition>` is switched to it only after the commit. A run killed
at any point therefore leaves either the old state (killed before the commit: the new folder is not
linked and is removed) or a committed release whose link the next command switches (killed between
commit and link). `recover_all` does both for every edition, and every `techpact` command runs it
first (skipping an edition whose lock another run holds). `techpact verify` reports a link that
differs from the warehouse's record and a manifest whose sha256 differs from the recorded one.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RELEASES = ".releases"
KILL_ENV = "TECHPACT_KILL_AT"
# rendered: outputs complete in the staging folder; warehouse_written: every row written, not committed;
# committed: the warehouse records the new release, the link still shows the old; released: link switched
CHECKPOINTS = ("rendered", "warehouse_written", "committed", "released")


def checkpoint(name: str) -> None:
    """Test hook for crash tests: `TECHPACT_KILL_AT=<name>` kills this process (SIGKILL) here."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def edition_lock(out: Path, edition: str, wait: bool = True) -> Iterator[Path | None]:
    """Exclusive lock on one edition's publication (released by the OS if the process dies). With
    `wait=False` it yields None at once when another process holds the lock."""
    locks = out / ".locks"
    locks.mkdir(parents=True, exist_ok=True)
    path = locks / f"{edition}.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield None
            return
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


def stage_release(out: Path, edition: str, stage: Path, name: str) -> Path:
    """Move the complete `stage` folder to `.releases/<name>`, not linked yet (the warehouse commits first)."""
    current_release(out, edition)  # refuses a real folder in the link's place
    releases = out / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    target = releases / name
    if target.exists():
        raise RuntimeError(f"release folder {target} exists already")
    os.chmod(stage, 0o755)  # the staging folder was private (mkdtemp); a release is for readers
    os.replace(stage, target)
    return target


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

    `recorded` is the release the warehouse committed for this edition (None if unknown): a link that
    shows another release is switched to it (the run died between the commit and the link switch, or
    before a commit after an older scheme switched first). Staging folders, temporary links and release
    folders that are neither linked nor recorded are removed. Must run under `edition_lock`."""
    actions: list[str] = []
    releases = out / RELEASES
    linked = current_release(out, edition)
    if recorded and linked != recorded:
        if (releases / recorded).is_dir():
            point_link(out, edition, recorded)
            actions.append(
                f"link {edition} switched from {linked or 'nothing'} to {recorded}, the release the warehouse committed"
            )
            linked = recorded
        else:
            actions.append(
                f"the warehouse records release {recorded} of edition {edition} but its folder is missing: "
                f"out/{edition} still shows {linked or 'nothing'} (rebuild the edition)"
            )
    for stale in sorted(out.glob(f".stage-{edition}-*")):
        shutil.rmtree(stale, ignore_errors=True)
        actions.append(f"removed stale staging folder {stale.name}")
    for temp in sorted(out.glob(f".{edition}.link-*")):
        temp.unlink()
        actions.append(f"removed stale link {temp.name}")
    if releases.is_dir():
        for folder in sorted(releases.glob(f"{edition}-*")):
            if folder.name not in (linked, recorded):
                shutil.rmtree(folder, ignore_errors=True)
                actions.append(f"removed unpublished release {folder.name}")
    return actions


def editions_in(out: Path) -> list[str]:
    """Editions that have anything in `out/`: a link, a release folder, a staging folder."""
    if not out.is_dir():
        return []
    found = {p.name for p in out.iterdir() if re.fullmatch(r"\d{4}", p.name)}
    found |= {m.group(1) for p in out.glob(".stage-*") if (m := re.match(r"\.stage-(\d{4})-", p.name))}
    if (out / RELEASES).is_dir():
        found |= {m.group(1) for p in (out / RELEASES).iterdir() if (m := re.fullmatch(r"(\d{4})-\d+", p.name))}
    return sorted(found)


def recover_all(out: Path, url: str) -> list[str]:
    """`recover` every edition in `out/` that the warehouse at `url` has a release record of and whose
    lock no other run holds (a run publishing it is left alone); what was done, one line per action.
    Every `techpact` command runs this first. An edition the warehouse has no record of is left alone
    (another warehouse may have published it); its next publication cleans it up."""
    actions: list[str] = []
    editions = editions_in(out)
    if not editions:
        return actions
    records = release_records(url)
    for edition in editions:
        if edition not in records:  # this warehouse never published it: nothing to compare with
            continue
        with edition_lock(out, edition, wait=False) as held:
            if held is None:
                continue
            actions += recover(out, edition, records[edition]["release"])
    return actions


def drop_release(out: Path, name: str | None) -> None:
    if name:
        shutil.rmtree(out / RELEASES / name, ignore_errors=True)


RELEASE_TABLE = "edition_releases"


def release_records(url: str) -> dict[str, dict]:
    """edition -> its release record in the warehouse (release, run_id, code_version, manifest_sha256)."""
    import sqlalchemy as sa

    from pipeline import warehouse

    eng = warehouse.engine(url)
    try:
        with eng.connect() as conn:
            if not sa.inspect(conn).has_table(RELEASE_TABLE):
                return {}
            rows = conn.execute(sa.text(f'SELECT * FROM "{RELEASE_TABLE}"')).mappings().all()
    finally:
        eng.dispose()
    return {str(row["edition"]): dict(row) for row in rows}


def release_record(url: str, edition: str) -> dict | None:
    return release_records(url).get(edition)


def recorded_release(url: str, edition: str) -> str | None:
    """The release name the warehouse committed for `edition` (None without a record)."""
    record = release_record(url, edition)
    return record["release"] if record else None


def recorded_run(url: str, edition: str) -> str | None:
    """The Dagster run that built the edition's published release (its stored outputs are the ones a
    later refresh of the edition reuses)."""
    record = release_record(url, edition)
    return record.get("run_id") if record else None


RECORD_COLUMNS = {"manifest_sha256": "TEXT"}  # columns added to edition_releases after its first layout


def upgrade_release_table(url: str) -> None:
    """Add the release record's newer columns to a warehouse made before them (its rows keep NULL)."""
    import sqlalchemy as sa

    from pipeline import warehouse

    eng = warehouse.engine(url)
    try:
        with eng.begin() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table(RELEASE_TABLE):
                return
            present = {c["name"] for c in inspector.get_columns(RELEASE_TABLE)}
            for name, kind in RECORD_COLUMNS.items():
                if name not in present:
                    conn.execute(sa.text(f'ALTER TABLE "{RELEASE_TABLE}" ADD COLUMN "{name}" {kind}'))
    finally:
        eng.dispose()
