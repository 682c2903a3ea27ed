"""A build killed with SIGKILL at any stage of publication leaves the last good edition (files byte
for byte) and the warehouse as they were; the next run cleans up and succeeds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline import warehouse
from pipeline.publish import release as releasing
from pipeline.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow


def techpact_build(tmp: Path, landing: Path, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", releasing.KILL_ENV)}
    env.update(TECHPACT_HOME=str(tmp / "home"), PYTHONWARNINGS="ignore")
    if kill_at:
        env[releasing.KILL_ENV] = kill_at
    command = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "build",
        "--sources",
        str(landing),
        "--edition",
        "2024",
        "--out",
        str(tmp / "out"),
        "--warehouse",
        f"sqlite:///{tmp / 'warehouse.sqlite'}",
    ]
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900
    )  # a guard against a hang, not a speed test


def state(tmp: Path) -> tuple[dict[str, bytes], pd.DataFrame, pd.DataFrame]:
    folder = tmp / "out" / "2024"
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    url = f"sqlite:///{tmp / 'warehouse.sqlite'}"
    return files, warehouse.read_table(url, "indicators"), warehouse.read_table(url, releasing.RELEASE_TABLE)


def test_sigkill_at_every_publication_stage_leaves_the_last_edition(sample_dir, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(sample_dir / "2024", landing / "2024")
    first = techpact_build(tmp_path, landing)
    assert first.returncode == 0, first.stderr
    files, indicators, releases = state(tmp_path)

    # a revised delivery: the next build would publish different figures
    victim = sorted((landing / "2024").glob("03b-eerstejaars-*hbo*.csv"))[0]
    lines = victim.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split(";")
    fields[-1] = str(int(fields[-1]) + 500) if fields[-1].isdigit() else "500"
    lines[1] = ";".join(fields) + "\n"
    victim.write_text("".join(lines), encoding="utf-8")

    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    for stage in releasing.CHECKPOINTS:
        killed = techpact_build(tmp_path, landing, kill_at=stage)
        assert killed.returncode == -signal.SIGKILL, (stage, killed.returncode, killed.stderr[-2000:])
        if stage != "released":
            assert list((tmp_path / "out").glob(".stage-2024-*")), (
                f"killed at {stage}: a staging folder was left behind"
            )
        if stage == "released":
            # killed between the link switch and the commit: the link shows the new files while the
            # warehouse still records the old release; recovery (run first by every publication of
            # the edition) puts the link back to the release the warehouse committed
            actions = releasing.recover(tmp_path / "out", "2024", releasing.recorded_release(url, "2024"))
            assert any("put back" in a for a in actions), actions
        now_files, now_indicators, now_releases = state(tmp_path)
        assert now_files == files, stage
        pd.testing.assert_frame_equal(now_indicators, indicators)
        pd.testing.assert_frame_equal(now_releases, releases)

    again = techpact_build(tmp_path, landing)
    assert again.returncode == 0, again.stderr
    new_files, new_indicators, new_releases = state(tmp_path)
    assert new_files["indicators.csv"] != files["indicators.csv"]
    assert len(new_indicators) == len(indicators)
    assert new_releases["release"].tolist() != releases["release"].tolist()
    out = tmp_path / "out"
    assert not list(out.glob(".stage-*")) and not list(out.glob(".2024.link-*"))
    assert [p.name for p in (out / ".releases").iterdir()] == [os.readlink(out / "2024").split("/")[-1]]


def test_recover_removes_stale_work_and_keeps_the_published_release(tmp_path):
    out = tmp_path / "out"
    for name in ("2024-1", "2024-2"):
        (out / ".releases" / name).mkdir(parents=True)
        (out / ".releases" / name / "indicators.csv").write_text(name)
    releasing.point_link(out, "2024", "2024-2")  # a crashed run switched the link to 2024-2 ...
    (out / ".stage-2024-abc").mkdir()
    (out / ".2024.link-999").symlink_to(".releases/2024-2")
    (out / ".releases" / "2023-1").mkdir()  # another edition is left alone
    actions = releasing.recover(out, "2024", recorded="2024-1")  # ... but the warehouse committed 2024-1
    assert (out / "2024" / "indicators.csv").read_text() == "2024-1"
    assert sorted(p.name for p in (out / ".releases").iterdir()) == ["2023-1", "2024-1"]
    assert not (out / ".stage-2024-abc").exists() and not (out / ".2024.link-999").is_symlink()
    assert len(actions) == 4


def test_publication_lock_is_exclusive_per_edition(tmp_path):
    """A second process cannot take the lock of an edition while the first holds it."""
    probe = (
        "import fcntl, sys; h = open(sys.argv[1], 'a+');\n"
        "try:\n fcntl.flock(h.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB); print('got')\n"
        "except BlockingIOError:\n print('busy')"
    )
    with releasing.edition_lock(tmp_path, "2024") as path:
        held = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60)
        other = subprocess.run(
            [sys.executable, "-c", probe, str(tmp_path / ".locks" / "2023.lock")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    free = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60)
    assert (held.stdout.strip(), other.stdout.strip(), free.stdout.strip()) == ("busy", "got", "got")
