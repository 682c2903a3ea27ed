"""A build killed with SIGKILL at any checkpoint of publication leaves the output folder and the warehouse
showing one release: killed before the warehouse commit, the last good edition (files byte for byte)
and the warehouse as they were; killed after it, the next command (any `techpact` command) switches the
link to the release the warehouse committed. The next run cleans up and succeeds.

Every checkpoint is tried on the release step alone (tests/release_step.py: the edition's upstream
assets read from a copy of the shared sample build, no PDF rendered); one real `techpact build` is
killed where recovery has most to do (after the link switch, before the warehouse commit)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import release_step

from pipeline import warehouse
from pipeline.dagster_support import published_output
from pipeline.publish import release as releasing
from pipeline.settings import PROJECT_ROOT


def state(build) -> tuple[dict[str, bytes], pd.DataFrame, pd.DataFrame]:
    folder = build.edition_dir
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    url = build.warehouse_url
    return files, warehouse.read_table(url, "indicators"), warehouse.read_table(url, releasing.RELEASE_TABLE)


def assert_state(build, expected, stage: str) -> None:
    files, indicators, releases = state(build)
    assert files == expected[0], stage
    pd.testing.assert_frame_equal(indicators, expected[1])
    pd.testing.assert_frame_equal(releases, expected[2])


def release_in_child(build, log: Path, kill_at: str = "") -> int:
    """The release step in a process forked from a server that imported the pipeline; its exit code."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.definitions", "release_step"])
    child = context.Process(
        target=release_step.run,
        args=(str(build.home), str(build.sample_dir), str(build.out), build.warehouse_url, str(log), kill_at),
    )
    child.start()
    child.join(timeout=900)  # a guard against a hang, not a speed test
    return child.exitcode


def assert_clean_release(build) -> None:
    """One release, linked; no staging folder, temporary link or other release left."""
    out = build.out
    assert not list(out.glob(".stage-*")) and not list(out.glob(".2024.link-*"))
    assert [p.name for p in (out / ".releases").iterdir()] == [os.readlink(out / "2024").split("/")[-1]]


def next_command(build) -> int:
    """What any `techpact` command does first (recovery of interrupted releases), here `verify`, which
    also compares the link and the manifest with the warehouse's release record; its exit code."""
    from pipeline import cli

    return cli.main(["verify", str(build.edition_dir), "--outputs-only", "--warehouse", build.warehouse_url])


def test_sigkill_at_every_checkpoint_of_the_release_leaves_one_release(sample_build, tmp_path, capsys):
    build = sample_build.copy(tmp_path / "build")
    before = state(build)
    # a revised indicator: the next release would publish a different figure
    stored = published_output(build.home / "storage", build.warehouse_url, "indicators", "2024")
    indicators = pd.read_parquet(stored)
    first = indicators["value"].first_valid_index()
    indicators.loc[first, "value"] += 1.0
    indicators.to_parquet(stored, index=False)

    def kill_at(stage: str) -> None:
        code = release_in_child(build, tmp_path / f"{stage}.log", kill_at=stage)
        assert code == -signal.SIGKILL, (stage, code, (tmp_path / f"{stage}.log").read_text()[-2000:])

    for stage in ("rendered", "warehouse_written"):  # before the commit: nothing changed
        kill_at(stage)
        assert list(build.out.glob(".stage-2024-*")) or len(list((build.out / ".releases").iterdir())) == 2, stage
        assert_state(build, before, stage)
        assert next_command(build) == 0
        assert_state(build, before, stage)
        assert_clean_release(build)

    # after the commit, before the link switch: the warehouse publishes the new release, the link still
    # shows the old one until the next command switches it
    kill_at("committed")
    files, now, releases = state(build)
    assert files == before[0]
    assert releases["release"].tolist() != before[2]["release"].tolist()
    assert now["value"].fillna(-1).ne(before[1]["value"].fillna(-1)).sum() == 1
    assert next_command(build) == 0
    assert "recovered an interrupted release: link 2024 switched" in capsys.readouterr().err
    assert os.readlink(build.out / "2024").endswith(releases["release"].iloc[0])
    after = state(build)
    assert after[0]["indicators.csv"] != before[0]["indicators.csv"]
    assert_clean_release(build)

    kill_at("released")  # after the link switch: one consistent new release, the old folder left over
    assert next_command(build) == 0
    assert_clean_release(build)
    assert state(build)[2]["release"].tolist() != after[2]["release"].tolist()

    assert release_in_child(build, tmp_path / "again.log") == 0, (tmp_path / "again.log").read_text()[-2000:]
    assert_clean_release(build)


@pytest.mark.e2e
def test_a_build_killed_between_commit_and_link_switch_is_finished_by_the_next_command(sample_build, tmp_path):
    """`techpact build` (real renderers, its PDF process) killed after the warehouse commit, before the
    link switch: the next command switches the link to the committed release, and `verify` then finds
    link, manifest and warehouse in agreement."""
    build = sample_build.copy(tmp_path / "build")
    before = state(build)
    landing = tmp_path / "landing"
    shutil.copytree(sample_build.sample_dir / "2024", landing / "2024")
    # a revised delivery: the next build would publish different figures
    victim = sorted((landing / "2024").glob("03b-eerstejaars-*hbo*.csv"))[0]
    lines = victim.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split(";")
    fields[-1] = str(int(fields[-1]) + 500) if fields[-1].isdigit() else "500"
    lines[1] = ";".join(fields) + "\n"
    victim.write_text("".join(lines), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(TECHPACT_HOME=str(build.home), PYTHONWARNINGS="ignore", **{releasing.KILL_ENV: "committed"})
    command = [sys.executable, "-m", "pipeline.cli", "build", "--sources", str(landing), "--edition", "2024"]
    # one language: what is under test is the release, not the second PDF
    command += ["--lang", "nl", "--out", str(build.out), "--warehouse", build.warehouse_url]
    killed = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert len(list((build.out / ".releases").iterdir())) == 2  # the new release, committed but not linked
    assert state(build)[0] == before[0]
    env.pop(releasing.KILL_ENV)
    verified = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "verify", str(build.edition_dir), "--sources", str(landing)]
        + ["--warehouse", build.warehouse_url],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "link 2024 switched" in verified.stderr
    files, _, releases = state(build)
    assert releases["release"].tolist() != before[2]["release"].tolist()
    assert os.readlink(build.out / "2024").endswith(releases["release"].iloc[0])
    assert files["manifest.json"] != before[0]["manifest.json"]
    assert_clean_release(build)


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
