"""Sample programme registers in the project's documented layouts (see pipeline/sources/registers.py).

Jet-Net & TechNet: about 200 havo/vwo school locations in Jet-Net (about 40% of them) and 120
TechNet locations, each with a few partner companies, for the five years up to the edition's last
year. MKB!dee: 61 projects funded 2018-2020 at about EUR 200,000 each, a quarter of them by firms
with fewer than 50 employees. Schools and companies are fictitious; municipality codes are real
(municipalities that exist in every boundary year of the reference table) and their Techniekpact
region is the reference table's.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import unit

JETNET_SCHOOLS = 200
TECHNET_SCHOOLS = 120
COMPANY_WORDS = (
    "Techno",
    "Delta",
    "Noord",
    "Polder",
    "Rijn",
    "Maas",
    "Veluwe",
    "Kempen",
    "Holland",
    "Zuider",
    "IJssel",
    "Hanze",
    "Linge",
    "Dommel",
    "Amstel",
    "Eems",
)
COMPANY_KINDS = (
    "Installatietechniek",
    "Metaal",
    "Engineering",
    "Software",
    "Bouw",
    "Energie",
    "Automatisering",
    "Chemie",
    "Precisietechniek",
    "Elektro",
)
PROJECT_THEMES = (
    "Leren in de maakindustrie",
    "Digitale vaardigheden in de bouw",
    "Omscholing naar de installatietechniek",
    "Leven lang ontwikkelen in de procesindustrie",
    "Vakmanschap in de metaal",
    "Hybride leren in de ICT",
)
PROJECTS_PER_YEAR = {2018: 20, 2019: 21, 2020: 20}


def stable_municipalities() -> list[tuple[str, str]]:
    """(code, Techniekpact region name) of municipalities present in every boundary year."""
    ref = reference.load("regions/municipalities.csv").frame
    years = ref["boundary_year"].nunique()
    counts = ref.groupby("municipality_code")["boundary_year"].nunique()
    stable = ref[ref["municipality_code"].isin(counts[counts == years].index)].drop_duplicates("municipality_code")
    return list(zip(stable["municipality_code"], stable["techniekpact_region_name"]))


def company(seed: int, number: int) -> str:
    word = COMPANY_WORDS[int(unit(seed, "cw", number) * len(COMPANY_WORDS))]
    kind = COMPANY_KINDS[int(unit(seed, "ck", number) * len(COMPANY_KINDS))]
    return f"{word} {kind} {number:04d} B.V."


def partnership_lines(edition: Edition, seed: int) -> list[str]:
    last = edition.labour_last_year
    places = stable_municipalities()
    lines = ["Programma;Jaar;BRIN;Vestiging;Schoolnaam;Gemeentecode;Bedrijf;Regio"]
    for programme, schools, partners in (("Jet-Net", JETNET_SCHOOLS, 4), ("TechNet", TECHNET_SCHOOLS, 2)):
        for school in range(schools):
            number = school + (0 if programme == "Jet-Net" else 500)
            brin = f"{10 + number % 90:02d}{chr(65 + number // 90 % 26)}{chr(65 + number % 26)}"
            location = f"{int(unit(seed, 'vest', number) * 3):02d}"
            gm, region = places[int(unit(seed, "place", number) * len(places))]
            name = f"{'Lyceum' if programme == 'Jet-Net' else 'Techniekcollege'} {brin}{location}"
            joined = last - 4 + int(unit(seed, "join", number) * 6)  # some schools join during the period
            for year in range(max(joined, last - 4), last + 1):
                n_partners = 1 + int(unit(seed, "np", number, year) * partners)
                for k in range(n_partners):
                    firm = company(seed, int(unit(seed, "firm", number, k) * 2000))
                    lines.append(f"{programme};{year};{brin};{location};{name};{gm};{firm};{region}")
    # a school can name the same company twice in a year only once
    seen, unique = set(), []
    for line in lines:
        key = tuple(line.split(";")[:4]) + (line.split(";")[6],)
        if key not in seen:
            seen.add(key)
            unique.append(line)
    return unique


def project_lines(edition: Edition, seed: int) -> list[str]:
    last = edition.labour_last_year
    places = stable_municipalities()
    lines = ["Projectnummer;Projectnaam;Jaar;Subsidiebedrag;Grootteklasse;Regio"]
    for year, count in PROJECTS_PER_YEAR.items():
        if year > last:
            continue
        for k in range(1, count + 1):
            u = unit(seed, "size", year, k)
            size = "1-9" if u < 0.08 else ("10-49" if u < 0.27 else ("50-249" if u < 0.85 else "250 en meer"))
            grant = (
                200_000 if unit(seed, "grant", year, k) < 0.8 else 150_000 + 1_000 * int(unit(seed, "g2", year, k) * 50)
            )
            theme = PROJECT_THEMES[int(unit(seed, "theme", year, k) * len(PROJECT_THEMES))]
            region = places[int(unit(seed, "preg", year, k) * len(places))][1]
            amount = f"{grant:,}".replace(",", ".") + ",00"
            lines.append(f"MKB{year % 100:02d}{k:03d};{theme} ({k});{year};{amount};{size};{region}")
    return lines


def write_lines(lines: list[str], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def write(edition: Edition, folder: Path, seed: int) -> list[Path]:
    last = edition.labour_last_year
    written = [write_lines(partnership_lines(edition, seed), folder / f"jet-net-technet-partnerschappen-{last}.csv")]
    if last >= min(PROJECTS_PER_YEAR):
        written.append(write_lines(project_lines(edition, seed), folder / f"mkbidee-projecten-{last}.csv"))
    return written
