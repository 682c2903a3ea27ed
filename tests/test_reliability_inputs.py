"""Bad input refused early and by name, never a traceback or a silent wrong edition (issue 16): counts
read one way (`2.000` is never 2), absurd counts and oversize fields named by file/row/column, a year no
edition reports, missing and duplicated deliveries, an unwritable output folder, an unreachable
warehouse (its password masked). Real DUO files from ../shared/realdata where the format matters."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline import cli, preflight, sources
from pipeline.problems import SourceError

MBO = "duo-ho-mbo-2019-tekkieworden/mbo_inscriptions_2019.csv"
HBO = "duo-ho-mbo-2019-tekkieworden/hbo_inscriptions_2019.csv"


def edited(realdata: Path, relative: str, tmp: Path, line: int, column: str, value: str) -> Path:
    """A copy of a real delivery (its first 60 lines) with one cell replaced."""
    source = realdata / relative
    raw = source.read_bytes().decode("latin-1")
    lines = raw.splitlines()[:60]
    header = lines[0].split(";")
    fields = lines[line - 1].split(";")
    fields[header.index(column)] = value
    lines[line - 1] = ";".join(fields)
    target = tmp / source.name
    target.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return target


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


@pytest.mark.parametrize("value", ["2.000", "1.234", "12.345.678", "2.0"])
def test_a_count_with_a_separator_is_refused_with_its_cell_never_read_as_a_small_number(realdata, tmp_path, value):
    path = edited(realdata, MBO, tmp_path, 3, "TOTAAL2019", value)
    found = problems_of(path)
    assert [(Path(p.file).name, p.row, p.column) for p in found] == [(path.name, 3, "TOTAAL2019")]
    assert repr(value) in found[0].problem
    if "." in value and len(value.split(".")[-1]) == 3:
        assert "thousands separator" in found[0].problem


def test_the_unedited_rows_are_read_as_the_file_says(realdata, tmp_path):
    """The control: the same 60 real lines without an edit parse, and each count is the file's."""
    path = edited(realdata, MBO, tmp_path, 3, "TOTAAL2019", "17")  # the file's own value
    frame = sources.parse(path).frame
    row = frame[(frame["source_line"] == 3) & (frame["year"] == 2019)].set_index("sex")["count"]
    assert (int(row["man"]), int(row["vrouw"])) == (17, 0)


@pytest.mark.parametrize(
    "value,words",
    [("99999999999999999999", "count too large"), ("1e5", "not a count"), ("-3", "negative count")],
)
def test_absurd_counts_give_file_row_column_not_a_traceback(realdata, tmp_path, value, words):
    path = edited(realdata, HBO, tmp_path, 4, "2019", value)
    found = problems_of(path)
    assert [(Path(p.file).name, p.row, p.column) for p in found] == [(path.name, 4, "2019")]
    assert words in found[0].problem


@pytest.mark.parametrize("size", [5_000, 10_000_000])
def test_an_oversize_field_is_named_by_file_row_and_column(realdata, tmp_path, size):
    path = edited(realdata, HBO, tmp_path, 7, "OPLEIDINGSNAAM ACTUEEL", "x" * size)
    found = problems_of(path)
    assert [(p.row, p.column) for p in found] == [(7, "OPLEIDINGSNAAM ACTUEEL")]
    assert f"field of {size} characters" in found[0].problem


def test_a_year_no_edition_reports_is_named_by_file_row_and_column(realdata, tmp_path):
    source = (realdata / HBO).read_text(encoding="latin-1").splitlines()
    source[0] = source[0].replace(";2019", ";2039")
    (tmp_path / "hbo_inscriptions_2039.csv").write_text("\n".join(source[:20]) + "\n", encoding="latin-1")
    with pytest.raises(SystemExit) as caught:
        cli.infer_flat_edition(tmp_path)
    message = str(caught.value)
    assert "hbo_inscriptions_2039.csv: row 1, column '2039'" in message and "no edition" in message


# --- expected deliveries, duplicates ---------------------------------------------------------------


@pytest.fixture
def landing(sample_dir, tmp_path) -> Path:
    folder = tmp_path / "landing" / "2024"
    shutil.copytree(sample_dir / "2024", folder)
    return folder


def test_the_sample_edition_has_every_expected_delivery_once(landing):
    assert preflight.landing_problems(sources.delivery_files(landing), "2024") == []


