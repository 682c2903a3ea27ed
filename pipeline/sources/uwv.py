"""UWV: open vacancies in technical and ICT occupations, and the tension indicator.

UWV's download layout is not public; the pipeline reads the layouts below (CSV as UWV publishes
its open data: `;`, Dutch decimal comma, optional `.` thousands separator, UTF-8 or Windows-1252).
This module is the one place to change when the real files arrive; keep the output contracts
(schemas.raw_labour.RawUwvVacancies, RawUwvTension).

1. Vacancies (`uwv-vacatures-techniek-ict-<year>.csv`):
       Kwartaal;Beroepengroep;Beroepsniveau;Openstaande vacatures;Methode
       2019-K1;Technische beroepen;1;12.480;oud
   Beroepengroep: 'Technische beroepen' or 'ICT-beroepen' (UWV's own lists of occupations);
   Beroepsniveau 1-4 or 'Totaal'; Methode: 'oud' (UWV's estimate before its revision) or
   'herzien 2022' (the method UWV introduced in Q1 2022 and applied back to 2017). The two do not
   form one series: the marker travels into the core table.
2. Tension indicator (`uwv-spanningsindicator-<year>.csv`):
       Kwartaal;Arbeidsmarktregio code;Arbeidsmarktregio;Beroepsgroep code;Beroepsgroep;
       Openstaande vacatures;Kortdurende WW-uitkeringen;Spanningsindicator;Typering
       2019-K1;AM01;Groningen;0711;Ingenieurs (geen elektrotechniek);130;85;1,53;krap
   Spanningsindicator = vacancies / WW benefits shorter than 6 months (empty when there are none);
   Typering: UWV's class (reference/labour/uwv_tension_classes.csv), checked against the value.
   Regions are checked against reference/regions/arbeidsmarktregios.csv (code and name), occupation
   groups against reference/labour/brc2014_occupations.csv.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.problems import SourceError, SourceProblem, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.files import SOURCE_LINE, read_text_table
from schemas import validate
from schemas.raw_labour import RawUwvTension, RawUwvVacancies

VACANCY_COLUMNS = ("Kwartaal", "Beroepengroep", "Beroepsniveau", "Openstaande vacatures", "Methode")
TENSION_COLUMNS = (
    "Kwartaal",
    "Arbeidsmarktregio code",
    "Arbeidsmarktregio",
    "Beroepsgroep code",
    "Beroepsgroep",
    "Openstaande vacatures",
    "Kortdurende WW-uitkeringen",
    "Spanningsindicator",
    "Typering",
)
QUARTER = re.compile(r"^(\d{4})-K([1-4])$")
COUNT = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d+$")
DECIMAL = re.compile(r"^\d+(,\d+)?$")
FOOTERS = ("Bron:", "Bron ", "Toelichting")


def _layout(path: Path, header: list[str], columns: tuple[str, ...]) -> list[SourceProblem]:
    found = [problem(path, 1, c, "required column is missing (renamed?)") for c in columns if c not in header]
    found += [problem(path, 1, c, "unexpected column") for c in header if c not in columns]
    if not found and header != list(columns):
        found.append(problem(path, 1, None, "columns are not in the documented order"))
    return found


def _quarters(frame: pd.DataFrame, path: Path, problems: list[SourceProblem]) -> tuple[list[int], list[int]]:
    years, quarters = [], []
    for line, value in zip(frame[SOURCE_LINE], frame["Kwartaal"].str.strip()):
        match = QUARTER.match(value)
        if not match:
            problems.append(problem(path, int(line), "Kwartaal", f"not a quarter like 2019-K1: {value!r}"))
            years.append(0)
            quarters.append(1)
        else:
            years.append(int(match.group(1)))
            quarters.append(int(match.group(2)))
    return years, quarters


def _counts(frame: pd.DataFrame, column: str, path: Path, problems: list[SourceProblem]) -> list[int]:
    out = []
    for line, raw in zip(frame[SOURCE_LINE], frame[column].str.strip()):
        if COUNT.match(raw):
            out.append(int(raw.replace(".", "")))
            continue
        why = "empty count" if raw == "" else ("negative count" if raw.startswith("-") else f"not a count: {raw!r}")
        problems.append(problem(path, int(line), column, why))
        out.append(0)
    return out


def _duplicates(frame: pd.DataFrame, keys: list[str], column: str, path: Path, problems: list[SourceProblem]) -> None:
    for line in frame.loc[frame.duplicated(keys), "source_line"]:
        problems.append(problem(path, int(line), column, "duplicate key (" + ", ".join(keys) + ")"))


def _finish(frame: pd.DataFrame, model, path: Path) -> pd.DataFrame:
    frame = frame[list(model.to_schema().columns)]
    problems = validate(model, frame, file=path)
    if problems:
        raise SourceError(problems)
    return frame


def parse_vacancies(path: Path) -> Delivery:
    table = read_text_table(path, footer_prefixes=FOOTERS)
    problems = _layout(path, table.header, VACANCY_COLUMNS)
    if problems:
        raise SourceError(problems)
    raw = table.frame
    years, quarters = _quarters(raw, path, problems)
    counts = _counts(raw, "Openstaande vacatures", path, problems)
    groups = raw["Beroepengroep"].str.strip()
    levels = raw["Beroepsniveau"].str.strip().replace({"Totaal": "T"})
    methods = raw["Methode"].str.strip()
    for column, values, allowed in (
        ("Beroepengroep", groups, {"Technische beroepen", "ICT-beroepen"}),
        ("Beroepsniveau", levels, {"1", "2", "3", "4", "T"}),
        ("Methode", methods, {"oud", "herzien 2022"}),
    ):
        for line, value in zip(raw[SOURCE_LINE], values):
            if value not in allowed:
                problems.append(problem(path, int(line), column, f"unknown value {value!r}"))
    frame = pd.DataFrame(
        {
            "year": years,
            "quarter": quarters,
            "occupation_group": groups,
            "occupation_level": levels,
            "count": pd.Series(counts, dtype="Int64"),
            "method": methods,
            "source_file": path.name,
            "source_line": raw[SOURCE_LINE].astype(np.int64),
        }
    )
    _duplicates(frame, ["year", "quarter", "occupation_group", "occupation_level"], "Kwartaal", path, problems)
    mixed = frame.groupby(["year", "quarter"])["method"].nunique()
    for year, quarter in mixed[mixed > 1].index:
        problems.append(problem(path, None, "Methode", f"{year}-K{quarter} mixes both estimation methods"))
    if problems:
        raise SourceError(problems)
    frame["year"] = frame["year"].astype(np.int64)
    frame["quarter"] = frame["quarter"].astype(np.int64)
    frame = _finish(frame, RawUwvVacancies, path)
    return Delivery(
        path=path,
        family="uwv_vacancies",
        generation="project layout (CSV)",
        frame=frame,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


def tension_class(value: float, classes: pd.DataFrame) -> str:
    """UWV's class of an indicator value (reference/labour/uwv_tension_classes.csv)."""
    for label, lower, upper in zip(classes["class"], classes["lower"], classes["upper"]):
        if value >= float(lower) and (upper == "" or value < float(upper)):
            return label
    return ""


