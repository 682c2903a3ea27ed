"""Auditing a published edition: verify (hashes), explain (one figure), diff (two editions), backfill."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pipeline import cli, diff, explain, verify, warehouse

pytestmark = pytest.mark.e2e


def _backfill(sample_dir: Path, tmp: Path, *options: str) -> tuple[int, str, str]:
    """`techpact backfill 2023 2024 --lang nl,en` into `tmp` (its own home, output folder and warehouse);
    exit code, printed stdout and stderr."""
    url = f"sqlite:///{tmp / 'warehouse.sqlite'}"
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        mp.setenv("TECHPACT_HOME", str(tmp / "home"))
        mp.setenv("DAGSTER_HOME", str(tmp / "home" / "dagster"))
        code = cli.main(
            [
                "backfill",
                "2023",
                "2024",
                "--sources",
                str(sample_dir),
                "--out",
                str(tmp / "out"),
                "--warehouse",
                url,
                "--lang",
                "nl,en",
                *options,
            ]
        )
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def backfilled(sample_dir, tmp_path_factory):
    """Editions 2023 and 2024 of the sample, published by `techpact backfill 2023 2024 --jobs 2` (both
    editions at once, each in its own process) into one output folder and one SQLite warehouse."""
    tmp = tmp_path_factory.mktemp("audit")
    code, stdout, stderr = _backfill(sample_dir, tmp, "--jobs", "2")
    assert code == 0, stdout + stderr
    return tmp / "out", f"sqlite:///{tmp / 'warehouse.sqlite'}", stdout, stderr


@pytest.fixture(scope="module")
def editions(backfilled):
    out, url, _, _ = backfilled
    return out, url


def test_backfill_published_every_edition_of_the_range(backfilled):
    out, url, stdout, stderr = backfilled
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["2023", "2024"]
    # nothing left of the two publications but their releases and locks (no staging folder, no temporary link)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".locks", ".releases"]
    assert sorted(p.name for p in (out / ".releases").iterdir()) == ["2023-1", "2024-1"]
    releases = warehouse.read_table(url, "edition_releases").sort_values("edition")
    assert releases["edition"].tolist() == ["2023", "2024"]
    assert releases["run_id"].nunique() == 2
    # a line when each edition starts and when it finishes, with its run id; the summary
    assert "2 edition(s), 2 at a time" in stderr
    for edition, run_id in zip(releases["edition"], releases["run_id"]):
        assert f"backfill: edition {edition} started" in stderr
        assert re.search(rf"edition {edition} published in [0-9.]+ s \(run {run_id}\)", stdout)
    assert stdout.strip().splitlines()[-1] == "backfill 2023-2024: published 2023, 2024"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_edition_built_in_a_backfill_process_is_the_one_a_build_publishes(backfilled, sample_build):
    """Same inputs and code, same outputs: edition 2024 of the two-process backfill (a child process,
    its own instance, another edition beside it) is byte for byte the edition `techpact build`
    published in the shared build, and the warehouse holds the same rows of it in every table."""
    out, url, _, _ = backfilled
    parallel, single = _files(out / "2024"), _files(sample_build.edition_dir)
    assert sorted(parallel) == sorted(single) and len(single) > 20
    assert [name for name in parallel if parallel[name] != single[name]] == []

    def tables(u: str) -> list[str]:
        with warehouse.engine(u).connect() as conn:
            return sorted(sa.inspect(conn).get_table_names())

    assert tables(url) == tables(sample_build.warehouse_url)
    for table in tables(url):
        ours, theirs = (
            warehouse.read_table(url, table, "2024"),
            warehouse.read_table(sample_build.warehouse_url, table, "2024"),
        )
        if table == "edition_releases":  # one row, the run's own id
            ours, theirs = ours.drop(columns="run_id"), theirs.drop(columns="run_id")
        pd.testing.assert_frame_equal(ours, theirs, obj=table)
    assert len(warehouse.read_table(url, "indicators", "2024")) > 1000


# --- verify -------------------------------------------------------------------------------------


def test_verify_accepts_an_untouched_edition(editions, sample_dir, capsys):
    out, _ = editions
    findings, checked = verify.verify(out / "2024", sample_dir)
    assert findings == []
    manifest = json.loads((out / "2024" / "manifest.json").read_text())
    # every output, input and reference file, and the code version
    assert checked == len(manifest["outputs"]) + len(manifest["inputs"]) + len(manifest["reference_tables"]) + 1
    assert cli.main(["verify", str(out / "2024"), "--sources", str(sample_dir)]) == 0


def test_verify_catches_one_changed_byte_in_an_output(editions, sample_dir, tmp_path, capsys):
    out, _ = editions
    copy = tmp_path / "2024"
    shutil.copytree(out / "2024", copy)
    target = copy / "monitor-2024-nl.pdf"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    capsys.readouterr()
    assert cli.main(["verify", str(copy), "--sources", str(sample_dir)]) == 1
    printed = capsys.readouterr().out
    assert "output monitor-2024-nl.pdf: changed" in printed
    assert "1 difference(s)" in printed


def test_verify_catches_a_changed_input_and_an_extra_file(editions, sample_dir, tmp_path, capsys):
    out, _ = editions
    landing = tmp_path / "landing"
    shutil.copytree(sample_dir / "2024", landing / "2024")
    victim = sorted((landing / "2024").glob("*wo*.csv"))[0]
    victim.write_bytes(victim.read_bytes().replace(b";vrouw;", b";Vrouw;", 1))
    copy = tmp_path / "2024"
    shutil.copytree(out / "2024", copy)
    (copy / "notes.txt").write_text("not published")
    findings, _ = verify.verify(copy, landing)
    assert {(f.kind, f.path, f.problem) for f in findings} == {
        ("input", f"2024/{victim.name}", "changed"),
        ("output", "notes.txt", "not in manifest"),
    }
    assert verify.verify(copy, None, check_inputs=False)[0][0].path == "notes.txt"


# --- explain ------------------------------------------------------------------------------------


def _raw_counts(path: Path, year: str) -> pd.DataFrame:
    """The DUO file read independently of the pipeline's parsers (for expected values)."""
    frame = pd.read_csv(path, sep=";", dtype=str, encoding="utf-8")
    return frame[["OPLEIDINGSCODE ACTUEEL", "GESLACHT", "GEMEENTENUMMER", year]].rename(columns={year: "n"})