def test_a_missing_delivery_is_refused_by_name_and_pattern_before_any_stage(landing, capsys):
    victim = next(landing.glob("03b-eerstejaars-*hbo*.csv"))
    victim.unlink()
    problems = preflight.landing_problems(sources.delivery_files(landing), "2024")
    assert len(problems) == 1
    assert "missing delivery duo_ho_first_years_hbo (family duo_ho_first_years" in problems[0]
    assert "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-<year>.csv" in problems[0]
    # the build stops at the pre-flight check: no Dagster run, exit 1, the delivery named
    home = landing.parent.parent / "home"
    code = cli.main(
        ["build", "--sources", str(landing.parent), "--edition", "2024", "--out", str(home / "out")]
        + ["--warehouse", f"sqlite:///{home / 'w.sqlite'}"]
    )
    assert code == 1
    assert "duo_ho_first_years_hbo" in capsys.readouterr().err
    assert not (home / "dagster").exists()
    # allowed explicitly: no problem, and the gap is what the manifest states
    allowed = ("duo_ho_first_years",)
    assert preflight.landing_problems(sources.delivery_files(landing), "2024", allowed) == []
    assert preflight.gaps(sources.delivery_files(landing), "2024", allowed) == [
        {
            "delivery": "duo_ho_first_years_hbo",
            "family": "duo_ho_first_years",
            "expected_name": "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-<year>.csv",
        }
    ]
    assert "not a source family" in preflight.landing_problems([], "2024", ("duo_typo",))[0]


def test_a_file_repeated_under_a_second_name_is_one_message(landing, capsys):
    original = next(landing.glob("08-deelnemers-*.csv"))
    shutil.copyfile(original, landing / "kopie-van-deelnemers.csv")
    problems = preflight.landing_problems(sources.delivery_files(landing), "2024")
    assert problems == [
        f"file kopie-van-deelnemers.csv repeats file {original.name} (same content, sha256 "
        f"{preflight.sha256_file(original)[:12]})"
    ]
    # techpact validate runs the same check on the landing folder
    assert cli.main(["validate", str(landing.parent)]) == 1
    assert "repeats file" in capsys.readouterr().out


def test_one_family_and_period_twice_is_refused(landing):
    original = next(landing.glob("03b-eerstejaars-*hbo*.csv"))
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    (landing / "03b-eerstejaars-hbo-herzien.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    problems = preflight.landing_problems(sources.delivery_files(landing), "2024")
    assert len(problems) == 1 and "one family and period twice" in problems[0]
    assert original.name in problems[0] and "03b-eerstejaars-hbo-herzien.csv" in problems[0]


# --- output folder, warehouse ----------------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_output_folder_is_refused_first(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        assert "cannot be written" in preflight.output_problems(out)[0]
    finally:
        out.chmod(0o755)


def test_an_output_folder_that_is_a_file_is_refused_first(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    assert "cannot be written" in preflight.output_problems(tmp_path / "out")[0]


def test_an_unreachable_warehouse_is_refused_first_with_its_password_masked(landing, capsys):
    url = "postgresql+psycopg://techpact:pw-unreachable-81@127.0.0.1:9/monitor"
    problems = preflight.warehouse_problems(url)
    assert len(problems) == 1 and "is not reachable" in problems[0]
    assert "pw-unreachable-81" not in problems[0] and "techpact:***@127.0.0.1:9" in problems[0]
    home = landing.parent.parent / "home"
    code = cli.main(
        ["build", "--sources", str(landing.parent), "--edition", "2024", "--out", str(home / "out")]
        + ["--warehouse", url]
    )
    printed = capsys.readouterr()
    assert code == 1 and "is not reachable" in printed.err
    assert "pw-unreachable-81" not in printed.out + printed.err


def test_a_file_the_build_does_not_read_is_listed_by_the_landing_check(sample_dir, tmp_path):
    """The landing folder holds more than deliveries (a provenance note, an old-format workbook, a
    subfolder): the `every_file_recognised` check of `landing_inventory` names each one as a warning
    instead of passing over it; on the sample's own folder it passes."""
    import dagster as dg

    from assets.raw import landing_inventory
    from pipeline.dagster_support import BuildOptions, LandingArea

    def check_of(root: Path) -> dg.AssetCheckResult:
        results = landing_inventory(
            dg.build_asset_context(partition_key="2024"), landing=LandingArea(root=str(root)), options=BuildOptions()
        )
        [check] = [r for r in results if isinstance(r, dg.AssetCheckResult)]
        return check

    assert check_of(sample_dir).passed
    landing = tmp_path / "landing"
    shutil.copytree(sample_dir / "2024", landing / "2024")
    (landing / "2024" / "PROVENANCE.md").write_text("where the files came from\n", encoding="utf-8")
    (landing / "2024" / "leerlingen-vo-2023.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (landing / "2024" / "older").mkdir()
    check = check_of(landing)
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["not read"].value == "PROVENANCE.md, leerlingen-vo-2023.xls, older/"
