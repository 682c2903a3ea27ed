"""Sample UWV deliveries in the project's documented layouts (see pipeline/sources/uwv.py).

Vacancies: technical occupations about 60 thousand open vacancies in 2013 rising to about 130
thousand in 2022, ICT about 15 to 40 thousand; files of editions up to 2021 carry UWV's old
method from 2013, files from edition 2022 the revised method (Q1 2022) back to 2017. Tension: the
four quarters of the edition's last labour year, 35 arbeidsmarktregio's x the 114 BRC 2014 occupation
groups of the reference table, classes spread from 'zeer ruim' to 'zeer krap'.
"""

from __future__ import annotations

import math
from pathlib import Path

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import unit

LEVEL_SHARES = {"1": 0.10, "2": 0.35, "3": 0.35, "4": 0.20}
TECHNICAL = {
    2013: 60,
    2014: 64,
    2015: 72,
    2016: 82,
    2017: 95,
    2018: 108,
    2019: 115,
    2020: 92,
    2021: 118,
    2022: 132,
    2023: 126,
    2024: 120,
}
ICT_SHARE = 0.28
REVISION_EDITION = 2022  # UWV revised its vacancy method in Q1 2022, back to 2017
REVISED_FROM = 2017


def dutch_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def vacancy_lines(edition: Edition, seed: int) -> list[str]:
    last = edition.labour_last_year
    revised = edition.edition >= REVISION_EDITION
    method = "herzien 2022" if revised else "oud"
    lines = ["Kwartaal;Beroepengroep;Beroepsniveau;Openstaande vacatures;Methode"]
    for year in range(REVISED_FROM if revised else 2013, last + 1):
        for quarter in range(1, 5):
            base = (
                TECHNICAL.get(year, 120)
                * 1000
                * (0.95 + 0.1 * unit(seed, "uq", year, quarter))
                * (1.06 if revised else 1.0)
            )
            for group, factor in (("Technische beroepen", 1.0), ("ICT-beroepen", ICT_SHARE)):
                levels = {
                    lv: round(base * factor * share * (0.9 + 0.2 * unit(seed, "ul", group, lv, year, quarter)))
                    for lv, share in LEVEL_SHARES.items()
                }
                for lv, value in levels.items():
                    lines.append(f"{year}-K{quarter};{group};{lv};{dutch_int(value)};{method}")
                lines.append(f"{year}-K{quarter};{group};Totaal;{dutch_int(sum(levels.values()))};{method}")
    return lines


def tension_lines(edition: Edition, seed: int) -> list[str]:
    last = edition.labour_last_year
    regions = reference.load("regions/arbeidsmarktregios.csv").frame
    occupations = reference.load("labour/brc2014_occupations.csv").frame
    groups = occupations[occupations["level"] == "group"]
    classes = reference.load("labour/uwv_tension_classes.csv").frame
    from pipeline.sources.uwv import tension_class

    lines = [
        "Kwartaal;Arbeidsmarktregio code;Arbeidsmarktregio;Beroepsgroep code;Beroepsgroep;Openstaande vacatures;"
        "Kortdurende WW-uitkeringen;Spanningsindicator;Typering"
    ]
    tightness = 0.1 + 0.08 * (last - 2019) - (0.4 if last == 2020 else 0)  # the market tightened after 2020
    for quarter in range(1, 5):
        for region in regions.itertuples(index=False):
            for group in groups.itertuples(index=False):
                key = (region.code, group.code)
                size = math.exp(1.5 + 2.5 * unit(seed, "size", *key))
                log_tension = (
                    tightness
                    + (0.4 if group.class_code == "08" else 0.0)
                    + 3.8 * (unit(seed, "t", *key) - 0.5)
                    + 0.4 * (unit(seed, "tq", *key, last, quarter) - 0.5)
                )
                benefits = round(size * (0.6 + 0.8 * unit(seed, "b", *key, last, quarter)))
                vacancies = round(benefits * math.exp(log_tension)) if benefits else round(size)
                if benefits:
                    value = vacancies / benefits
                    text = f"{value:.2f}".replace(".", ",")
                    label = tension_class(round(value, 2), classes)
                else:
                    text, label = "", "zeer krap"
                lines.append(
                    f"{last}-K{quarter};{region.code};{region.name};{group.code};{group.name};{vacancies};"
                    f"{benefits};{text};{label}"
                )
    return lines


def write_lines(lines: list[str], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))  # Excel-style export: BOM, CRLF
    return path


def revise_vacancy_count(folder: Path, more: int = 1000) -> Path:
    """A revised UWV vacancy delivery, as a quarterly refresh receives it: the first row's count of
    open vacancies in `folder` raised by `more` (used by the refresh test and benchmark)."""
    victim = next(folder.glob("uwv-vacatures-*.csv"))
    lines = victim.read_text(encoding="utf-8").splitlines()
    header, fields = lines[0].split(";"), lines[1].split(";")
    column = header.index("Openstaande vacatures")
    fields[column] = dutch_int(int(fields[column].replace(".", "")) + more)
    lines[1] = ";".join(fields)
    victim.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return victim


def write(edition: Edition, folder: Path, seed: int) -> list[Path]:
    last = edition.labour_last_year
    return [
        write_lines(vacancy_lines(edition, seed), folder / f"uwv-vacatures-techniek-ict-{last}.csv"),
        write_lines(tension_lines(edition, seed), folder / f"uwv-spanningsindicator-{last}.csv"),
    ]
