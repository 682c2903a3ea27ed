"""Programme registers: Jet-Net & TechNet partnerships and MKB!dee projects.

The programmes keep their own registers; no public file exists. The pipeline reads the CSV
layouts below (`;`, UTF-8, one header line), defined by the project; this module is the one place
to change when a programme delivers its own export (keep schemas.raw_labour.RawJetNetTechNet and
RawMkbIdee).

1. Jet-Net & TechNet partnerships (`jet-net-technet-partnerschappen-<year>.csv`), one row per
   company-school partnership per year:
       Programma;Jaar;BRIN;Vestiging;Schoolnaam;Gemeentecode;Bedrijf;Regio
       Jet-Net;2019;01AB;00;Voorbeeldcollege;GM0363;Voorbeeld B.V.;Noordvleugel
   Programma 'Jet-Net' (havo/vwo) or 'TechNet' (vmbo, primary schools); BRIN 4 characters and
   Vestiging 2 digits (the school location); Gemeentecode CBS `GM` code of the location;
   Regio a Techniekpact region name (reference/regions/techniekpact_regions.csv).
2. MKB!dee projects (`mkbidee-projecten-<year>.csv`), one row per funded project:
       Projectnummer;Projectnaam;Jaar;Subsidiebedrag;Grootteklasse;Regio
       MKB18001;Leren in de maakindustrie;2018;200.000,00;10-49;Oost
   Subsidiebedrag in euros with Dutch separators; Grootteklasse the firm size class of the
   applicant (1-9, 10-49, 50-249, 250 en meer employees).
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
from schemas.raw_labour import FIRM_SIZE_CLASSES, RawJetNetTechNet, RawMkbIdee

PARTNERSHIP_COLUMNS = ("Programma", "Jaar", "BRIN", "Vestiging", "Schoolnaam", "Gemeentecode", "Bedrijf", "Regio")
PROJECT_COLUMNS = ("Projectnummer", "Projectnaam", "Jaar", "Subsidiebedrag", "Grootteklasse", "Regio")
AMOUNT = re.compile(r"^\d{1,3}(\.\d{3})*(,\d{2})?$|^\d+(,\d{2})?$")


def _layout(path: Path, header: list[str], columns: tuple[str, ...]) -> list[SourceProblem]:
    found = [problem(path, 1, c, "required column is missing (renamed?)") for c in columns if c not in header]
    found += [problem(path, 1, c, "unexpected column") for c in header if c not in columns]
    return found


def _years(raw: pd.DataFrame, path: Path, problems: list[SourceProblem]) -> list[int]:
    out = []
    for line, value in zip(raw[SOURCE_LINE], raw["Jaar"].str.strip()):
        if not re.fullmatch(r"(19|20)\d{2}", value):
            problems.append(problem(path, int(line), "Jaar", f"not a year: {value!r}"))
            out.append(2000)
        else:
            out.append(int(value))
    return out


def _regions(raw: pd.DataFrame, path: Path, problems: list[SourceProblem]) -> list[str]:
    table = reference.load("regions/techniekpact_regions.csv").frame
    by_name = dict(zip(table["name"], table["code"]))
    out = []
    for line, name in zip(raw[SOURCE_LINE], raw["Regio"].str.strip()):
        if name not in by_name:
            problems.append(problem(path, int(line), "Regio", f"unknown Techniekpact region {name!r}"))
        out.append(by_name.get(name, "TP-ONBEKEND"))
    return out


def _finish(
    frame: pd.DataFrame, model, keys: list[str], column: str, path: Path, problems: list[SourceProblem]
) -> pd.DataFrame:
    for line in frame.loc[frame.duplicated(keys), "source_line"]:
        problems.append(problem(path, int(line), column, "duplicate row (" + ", ".join(keys) + ")"))
    if problems:
        raise SourceError(problems)
    frame["year"] = frame["year"].astype(np.int64)
    frame["source_line"] = frame["source_line"].astype(np.int64)
    frame = frame[list(model.to_schema().columns)]
    found = validate(model, frame, file=path)
    if found:
        raise SourceError(found)
    return frame


def parse_partnerships(path: Path) -> Delivery:
    table = read_text_table(path)
    problems = _layout(path, table.header, PARTNERSHIP_COLUMNS)
    if problems:
        raise SourceError(problems)
    raw = table.frame
    years = _years(raw, path, problems)
    regions = _regions(raw, path, problems)
    municipalities = set(reference.load("regions/municipalities.csv").frame["municipality_code"])
    brin, location = raw["BRIN"].str.strip(), raw["Vestiging"].str.strip()
    for line, b, v, gm, programme, company in zip(
        raw[SOURCE_LINE],
        brin,
        location,
        raw["Gemeentecode"].str.strip(),
        raw["Programma"].str.strip(),
        raw["Bedrijf"].str.strip(),
    ):
        if not re.fullmatch(r"\d{2}[A-Z]{2}", b):
            problems.append(problem(path, int(line), "BRIN", f"not a BRIN code: {b!r}"))
        if not re.fullmatch(r"\d{2}", v):
            problems.append(problem(path, int(line), "Vestiging", f"not a 2-digit location number: {v!r}"))
        if gm not in municipalities:
            problems.append(problem(path, int(line), "Gemeentecode", f"unknown municipality code {gm!r}"))
        if programme not in ("Jet-Net", "TechNet"):
            problems.append(problem(path, int(line), "Programma", f"unknown programme {programme!r}"))
        if not company:
            problems.append(problem(path, int(line), "Bedrijf", "empty company name"))
    frame = pd.DataFrame(
        {
            "programme": raw["Programma"].str.strip(),
            "year": years,
            "school_code": brin + location,
            "school_name": raw["Schoolnaam"].str.strip(),
            "municipality_code": raw["Gemeentecode"].str.strip(),
            "company": raw["Bedrijf"].str.strip(),
            "region_code": regions,
            "source_file": path.name,
            "source_line": raw[SOURCE_LINE],
        }
    )
    frame = _finish(frame, RawJetNetTechNet, ["programme", "year", "school_code", "company"], "Bedrijf", path, problems)
    return Delivery(
        path=path,
        family="registers_jetnet_technet",
        generation="project layout (CSV)",
        frame=frame,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


def parse_projects(path: Path) -> Delivery:
    table = read_text_table(path)
    problems = _layout(path, table.header, PROJECT_COLUMNS)
    if problems:
        raise SourceError(problems)
    raw = table.frame
    years = _years(raw, path, problems)
    regions = _regions(raw, path, problems)
    grants = []
    for line, text in zip(raw[SOURCE_LINE], raw["Subsidiebedrag"].str.strip()):
        if AMOUNT.match(text):
            grants.append(float(text.replace(".", "").replace(",", ".")))
        else:
            why = "negative amount" if text.startswith("-") else f"not an amount in euros like 200.000,00: {text!r}"
            problems.append(problem(path, int(line), "Subsidiebedrag", why))
            grants.append(0.0)
    sizes = raw["Grootteklasse"].str.strip()
    for line, size in zip(raw[SOURCE_LINE], sizes):
        if size not in FIRM_SIZE_CLASSES:
            problems.append(problem(path, int(line), "Grootteklasse", f"unknown firm size class {size!r}"))
    codes = raw["Projectnummer"].str.strip()
    for line, code in zip(raw[SOURCE_LINE], codes):
        if not re.fullmatch(r"MKB\d{5}", code):
            problems.append(problem(path, int(line), "Projectnummer", f"not a project number like MKB18001: {code!r}"))
    frame = pd.DataFrame(
        {
            "project_code": codes,
            "project_name": raw["Projectnaam"].str.strip(),
            "year": years,
            "grant_eur": grants,
            "firm_size_class": sizes,
            "region_code": regions,
            "source_file": path.name,
            "source_line": raw[SOURCE_LINE],
        }
    )
    frame = _finish(frame, RawMkbIdee, ["project_code"], "Projectnummer", path, problems)
    return Delivery(
        path=path,
        family="registers_mkbidee",
        generation="project layout (CSV)",
        frame=frame,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


PARTNERSHIPS = register(
    SourceFormat(
        family="registers_jetnet_technet",
        generation="project layout (CSV)",
        description="Jet-Net & TechNet register of company-school partnerships",
        signature=lambda header, name: {"Programma", "BRIN", "Bedrijf"} <= set(header),
        parse=parse_partnerships,
        columns=PARTNERSHIP_COLUMNS,
    )
)
PROJECTS = register(
    SourceFormat(
        family="registers_mkbidee",
        generation="project layout (CSV)",
        description="MKB!dee register of funded projects",
        signature=lambda header, name: {"Projectnummer", "Subsidiebedrag"} <= set(header),
        parse=parse_projects,
        columns=PROJECT_COLUMNS,
    )
)
