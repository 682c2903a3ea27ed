"""DUO higher-education first-year files: real formats, real totals, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import sources
from pipeline.problems import SourceError

HO = "duo-ho-mbo-2019-tekkieworden"


def independent_totals(path: Path) -> dict[int, int]:
    """Sum the year columns with the csv module alone, as a check that does not use our parser."""
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[0]
    years = [i for i, h in enumerate(header) if h.isdigit()]
    totals = {int(header[i]): 0 for i in years}
    for row in rows[1:]:
        if len(row) == len(header):
            for i in years:
                totals[int(header[i])] += int(row[i])
    return totals


@pytest.mark.realdata
@pytest.mark.parametrize(
    "name,level,total_2019",
    [("hbo_inscriptions_2019.csv", "hbo", 113_422), ("wo_inscriptions_2019.csv", "wo", 109_833)],
)
def test_real_first_year_files_parse_with_their_published_totals(realdata, name, level, total_2019):
    path = realdata / HO / name
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("duo_ho_first_years", "2018-2022")
    delivery = fmt.parse(path)
    frame = delivery.frame
    assert set(frame["level"]) == {level}
    totals = frame.groupby("year")["count"].sum().to_dict()
    assert totals[2019] == total_2019
    assert totals == independent_totals(path)
    assert len(delivery.skipped_lines) > 0  # DUO's blank '""' lines are skipped, not errors
    assert not frame["masked"].any()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


HEADER = (
    "PROVINCIE;GEMEENTENUMMER;GEMEENTENAAM;SOORT INSTELLING;TYPE HOGER ONDERWIJS;BRIN NUMMER ACTUEEL;"
    "INSTELLINGSNAAM ACTUEEL;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;OPLEIDINGSNAAM ACTUEEL;"
    "OPLEIDINGSVORM;GESLACHT;2018;2019"
)
FIXED = (
    "Drenthe;0106;Assen;reguliere inst.;bachelor;25BE;Hanzehogeschool Groningen;techniek;n.v.t. (techniek);"
    "34267;B Elektrotechniek;voltijd onderwijs"
)
ROW_M = FIXED + ";man;25;31"
ROW_V = FIXED + ";vrouw;3;4"
NAME = "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-2019.csv"


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


def test_valid_minimal_file_with_trailing_blank_lines(tmp_path):
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M, ROW_V, '""', "", ""]) + "\n")
    frame = sources.parse(path).frame
    assert frame.groupby("year")["count"].sum().to_dict() == {2018: 28, 2019: 35}
    assert sorted(frame["source_line"].unique()) == [2, 3]


def test_latin1_file_is_read(tmp_path):
    row = ROW_M.replace("Elektrotechniek", "Elektrotechniek en Ëlectronica")
    path = write(tmp_path / NAME, "\n".join([HEADER, row, ROW_V]) + "\n", encoding="latin-1")
    delivery = sources.parse(path)
    assert delivery.encoding == "latin-1"
    assert "Ëlectronica" in delivery.frame["programme_name"].iloc[0]


def test_bom_is_ignored(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([HEADER, ROW_M, ROW_V]).encode())
    assert sources.parse(path).encoding == "utf-8-sig"


def test_non_numeric_count_names_file_row_and_column(tmp_path):
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M, ROW_V.replace(";3;4", ";3;vier")]) + "\n")
    [p] = problems_of(path)
    assert (Path(p.file).name, p.row, p.column) == (NAME, 3, "2019")
    assert "not a count" in p.problem


def test_negative_count_is_an_error(tmp_path):
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M.replace(";25;31", ";-25;31"), ROW_V]) + "\n")
    [p] = problems_of(path)
    assert (p.row, p.column) == (2, "2018") and "negative" in p.problem


def test_renamed_column_is_reported_as_missing(tmp_path):
    header = HEADER.replace("OPLEIDINGSVORM", "VORM")
    path = write(tmp_path / NAME, "\n".join([header, ROW_M, ROW_V]) + "\n")
    [p] = problems_of(path)
    assert (Path(p.file).name, p.row, p.column) == (NAME, 1, "OPLEIDINGSVORM")
    assert "missing or renamed" in p.problem


def test_missing_year_value_truncated_row(tmp_path):
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M, ROW_V.rsplit(";", 1)[0]]) + "\n")
    [p] = problems_of(path)
    assert p.row == 3 and "truncated" in p.problem


def test_empty_file_and_html_page(tmp_path):
    empty = tmp_path / NAME
    empty.write_bytes(b"")
    [p] = problems_of(empty)
    assert "empty" in p.problem
    html = tmp_path / "03b-eerstejaars-ingeschrevenen-wo-2019.csv"
    html.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    [p] = problems_of(html)
    assert "HTML" in p.problem and p.row == 1


def test_vocabulary_and_duplicate_keys(tmp_path):
    bad_sex = ROW_V.replace(";vrouw;", ";x;")
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M, bad_sex, ROW_M]) + "\n")
    found = problems_of(path)
    assert any(p.row == 3 and p.column == "sex" for p in found)
    assert any(p.row == 4 and "uniqueness" in p.problem for p in found)


def test_protected_generation_masks_small_counts(tmp_path):
    header = (
        HEADER.replace("BRIN NUMMER ACTUEEL", "INSTELLINGSCODE ACTUEEL")
        .replace("CROHO ONDERDEEL", "ONDERDEEL")
        .replace("CROHO SUBONDERDEEL", "SUBONDERDEEL")
    )
    path = write(
        tmp_path / NAME.replace("2019", "2023"), "\n".join([header, ROW_M, ROW_V.replace(";3;4", ";<5;<5")]) + "\n"
    )
    fmt = sources.detect(path)
    assert fmt.generation == "2023-"
    frame = fmt.parse(path).frame
    masked = frame[frame["masked"]]
    assert len(masked) == 2 and masked["count"].isna().all()


def test_mask_in_unprotected_generation_is_an_error(tmp_path):
    path = write(tmp_path / NAME, "\n".join([HEADER, ROW_M, ROW_V.replace(";3;4", ";<5;4")]) + "\n")
    [p] = problems_of(path)
    assert (p.row, p.column) == (3, "2018")


def test_sample_files_are_in_the_real_format(sample_dir, realdata):
    real_header = (realdata / HO / "hbo_inscriptions_2019.csv").read_text().splitlines()[0].split(";")
    sample = next((sample_dir / "2020").glob("03b-eerstejaars-*hbo*.csv"))
    assert sample.read_text().splitlines()[0].split(";")[:13] == real_header[:13]
    assert sources.detect(sample).generation == "2018-2022"
    protected = next((sample_dir / "2024").glob("03b-eerstejaars-*hbo*.csv"))
    assert sources.detect(protected).generation == "2023-"
    assert "<5" in protected.read_text()


def test_sample_is_deterministic_and_consistent_between_editions(sample_dir, tmp_path):
    from pipeline.sample.generate import generate

    again = generate(tmp_path / "again")
    for path in again:
        assert path.read_bytes() == (sample_dir / path.parent.name / path.name).read_bytes()
    older = sources.parse(next((sample_dir / "2021").glob("03b-eerstejaars-*-wo-*.csv"))).frame
    newer = sources.parse(next((sample_dir / "2022").glob("03b-eerstejaars-*-wo-*.csv"))).frame
    shared = sorted(set(older["year"]) & set(newer["year"]))
    assert len(shared) == 4
    a = older[older["year"].isin(shared)].groupby("year")["count"].sum()
    b = newer[newer["year"].isin(shared)].groupby("year")["count"].sum()
    pd.testing.assert_series_equal(a, b)
    total_2019 = a.loc[2019]
    assert 90_000 < total_2019 < 130_000  # realistic size (DUO 2019: 109,833)
