"""`techpact backfill --jobs N`: editions in child processes, N at a time. Children here are small
stand-ins for `techpact build` (what a real build prints), so the scheduling is tested without
building; tests/test_audit.py builds two sample editions at once and compares them with a sequential
backfill byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pipeline import cli

# a stand-in for `techpact build --edition E`: success, or the failure report of run_edition
CHILD = r"""
import sys, time
edition, fate = sys.argv[1], sys.argv[2]
print(f"building edition {edition} from somewhere", file=sys.stderr)
print("  ok  raw_duo_ho_first_years (1.0 s)", file=sys.stderr)
if fate == "fail":
    print(f"\nedition {edition} was NOT published (run run-{edition}); the previous edition and the warehouse "
          "are unchanged.", file=sys.stderr)
    print("raw_duo_ho_first_years: 2023/x.csv, row 7, column GESLACHT: 'onbekend' is not a sex\n"
          "  and a second line of the same message", file=sys.stderr)
    sys.exit(1)
if fate == "crash":
    raise RuntimeError(f"the build of {edition} crashed")
time.sleep(float(fate))
print(f"\nedition {edition} published in {fate} s (run run-{edition})")
"""


def stand_in(fates: dict[str, str]):
    return lambda edition: [sys.executable, "-c", CHILD, edition, fates[edition]]


def test_a_failure_stops_new_editions_but_running_ones_finish(capsys):
    fates = {"2019": "fail", "2020": "1.0", "2021": "0"}  # 2020 runs on well after 2019 failed
    published, failed = cli.backfill_in_processes(cli.Settings(), list(fates), 2, stand_in(fates), keep_going=False)
    assert (published, failed) == (["2020"], ["2019"])
    printed = capsys.readouterr()
    assert "backfill: edition 2019 started" in printed.err and "backfill: edition 2020 started" in printed.err
    assert "edition 2021" not in printed.err + printed.out
    assert "edition 2020 published in" in printed.out and "(run run-2020)" in printed.out
    # the failed edition's report, in full (not its progress lines)
    assert "edition 2019 FAILED after" in printed.err and "(run run-2019, exit code 1)" in printed.err
    assert (
        "edition 2019 was NOT published (run run-2019); the previous edition and the warehouse are unchanged.\n"
        "raw_duo_ho_first_years: 2023/x.csv, row 7, column GESLACHT: 'onbekend' is not a sex\n"
        "  and a second line of the same message"
    ) in printed.err
    assert "ok  raw_duo_ho_first_years" not in printed.err


def test_keep_going_builds_the_rest_and_a_crash_is_shown_whole(capsys):
    fates = {"2019": "crash", "2020": "0", "2021": "0", "2022": "fail"}
    published, failed = cli.backfill_in_processes(cli.Settings(), list(fates), 2, stand_in(fates), keep_going=True)
    assert (sorted(published), sorted(failed)) == (["2020", "2021"], ["2019", "2022"])
    err = capsys.readouterr().err
    # no 'NOT published' report: everything the child wrote, traceback included
    assert "building edition 2019 from somewhere" in err and "RuntimeError: the build of 2019 crashed" in err


def test_jobs_limit_the_editions_running_at_once(tmp_path):
    """With --jobs 2 never three children at once (each child counts the others it sees)."""
    marks = tmp_path / "running"
    marks.mkdir()
    child = (
        "import sys, os, time, pathlib; d = pathlib.Path(sys.argv[1]); me = d / sys.argv[2]; me.touch(); "
        "n = len(list(d.iterdir())); time.sleep(1.0); me.unlink(); "
        "(d.parent / ('seen-' + sys.argv[2])).write_text(str(n))"
    )
    editions = ["2019", "2020", "2021", "2022", "2023"]
    published, failed = cli.backfill_in_processes(
        cli.Settings(), editions, 2, lambda e: [sys.executable, "-c", child, str(marks), e], keep_going=False
    )
    assert (sorted(published), failed) == (editions, [])
    assert max(int((tmp_path / f"seen-{e}").read_text()) for e in editions) == 2


def test_backfill_command_reports_and_exits_1_on_a_failure(tmp_path, monkeypatch, capsys):
    """The command: observes once, builds with the chosen jobs, one summary line, exit 1 when one failed."""
    for edition in ("2019", "2020", "2021"):
        (tmp_path / "landing" / edition).mkdir(parents=True)
    fates = {"2019": "1.0", "2020": "fail", "2021": "0", "2022": "0"}  # 2019 runs on well after 2020 failed
    observed: list[Path] = []
    monkeypatch.setattr(cli, "observe_sources", lambda settings: observed.append(settings.sources))
    monkeypatch.setattr(cli, "_build_command", lambda settings, edition, args, reason: stand_in(fates)(edition))
    code = cli.main(
        [
            "backfill",
            "2019",
            "2022",
            "--sources",
            str(tmp_path / "landing"),
            "--out",
            str(tmp_path / "out"),
            "--jobs",
            "2",
        ]
    )
    assert code == 1
    assert observed == [(tmp_path / "landing").resolve()]
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "backfill 2019-2022: published 2019; no deliveries for 2022; FAILED 2020; not started 2021"


def test_backfill_with_one_job_builds_in_this_process_one_after_the_other(tmp_path, monkeypatch, capsys):
    """--jobs 1: the sources observed once, then each edition built in order by run_edition in this
    process (no child process, no start lines), with the backfill's options; a failure stops the rest."""
    for edition in ("2019", "2020", "2021", "2022"):
        (tmp_path / "landing" / edition).mkdir(parents=True)
    observed, built = [], []

    def run_edition(settings, edition, **options):
        built.append((edition, options["languages"], options["reason"], options["observe"]))
        return 1 if edition == "2021" else 0

    monkeypatch.setattr(cli, "observe_sources", lambda settings: observed.append(settings.sources))
    monkeypatch.setattr(cli, "run_edition", run_edition)
    landing = str(tmp_path / "landing")
    code = cli.main(["backfill", "2019", "2022", "--sources", landing, "--jobs", "1", "--lang", "nl,en"])
    assert code == 1 and len(observed) == 1
    assert built == [(e, ("nl", "en"), "backfill 2019-2022", False) for e in ("2019", "2020", "2021")]
    printed = capsys.readouterr()
    assert "4 edition(s), 1 at a time" in printed.err and "backfill: edition" not in printed.err
    assert printed.out.strip().splitlines()[-1] == (
        "backfill 2019-2022: published 2019, 2020; FAILED 2021; not started 2022"
    )