def _bounds(values: pd.Series) -> tuple[int, int]:
    low = sum(1 if v == "<5" else int(v) for v in values)
    high = sum(4 if v == "<5" else int(v) for v in values)
    return low, high


def _whole(values: pd.Series) -> int:
    """The published whole persons: '<5' (1..4) counts as 2, its midpoint 2.5 to the even neighbour."""
    return sum(2 if v == "<5" else int(v) for v in values)


def test_explain_a_national_figure(editions, sample_dir, capsys):
    out, url = editions
    cell = "ho_first_years_stem_share/nl/2023/NL01/V/level=wo"
    result = explain.explain(cell, out / "2024", url)
    assert result.reproduced, result.differences
    wo_file = next((sample_dir / "2024").glob("*eerstejaars*-wo-*.csv"))
    raw = _raw_counts(wo_file, "2023")
    women = raw[raw["GESLACHT"] == "vrouw"]
    low, high = _bounds(women["n"])
    numerator, denominator = result.parts
    assert (denominator.low, denominator.high) == (low, high)
    assert len(denominator.rows) == len(women)
    assert float(result.figure["denominator"]) == _whole(women["n"]) == denominator.point
    assert numerator.point == float(result.figure["numerator"])
    assert 0 < len(numerator.rows) < len(denominator.rows)
    assert set(numerator.rows["source_file"]) == {wo_file.name}
    files = {i["file"]: i["sha256"] for i in result.inputs}
    assert files[wo_file.name] == hashlib.sha256(wo_file.read_bytes()).hexdigest()
    assert "stem.nl_ho_programmes" in result.rules["definition"]
    assert "isced" not in result.rules["definition"]
    release = warehouse.read_table(url, "edition_releases", "2024").iloc[0]
    assert result.run["run_id"] == release["run_id"]
    manifest = json.loads((out / "2024" / "manifest.json").read_text())
    assert result.code_version == manifest["code"]["version"]

    capsys.readouterr()
    assert cli.main(["explain", cell, "--out", str(out), "--edition", "2024", "--warehouse", url]) == 0
    text = capsys.readouterr().out
    for needle in (cell, wo_file.name, files[wo_file.name], "stem.nl_ho_programmes", release["run_id"], "lines "):
        assert needle in text
    assert "reproduces the published figures exactly" in text


def test_explain_a_regional_figure(editions, sample_dir):
    """A municipality figure (Amsterdam, GM0363): the rows are those of the municipality."""
    out, url = editions
    wo_file = next((sample_dir / "2024").glob("*eerstejaars*-wo-*.csv"))
    raw = _raw_counts(wo_file, "2022")
    local = raw[raw["GEMEENTENUMMER"] == "0363"]
    assert len(local) > 0
    low, high = _bounds(local["n"])
    result = explain.explain("ho_first_years_stem_share/isced/2022/GM0363/T/level=wo", out / "2024", url)
    assert result.reproduced, result.differences
    numerator, denominator = result.parts
    assert (denominator.low, denominator.high) == (low, high)
    assert float(result.figure["denominator"]) == _whole(local["n"])
    assert set(denominator.rows["place"]) == {"GM0363"}
    assert len(numerator.rows) < len(denominator.rows)
    assert "stem.isced_ho_programmes" in result.rules["definition"]
    assert "municipality GM0363" in result.rules["region"]


def test_explain_names_an_unknown_cell(editions, capsys):
    out, url = editions
    assert (
        cli.main(
            [
                "explain",
                "ho_first_years_stem_share/nl/1999/NL01/T/level=hbo",
                "--out",
                str(out),
                "--edition",
                "2024",
                "--warehouse",
                url,
            ]
        )
        == 1
    )
    assert "no published figure" in capsys.readouterr().out


