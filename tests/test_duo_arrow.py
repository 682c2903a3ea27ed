"""The Arrow-native path of the hbo/wo parsers (pipeline.sources.duo_arrow) gives exactly the frame of
the usual path (text reader, duo_common, Pandera) on every format generation, and on broken or
irregular files either the same frame or the same problems (file, row, column, problem): it may
only answer "passes"."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from pipeline import sources
from pipeline.problems import SourceError
from pipeline.sources import duo_arrow, duo_ho
from pipeline.sources.files import decode
from schemas import fast
from schemas.raw import RawHoEnrolment

FIXED_2018 = (
    "PROVINCIE;GEMEENTENUMMER;GEMEENTENAAM;SOORT INSTELLING;TYPE HOGER ONDERWIJS;BRIN NUMMER ACTUEEL;"
    "INSTELLINGSNAAM ACTUEEL;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;OPLEIDINGSNAAM ACTUEEL;"
    "OPLEIDINGSVORM"
)
FIXED_2023 = (
    FIXED_2018.replace("BRIN NUMMER ACTUEEL", "INSTELLINGSCODE ACTUEEL")
    .replace("CROHO ONDERDEEL", "ONDERDEEL")
    .replace("CROHO SUBONDERDEEL", "SUBONDERDEEL")
)
PLACE = "Drenthe;0106;Assen;reguliere inst."
PROG = "25BE;Hanzehogeschool Groningen;techniek;n.v.t. (techniek);34267;B Elektrotechniek;voltijd onderwijs"
PROG2 = "25BE;Hanzehogeschool Groningen;techniek;n.v.t. (techniek);34268;B Werktuigbouwkunde;voltijd onderwijs"
HEADER_2023 = FIXED_2023 + ";GESLACHT;2021;2022;2023"
ROWS_2023 = [
    f"{PLACE};bachelor;{PROG};man;120;<5;130",
    f"{PLACE};bachelor;{PROG};vrouw;20;25;<5",
    f"{PLACE};bachelor;{PROG2};man;7;0;3",
    f"{PLACE};master;{PROG2};vrouw;1;2;3",
]
FIRST_YEARS = "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-2023.csv"


def write(path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\r\n", end: str = "\r\n") -> Path:
    path.write_bytes((newline.join(lines) + end).encode(encoding))
    return path


def outcome(path: Path, *, arrow: bool, monkeypatch) -> tuple:
    """(family, generation, encoding, skipped lines, frame) of a parse, or the problems it raised."""
    monkeypatch.setattr(duo_arrow, "ENABLED", arrow)
    try:
        delivery = sources.parse(path)
    except SourceError as error:
        return ("problems", [str(p) for p in error.problems])
    return (delivery.family, delivery.generation, delivery.encoding, tuple(delivery.skipped_lines), delivery.frame)


def assert_same(path: Path, monkeypatch) -> tuple:
    usual, arrow = (
        outcome(path, arrow=False, monkeypatch=monkeypatch),
        outcome(path, arrow=True, monkeypatch=monkeypatch),
    )
    assert usual[:-1] == arrow[:-1]
    if usual[0] == "problems":
        assert usual == arrow
    else:
        assert list(usual[-1].dtypes.astype(str)) == list(arrow[-1].dtypes.astype(str))
        pd.testing.assert_frame_equal(usual[-1], arrow[-1], check_exact=True)
        assert parquet(usual[-1]) == parquet(arrow[-1])  # stored alike (the Arrow path's text columns come in pieces)
    return arrow


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def arrow_answers(path: Path, monkeypatch) -> bool:
    """Whether the Arrow path parsed the file (the usual reader is not reached)."""

    def refuse(*args, **kwargs):
        raise AssertionError("usual path")

    monkeypatch.setattr(duo_ho, "read_text_table", refuse)
    monkeypatch.setattr(duo_arrow, "ENABLED", True)
    try:
        sources.parse(path)
    except AssertionError:
        return False
    finally:
        monkeypatch.undo()
    return True


@pytest.mark.parametrize("generation", ["-2017", "2018-2022", "2023-"])
@pytest.mark.parametrize("kind", ["first_years", "enrolments", "diplomas"])
def test_every_generation_parses_to_the_usual_frame(tmp_path, monkeypatch, generation, kind):
    names = {
        "first_years": "03b-eerstejaars-ingeschrevenen-wo-2017.csv",
        "enrolments": "01-ingeschrevenen-wo-2017.csv",
        "diplomas": "05-gediplomeerden-wo-2017.csv",
    }
    columns = list(duo_ho._layout(generation, kind == "diplomas"))
    years = ["2016 MAN", "2016 VROUW", "2017 MAN", "2017 VROUW"] if generation == "-2017" else ["2016", "2017"]
    header = columns + years
    rows = []
    for number, (code, sex) in enumerate([("34267", "man"), ("34268", "vrouw"), ("34269", "man")]):
        values = {
            "PROVINCIE": "Drenthe",
            "GEMEENTENUMMER": "0106",
            "GEMEENTENAAM": "Assen",
            "SOORT INSTELLING": "reguliere inst.",
            "TYPE HOGER ONDERWIJS": "bachelor",
            "BRIN NUMMER ACTUEEL": "21PC",
            "INSTELLINGSCODE ACTUEEL": "21PC",
            "INSTELLINGSNAAM ACTUEEL": "Rijksuniversiteit Groningen é",
            "CROHO ONDERDEEL": "techniek",
            "ONDERDEEL": "techniek",
            "CROHO SUBONDERDEEL": "n.v.t. (techniek)",
            "SUBONDERDEEL": "n.v.t. (techniek)",
            "OPLEIDINGSCODE ACTUEEL": code,
            "OPLEIDINGSNAAM ACTUEEL": "B Fysica",
            "OPLEIDINGSVORM": "voltijd onderwijs",
            "OPLEIDINGSFASE ACTUEEL": f"fase {number}",
            "SOORT DIPLOMA": "wo bachelor",
            "GESLACHT": sex,
        }
        counts = [str(number + j) if generation != "2023-" or j else "<5" for j in range(len(years))]
        rows.append(";".join([values[c] for c in columns] + counts))
    if generation != "-2017":
        assert "GESLACHT" in columns
    footer = ["", "Bron: DUO", "Peildatum: 1 oktober"] if generation == "-2017" else [""]
    path = write(
        tmp_path / names[kind],
        [";".join(header)] + rows + footer,
        encoding="latin-1" if generation == "-2017" else "utf-8",
    )
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == (duo_ho.FAMILIES[kind], generation)
    result = assert_same(path, monkeypatch)
    assert result[0] == duo_ho.FAMILIES[kind] and len(result[-1]) == 3 * len(years)
    assert arrow_answers(path, monkeypatch)  # footers and blank lines included


def test_regular_file_takes_the_arrow_path_with_masked_counts(tmp_path, monkeypatch):
    path = write(tmp_path / FIRST_YEARS, [HEADER_2023] + ROWS_2023 + [""])
    assert arrow_answers(path, monkeypatch)
    frame = assert_same(path, monkeypatch)[-1]
    masked = frame[frame["masked"]]
    assert len(masked) == 2 and masked["count"].isna().all()
    assert frame["count"].sum() == 120 + 130 + 20 + 25 + 7 + 3 + 1 + 2 + 3


@pytest.mark.parametrize(
    "case",
    [
        "blank line inside",
        "quoted blank line",
        "delimiters-only line",
        "blank lines at the end",
        "no newline at the end",
        "LF",
        "BOM",
        "every field quoted",
        "some fields quoted",
        "spaces around values",
        "count with spaces",
        "plus sign",
        "decimal count",
        "negative count",
        "empty count",
        "masked with spaces",
        "masked in 2018 layout",
        "unknown municipality",
        "not a municipality number",
        "bad programme code",
        "bad study form",
        "duplicate row",
        "duplicate row once trimmed",
        "padded key values",
        "truncated row",
        "extra field",
        "form feed in a value",
        "line separator in a value",
        "next line in a value",
        "header only",
        "blank first line",
        "unicode digits",
        "sixteen digits",
        "NUL byte",
        "latin-1",
    ],
)
def test_irregular_and_broken_files_give_the_usual_frame_or_problems(tmp_path, monkeypatch, case):
    header, rows, newline, end, encoding = HEADER_2023, list(ROWS_2023), "\r\n", "\r\n", "utf-8"
    name = FIRST_YEARS
    if case == "blank line inside":
        rows.insert(2, "")
    elif case == "quoted blank line":
        rows.insert(1, '""')
    elif case == "delimiters-only line":
        rows.insert(3, ";" * 15)
    elif case == "blank lines at the end":
        rows += ["", ";;;", '""', " "]
    elif case == "no newline at the end":
        end = ""
    elif case == "LF":
        newline = end = "\n"
    elif case == "BOM":
        header = "\ufeff" + header
    elif case == "every field quoted":
        header = ";".join(f'"{v}"' for v in header.split(";"))
        rows = [";".join(f'"{v}"' for v in row.split(";")) for row in rows]
    elif case == "some fields quoted":
        rows[1] = rows[1].replace("Assen", '"Assen"')
    elif case == "spaces around values":
        rows[0] = rows[0].replace("Assen", "  Assen ").replace("34267", " 34267")
    elif case == "count with spaces":
        rows[2] = rows[2].replace(";7;", "; 7 ;")
    elif case == "plus sign":
        rows[2] = rows[2].replace(";7;", ";+7;")
    elif case == "decimal count":
        rows[2] = rows[2].replace(";7;", ";7.0;")
    elif case == "negative count":
        rows[2] = rows[2].replace(";7;", ";-7;")
    elif case == "empty count":
        rows[2] = rows[2].replace(";7;", ";;")
    elif case == "masked with spaces":
        rows[0] = rows[0].replace("<5", " <5 ")
    elif case == "masked in 2018 layout":
        header = FIXED_2018 + ";GESLACHT;2021;2022;2023"
    elif case == "unknown municipality":
        rows[1] = rows[1].replace("0106", "0001")
    elif case == "not a municipality number":
        rows[1] = rows[1].replace("0106", "106")
    elif case == "bad programme code":
        rows[1] = rows[1].replace("34267", "3426X")
    elif case == "bad study form":
        rows[3] = rows[3].replace("voltijd onderwijs", "avond onderwijs")
    elif case == "duplicate row":
        rows.append(rows[0])
    elif case == "duplicate row once trimmed":  # the key's text differs only by padding: a duplicate
        rows.append(rows[0].replace("34267", " 34267 ").replace("25BE", "25BE "))
    elif case == "padded key values":  # padded and plain spellings of the key's values, no duplicate
        rows[1] = rows[1].replace("34267", "34267 ").replace("vrouw", " vrouw")
        rows[3] = rows[3].replace("25BE", " 25BE")
    elif case == "truncated row":
        rows[2] = rows[2].rsplit(";", 2)[0]
    elif case == "extra field":
        rows[2] += ";9"
    elif case == "form feed in a value":
        rows[1] = rows[1].replace("Assen", "As\x0csen")
    elif case == "line separator in a value":
        rows[1] = rows[1].replace("Assen", "As\u2028sen")
    elif case == "next line in a value":
        rows[1] = rows[1].replace("Assen", "As\x85sen")
    elif case == "header only":
        rows = []
    elif case == "blank first line":
        header = "\r\n" + header
    elif case == "unicode digits":
        rows[2] = rows[2].replace(";7;", ";\u0667;")
    elif case == "sixteen digits":
        rows[2] = rows[2].replace(";7;", ";0000000000000007;")
    elif case == "NUL byte":
        rows[1] = rows[1].replace("Assen", "As\x00sen")
    elif case == "latin-1":
        rows[1] = rows[1].replace("Assen", "Assén")
        encoding = "latin-1"
    path = write(tmp_path / name, [header] + rows, newline=newline, end=end, encoding=encoding)
    if case == "NUL byte":  # a binary file: refused, with its name, before any parser runs
        with pytest.raises(SourceError, match=re.escape(name)):
            sources.detect(path)
        return
    assert_same(path, monkeypatch)


def test_text_that_is_not_utf8_throughout_gives_the_usual_frame(tmp_path, monkeypatch):
    """Arrow's reader is given text already known to be UTF-8 (it does not check it again): a file
    that mixes UTF-8 with a latin-1 byte, in a row or in a footer, is decoded as the usual path does."""
    lines = [HEADER_2023.encode()] + [r.encode() for r in ROWS_2023]
    mixed = list(lines)
    mixed[1] = ROWS_2023[0].replace("Assen", "Assén").encode("utf-8")
    mixed[2] = ROWS_2023[1].replace("Assen", "Assén").encode("latin-1")
    footer = lines + ["Bron: DUO \u00a9".encode("latin-1")]
    for number, content in enumerate([mixed, footer]):
        path = tmp_path / f"{number}-{FIRST_YEARS}"
        path.write_bytes(b"\r\n".join(content) + b"\r\n")
        assert_same(path, monkeypatch)


def test_regular_irregularities_still_take_the_arrow_path(tmp_path, monkeypatch):
    """Blank lines (DUO's files have `""` lines and end with blank lines), LF, BOM, latin-1 and
    uniform quoting are read by Arrow, not only handed to the usual path."""
    quoted = [";".join(f'"{v}"' for v in line.split(";")) for line in [HEADER_2023] + ROWS_2023]
    for lines, encoding in [
        ([HEADER_2023] + ROWS_2023[:2] + ['""', ""] + ROWS_2023[2:] + ["", ";;"], "utf-8"),
        (["\ufeff" + HEADER_2023] + ROWS_2023, "utf-8"),
        ([HEADER_2023] + [r.replace("Assen", "Assén") for r in ROWS_2023], "latin-1"),
        (quoted, "utf-8"),
    ]:
        path = write(tmp_path / FIRST_YEARS, lines, encoding=encoding)
        assert arrow_answers(path, monkeypatch)
        assert_same(path, monkeypatch)


def test_sample_and_real_first_year_files_give_the_usual_frame(tmp_path, monkeypatch, realdata):
    from pipeline.sample.generate import generate

    generate(tmp_path / "sample", sample_editions=(2019, 2024))
    files = sorted((tmp_path / "sample").glob("*/0[35]*.csv")) + sorted(
        (realdata / "duo-ho-mbo-2019-tekkieworden").glob("*o_*.csv")
    )
    assert len(files) >= 8
    for path in files:
        assert arrow_answers(path, monkeypatch), path
        assert_same(path, monkeypatch)


def test_values_precheck_refuses_what_the_model_refuses():
    schema = RawHoEnrolment.to_schema()
    n = 2
    good = {name: ("str", pa.array(["x"] * n, type=pa.large_string())) for name in schema.columns}
    good.update(
        {
            "level": ("str", pa.array(["hbo"], type=pa.large_string())),
            "municipality_number": ("str", pa.array(["0106", "0014"], type=pa.large_string())),
            "institution_type": ("str", pa.array(["reguliere inst."], type=pa.large_string())),
            "institution_code": ("str", pa.array(["21PC"], type=pa.large_string())),
            "programme_code": ("str", pa.array(["34267"], type=pa.large_string())),
            "study_form": ("str", pa.array(["voltijd onderwijs"], type=pa.large_string())),
            "programme_type": ("str", pa.array(["bachelor"], type=pa.large_string())),
            "sex": ("str", pa.array(["man", "vrouw"], type=pa.large_string())),
            "year": ("int64", pa.array([2020, 2021])),
            "count": (pd.Int64Dtype(), pa.array([0, None, 5])),
            "masked": ("bool", pa.array([False, True])),
            "source_line": ("int64", pa.array([2, 3])),
        }
    )
    assert fast.passes_values(RawHoEnrolment, good, lambda keys: True)
    assert not fast.passes_values(RawHoEnrolment, good, lambda keys: False)  # a duplicate key
    for name, bad in [
        ("municipality_number", "106"),
        ("municipality_number", "\u0661\u0660\u0666\u0660"),
        ("institution_code", "21pc"),
        ("programme_code", "3426"),
        ("study_form", "avond"),
        ("sex", "m"),
        ("level", "mbo"),
    ]:
        broken = dict(good, **{name: ("str", pa.array([bad], type=pa.large_string()))})
        assert not fast.passes_values(RawHoEnrolment, broken, lambda keys: True), (name, bad)
    for name, values in [("year", pa.array([1989])), ("count", pa.array([-1])), ("source_line", pa.array([1]))]:
        assert not fast.passes_values(RawHoEnrolment, dict(good, **{name: (good[name][0], values)}), lambda keys: True)
    assert not fast.passes_values(
        RawHoEnrolment, dict(good, province=("str", pa.array([None], type=pa.large_string()))), lambda keys: True
    )  # null in a non-nullable column
    assert not fast.passes_values(RawHoEnrolment, dict(good, year=("float64", pa.array([2020.0]))), lambda keys: True)
    assert not fast.passes_values(RawHoEnrolment, {k: v for k, v in good.items() if k != "sex"}, lambda keys: True)
    assert not fast.passes_values(RawHoEnrolment, dict(good, extra=("str", pa.array(["x"]))), lambda keys: True)


def test_a_value_that_passed_one_column_does_not_pass_another():
    """The pre-check remembers texts that passed per column: a text that passed the checks of one
    column is still checked in another."""
    schema = RawHoEnrolment.to_schema()
    columns = {name: ("str", pa.array(["x"], type=pa.large_string())) for name in schema.columns}
    columns.update(
        {
            "level": ("str", pa.array(["hbo"], type=pa.large_string())),
            "municipality_number": ("str", pa.array(["0106"], type=pa.large_string())),
            "institution_type": ("str", pa.array(["reguliere inst."], type=pa.large_string())),
            "institution_code": ("str", pa.array(["21PC"], type=pa.large_string())),
            "programme_code": ("str", pa.array(["34267"], type=pa.large_string())),
            "study_form": ("str", pa.array(["voltijd onderwijs"], type=pa.large_string())),
            "programme_type": ("str", pa.array(["bachelor"], type=pa.large_string())),
            "sex": ("str", pa.array(["man"], type=pa.large_string())),
            "year": ("int64", pa.array([2020])),
            "count": (pd.Int64Dtype(), pa.array([1])),
            "masked": ("bool", pa.array([False])),
            "source_line": ("int64", pa.array([2])),
        }
    )
    assert fast.passes_values(RawHoEnrolment, columns, lambda keys: True)
    assert fast.passes_values(RawHoEnrolment, columns, lambda keys: True)  # now from memory
    swapped = dict(
        columns,
        programme_code=("str", pa.array(["0106"], type=pa.large_string())),
        municipality_number=("str", pa.array(["34267"], type=pa.large_string())),
    )
    assert not fast.passes_values(RawHoEnrolment, swapped, lambda keys: True)
    assert not fast.passes_values(
        RawHoEnrolment, dict(columns, sex=("str", pa.array(["man", "m"], type=pa.large_string()))), lambda keys: True
    )


def test_key_uniqueness_on_codes_of_many_distinct_values():
    """Codes of several columns are combined into one number per row; combinations too many for
    64 bits are renumbered first, and duplicates still found."""
    import numpy as np

    large = 1 << 40
    assert duo_arrow.unique_codes(
        [(np.array([0, 1, 2]), large), (np.array([5, 5, 5]), large), (np.array([7, 7, 7]), large)]
    )
    assert not duo_arrow.unique_codes(
        [(np.array([0, 1, 1]), large), (np.array([5, 6, 6]), large), (np.array([7, 7, 7]), large)]
    )
    assert duo_arrow.unique_codes(
        [(np.array([0, 1, 1]), large), (np.array([5, 6, 6]), large), (np.array([7, 7, 8]), large)]
    )
    assert duo_arrow.distinct_rows([pa.array(["a", "a", "b"]), np.array([1, 2, 1])])
    assert not duo_arrow.distinct_rows([pa.array(["a", "a", "b"]), np.array([1, 1, 1])])
    assert not duo_arrow.distinct_rows([pa.array(["a", None])])  # nulls: not shown distinct


def test_regex_translation_is_never_looser_than_python():
    assert fast._re2_pattern(r"^\d{4}$") == "^(?:^[0-9]{4}$)"
    assert fast._re2_pattern(r"^(\d{2}|VMBO-[A-Za-z]+)$") == "^(?:^([0-9]{2}|VMBO-[A-Za-z]+)$)"
    for untranslated in [r"^\w+$", r"^(?=a)", r"^\s*$", r"^[^a]$", r"^.+$", r"^\D$"]:
        assert fast._re2_pattern(untranslated) is None, untranslated


# --- mbo and vo ------------------------------------------------------------------------------------

OTHER_FAMILIES = ("duo_mbo_participants", "duo_mbo_diplomas")  # the vo parsers have no Arrow path
# (header column prefix, value) written into one row: each breaks a rule of the parser or the contract
# (or, like upper-case GESLACHT or padded counts, is one the parser accepts)
MUTATIONS = {
    "mbo 2015-2019": [
        ("TOTAAL", "999999"),
        ("MAN", " 3 "),
        ("MAN", ""),
        ("MAN", "x"),
        ("KWALIFICATIENIVEAU", "x"),
        ("KWALIFICATIENIVEAU", "7"),
        ("PLAATSNAAM", "NERGENSDORP"),
        ("TYPE MBO", "BOLXX"),
        ("BRIN NUMMER", "ab"),
        ("INSTELLINGSNAAM", "Een andere naam"),  # free text: still a valid file
    ],
    "mbo 2020-": [
        ("INDICATIEAVG", "J"),
        ("INDICATIEAVG", "j"),
        ("INDICATIEAVG", "X"),
        ("JAAR", "20x3"),
        ("GESLACHT", "MAN"),
        ("GESLACHT", "m"),
        ("AANTAL", "-1"),
        ("AANTAL", "<5"),
        ("PLAATSNAAM", "NERGENSDORP"),
        ("KWALIFICATIE CODE", "1"),
        ("INSTELLINGSNAAM", "Een andere naam"),  # free text: still a valid file
    ],
}


@pytest.fixture(scope="module")
def other_files(tmp_path_factory) -> list[Path]:
    from pipeline.sample.generate import generate

    out = tmp_path_factory.mktemp("sample")
    generate(out, sample_editions=(2019, 2024))
    files = [p for p in sorted(out.glob("*/*.csv")) if sources.detect(p).family in OTHER_FAMILIES]
    assert {(sources.detect(p).family, sources.detect(p).generation) for p in files} == {
        (f, g) for f in OTHER_FAMILIES[:2] for g in ("2015-2019", "2020-")
    }
    return files


def test_mbo_and_vo_files_take_the_arrow_path_and_give_the_usual_frame(other_files, monkeypatch, realdata):
    from pipeline.sources import duo_mbo

    real = [realdata / "duo-ho-mbo-2019-tekkieworden" / "mbo_inscriptions_2019.csv"]
    for path in other_files + real:
        for module in (duo_mbo,):
            monkeypatch.setattr(
                module, "read_text_table", lambda *a, **k: (_ for _ in ()).throw(AssertionError("usual path"))
            )
        monkeypatch.setattr(duo_arrow, "ENABLED", True)
        sources.parse(path)  # the Arrow path answers: the usual reader is not reached
        monkeypatch.undo()
        assert_same(path, monkeypatch)


def _mutate(path: Path, target: Path, prefix: str, value: str, line: int = 3) -> Path:
    text, encoding = decode(path, path.read_bytes())
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    header = [h.strip('"') for h in lines[0].split(";")]
    column = next(j for j, h in enumerate(header) if h.startswith(prefix))
    fields = lines[line - 1].split(";")
    quoted = fields[column].startswith('"')
    fields[column] = f'"{value}"' if quoted else value
    lines[line - 1] = ";".join(fields)
    target.write_bytes(("\r\n" if "\r\n" in text else "\n").join(lines).encode(encoding))
    return target


def test_broken_mbo_and_vo_files_give_the_usual_frame_or_problems(other_files, tmp_path, monkeypatch):
    seen, outcomes = set(), set()
    for path in other_files:
        fmt = sources.detect(path)
        kind = f"{fmt.family.split('_')[-1] if 'vo' in fmt.family else 'mbo'} {fmt.generation}"
        if kind in seen:
            continue
        seen.add(kind)
        for number, (prefix, value) in enumerate(MUTATIONS[kind]):
            outcomes.add(assert_same(_mutate(path, tmp_path / f"{number}-{path.name}", prefix, value), monkeypatch)[0])
        data = path.read_bytes()
        newline = b"\r\n" if b"\r\n" in data else b"\n"
        lines = data.split(newline)
        duplicated = tmp_path / f"dup-{path.name}"  # a repeated row (key not unique) and a blank line
        duplicated.write_bytes(newline.join(lines[:3] + [lines[2], b""] + lines[3:]))
        assert assert_same(duplicated, monkeypatch)[0] == "problems"
    assert seen == set(MUTATIONS)
    assert "problems" in outcomes and outcomes - {"problems"}  # some mutations break the file, some do not
