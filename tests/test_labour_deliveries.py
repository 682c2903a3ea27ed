"""CBS custom XLSX table, UWV files and programme registers: documented layouts, clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli, sources
from pipeline.core import labour as core_labour
from pipeline.core import registers as core_registers
from pipeline.problems import SourceError
from pipeline.sample.cbs import UNEMPLOYMENT_HEADER, write_unemployment_xlsx


def problems_of(path: Path) -> list:
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    return caught.value.problems


def has(problems, row, column, words) -> bool:
    return any(p.row == row and p.column == column and words in p.problem for p in problems)


# --- CBS custom table (XLSX) ---------------------------------------------------------------------

ROWS = [
    [2019, "Totaal", "Totaal", "Totaal", "Totaal", 9240, 314, 3.4],
    [2019, "Techniek", "Techniek (25 richtingen)", "Totaal", "Totaal", 1630, 47, 2.9],
    [2019, "0714", "Electronics and automation", "Totaal", "Mannen", 170, 5, 2.9],
    [2019, "0714", "Electronics and automation", "Totaal", "Vrouwen", 14, "x", "x"],
    [2019, "0913", "Nursing and midwifery", "Hoog", "Vrouwen", 160, 3, 1.9],
]


def workbook(tmp_path: Path, rows=ROWS, header=UNEMPLOYMENT_HEADER, name="cbs-maatwerk-2019.xlsx", notes=True) -> Path:
    return write_unemployment_xlsx(rows, tmp_path / name, first=2019, last=2019, header=header, notes=notes)


def test_custom_table_layout(tmp_path):
    path = workbook(tmp_path)
    fmt = sources.detect(path)
    assert fmt.family == "cbs_unemployment"
    frame = fmt.parse(path).frame
    assert list(frame.field_of_education) == ["T", "TECHNIEK", "0714", "0714", "0913"]
    assert list(frame.source_line) == [7, 8, 9, 10, 11]  # title rows, blank, header and units rows come first
    total = frame.iloc[0]
    assert (total.labour_force, total.unemployed, total.unemployment_rate) == (9_240_000, 314_000, 3.4)
    women = frame.iloc[3]
    assert (
        women.suppressed
        and pd.isna(women.unemployed)
        and pd.isna(women.unemployment_rate)
        and women.labour_force == 14_000
    )
    core = core_labour.unemployment_by_education(frame, "2020", 2019)
    assert (
        core.loc[core.field_of_education == "TECHNIEK", "unemployment_rate"].iloc[0]
        < core.loc[core.field_of_education == "T", "unemployment_rate"].iloc[0]
    )


def test_custom_table_is_byte_reproducible(tmp_path):
    assert workbook(tmp_path, name="a.xlsx").read_bytes() == workbook(tmp_path, name="b.xlsx").read_bytes()


@pytest.mark.parametrize(
    "change,row,column,words",
    [
        (lambda r: r[2].__setitem__(5, -170), 9, "Beroepsbevolking", "negative"),
        (lambda r: r[2].__setitem__(6, "vijf"), 9, "Werkloze beroepsbevolking", "not a number"),
        (lambda r: r[4].__setitem__(1, "0555"), 11, "Opleidingsrichting", "unknown ISCED-F"),
        (lambda r: r.append(list(r[2])), 12, "Opleidingsrichting", "duplicate"),
        (lambda r: r[2].__setitem__(4, "Onbekend"), 9, "Geslacht", "unknown"),
        (lambda r: r[2].__setitem__(6, 500), 9, "Werkloze beroepsbevolking", "more unemployed"),
    ],
)
def test_custom_table_bad_cells(tmp_path, change, row, column, words):
    rows = [list(r) for r in ROWS]
    change(rows)
    assert has(problems_of(workbook(tmp_path, rows)), row, column, words)


def test_custom_table_renamed_column(tmp_path):
    header = [*UNEMPLOYMENT_HEADER[:-1], "Werkloosheid (%)"]
    found = problems_of(workbook(tmp_path, header=header))
    assert has(found, 5, "Werkloosheidspercentage", "missing") and has(found, 5, "Werkloosheid (%)", "unexpected")


def test_custom_table_truncated_and_html(tmp_path):
    good = workbook(tmp_path).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good[: len(good) // 2])
    assert "not a readable XLSX" in problems_of(cut)[0].problem
    page = tmp_path / "page.xlsx"
    page.write_text("<html><body>Sessie verlopen</body></html>", encoding="utf-8")
    assert "HTML" in problems_of(page)[0].problem


# --- UWV -------------------------------------------------------------------------------------------

VACANCIES = """Kwartaal;Beroepengroep;Beroepsniveau;Openstaande vacatures;Methode
2021-K4;Technische beroepen;1;12.480;oud
2021-K4;Technische beroepen;2;40.100;oud
2021-K4;Technische beroepen;Totaal;52.580;oud
2021-K4;ICT-beroepen;3;9.800;oud
"""
TENSION = (
    (
        "Kwartaal;Arbeidsmarktregio code;Arbeidsmarktregio;Beroepsgroep code;Beroepsgroep;Openstaande vacatures;"
        "Kortdurende WW-uitkeringen;Spanningsindicator;Typering\n"
    )
    + """2023-K1;AM01;Groningen;0712;Ingenieurs (geen elektrotechniek);130;85;1,53;krap
