"""`techpact validate`: every real DUO file recognised with its generation and totals equal to
independent sums; every kind of bad input a clear problem with file, row and column and exit 1."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline import cli

DUO_FILES = {
    "duo-ho-mbo-2019-tekkieworden/hbo_inscriptions_2019.csv": ("duo_ho_first_years", "2018-2022"),
    "duo-ho-mbo-2019-tekkieworden/wo_inscriptions_2019.csv": ("duo_ho_first_years", "2018-2022"),
    "duo-ho-mbo-2019-tekkieworden/hbo_gediplomeerden_2019.csv": ("duo_ho_diplomas", "2018-2022"),
    "duo-ho-mbo-2019-tekkieworden/wo_gediplomeerden_2019.csv": ("duo_ho_diplomas", "2018-2022"),
    "duo-ho-mbo-2019-tekkieworden/mbo_inscriptions_2019.csv": ("duo_mbo_participants", "2015-2019"),
    "duo-vo-examens-2019-2024/examenkandidaten-en-geslaagden-2019-2024.csv": ("duo_vo_exams", "2019-"),
    "duo-vo-leerlingen-examencijfers-2019/examenkandidaten-en-geslaagden-2014-2019.first300.csv": (
        "duo_vo_exams",
        "2014-2019",
    ),
    "duo-vo-leerlingen-examencijfers-2019/leerlingen-vo-per-vestiging-naar-onderwijstype-2019.first3000.csv": (
        "duo_vo_pupils",
        "2019-",
    ),
    "duo-vo-leerlingen-examencijfers-2019/examenkandidaten-havo-en-examencijfers-2018-2019.first2000.csv": (
        "duo_vo_subjects",
        "2018-2019",
    ),
    "duo-vo-leerlingen-examencijfers-2019/examenkandidaten-vwo-en-examencijfers-2018-2019.first2000.csv": (
        "duo_vo_subjects",
        "2018-2019",
    ),
}
REGISTER = "duo-vo-leerlingen-examencijfers-2019/alle-vestigingen-vo.csv"
# a third party's JSON conversion of hbo enrolments: read for DUO's newest names, not a delivery format;
# refused at its header, never half read
NOT_PARSED = {"duo-hbo-ingeschrevenen-2020-2024/duo_ingeschrevenhbo_2024.json"}


def run(capsys, path: Path) -> tuple[int, dict]:
    code = cli.main(["validate", str(path), "--json"])
    return code, json.loads(capsys.readouterr().out)


def csv_totals(path: Path) -> dict[str, object]:
    """Totals per year straight from the file with the csv module (no project code)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:  # DUO's older vo files are latin-1
        text = data.decode("latin-1")
    rows = [r for r in csv.reader(text.splitlines(), delimiter=";") if any(c.strip() for c in r)]
    header, body = rows[0], rows[1:]
    totals: dict[str, object] = {}
    for i, name in enumerate(header):
        if name.isdigit():  # ho: one column per year
            totals[name] = sum(int(r[i]) for r in body)
        elif name.startswith(("MAN", "VROUW")) and name[-4:].isdigit():  # mbo: MAN2015, VROUW2015
            totals[name[-4:]] = totals.get(name[-4:], 0) + sum(int(r[i]) for r in body if r[i].strip())
        elif name.startswith("LEER- OF VERBLIJFSJAAR"):  # vo pupils: the year of the count is in the file name
            year = path.name.split("onderwijstype-")[1][:4]
            totals[year] = totals.get(year, 0) + sum(int(r[i]) for r in body)
        elif name == "TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER":  # vo subjects: exam year = SCHOOLJAAR + 1
            for r in body:
                year = str(int(r[header.index("SCHOOLJAAR")]) + 1)
                totals[year] = totals.get(year, 0) + int(r[i])
        elif name.startswith(("EXAMENKANDIDATEN", "GESLAAGDEN")) and not name.endswith("TOTAAL"):
            year = name.split()[2].split("-")[1]
            measure = "candidates" if name.startswith("EXAMEN") else "passed"
            per_year = totals.setdefault(year, {})
            per_year[measure] = per_year.get(measure, 0) + sum(int(r[i]) for r in body if r[i] != "<5")
    return totals