# --- diff ---------------------------------------------------------------------------------------


def _edit_edition(source: Path, target: Path, edit_indicators, edit_manifest) -> Path:
    shutil.copytree(source, target)
    frame = pd.read_csv(target / "indicators.csv", dtype=str, keep_default_na=False)
    edit_indicators(frame).to_csv(target / "indicators.csv", index=False)
    manifest = json.loads((target / "manifest.json").read_text())
    edit_manifest(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def test_diff_classifies_known_changes(editions, tmp_path):
    out, _ = editions
    a = out / "2024"
    key = ["indicator_id", "definition", "period", "region_code", "sex", "breakdown"]

    def pick(frame, **where):
        mask = pd.Series(True, index=frame.index)
        for k, v in where.items():
            mask &= frame[k] == v
        assert mask.sum() == 1
        return mask

    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        base = {
            "indicator_id": "ho_first_years_stem_share",
            "sex": "T",
            "breakdown": "level=hbo",
            "region_level": "national",
        }
        # a new period
        new = frame[pick(frame, **base, definition="nl", period="2023")].copy()
        new["period"] = "2024"
        # suppression: value withheld
        frame.loc[pick(frame, **base, definition="nl", period="2020"), ["value", "flag"]] = ["", "suppressed"]
        # definition change: the ISCED numerator moves (the ISCED table changes below)
        m = pick(frame, **base, definition="isced", period="2021")
        frame.loc[m, "numerator"] = str(float(frame.loc[m, "numerator"].iloc[0]) + 10)
        frame.loc[m, "value"] = "99.0"
        # a source revision: the Dutch-definition denominator of 2022 moves
        m = pick(frame, **base, definition="nl", period="2022")
        frame.loc[m, "denominator"] = str(float(frame.loc[m, "denominator"].iloc[0]) + 100)
        frame.loc[m, "value"] = "1.0"
        # code change: only the value (rounding) moves
        m = pick(frame, **{**base, "breakdown": "level=wo"}, definition="nl", period="2022")
        frame.loc[m, "value"] = str(round(float(frame.loc[m, "value"].iloc[0]) + 0.01, 2))
        return pd.concat([frame, new], ignore_index=True)

    def edit_manifest(manifest):
        for table in manifest["reference_tables"]:
            if table["id"] == "stem.isced_ho_programmes":
                table["version"] = "2099.1"
        first_years = next(i for i in manifest["inputs"] if i["family"] == "duo_ho_first_years")
        first_years["sha256"] = "0" * 64
        manifest["code"]["version"] = "other"

    b = _edit_edition(a, tmp_path / "b", edit, edit_manifest)
    table = diff.changes(a, b)
    causes = {(r.definition, r.period, r.breakdown): r.cause for r in table.itertuples()}
    assert causes == {
        ("nl", "2024", "level=hbo"): "new period",
        ("nl", "2020", "level=hbo"): "suppression change",
        ("isced", "2021", "level=hbo"): "definition change",
        ("nl", "2022", "level=hbo"): "source revision",
        ("nl", "2022", "level=wo"): "code change",
    }
    assert diff.changes(a, a).empty
    summary = diff.summary(table)
    assert summary["figures"].sum() == 5
    assert set(summary["cause"]) == set(causes.values())
    assert list(table.columns[:6]) == key


def test_diff_between_two_sample_editions(editions, capsys):
    """2023 -> 2024: one year enters, one leaves, overlapping years are DUO revisions (new files)."""
    out, _ = editions
    table = diff.changes(out / "2023", out / "2024")
    a = pd.read_csv(out / "2023" / "indicators.csv", dtype=str)
    b = pd.read_csv(out / "2024" / "indicators.csv", dtype=str)
    # per indicator: the vo pupils file covers one year, the other families five
    pairs_a, pairs_b = set(zip(a.indicator_id, a.period)), set(zip(b.indicator_id, b.period))
    new_periods, gone = pairs_b - pairs_a, pairs_a - pairs_b
    # a period new to the edition is new for every indicator that has it; an indicator may also gain an
    # older period (e.g. a labour series whose source now reaches back a year)
    assert set(b.period) - set(a.period) <= {p for _, p in new_periods} and new_periods
    for cause, want in (("new period", new_periods), ("period dropped", gone)):
        assert set(zip(*(table.loc[table.cause == cause, c] for c in ("indicator_id", "period")))) == want
    assert len(table[table.cause == "new period"]) == sum(pair in new_periods for pair in zip(b.indicator_id, b.period))
    # each edition maps regions to its own boundary year, so regional figures may also move for that reason
    assert set(table.cause) <= {
        "new period",
        "period dropped",
        "source revision",
        "suppression change",
        "boundary change",
    }
    chapter = diff.chapter(out / "2023", out / "2024")
    assert (chapter["edition_a"], chapter["edition_b"]) == ("2023", "2024")
    capsys.readouterr()
    assert cli.main(["diff", "2023", "2024", "--out", str(out)]) == 0
    assert "new period" in capsys.readouterr().out