2023-K1;AM18;Groot Amsterdam;0811;Software- en applicatieontwikkelaars;900;150;6,00;zeer krap
2023-K1;AM24;Zeeland;0732;Timmerlieden;12;60;0,20;zeer ruim
2023-K1;AM24;Zeeland;0743;Automonteurs;14;0;;zeer krap
"""
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_uwv_vacancies(tmp_path):
    path = write(tmp_path, "uwv-vacatures.csv", VACANCIES + "\nBron: UWV, 2022\n")
    delivery = sources.parse(path)
    frame = delivery.frame
    assert delivery.family == "uwv_vacancies" and delivery.skipped_lines == (6, 7)
    assert list(frame["count"]) == [12_480, 40_100, 52_580, 9_800]
    core = core_labour.vacancies_by_occupation(frame, "2022", 2021)
    assert set(core.method) == {"oud"} and set(core.occupation_group) == {"technical", "ict"}
    assert list(core.period.unique()) == ["2021-Q4"]


def test_uwv_revised_and_old_method_in_one_quarter_is_refused(tmp_path):
    text = VACANCIES.replace("2021-K4;ICT-beroepen;3;9.800;oud", "2021-K4;ICT-beroepen;3;9.800;herzien 2022")
    assert has(problems_of(write(tmp_path, "v.csv", text)), None, "Methode", "mixes")


@pytest.mark.parametrize(
    "old,new,row,column,words",
    [
        ("2;40.100;", "2;-40;", 3, "Openstaande vacatures", "negative"),
        ("2;40.100;", "2;veel;", 3, "Openstaande vacatures", "not a count"),
        ("2021-K4;ICT", "2021-K5;ICT", 5, "Kwartaal", "not a quarter"),
        ("ICT-beroepen;3", "Zorgberoepen;3", 5, "Beroepengroep", "unknown"),
        ("2021-K4;ICT-beroepen;3", "2021-K4;Technische beroepen;2", 5, "Kwartaal", "duplicate"),
    ],
)
def test_uwv_vacancies_bad_cells(tmp_path, old, new, row, column, words):
    assert has(problems_of(write(tmp_path, "v.csv", VACANCIES.replace(old, new))), row, column, words)


def test_uwv_vacancies_wrong_delimiter_and_missing_column(tmp_path):
    found = problems_of(write(tmp_path, "comma.csv", VACANCIES.replace(";", ",")))
    assert "wrong delimiter" in found[0].problem
    found = problems_of(write(tmp_path, "nomethod.csv", VACANCIES.replace(";Methode", ";Methodiek")))
    assert has(found, 1, "Methode", "missing")


def test_uwv_vacancies_after_the_edition_is_an_error(tmp_path):
    frame = sources.parse(write(tmp_path, "v.csv", VACANCIES)).frame
    with pytest.raises(SourceError) as caught:
        core_labour.vacancies_by_occupation(frame, "2021", 2020)
    assert has(caught.value.problems, 2, "year", "after edition 2021")


def test_uwv_tension(tmp_path):
    path = write(tmp_path, "uwv-spanningsindicator.csv", TENSION, encoding="utf-8-sig")
    frame = sources.parse(path).frame
    assert list(frame.tension.fillna(-1)) == [1.53, 6.0, 0.2, -1]
    assert list(frame.tension_class) == ["krap", "zeer krap", "zeer ruim", "zeer krap"]
    core = core_labour.labour_market_tension(frame, "2024", 2023)
    assert len(core) == 4 and set(core.arbeidsmarktregio_code) == {"AM01", "AM18", "AM24"}


@pytest.mark.parametrize(
    "old,new,row,column,words",
    [
        ("AM01;Groningen", "AM99;Niet in te delen", 2, "Arbeidsmarktregio code", "unknown arbeidsmarktregio"),
        ("AM01;Groningen", "AM01;Drenthe", 2, "Arbeidsmarktregio", "not 'Drenthe'"),
        ("0712;Ingenieurs", "0799;Ingenieurs", 2, "Beroepsgroep code", "unknown BRC 2014"),
        (";1,53;krap", ";1.53;krap", 2, "Spanningsindicator", "decimal point"),
        (";1,53;krap", ";1,53;ruim", 2, "Typering", "does not fit"),
        (";1,53;krap", ";1,53;heel krap", 2, "Typering", "unknown class"),
        ("130;85;1,53", "130;-85;1,53", 2, "Kortdurende WW-uitkeringen", "negative"),
    ],
)
def test_uwv_tension_bad_cells(tmp_path, old, new, row, column, words):
    assert has(problems_of(write(tmp_path, "t.csv", TENSION.replace(old, new))), row, column, words)


def test_uwv_truncated_row_and_html(tmp_path):
    truncated = TENSION.rstrip("\n").rsplit(";", 3)[0] + "\n"
    found = problems_of(write(tmp_path, "t.csv", truncated))
    assert found[0].row == 5 and "truncated row" in found[0].problem
    assert "HTML" in problems_of(write(tmp_path, "p.csv", "<!DOCTYPE html><title>404</title>"))[0].problem


# --- programme registers -----------------------------------------------------------------------------

PARTNERSHIPS = """Programma;Jaar;BRIN;Vestiging;Schoolnaam;Gemeentecode;Bedrijf;Regio
Jet-Net;2019;01AB;00;Stedelijk Lyceum;GM0363;Technova Engineering B.V.;Noordvleugel
Jet-Net;2019;01AB;00;Stedelijk Lyceum;GM0363;Delta Software B.V.;Noordvleugel
TechNet;2019;02CD;01;Vakcollege Zuid;GM0772;Kempen Metaal B.V.;Zuidoost
"""
PROJECTS = """Projectnummer;Projectnaam;Jaar;Subsidiebedrag;Grootteklasse;Regio
MKB18001;Leren in de maakindustrie;2018;200.000,00;10-49;Oost
MKB19002;Digitale vaardigheden in de bouw;2019;175.500,00;50-249;Zuidwest
"""


def test_registers_into_programme_participation(tmp_path):
    partnerships = sources.parse(
        write(tmp_path, "p.csv", PARTNERSHIPS.replace("Vakcollege", "Vakcollege Zuíd"), "latin-1")
    )
    projects = sources.parse(write(tmp_path, "m.csv", PROJECTS))
    assert partnerships.encoding == "latin-1" and partnerships.frame.school_name.iloc[2] == "Vakcollege Zuíd Zuid"
    core = core_registers.programme_participation(partnerships.frame, projects.frame, "2020", 2019)
    assert core.groupby("programme")["count"].sum().to_dict() == {"Jet-Net": 2, "MKB!dee": 2, "TechNet": 1}
    assert core.loc[core.programme == "MKB!dee", "grant_eur"].sum() == 375_500.0
    assert set(core.loc[core.programme != "MKB!dee", "region_code"]) == {"TP-NOORDVLEUGEL", "TP-ZUIDOOST"}
    assert core.loc[core.school_code != "", "school_code"].nunique() == 2


@pytest.mark.parametrize(
    "text,old,new,row,column,words",
    [
        (PARTNERSHIPS, "Noordvleugel\nTechNet", "Randstad\nTechNet", 3, "Regio", "unknown Techniekpact region"),
        (PARTNERSHIPS, "GM0772", "GM9999", 4, "Gemeentecode", "unknown municipality"),
        (PARTNERSHIPS, "02CD;01", "02CD;1A", 4, "Vestiging", "2-digit"),
        (PARTNERSHIPS, "Delta Software B.V.", "Technova Engineering B.V.", 3, "Bedrijf", "duplicate"),
        (PROJECTS, "175.500,00", "-175.500,00", 3, "Subsidiebedrag", "negative"),
        (PROJECTS, "175.500,00", "175500.00", 3, "Subsidiebedrag", "not an amount"),
        (PROJECTS, "10-49", "klein", 2, "Grootteklasse", "unknown firm size"),
        (PROJECTS, "MKB19002", "MKB18001", 3, "Projectnummer", "duplicate"),
    ],
)
def test_registers_bad_cells(tmp_path, text, old, new, row, column, words):
    assert has(problems_of(write(tmp_path, "r.csv", text.replace(old, new))), row, column, words)


def test_register_year_after_the_edition(tmp_path):
    frame = sources.parse(write(tmp_path, "m.csv", PROJECTS)).frame
    with pytest.raises(SourceError) as caught:
        core_registers.programme_participation(frame.iloc[0:0], frame, "2019", 2018)
    assert has(caught.value.problems, 3, "year", "after edition 2019")


def test_validate_cli_fails_with_exit_1_on_a_bad_delivery(tmp_path, capsys):
    write(tmp_path, "t.csv", TENSION.replace("AM01;Groningen", "AM77;Groningen"))
    write(tmp_path, "m.csv", PROJECTS)
    code = cli.main(["validate", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "OK   " in out and "registers_mkbidee" in out
    assert "FAIL" in out and "row 2, column 'Arbeidsmarktregio code': unknown arbeidsmarktregio 'AM77'" in out


def test_occupation_code_list_is_in_step_with_the_stem_table():
    from pipeline import reference

    codes = reference.load("labour/brc2014_occupations.csv").frame
    stem = reference.load("stem/nl_technical_occupations.csv").frame
    assert dict(zip(codes.code, codes.name)) == dict(zip(stem.code, stem.name))
    assert (codes.level == "class").sum() == 13 and (codes.level == "group").sum() == 114
    assert (codes.class_code == codes.code.str[:2]).all()