@pytest.mark.realdata
def test_every_real_duo_file_is_recognised_with_generation_and_true_totals(realdata, capsys):
    _code, result = run(capsys, realdata)
    reports = {str(Path(r["file"]).relative_to(realdata)): r for r in result["files"]}
    for name, (family, generation) in DUO_FILES.items():
        entry = reports[name]
        assert entry["valid"], entry["problems"]
        assert (entry["family"], entry["generation"]) == (family, generation)
        assert entry["totals_per_year"] == csv_totals(realdata / name), name
        assert entry["years"] == sorted(int(y) for y in entry["totals_per_year"])
    for name in NOT_PARSED:
        assert not reports[name]["valid"], name
        assert [problem["row"] for problem in reports[name]["problems"]] == [1], reports[name]["problems"]
    register = reports[REGISTER]  # no counts: its rows are the locations, each once
    assert (register["valid"], register["family"], register["generation"]) == (True, "duo_vo_register", "2019")
    with open(realdata / REGISTER, encoding="latin-1") as handle:
        assert register["rows"] == sum(1 for line in handle if line.strip()) - 1
    # every DUO file in realdata is one of the above (the CBS files belong to the CBS parsers)
    duo = {n for n in reports if n.startswith("duo-")}
    assert duo == set(DUO_FILES) | NOT_PARSED | {REGISTER}
    # every recognised real file of a verified layout is the one reference/sources/layouts.csv names, or
    # of the same format
    assert all(r["layout"] == "verified" for n, r in reports.items() if n in DUO_FILES or n == REGISTER)
    labels = {n: r for n, r in reports.items() if n.startswith("croho-labels-1cijferho/")}
    assert len(labels) == 7 and all(r["valid"] and r["family"] == "duo_1cijferho_labels" for r in labels.values())
    assert reports["duo-vo-examens-2019-2024/examenkandidaten-en-geslaagden-2019-2024.csv"]["masked_cells"] > 0
    assert reports["duo-ho-mbo-2019-tekkieworden/hbo_inscriptions_2019.csv"]["totals_per_year"]["2019"] == 113_422


@pytest.mark.realdata
def test_duo_folder_validates_with_exit_zero(realdata, capsys):
    code = cli.main(["validate", str(realdata / "duo-ho-mbo-2019-tekkieworden")])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("OK ") == 5 and "duo_mbo_participants 2015-2019" in out and "2019: 113422" in out


HO_HEADER = (
    "PROVINCIE;GEMEENTENUMMER;GEMEENTENAAM;SOORT INSTELLING;TYPE HOGER ONDERWIJS;BRIN NUMMER ACTUEEL;"
    "INSTELLINGSNAAM ACTUEEL;CROHO ONDERDEEL;CROHO SUBONDERDEEL;OPLEIDINGSCODE ACTUEEL;OPLEIDINGSNAAM ACTUEEL;"
    "OPLEIDINGSVORM;GESLACHT;2018;2019"
)
HO_ROW = (
    "Drenthe;0106;Assen;reguliere inst.;bachelor;25BE;Hanzehogeschool Groningen;techniek;n.v.t. (techniek);34267;"
    "B Elektrotechniek;voltijd onderwijs;{sex};{a};{b}"
)
HO_NAME = "03b-eerstejaars-ingeschrevenen-hbo-domein-hbo-2019.csv"
GOOD = [HO_HEADER, HO_ROW.format(sex="man", a=25, b=31), HO_ROW.format(sex="vrouw", a=3, b=4)]


def bad_cases():
    return {
        "missing column": (
            [HO_HEADER.replace("OPLEIDINGSVORM;", ""), *[r.replace(";voltijd onderwijs", "") for r in GOOD[1:]]],
            1,
            "OPLEIDINGSVORM",
        ),
        "renamed column": ([HO_HEADER.replace("GEMEENTENAAM", "GEMEENTE"), *GOOD[1:]], 1, "GEMEENTENAAM"),
        "extra column": (
            [
                HO_HEADER.replace("GESLACHT;", "GESLACHT;OPMERKING;"),
                *[r.replace(";man;", ";man;x;").replace(";vrouw;", ";vrouw;x;") for r in GOOD[1:]],
            ],
            1,
            "OPMERKING",
        ),
        "negative count": ([*GOOD[:2], HO_ROW.format(sex="vrouw", a=-3, b=4)], 3, "2018"),
        "non-numeric count": ([*GOOD[:2], HO_ROW.format(sex="vrouw", a=3, b="4a")], 3, "2019"),
        "duplicate key": ([*GOOD, GOOD[1]], 4, None),
        "truncated row": ([*GOOD[:2], GOOD[2][:40]], 3, None),
        "unknown municipality code": ([*GOOD[:2], GOOD[2].replace(";0106;", ";9999;")], 3, "GEMEENTENUMMER"),
        "invalid institution code": ([*GOOD[:2], GOOD[2].replace(";25BE;", ";25-BE-X;")], 3, "institution_code"),
    }


