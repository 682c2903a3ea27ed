"""The vectorised reader of delivery files gives what the line loop gives: the same text frame,
physical line numbers, skipped blank/footer lines and encodings on the sample and on real DUO
files, and, on bad input, the same problems (file, line, column, message)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.problems import SourceError
from pipeline.sources import files
from pipeline.sources.duo_ho import FOOTER_PREFIXES
from pipeline.sources.files import read_text_table

HEADER = "PROVINCIE;GEMEENTENUMMER;BRIN NUMMER ACTUEEL;OPLEIDINGSCODE ACTUEEL;GESLACHT;2022;2023"


def _rows(n: int) -> list[str]:
    return [f"Utrecht;0344;S{i % 10}WO;{50000 + i};{'man' if i % 2 else 'vrouw'};{i % 97};{i % 89}" for i in range(n)]


def _read(path: Path, fast: bool):
    try:
        return read_text_table(path, footer_prefixes=FOOTER_PREFIXES, fast=fast)
    except SourceError as error:
        return error.problems


def assert_same(path: Path) -> files.TextTable:
    """Both paths give equal tables (or equal problems); returns the table of the line loop."""
    loop, fast = _read(path, False), _read(path, True)
    if isinstance(loop, list):
        assert fast == loop
        return loop
    pd.testing.assert_frame_equal(fast.frame, loop.frame, check_exact=True)
    assert (fast.header, fast.skipped_lines, fast.encoding) == (loop.header, loop.skipped_lines, loop.encoding)
    return loop


def takes_fast_path(path: Path) -> bool:
    """Whether the vectorised path reads the file itself (rather than leaving it to the loop)."""
    data = path.read_bytes()
    text, _ = files.decode(path, data)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip())
    header = files.split_header(lines[first], ";")
    return files._read_fast(lines, first, header, ";", FOOTER_PREFIXES) is not None


def test_sample_files_read_the_same(sample_dir):
    paths = sorted(p for edition in ("2019", "2024") for p in (sample_dir / edition).rglob("*.csv"))
    assert len(paths) >= 20
    for path in paths:
        table = assert_same(path)
        assert takes_fast_path(path), path.name  # regular files: the comparison is not loop against loop
        assert table.frame[files.SOURCE_LINE].tolist() == list(range(2, len(table.frame) + 2))
    encodings = {assert_same(p).encoding for p in paths}
    assert {"utf-8", "latin-1"} <= encodings  # DUO's vo files of 2019 (pupils, register, 2014-2019 exams) are latin-1


def test_real_duo_files_read_the_same(realdata):
    # the deliveries the DUO parsers read: hbo/wo/mbo 2019, vo exams 2019-2024, and DUO's vo files of 2019
    # (pupils per location, exams 2014-2019, havo/vwo subjects, the register of locations; latin-1)
    vo_2019 = sorted(realdata.glob("duo-vo-leerlingen-examencijfers-2019/*.csv"))
    paths = sorted(realdata.glob("duo-ho-mbo-*/*.csv")) + sorted(realdata.glob("duo-vo-examens-*/*.csv")) + vo_2019
    assert len(vo_2019) == 5 and len(paths) >= 11
    latin = {p.name for p in vo_2019 if assert_same(p).encoding == "latin-1"}  # the extracts of the others are ASCII
    assert latin == {"alle-vestigingen-vo.csv", "leerlingen-vo-per-vestiging-naar-onderwijstype-2019.first3000.csv"}
    register = files.read_text_table(vo_2019[0]).frame
    assert register.loc[register["VESTIGINGSNUMMER"] == "19EO00", "VESTIGINGSNAAM"].tolist() == [
        'VMBO "De Jutter" Vlieland'
    ]
    for path in paths:
        table = assert_same(path)
        # the register quotes one name with inner quotes ("VMBO ""De Jutter"" Vlieland"): the loop reads it
        assert takes_fast_path(path) == (path.name != "alle-vestigingen-vo.csv"), path.name
        # physical lines: every line after the header is a row or a skipped line, once
        numbers = table.frame[files.SOURCE_LINE].tolist() + table.skipped_lines
        assert sorted(numbers) == list(range(2, len(path.read_bytes().decode("utf-8", "replace").splitlines()) + 1))


def test_blank_and_footer_lines_are_skipped_with_their_numbers(tmp_path):
    rows = _rows(30)
    lines = [
        HEADER,
        *rows[:10],
        "",
        ";;;;;;",
        *rows[10:20],
        '"";""',
        *rows[20:],
        "",
        "Bron: DUO",
        '"Peildatum: 1 oktober"',
        "   ",
    ]
    path = tmp_path / "gaps.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    table = assert_same(path)
    assert takes_fast_path(path)
    assert table.skipped_lines == [12, 13, 24, 35, 36, 37, 38]
    assert table.frame[files.SOURCE_LINE].tolist() == [*range(2, 12), *range(14, 24), *range(25, 35)]
    assert table.frame["OPLEIDINGSCODE ACTUEEL"].tolist() == [str(50000 + i) for i in range(30)]


def test_rows_without_letters_or_digits_are_kept(tmp_path):
    path = tmp_path / "dashes.csv"
    path.write_text("\n".join([HEADER, *_rows(3), "-;-;-;-;-;-;-", *_rows(2)]) + "\n", encoding="utf-8")
    table = assert_same(path)
    assert takes_fast_path(path)
    assert table.frame.iloc[3, 0] == "-" and table.skipped_lines == []


@pytest.mark.parametrize(
    "encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "latin-1"), ("latin-1", "latin-1")]
)
def test_encodings(tmp_path, encoding, expected):
    rows = [r.replace("Utrecht", "Fryslân") if i % 3 else r for i, r in enumerate(_rows(20))]
    if encoding == "cp1252":
        rows[4] = rows[4].replace("Utrecht", "Caf\u00e9 \u2013 \u20ac")  # en dash and euro exist only in cp1252
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    table = assert_same(path)
    assert takes_fast_path(path)
    assert table.encoding == expected
    assert table.frame["PROVINCIE"].tolist() == [r.split(";")[0] for r in rows]


def test_every_field_quoted_takes_the_fast_path(tmp_path):
    quoted = ['"' + '";"'.join(r.split(";")) + '"' for r in [HEADER, *_rows(10)]]
    quoted[3] = quoted[3].replace('"Utrecht"', '""')  # an empty quoted field
    path = tmp_path / "quoted.csv"
    path.write_text("\r\n".join(quoted) + "\r\n", encoding="utf-8")
    table = assert_same(path)
    assert takes_fast_path(path)
    assert table.frame["PROVINCIE"].tolist()[:3] == ["Utrecht", "Utrecht", ""]


@pytest.mark.parametrize(
    "line",
    [
        'Utrecht;0344;S1WO;"500;01";man;1;2',
        'Utrecht;0344;S1WO;"50001";man;1;2',
        'Utr"echt;0344;S1WO;50001;man;1;2',
        "Utrecht;0344;S1WO;50001;man;1;2\x00",
    ],
)
def test_other_quoting_is_left_to_the_loop(tmp_path, line):
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join([HEADER, *_rows(200), line, *_rows(5)]) + "\n", encoding="utf-8")  # NUL after 4 kB
    assert not takes_fast_path(path)
    table = assert_same(path)
    assert table.frame[files.SOURCE_LINE].tolist() == list(range(2, 208))


def test_line_breaks_lone_carriage_return(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(("\r".join([HEADER, *_rows(4)]) + "\r").encode())
    table = assert_same(path)
    assert table.frame[files.SOURCE_LINE].tolist() == [2, 3, 4, 5]


@pytest.mark.parametrize(
    "keep,line,column,message",
    [
        (6, 6, "2022", "truncated row: 6 fields, header has 7"),
        (8, 9, "2023", "row with extra fields: 8 fields, header has 7"),
        (4, 2900, "OPLEIDINGSCODE ACTUEEL", "truncated row: 4 fields, header has 7"),
    ],
)
def test_bad_rows_name_the_same_line_and_column(tmp_path, keep, line, column, message):
    rows = _rows(3000)
    fields = rows[line - 2].split(";") + ["9"]
    rows[line - 2] = ";".join(fields[:keep])
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert not takes_fast_path(path)
    problems = assert_same(path)
    assert [(p.file, p.row, p.column, p.problem) for p in problems] == [(str(path), line, column, message)]
    with pytest.raises(SourceError):
        read_text_table(path)  # the default (vectorised for a file this size) stops as well


def test_several_bad_rows_all_reported_in_line_order(tmp_path):
    rows = _rows(2500)
    rows[100] = rows[100].rsplit(";", 1)[0]
    rows[2000] = rows[2000] + ";x;y"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    problems = assert_same(path)
    assert [(p.row, p.column) for p in problems] == [(102, "2022"), (2002, "2023")]


@pytest.mark.parametrize(
    "content,row,message",
    [
        (b"", None, "file is empty"),
        (b"  \r\n\r\n", None, "file is empty"),
        (HEADER.encode() + b"\r\n\r\n", 1, "file has a header but no data rows"),
        (
            HEADER.replace(";", ",").encode() + b"\n1,2,3,4,5,6,7\n",
            1,
            "header has no ';' delimiter (found ',': wrong delimiter?)",
        ),
    ],
)
def test_empty_files_and_wrong_delimiter(tmp_path, content, row, message):
    path = tmp_path / "odd.csv"
    path.write_bytes(content)
    problems = assert_same(path)
    assert [(p.row, p.problem) for p in problems] == [(row, message)]