def test_build_command_passes_the_backfill_settings(tmp_path):
    args = cli.parser().parse_args(["backfill", "2019", "2024", "--lang", "nl,en", "--allow-unclassified"])
    url = "postgresql+psycopg://techpact:s3cret-pw@h/db"
    settings = cli.Settings(sources=tmp_path / "in", out=tmp_path / "o", warehouse_url=url)
    command = cli._build_command(settings, "2021", args, "backfill 2019-2024")
    assert command[:4] == [sys.executable, "-m", "pipeline.cli", "build"]
    parsed = cli.parser().parse_args(command[3:])
    assert (parsed.edition, parsed.sources, parsed.out, parsed.lang) == (
        "2021",
        str(tmp_path / "in"),
        str(tmp_path / "o"),
        "nl,en",
    )
    # the URL (and its password) reaches the child through the environment, not its command line (`ps`)
    assert parsed.warehouse is None and not any("s3cret-pw" in part for part in command)
    assert parsed.allow_unclassified and parsed.no_observe and parsed.reason == "backfill 2019-2024"


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_must_be_positive(jobs, tmp_path):
    (tmp_path / "2019").mkdir()
    with pytest.raises(SystemExit, match="--jobs"):
        cli.main(["backfill", "2019", "2019", "--sources", str(tmp_path), "--jobs", jobs])