@pytest.mark.parametrize("case", list(bad_cases()))
def test_bad_input_names_file_row_and_column_and_exits_one(tmp_path, capsys, case):
    lines, row, column = bad_cases()[case]
    path = tmp_path / HO_NAME
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    code, result = run(capsys, path)
    assert code == 1 and not result["valid"]
    problems = result["files"][0]["problems"]
    assert problems and all(Path(p["file"]).name == HO_NAME for p in problems)
    assert any(p["row"] == row and (column is None or p["column"] == column) for p in problems), problems


@pytest.mark.parametrize(
    "content,why",
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><head><title>404</title></head><body>Niet gevonden</body></html>", "HTML"),
        ("\r\n".join(GOOD).replace(";", ",").encode(), "delimiter"),
        (HO_HEADER.encode() + b"\r\n", "no data rows"),
    ],
)
def test_unusable_files(tmp_path, capsys, content, why):
    path = tmp_path / HO_NAME
    path.write_bytes(content)
    code, result = run(capsys, path)
    assert code == 1
    assert any(why in p["problem"] for p in result["files"][0]["problems"])


@pytest.mark.parametrize(
    "encoding,prefix,trailer",
    [("utf-8", b"\xef\xbb\xbf", "\r\n\r\n;;;\r\n"), ("latin-1", b"", '\r\n""\r\n'), ("utf-8", b"", "\r\n")],
)
def test_bom_latin1_and_blank_trailer_lines_are_valid(tmp_path, capsys, encoding, prefix, trailer):
    lines = [GOOD[0], GOOD[1].replace("Elektrotechniek", "Elektrotechniek ë"), GOOD[2]]
    path = tmp_path / HO_NAME
    path.write_bytes(prefix + ("\r\n".join(lines) + trailer).encode(encoding))
    code, result = run(capsys, path)
    entry = result["files"][0]
    assert code == 0, entry
    assert entry["totals_per_year"] == {"2018": 28, "2019": 35} and entry["rows"] == 2
    assert entry["encoding"] == {"utf-8": "utf-8-sig" if prefix else "utf-8", "latin-1": "latin-1"}[encoding]


def test_masked_cells_are_counted(tmp_path, capsys):
    header = (
        HO_HEADER.replace("BRIN NUMMER ACTUEEL", "INSTELLINGSCODE ACTUEEL")
        .replace("CROHO ONDERDEEL", "ONDERDEEL")
        .replace("CROHO SUBONDERDEEL", "SUBONDERDEEL")
    )
    path = tmp_path / HO_NAME.replace("2019", "2023")
    path.write_bytes(
        "\r\n".join(
            [header, HO_ROW.format(sex="man", a=25, b="<5"), HO_ROW.format(sex="vrouw", a="<5", b="<5")]
        ).encode()
    )
    code, result = run(capsys, path)
    entry = result["files"][0]
    assert code == 0 and entry["generation"] == "2023-" and entry["masked_cells"] == 3
    assert entry["totals_per_year"] == {"2018": 25, "2019": 0}


def test_layout_table_lists_every_format_once():
    from pipeline import reference, sources

    table = reference.load("sources/layouts.csv").frame
    listed = list(zip(table["family"], table["generation"]))
    assert len(listed) == len(set(listed))
    assert set(listed) == {(f.family, f.generation) for f in sources.formats()}
    assert set(table["status"]) <= {"verified", "assumed"}
    assert ((table["status"] == "verified") == (table["verified_by"] != "")).all()


@pytest.mark.realdata
def test_every_verified_layout_names_a_real_file_of_that_format(realdata):
    from pipeline import reference, sources

    table = reference.load("sources/layouts.csv").frame
    for row in table[table["status"] == "verified"].itertuples(index=False):
        fmt = sources.detect(realdata / row.verified_by)
        assert (fmt.family, fmt.generation) == (row.family, row.generation), row.verified_by