def parse_tension(path: Path) -> Delivery:
    table = read_text_table(path, footer_prefixes=FOOTERS)
    problems = _layout(path, table.header, TENSION_COLUMNS)
    if problems:
        raise SourceError(problems)
    raw = table.frame
    lines = raw[SOURCE_LINE]
    years, quarters = _quarters(raw, path, problems)
    vacancies = _counts(raw, "Openstaande vacatures", path, problems)
    benefits = _counts(raw, "Kortdurende WW-uitkeringen", path, problems)
    regions = reference.load("regions/arbeidsmarktregios.csv").frame.set_index("code")["name"]
    occupations = reference.load("labour/brc2014_occupations.csv").frame
    groups = set(occupations.loc[occupations["level"] == "group", "code"])
    classes = reference.load("labour/uwv_tension_classes.csv").frame
    edges = [float(b) for b in [*classes["lower"], *classes["upper"]] if b != ""]
    am_codes = raw["Arbeidsmarktregio code"].str.strip()
    am_names = raw["Arbeidsmarktregio"].str.strip()
    for line, code, name in zip(lines, am_codes, am_names):
        if code not in regions.index:
            problems.append(problem(path, int(line), "Arbeidsmarktregio code", f"unknown arbeidsmarktregio {code!r}"))
        elif regions[code] != name:
            problems.append(problem(path, int(line), "Arbeidsmarktregio", f"{code} is {regions[code]!r}, not {name!r}"))
    occ = raw["Beroepsgroep code"].str.strip()
    for line, code in zip(lines, occ):
        if code not in groups:
            problems.append(
                problem(path, int(line), "Beroepsgroep code", f"unknown BRC 2014 occupation group {code!r}")
            )
    tension: list[float | None] = []
    labels = raw["Typering"].str.strip()
    for line, text, label, benefit in zip(lines, raw["Spanningsindicator"].str.strip(), labels, benefits):
        if text == "":
            tension.append(None)
            if benefit != 0:
                problems.append(problem(path, int(line), "Spanningsindicator", "empty although there are WW benefits"))
            continue
        if not DECIMAL.match(text):
            hint = " (decimal point instead of UWV's comma?)" if re.fullmatch(r"\d+\.\d+", text) else ""
            problems.append(problem(path, int(line), "Spanningsindicator", f"not a decimal number: {text!r}{hint}"))
            tension.append(None)
            continue
        value = float(text.replace(",", "."))
        tension.append(value)
        expected = tension_class(value, classes)
        near_edge = any(abs(value - edge) <= 0.01 for edge in edges)
        if label != expected and not near_edge:
            problems.append(
                problem(path, int(line), "Typering", f"{label!r} does not fit indicator {text} (expected {expected!r})")
            )
    for line, label in zip(lines, labels):
        if label not in set(classes["class"]):
            problems.append(problem(path, int(line), "Typering", f"unknown class {label!r}"))
    frame = pd.DataFrame(
        {
            "year": years,
            "quarter": quarters,
            "arbeidsmarktregio_code": am_codes,
            "arbeidsmarktregio_name": am_names,
            "occupation_code": occ,
            "occupation_label": raw["Beroepsgroep"].str.strip(),
            "vacancies": pd.Series(vacancies, dtype="Int64"),
            "short_term_benefits": pd.Series(benefits, dtype="Int64"),
            "tension": pd.Series(tension, dtype="float64"),
            "tension_class": labels,
            "source_file": path.name,
            "source_line": lines.astype(np.int64),
        }
    )
    _duplicates(
        frame, ["year", "quarter", "arbeidsmarktregio_code", "occupation_code"], "Beroepsgroep code", path, problems
    )
    if problems:
        raise SourceError(problems)
    frame["year"] = frame["year"].astype(np.int64)
    frame["quarter"] = frame["quarter"].astype(np.int64)
    frame = _finish(frame, RawUwvTension, path)
    return Delivery(
        path=path,
        family="uwv_tension",
        generation="project layout (CSV)",
        frame=frame,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


VACANCIES = register(
    SourceFormat(
        family="uwv_vacancies",
        generation="project layout (CSV)",
        description="UWV open vacancies, technical and ICT occupations, per quarter and occupation level",
        signature=lambda header, name: {"Beroepengroep", "Beroepsniveau", "Methode"} <= set(header),
        parse=parse_vacancies,
        columns=VACANCY_COLUMNS,
    )
)
TENSION = register(
    SourceFormat(
        family="uwv_tension",
        generation="project layout (CSV)",
        description="UWV tension indicator per quarter, arbeidsmarktregio and occupation group",
        signature=lambda header, name: {"Spanningsindicator", "Typering"} <= set(header),
        parse=parse_tension,
        columns=TENSION_COLUMNS,
    )
)
