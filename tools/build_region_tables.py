"""Build the region reference tables in `reference/regions/` (CSV + `.meta.toml` sidecars).

Inputs
------
* The three CBS files in `../shared/realdata/cbs-regio/` (read only, never copied):
  - `Gebieden_in_Nederland_2019_84378NED.csv`: the 355 municipalities of boundary year 2019;
  - `arbeidsmarktregio_gemeente_86247NED.json`: the 342 municipalities of boundary year 2026 and
    their arbeidsmarktregio (by name);
  - `woonplaats_gemeente_corop.generated.csv`: woonplaats -> gemeente -> COROP (current division),
    which gives the 2026 municipality names and their COROP region.
* Facts kept in this script as commented data structures (below): the CBS province, landsdeel,
  COROP and arbeidsmarktregio code lists, the municipal reorganisations (herindelingen) 2016-2023,
  the COROP/arbeidsmarktregio of the municipalities dissolved after 2019, and the project's
  Techniekpact-region rule.

Semantics
---------
`boundary_year` Y is the municipal division CBS uses for year Y ("Gebieden in Nederland Y", the
division on 1 January of Y). A reorganisation row with `effective_year` Y is the first boundary year
in which the old code no longer exists; applying all rows with effective_year <= Y to the 2019 list
gives the list of year Y. For 1-January reorganisations this is the legal year; Weesp (joined
Amsterdam on 2022-03-24) has effective_year 2023.

Checks (any failure: nothing is written, exit status 1)
------------------------------------------------------
counts 355 (2019) / 342 (2026) and every intermediate year, 12 provinces, 4 landsdelen, 40 COROP,
35 arbeidsmarktregio's, 5 Techniekpact regions; the reorganisations applied to 2019 give exactly
the 2026 codes of 86247NED; the pre-2019 reorganisations give the known counts 393/390/388/380 for
2015-2018; every municipality in every boundary year has every level filled; names and memberships
in the facts below agree with the CBS files; the written metadata parses and declares the CSV's
columns in order.

Usage
-----
    .venv/bin/python tools/build_region_tables.py            # build and write
    .venv/bin/python tools/build_region_tables.py --check    # build, compare with files, write nothing

Output is sorted, UTF-8, '\\n' line endings and contains no timestamps: a rerun is byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE_DIR = ROOT.parent / "shared" / "realdata" / "cbs-regio"
DEFAULT_OUT_DIR = ROOT / "reference" / "regions"

VERSION = "2026.1"
FIRST_YEAR = 2019  # first boundary year of municipalities.csv
LAST_YEAR = 2026  # last boundary year of municipalities.csv

FILE_2019 = "Gebieden_in_Nederland_2019_84378NED.csv"
FILE_2026_AM = "arbeidsmarktregio_gemeente_86247NED.json"
FILE_COROP = "woonplaats_gemeente_corop.generated.csv"

CBS_LICENCE = "CC-BY-4.0 (CBS open data, reused with attribution: Centraal Bureau voor de Statistiek)"
PROJECT_LICENCE = "EUPL-1.2"

# --------------------------------------------------------------------------------------------
# Fixed CBS hierarchy: landsdeel <- province <- COROP (CBS regional classifications).
# --------------------------------------------------------------------------------------------

# CBS landsdelen (LD), code -> name.
LANDSDELEN: dict[str, str] = {
    "LD01": "Noord-Nederland",
    "LD02": "Oost-Nederland",
    "LD03": "West-Nederland",
    "LD04": "Zuid-Nederland",
}

# CBS provinces (PV), code -> (name as in Gebieden in Nederland 2026, landsdeel code).
PROVINCES: dict[str, tuple[str, str]] = {
    "PV20": ("Groningen", "LD01"),
    "PV21": ("Fryslân", "LD01"),
    "PV22": ("Drenthe", "LD01"),
    "PV23": ("Overijssel", "LD02"),
    "PV24": ("Flevoland", "LD02"),
    "PV25": ("Gelderland", "LD02"),
    "PV26": ("Utrecht", "LD03"),
    "PV27": ("Noord-Holland", "LD03"),
    "PV28": ("Zuid-Holland", "LD03"),
    "PV29": ("Zeeland", "LD03"),
    "PV30": ("Noord-Brabant", "LD04"),
    "PV31": ("Limburg", "LD04"),
}

# CBS COROP regions (CR), code -> (name, province code). The names must equal those in the
# woonplaats -> gemeente -> COROP file (checked).
COROP: dict[str, tuple[str, str]] = {
    "CR01": ("Oost-Groningen", "PV20"),
    "CR02": ("Delfzijl en omgeving", "PV20"),
    "CR03": ("Overig Groningen", "PV20"),
    "CR04": ("Noord-Friesland", "PV21"),
    "CR05": ("Zuidwest-Friesland", "PV21"),
    "CR06": ("Zuidoost-Friesland", "PV21"),
    "CR07": ("Noord-Drenthe", "PV22"),
    "CR08": ("Zuidoost-Drenthe", "PV22"),
    "CR09": ("Zuidwest-Drenthe", "PV22"),
    "CR10": ("Noord-Overijssel", "PV23"),
    "CR11": ("Zuidwest-Overijssel", "PV23"),
    "CR12": ("Twente", "PV23"),
    "CR13": ("Veluwe", "PV25"),
    "CR14": ("Achterhoek", "PV25"),
    "CR15": ("Arnhem/Nijmegen", "PV25"),
    "CR16": ("Zuidwest-Gelderland", "PV25"),
    "CR17": ("Utrecht", "PV26"),
    "CR18": ("Kop van Noord-Holland", "PV27"),
    "CR19": ("Alkmaar en omgeving", "PV27"),
    "CR20": ("IJmond", "PV27"),
    "CR21": ("Agglomeratie Haarlem", "PV27"),
    "CR22": ("Zaanstreek", "PV27"),
    "CR23": ("Groot-Amsterdam", "PV27"),
    "CR24": ("Het Gooi en Vechtstreek", "PV27"),
    "CR25": ("Agglomeratie Leiden en Bollenstreek", "PV28"),
    "CR26": ("Agglomeratie 's-Gravenhage", "PV28"),
    "CR27": ("Delft en Westland", "PV28"),
    "CR28": ("Oost-Zuid-Holland", "PV28"),
    "CR29": ("Groot-Rijnmond", "PV28"),
    "CR30": ("Zuidoost-Zuid-Holland", "PV28"),
    "CR31": ("Zeeuwsch-Vlaanderen", "PV29"),
    "CR32": ("Overig Zeeland", "PV29"),
    "CR33": ("West-Noord-Brabant", "PV30"),
    "CR34": ("Midden-Noord-Brabant", "PV30"),
    "CR35": ("Noordoost-Noord-Brabant", "PV30"),
    "CR36": ("Zuidoost-Noord-Brabant", "PV30"),
    "CR37": ("Noord-Limburg", "PV31"),
    "CR38": ("Midden-Limburg", "PV31"),
    "CR39": ("Zuid-Limburg", "PV31"),
    "CR40": ("Flevoland", "PV24"),
}

# CBS arbeidsmarktregio codes (AM), code -> name (names as in 86247NED, checked against the JSON).
# CBS does NOT number the 35 regions AM01..AM35: the statcodes of the CBS/PDOK gebiedsindeling
# "arbeidsmarktregio" are the ones below (AM04, AM16 and AM31 are unused; AM36-AM38 exist).
# Source: CBS gebiedsindelingen, statcode/statnaam of arbeidsmarktregio_2019..2025 as republished
# by cartomap/nl (rd/arbeidsmarktregio_2025.topojson); the same codes appear in CBS-derived tables
# of VNG (EvaCore) and of ahrnuld/jobmarket. CBS 2019 and 2020 also have AM99 "Niet in te delen"
# (Vijfheerenlanden, see below), which is not a region and is not used here.
ARBEIDSMARKTREGIOS: dict[str, str] = {
    "AM01": "Groningen",
    "AM02": "Friesland",
    "AM03": "Drenthe",
    "AM05": "Twente",
    "AM06": "Veluwe Stedendriehoek",
    "AM07": "Midden-Gelderland",
    "AM08": "Rijk van Nijmegen",
    "AM09": "Achterhoek",
    "AM10": "Rivierenland",
    "AM11": "Flevoland",
    "AM12": "Gooi en Vechtstreek",
    "AM13": "Midden-Utrecht",
    "AM14": "Amersfoort",
    "AM15": "Noord-Holland Noord",
    "AM17": "Zaanstreek/Waterland",
    "AM18": "Groot Amsterdam",
    "AM19": "Holland Rijnland",
    "AM20": "Midden-Holland",
    "AM21": "Haaglanden",
    "AM22": "Rijnmond",
    "AM23": "Drechtsteden",
    "AM24": "Zeeland",
    "AM25": "West-Brabant",
    "AM26": "Midden-Brabant",
    "AM27": "Noordoost-Brabant",
    "AM28": "Zuidoost-Brabant",
    "AM29": "Noord-Limburg",
    "AM30": "Zuid-Limburg",
    "AM32": "Helmond-De Peel",
    "AM33": "Midden-Limburg",
    "AM34": "Zuid-Holland Centraal",
    "AM35": "Gorinchem",
    "AM36": "Regio Zwolle",
    "AM37": "Zuid-Kennemerland en IJmond",
    "AM38": "FoodValley",
}

# --------------------------------------------------------------------------------------------
# Techniekpact regions: project-maintained (no official municipality -> region table exists).
# Rule: by province; Noord-Brabant is split by COROP region.
# --------------------------------------------------------------------------------------------

TECHNIEKPACT_REGIONS: dict[str, str] = {
    "TP-NOORD": "Noord",
    "TP-NOORDVLEUGEL": "Noordvleugel",
    "TP-OOST": "Oost",
    "TP-ZUIDOOST": "Zuidoost",
    "TP-ZUIDWEST": "Zuidwest",
}
TECHNIEKPACT_BY_PROVINCE: dict[str, str] = {
    "PV20": "TP-NOORD",  # Groningen
    "PV21": "TP-NOORD",  # Fryslân
    "PV22": "TP-NOORD",  # Drenthe
    "PV27": "TP-NOORDVLEUGEL",  # Noord-Holland
    "PV24": "TP-NOORDVLEUGEL",  # Flevoland
    "PV26": "TP-NOORDVLEUGEL",  # Utrecht
    "PV23": "TP-OOST",  # Overijssel
    "PV25": "TP-OOST",  # Gelderland
    "PV31": "TP-ZUIDOOST",  # Limburg
    "PV29": "TP-ZUIDWEST",  # Zeeland
    "PV28": "TP-ZUIDWEST",  # Zuid-Holland
    # PV30 Noord-Brabant: by COROP, see TECHNIEKPACT_BY_COROP
}
TECHNIEKPACT_BY_COROP: dict[str, str] = {
    "CR33": "TP-ZUIDWEST",  # West-Noord-Brabant
    "CR34": "TP-ZUIDOOST",  # Midden-Noord-Brabant
    "CR35": "TP-ZUIDOOST",  # Noordoost-Noord-Brabant
    "CR36": "TP-ZUIDOOST",  # Zuidoost-Noord-Brabant
}

# --------------------------------------------------------------------------------------------
# Municipal reorganisations (herindelingen), after CBS "Gemeentelijke indelingen per jaar".
# One entry per successor; `old` lists the municipalities whose code disappears, with their kind:
#   merger      - the whole municipality joins the successor;
#   split       - the municipality is divided over several successors; `new_code` is the primary
#                 successor (the one that received the former seat); all parts are in
#                 SPLIT_PARTS / municipal_split_parts.csv;
#   code_change - same territory under a new code (here always together with a new name);
#   rename      - new name, same code (none occurred 2016-2026 for codes in these tables).
# `created` is True when the successor code is new that year, False when an existing
# municipality continues (absorbs). `best_effort` marks the pre-2019 history (2016-2019), which
# cannot be reconciled against a CBS file here; it is checked against the known yearly counts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reorganisation:
    effective_year: int
    new_code: str
    new_name: str
    created: bool
    old: tuple[tuple[str, str, str], ...]  # (old_code, old_name, kind)
    source: str
    best_effort: bool = False


def _cbs(year: int, note: str = "") -> str:
    text = f"CBS gemeentelijke indeling op 1 januari {year}"
    return f"{text}; {note}" if note else text


def _pre2019(year: int, note: str = "") -> str:
    return "best effort (pre-2019 history): " + _cbs(year, note)


REORGANISATIONS: tuple[Reorganisation, ...] = (
    # ---- 2016 (best effort) ----
    Reorganisation(
        2016,
        "GM1942",
        "Gooise Meren",
        True,
        (("GM0381", "Bussum", "merger"), ("GM0424", "Muiden", "merger"), ("GM0425", "Naarden", "merger")),
        _pre2019(2016),
        True,
    ),
    Reorganisation(2016, "GM0385", "Edam-Volendam", False, (("GM0478", "Zeevang", "merger"),), _pre2019(2016), True),
    Reorganisation(
        2016,
        "GM1945",
        "Berg en Dal",
        True,
        (("GM0241", "Groesbeek", "code_change"),),
        _pre2019(2016, "Groesbeek (merged with Millingen aan de Rijn and Ubbergen on 2015-01-01) renamed Berg en Dal"),
        True,
    ),
    Reorganisation(
        2016,
        "GM1940",
        "De Fryske Marren",
        True,
        (("GM1921", "De Friese Meren", "code_change"),),
        _pre2019(2016, "De Friese Meren renamed De Fryske Marren; CBS lists GM1921 up to its 2015 division"),
        True,
    ),
    # ---- 2017 (best effort) ----
    Reorganisation(
        2017,
        "GM1948",
        "Meierijstad",
        True,
        (("GM0844", "Schijndel", "merger"), ("GM0846", "Sint-Oedenrode", "merger"), ("GM0860", "Veghel", "merger")),
        _pre2019(2017),
        True,
    ),
    # ---- 2018 (best effort) ----
    Reorganisation(
        2018, "GM0080", "Leeuwarden", False, (("GM0081", "Leeuwarderadeel", "merger"),), _pre2019(2018), True
    ),
    Reorganisation(
        2018,
        "GM1900",
        "Súdwest-Fryslân",
        False,
        (("GM0140", "Littenseradiel", "split"),),
        _pre2019(
            2018,
            "Littenseradiel split over Súdwest-Fryslân (former seat Wommels), Leeuwarden and Waadhoeke; see municipal_split_parts.csv",
        ),
        True,
    ),
    Reorganisation(
        2018,
        "GM1949",
        "Waadhoeke",
        True,
        (
            ("GM0070", "Franekeradeel", "merger"),
            ("GM0063", "het Bildt", "merger"),
            ("GM1908", "Menameradiel", "merger"),
        ),
        _pre2019(2018, "Waadhoeke also received part of Littenseradiel"),
        True,
    ),
    Reorganisation(2018, "GM0299", "Zevenaar", False, (("GM0196", "Rijnwaarden", "merger"),), _pre2019(2018), True),
    Reorganisation(
        2018,
        "GM1950",
        "Westerwolde",
        True,
        (("GM0007", "Bellingwedde", "merger"), ("GM0048", "Vlagtwedde", "merger")),
        _pre2019(2018),
        True,
    ),
    Reorganisation(
        2018,
        "GM1952",
        "Midden-Groningen",
        True,
        (
            ("GM0018", "Hoogezand-Sappemeer", "merger"),
            ("GM1987", "Menterwolde", "merger"),
            ("GM0040", "Slochteren", "merger"),
        ),
        _pre2019(2018),
        True,
    ),
    # ---- 2019 (best effort: maps 2018 codes onto the 2019 list) ----
    Reorganisation(
        2019,
        "GM0014",
        "Groningen",
        False,
        (("GM0017", "Haren", "merger"), ("GM0009", "Ten Boer", "merger")),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1966",
        "Het Hogeland",
        True,
        (
            ("GM0005", "Bedum", "merger"),
            ("GM1663", "De Marne", "merger"),
            ("GM1651", "Eemsmond", "merger"),
            ("GM0053", "Winsum", "split"),
        ),
        _pre2019(
            2019,
            "Winsum split over Het Hogeland (former seat Winsum) and Westerkwartier; see municipal_split_parts.csv",
        ),
        True,
    ),
    Reorganisation(
        2019,
        "GM1969",
        "Westerkwartier",
        True,
        (
            ("GM0015", "Grootegast", "merger"),
            ("GM0022", "Leek", "merger"),
            ("GM0025", "Marum", "merger"),
            ("GM0056", "Zuidhorn", "merger"),
        ),
        _pre2019(2019, "Westerkwartier also received part of Winsum"),
        True,
    ),
    Reorganisation(
        2019,
        "GM1970",
        "Noardeast-Fryslân",
        True,
        (
            ("GM0058", "Dongeradeel", "merger"),
            ("GM1722", "Ferwerderadiel", "merger"),
            ("GM0079", "Kollumerland en Nieuwkruisland", "merger"),
        ),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1978",
        "Molenlanden",
        True,
        (("GM1927", "Molenwaard", "merger"), ("GM0689", "Giessenlanden", "merger")),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1959",
        "Altena",
        True,
        (("GM0738", "Aalburg", "merger"), ("GM0870", "Werkendam", "merger"), ("GM0874", "Woudrichem", "merger")),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1961",
        "Vijfheerenlanden",
        True,
        (("GM0545", "Leerdam", "merger"), ("GM0707", "Zederik", "merger"), ("GM0620", "Vianen", "merger")),
        _pre2019(2019, "Vijfheerenlanden belongs to the province of Utrecht"),
        True,
    ),
    Reorganisation(
        2019,
        "GM1963",
        "Hoeksche Waard",
        True,
        (
            ("GM0585", "Binnenmaas", "merger"),
            ("GM0611", "Cromstrijen", "merger"),
            ("GM0588", "Korendijk", "merger"),
            ("GM0584", "Oud-Beijerland", "merger"),
            ("GM0617", "Strijen", "merger"),
        ),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1960",
        "West Betuwe",
        True,
        (("GM0236", "Geldermalsen", "merger"), ("GM0733", "Lingewaal", "merger"), ("GM0304", "Neerijnen", "merger")),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM1954",
        "Beekdaelen",
        True,
        (("GM0951", "Nuth", "merger"), ("GM0881", "Onderbanken", "merger"), ("GM0962", "Schinnen", "merger")),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019,
        "GM0394",
        "Haarlemmermeer",
        False,
        (("GM0393", "Haarlemmerliede en Spaarnwoude", "merger"),),
        _pre2019(2019),
        True,
    ),
    Reorganisation(
        2019, "GM0575", "Noordwijk", False, (("GM0576", "Noordwijkerhout", "merger"),), _pre2019(2019), True
    ),
    # ---- 2020: no reorganisations ----
    # ---- 2021 ----
    Reorganisation(
        2021,
        "GM1979",
        "Eemsdelta",
        True,
        (("GM0003", "Appingedam", "merger"), ("GM0010", "Delfzijl", "merger"), ("GM0024", "Loppersum", "merger")),
        _cbs(2021),
    ),
    Reorganisation(
        2021,
        "GM0824",
        "Oisterwijk",
        False,
        (("GM0788", "Haaren", "split"),),
        _cbs(
            2021,
            "Haaren split over Oisterwijk (former seat Haaren), Boxtel, Tilburg and Vught; see municipal_split_parts.csv",
        ),
    ),
    # ---- 2022 ----
    Reorganisation(
        2022,
        "GM1980",
        "Dijk en Waard",
        True,
        (("GM0398", "Heerhugowaard", "merger"), ("GM0416", "Langedijk", "merger")),
        _cbs(2022),
    ),
    Reorganisation(
        2022,
        "GM1982",
        "Land van Cuijk",
        True,
        (
            ("GM0756", "Boxmeer", "merger"),
            ("GM1684", "Cuijk", "merger"),
            ("GM0786", "Grave", "merger"),
            ("GM0815", "Mill en Sint Hubert", "merger"),
            ("GM1702", "Sint Anthonis", "merger"),
        ),
        _cbs(2022),
    ),
    Reorganisation(
        2022, "GM1991", "Maashorst", True, (("GM1685", "Landerd", "merger"), ("GM0856", "Uden", "merger")), _cbs(2022)
    ),
    Reorganisation(2022, "GM0439", "Purmerend", False, (("GM0370", "Beemster", "merger"),), _cbs(2022)),
    # ---- 2023 ----
    Reorganisation(
        2023,
        "GM0363",
        "Amsterdam",
        False,
        (("GM0457", "Weesp", "merger"),),
        _cbs(2023, "legally in force 2022-03-24; CBS division of 1 January 2022 still lists Weesp"),
    ),
    Reorganisation(
        2023,
        "GM1992",
        "Voorne aan Zee",
        True,
        (("GM0501", "Brielle", "merger"), ("GM0530", "Hellevoetsluis", "merger"), ("GM0614", "Westvoorne", "merger")),
        _cbs(2023),
    ),
    # ---- 2024, 2025, 2026: no reorganisations ----
)

# Parts of split municipalities: (effective_year, old_code, old_name, new_code, new_name, is_primary,
# woonplaatsen transferred (BAG names), woonplaatsen list complete?). Woonplaats memberships checked
# against the woonplaats -> gemeente file.
SPLIT_PARTS: tuple[tuple[int, str, str, str, str, bool, tuple[str, ...], bool], ...] = (
    (2018, "GM0140", "Littenseradiel", "GM1900", "Súdwest-Fryslân", True, ("Wommels", "Easterein"), False),
    (2018, "GM0140", "Littenseradiel", "GM0080", "Leeuwarden", False, ("Mantgum", "Weidum", "Jorwert"), False),
    (2018, "GM0140", "Littenseradiel", "GM1949", "Waadhoeke", False, ("Winsum", "Spannum", "Baaium"), False),
    (2019, "GM0053", "Winsum", "GM1966", "Het Hogeland", True, ("Winsum",), False),
    (2019, "GM0053", "Winsum", "GM1969", "Westerkwartier", False, ("Ezinge", "Feerwerd", "Garnwerd"), False),
    (2021, "GM0788", "Haaren", "GM0824", "Oisterwijk", True, ("Haaren",), True),
    (2021, "GM0788", "Haaren", "GM0757", "Boxtel", False, ("Esch",), True),
    (2021, "GM0788", "Haaren", "GM0855", "Tilburg", False, ("Biezenmortel",), True),
    (2021, "GM0788", "Haaren", "GM0865", "Vught", False, ("Helvoirt",), True),
)

# Known CBS municipality counts per boundary year (1 January).
EXPECTED_COUNTS: dict[int, int] = {
    2015: 393,
    2016: 390,
    2017: 388,
    2018: 380,
    2019: 355,
    2020: 355,
    2021: 352,
    2022: 345,
    2023: 342,
    2024: 342,
    2025: 342,
    2026: 342,
}

# COROP and arbeidsmarktregio of the municipalities of 2019 that no longer exist in 2026, as
# given by CBS "Gebieden in Nederland" of the last year each existed (2020: 84721NED, 2021:
# 84929NED, 2022: 85067NED). Taken from a public compilation of those CBS tables
# (ahrnuld/jobmarket, data/reference/municipalities.csv); not re-fetched from CBS here.
# Province follows from the COROP region. code -> (last year, COROP code, AM code).
DISSOLVED_ATTRIBUTES: dict[str, tuple[int, str, str]] = {
    "GM0003": (2020, "CR02", "AM01"),  # Appingedam
    "GM0010": (2020, "CR02", "AM01"),  # Delfzijl
    "GM0024": (2020, "CR02", "AM01"),  # Loppersum
    "GM0788": (2020, "CR35", "AM27"),  # Haaren (split 2021; its parts now lie in CR34/CR35, AM26/AM27)
    "GM0370": (2021, "CR23", "AM17"),  # Beemster
    "GM0398": (2021, "CR19", "AM15"),  # Heerhugowaard
    "GM0416": (2021, "CR19", "AM15"),  # Langedijk
    "GM0756": (2021, "CR35", "AM27"),  # Boxmeer
    "GM1684": (2021, "CR35", "AM27"),  # Cuijk
    "GM0786": (2021, "CR35", "AM27"),  # Grave
    "GM0815": (2021, "CR35", "AM27"),  # Mill en Sint Hubert
    "GM1702": (2021, "CR35", "AM27"),  # Sint Anthonis
    "GM1685": (2021, "CR35", "AM27"),  # Landerd
    "GM0856": (2021, "CR35", "AM27"),  # Uden
    "GM0457": (2022, "CR24", "AM18"),  # Weesp (COROP Het Gooi en Vechtstreek, unlike Amsterdam)
    "GM0501": (2022, "CR29", "AM22"),  # Brielle
    "GM0530": (2022, "CR29", "AM22"),  # Hellevoetsluis
    "GM0614": (2022, "CR29", "AM22"),  # Westvoorne
}
# Full mergers whose predecessor lay in another COROP region than its successor (checked).
COROP_DIFFERS_FROM_SUCCESSOR = {"GM0457"}

VALID_KINDS = ("merger", "split", "rename", "code_change")
VALID_STATUS = ("official", "derived", "best-effort")

# --------------------------------------------------------------------------------------------


class BuildError(Exception):
    """A problem that stops the build before any checks can run (unreadable input)."""


class Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.passed: list[str] = []

    def check(self, condition: bool, name: str, detail: str = "") -> bool:
        if condition:
            self.passed.append(name)
        else:
            self.failures.append(f"{name}: {detail}" if detail else name)
        return condition


def strip_disambiguation(name: str) -> str:
    """StatLine labels some municipalities '<name> (gemeente)' to tell them from the province."""
    suffix = " (gemeente)"
    return name[: -len(suffix)] if name.endswith(suffix) else name


# ---- reading the CBS files ----------------------------------------------------------------------


def read_2019(path: Path) -> dict[str, str]:
    """Municipality code -> name of boundary year 2019 (84378NED StatLine export, latin-1, ';')."""
    text = path.read_bytes().decode("latin-1")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    if not rows or rows[0][:2] != ["Naam", "Code"]:
        raise BuildError(f"{path.name}: unexpected header {rows[0] if rows else None}")
    result: dict[str, str] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not row or row[0].startswith("Bron:"):
            continue
        name, code = row[0].strip(), row[1].strip()
        if not (code.startswith("GM") and len(code) == 6 and code[2:].isdigit()):
            raise BuildError(f"{path.name}:{line_no}: not a municipality code: {code!r}")
        if code in result:
            raise BuildError(f"{path.name}:{line_no}: duplicate code {code}")
        result[code] = name
    return result


def read_2026_am(path: Path) -> tuple[dict[str, str], dict]:
    """Municipality code -> arbeidsmarktregio name of boundary year 2026 (86247NED)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = data.get("_bron", {})
    if meta.get("tabel") != "86247NED":
        raise BuildError(f"{path.name}: expected table 86247NED, found {meta.get('tabel')!r}")
    result = {}
    for raw_code, am_name in data["gemeenten"].items():
        if not (len(raw_code) == 4 and raw_code.isdigit()):
            raise BuildError(f"{path.name}: not a 4-digit municipality code: {raw_code!r}")
        result[f"GM{raw_code}"] = am_name
    return result, meta


def read_corop_file(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, set[str]]]:
    """From woonplaats -> gemeente -> COROP: gemeente code -> (name, COROP code), COROP code -> name,
    woonplaats name -> gemeente codes (several when woonplaatsen share a name, e.g. Winsum)."""
    expected = ["Woonplaatscode", "Woonplaats", "Gemeentecode", "Gemeente", "COROP-gebiedcode", "COROP-gebied"]
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        if header != expected:
            raise BuildError(f"{path.name}: unexpected header {header}")
        municipalities: dict[str, set[tuple[str, str]]] = defaultdict(set)
        corop_names: dict[str, set[str]] = defaultdict(set)
        woonplaats: dict[str, set[str]] = defaultdict(set)
        for line_no, row in enumerate(reader, start=2):
            if len(row) != len(expected):
                raise BuildError(f"{path.name}:{line_no}: {len(row)} fields")
            _, wp_name, gm, gm_name, cr, cr_name = (value.strip() for value in row)
            if not (len(gm) == 4 and gm.isdigit() and len(cr) == 2 and cr.isdigit()):
                raise BuildError(f"{path.name}:{line_no}: bad code gemeente={gm!r} corop={cr!r}")
            municipalities[f"GM{gm}"].add((gm_name, f"CR{cr}"))
            corop_names[f"CR{cr}"].add(cr_name)
            woonplaats[wp_name].add(f"GM{gm}")
    for code, values in municipalities.items():
        if len(values) != 1:
            raise BuildError(f"{path.name}: municipality {code} has several names/COROP regions: {sorted(values)}")
    for code, names in corop_names.items():
        if len(names) != 1:
            raise BuildError(f"{path.name}: COROP {code} has several names: {sorted(names)}")
    return (
        {code: next(iter(v)) for code, v in municipalities.items()},
        {code: next(iter(v)) for code, v in corop_names.items()},
        dict(woonplaats),
    )


# ---- building ---------------------------------------------------------------------------------


def merger_rows() -> list[dict[str, str]]:
    rows = []
    for reorg in REORGANISATIONS:
        for old_code, old_name, kind in reorg.old:
            rows.append(
                {
                    "effective_year": str(reorg.effective_year),
                    "old_code": old_code,
                    "old_name": old_name,
                    "new_code": reorg.new_code,
                    "new_name": reorg.new_name,
                    "kind": kind,
                    "source": reorg.source,
                }
            )
    rows.sort(key=lambda r: (int(r["effective_year"]), r["old_code"], r["new_code"]))
    return rows


def split_rows() -> list[dict[str, str]]:
    rows = []
    for year, old_code, old_name, new_code, new_name, primary, places, complete in SPLIT_PARTS:
        rows.append(
            {
                "effective_year": str(year),
                "old_code": old_code,
                "old_name": old_name,
                "new_code": new_code,
                "new_name": new_name,
                "is_primary": "true" if primary else "false",
                "woonplaatsen": "; ".join(places),
                "woonplaatsen_complete": "true" if complete else "false",
                "source": (_cbs(year) if year >= 2020 else _pre2019(year))
                + "; woonplaats memberships as in CBS/BAG woonplaats -> gemeente (current division)",
            }
        )
    rows.sort(key=lambda r: (int(r["effective_year"]), r["old_code"], r["new_code"]))
    return rows


def techniekpact_region(province_code: str, corop_code: str) -> str:
    if province_code == "PV30":
        return TECHNIEKPACT_BY_COROP[corop_code]
    return TECHNIEKPACT_BY_PROVINCE[province_code]


def build(source_dir: Path) -> tuple[dict[str, str], Checks]:
    """Return {file name: text} for every CSV and metadata file, plus the checks."""
    checks = Checks()
    names_2019 = read_2019(source_dir / FILE_2019)
    am_2026, am_meta = read_2026_am(source_dir / FILE_2026_AM)
    corop_2026, corop_names_file, woonplaats_to_gm = read_corop_file(source_dir / FILE_COROP)

    # -- source files and fixed lists
    checks.check(len(names_2019) == 355, "2019 list has 355 municipalities", f"found {len(names_2019)}")
    checks.check(len(am_2026) == 342, "2026 list (86247NED) has 342 municipalities", f"found {len(am_2026)}")
    checks.check(
        set(corop_2026) == set(am_2026),
        "woonplaats/COROP file covers exactly the 2026 municipalities",
        f"only in COROP file: {sorted(set(corop_2026) - set(am_2026))}; "
        f"only in 86247NED: {sorted(set(am_2026) - set(corop_2026))}",
    )
    checks.check(len(PROVINCES) == 12, "12 provinces", f"found {len(PROVINCES)}")
    checks.check(len(LANDSDELEN) == 4, "4 landsdelen", f"found {len(LANDSDELEN)}")
    checks.check(len(COROP) == 40, "40 COROP regions", f"found {len(COROP)}")
    checks.check(len(ARBEIDSMARKTREGIOS) == 35, "35 arbeidsmarktregio's", f"found {len(ARBEIDSMARKTREGIOS)}")
    checks.check(len(TECHNIEKPACT_REGIONS) == 5, "5 Techniekpact regions", f"found {len(TECHNIEKPACT_REGIONS)}")
    checks.check(all(ld in LANDSDELEN for _, ld in PROVINCES.values()), "every province has a landsdeel")
    checks.check(all(pv in PROVINCES for _, pv in COROP.values()), "every COROP region has a province")
    checks.check({ld for _, ld in PROVINCES.values()} == set(LANDSDELEN), "every landsdeel has provinces")
    checks.check({pv for _, pv in COROP.values()} == set(PROVINCES), "every province has COROP regions")
    checks.check(
        corop_names_file == {code: name for code, (name, _) in COROP.items()},
        "COROP codes and names equal those of the CBS file",
        f"differences: {sorted(set(corop_names_file.items()) ^ {(c, n) for c, (n, _) in COROP.items()})}",
    )
    am_by_name = {name: code for code, name in ARBEIDSMARKTREGIOS.items()}
    checks.check(len(am_by_name) == len(ARBEIDSMARKTREGIOS), "arbeidsmarktregio names are unique")
    checks.check(
        set(am_2026.values()) == set(am_by_name),
        "arbeidsmarktregio names equal those of 86247NED",
        f"differences: {sorted(set(am_2026.values()) ^ set(am_by_name))}",
    )
    checks.check(
        set(TECHNIEKPACT_BY_PROVINCE) | {"PV30"} == set(PROVINCES)
        and set(TECHNIEKPACT_BY_COROP) == {c for c, (_, pv) in COROP.items() if pv == "PV30"}
        and set(TECHNIEKPACT_BY_PROVINCE.values()) | set(TECHNIEKPACT_BY_COROP.values()) == set(TECHNIEKPACT_REGIONS),
        "Techniekpact rule covers every province (Noord-Brabant by COROP) and uses every region",
    )

    # -- names: a code present in 2019 and 2026 has one name (apart from the StatLine suffix)
    names_2026 = {code: name for code, (name, _) in corop_2026.items()}
    renamed = {
        c: (names_2019[c], names_2026[c])
        for c in set(names_2019) & set(names_2026)
        if strip_disambiguation(names_2019[c]) != names_2026[c]
    }
    checks.check(
        not renamed, "municipalities present in 2019 and 2026 have the same name", f"{sorted(renamed.items())}"
    )

    def name_of(code: str) -> str:
        return names_2026[code] if code in names_2026 else strip_disambiguation(names_2019[code])

    # -- reorganisations: structure
    olds = [old for reorg in REORGANISATIONS for old in reorg.old]
    checks.check(
        len({o[0] for o in olds}) == len(olds),
        "every old code disappears once",
        f"{[c for c, n in Counter(o[0] for o in olds).items() if n > 1]}",
    )
    checks.check(all(kind in VALID_KINDS for _, _, kind in olds), "reorganisation kinds are valid")
    checks.check(
        all(r.effective_year in EXPECTED_COUNTS and r.effective_year >= 2016 for r in REORGANISATIONS),
        "reorganisation years lie in 2016..2026",
    )
    checks.check(
        all(r.best_effort == (r.effective_year <= 2019) for r in REORGANISATIONS),
        "exactly the reorganisations up to 2019 are marked best effort",
    )
    wrong_names = []
    for reorg in REORGANISATIONS:
        known = reorg.new_code in names_2019 or reorg.new_code in names_2026
        if known and name_of(reorg.new_code) != reorg.new_name:
            wrong_names.append((reorg.new_code, reorg.new_name, name_of(reorg.new_code)))
        if reorg.effective_year > FIRST_YEAR:
            for old_code, old_name, _ in reorg.old:
                if strip_disambiguation(names_2019.get(old_code, "?")) != old_name:
                    wrong_names.append((old_code, old_name, names_2019.get(old_code)))
    checks.check(not wrong_names, "names in the reorganisations equal those of the CBS files", f"{wrong_names}")

    # -- reorganisations: forward from 2019 to 2026 must give exactly 86247NED
    state = set(names_2019)
    members: dict[int, set[str]] = {FIRST_YEAR: set(state)}
    for year in range(FIRST_YEAR + 1, LAST_YEAR + 1):
        for reorg in (r for r in REORGANISATIONS if r.effective_year == year):
            for old_code, _, _kind in reorg.old:
                checks.check(old_code in state, f"{year}: {old_code} exists before it disappears")
                state.discard(old_code)
            if reorg.created:
                checks.check(
                    reorg.new_code not in state and all(reorg.new_code not in m for m in members.values()),
                    f"{year}: new code {reorg.new_code} is new",
                )
            else:
                checks.check(reorg.new_code in state, f"{year}: continuing municipality {reorg.new_code} exists")
            state.add(reorg.new_code)
        members[year] = set(state)
        checks.check(
            len(state) == EXPECTED_COUNTS[year],
            f"boundary year {year} has {EXPECTED_COUNTS[year]} municipalities",
            f"found {len(state)}",
        )
    checks.check(
        members[LAST_YEAR] == set(am_2026),
        "reorganisations applied to 2019 give exactly the 2026 codes of 86247NED",
        f"missing: {sorted(set(am_2026) - members[LAST_YEAR])}; extra: {sorted(members[LAST_YEAR] - set(am_2026))}",
    )

    # -- reorganisations: backward from 2019 to 2015 (best effort), against the known counts
    state = set(names_2019)
    for year in range(FIRST_YEAR, 2015, -1):
        reorgs = [r for r in REORGANISATIONS if r.effective_year == year]
        for reorg in reorgs:
            checks.check(reorg.new_code in state, f"{year}: successor {reorg.new_code} exists in {year}")
            for old_code, _, _ in reorg.old:
                checks.check(old_code not in state, f"{year}: {old_code} no longer exists in {year}")
        state = (state - {r.new_code for r in reorgs if r.created}) | {o[0] for r in reorgs for o in r.old}
        checks.check(
            len(state) == EXPECTED_COUNTS[year - 1],
            f"boundary year {year - 1} has {EXPECTED_COUNTS[year - 1]} municipalities",
            f"found {len(state)}",
        )

    # -- split parts
    split_olds = {o[0]: (r.effective_year, r.new_code) for r in REORGANISATIONS for o in r.old if o[2] == "split"}
    parts_by_old: dict[str, list] = defaultdict(list)
    for part in SPLIT_PARTS:
        parts_by_old[part[1]].append(part)
    checks.check(set(parts_by_old) == set(split_olds), "every split has its parts listed and vice versa")
    for old_code, parts in parts_by_old.items():
        primaries = [p for p in parts if p[5]]
        checks.check(
            len(primaries) == 1 and split_olds.get(old_code) == (primaries[0][0], primaries[0][3]),
            f"split {old_code}: one primary part, equal to the reorganisation row",
        )
        for _year, _, _, new_code, new_name, _, places, _ in parts:
            checks.check(
                new_code in names_2019 and name_of(new_code) == new_name,
                f"split {old_code}: part {new_code} {new_name} exists in 2019 with this name",
            )
            for place in places:
                checks.check(
                    new_code in woonplaats_to_gm.get(place, set()),
                    f"split {old_code}: woonplaats {place} lies in {new_code}",
                    f"file says {sorted(woonplaats_to_gm.get(place, set()))}",
                )

    # -- attributes of every municipality that exists in some boundary year
    dissolved = set(names_2019) - set(am_2026)
    checks.check(
        set(DISSOLVED_ATTRIBUTES) == dissolved,
        "COROP/AM facts given for exactly the municipalities dissolved after 2019",
        f"missing: {sorted(dissolved - set(DISSOLVED_ATTRIBUTES))}; extra: {sorted(set(DISSOLVED_ATTRIBUTES) - dissolved)}",
    )
    successor = {o[0]: (r.new_code, o[2], r.effective_year) for r in REORGANISATIONS for o in r.old}
    attributes: dict[str, tuple[str, str]] = {}  # code -> (COROP, AM)
    for code, am_name in am_2026.items():
        attributes[code] = (corop_2026[code][1], am_by_name.get(am_name, ""))
    for code, (last_year, corop_code, am_code) in DISSOLVED_ATTRIBUTES.items():
        attributes[code] = (corop_code, am_code)
        new_code, kind, effective = successor.get(code, ("", "", 0))
        checks.check(
            effective == last_year + 1, f"{code}: last year {last_year} matches its reorganisation year {effective}"
        )
        if kind == "merger" and code not in COROP_DIFFERS_FROM_SUCCESSOR:
            checks.check(
                attributes.get(new_code, ("", ""))[0] == corop_code,
                f"{code}: COROP {corop_code} equals that of its successor {new_code}",
            )
        if kind == "merger":
            checks.check(
                attributes.get(new_code, ("", ""))[1] == am_code,
                f"{code}: arbeidsmarktregio {am_code} equals that of its successor {new_code}",
            )

    municipality_rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for code in sorted(members[year]):
            corop_code, am_code = attributes.get(code, ("", ""))
            province_code = COROP.get(corop_code, ("", ""))[1]
            landsdeel_code = PROVINCES.get(province_code, ("", ""))[1]
            tp_code = techniekpact_region(province_code, corop_code) if province_code else ""
            row = {
                "boundary_year": str(year),
                "municipality_code": code,
                "municipality_name": name_of(code),
                "province_code": province_code,
                "province_name": PROVINCES.get(province_code, ("", ""))[0],
                "corop_code": corop_code,
                "corop_name": COROP.get(corop_code, ("", ""))[0],
                "arbeidsmarktregio_code": am_code,
                "arbeidsmarktregio_name": ARBEIDSMARKTREGIOS.get(am_code, ""),
                "landsdeel_code": landsdeel_code,
                "landsdeel_name": LANDSDELEN.get(landsdeel_code, ""),
                "techniekpact_region_code": tp_code,
                "techniekpact_region_name": TECHNIEKPACT_REGIONS.get(tp_code, ""),
            }
            municipality_rows.append(row)
    empty = [(r["boundary_year"], r["municipality_code"], k) for r in municipality_rows for k, v in r.items() if not v]
    checks.check(not empty, "every municipality in every boundary year has every level filled", f"{empty[:20]}")
    keys = Counter((r["boundary_year"], r["municipality_code"]) for r in municipality_rows)
    checks.check(all(n == 1 for n in keys.values()), "one row per (boundary_year, municipality)")
    rows_2026 = {r["municipality_code"]: r for r in municipality_rows if r["boundary_year"] == str(LAST_YEAR)}
    checks.check(
        all(rows_2026[c]["arbeidsmarktregio_name"] == am_2026[c] for c in am_2026),
        "2026 arbeidsmarktregio of every municipality equals 86247NED",
    )
    checks.check(
        all(rows_2026[c]["corop_code"] == corop_2026[c][1] for c in corop_2026),
        "2026 COROP of every municipality equals the woonplaats/COROP file",
    )
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        n = sum(1 for r in municipality_rows if r["boundary_year"] == str(year))
        checks.check(
            n == EXPECTED_COUNTS[year], f"municipalities.csv has {EXPECTED_COUNTS[year]} rows for {year}", f"found {n}"
        )
    for level, valid in (
        ("corop", COROP),
        ("arbeidsmarktregio", ARBEIDSMARKTREGIOS),
        ("province", PROVINCES),
        ("landsdeel", LANDSDELEN),
        ("techniekpact_region", TECHNIEKPACT_REGIONS),
    ):
        used = {r[f"{level}_code"] for r in municipality_rows if r["boundary_year"] == str(LAST_YEAR)}
        checks.check(
            used == set(valid),
            f"every {level} has municipalities in {LAST_YEAR}",
            f"without municipalities: {sorted(set(valid) - used)}; unknown: {sorted(used - set(valid))}",
        )

    # -- write tables and metadata
    tables = {
        "municipalities": (MUNICIPALITY_COLUMNS, municipality_rows),
        "municipal_mergers": (MERGER_COLUMNS, merger_rows()),
        "municipal_split_parts": (SPLIT_COLUMNS, split_rows()),
        "provinces": (
            list(PROVINCE_META_COLUMNS),
            [{"code": c, "name": n, "landsdeel_code": ld} for c, (n, ld) in sorted(PROVINCES.items())],
        ),
        "corop": (
            list(COROP_META_COLUMNS),
            [{"code": c, "name": n, "province_code": pv} for c, (n, pv) in sorted(COROP.items())],
        ),
        "arbeidsmarktregios": (
            list(SIMPLE_COLUMNS),
            [{"code": c, "name": n} for c, n in sorted(ARBEIDSMARKTREGIOS.items())],
        ),
        "landsdelen": (list(SIMPLE_COLUMNS), [{"code": c, "name": n} for c, n in sorted(LANDSDELEN.items())]),
        "techniekpact_regions": (
            list(SIMPLE_COLUMNS),
            [{"code": c, "name": n} for c, n in sorted(TECHNIEKPACT_REGIONS.items())],
        ),
    }
    files: dict[str, str] = {}
    metadata = build_metadata(am_meta)
    for name, (columns, rows) in tables.items():
        files[f"{name}.csv"] = to_csv(columns, rows)
        meta_text = to_toml(metadata[name])
        files[f"{name}.meta.toml"] = meta_text
        parsed = tomllib.loads(meta_text)
        checks.check(
            list(parsed.get("columns", {})) == columns, f"{name}.meta.toml declares the CSV's columns in order"
        )
        checks.check(parsed.get("status") in VALID_STATUS, f"{name}.meta.toml has a valid status")
        checks.check(
            all(k in parsed for k in ("id", "version", "title", "description", "status", "source", "licence")),
            f"{name}.meta.toml has every key",
        )
    return files, checks


# ---- output formats ------------------------------------------------------------------------------

MUNICIPALITY_COLUMNS = [
    "boundary_year",
    "municipality_code",
    "municipality_name",
    "province_code",
    "province_name",
    "corop_code",
    "corop_name",
    "arbeidsmarktregio_code",
    "arbeidsmarktregio_name",
    "landsdeel_code",
    "landsdeel_name",
    "techniekpact_region_code",
    "techniekpact_region_name",
]
MERGER_COLUMNS = ["effective_year", "old_code", "old_name", "new_code", "new_name", "kind", "source"]
SPLIT_COLUMNS = [
    "effective_year",
    "old_code",
    "old_name",
    "new_code",
    "new_name",
    "is_primary",
    "woonplaatsen",
    "woonplaatsen_complete",
    "source",
]
SIMPLE_COLUMNS = {"code": "", "name": ""}
PROVINCE_META_COLUMNS = {"code": "", "name": "", "landsdeel_code": ""}
COROP_META_COLUMNS = {"code": "", "name": "", "province_code": ""}


def to_csv(columns: list[str], rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _toml_string(value: str) -> str:
    if "\n" in value:
        if '"""' in value or "\\" in value:
            raise BuildError(f"cannot write multi-line TOML string: {value[:40]!r}")
        return '"""\n' + value + '"""'
    return json.dumps(value, ensure_ascii=False)


def to_toml(meta: dict) -> str:
    lines = []
    for key in ("id", "version", "title", "description", "status", "source", "licence"):
        lines.append(f"{key} = {_toml_string(meta[key])}")
    lines.append("")
    lines.append("[columns]")
    for column, text in meta["columns"].items():
        lines.append(f"{column} = {_toml_string(text)}")
    return "\n".join(lines) + "\n"


SRC_2019 = (
    "CBS 84378NED 'Gebieden in Nederland 2019' (https://opendata.cbs.nl/statline/#/CBS/nl/dataset/84378NED; "
    "StatLine export " + FILE_2019 + ")"
)
SRC_2026 = (
    "CBS 86247NED 'Gebieden in Nederland 2026' (https://opendata.cbs.nl/statline/#/CBS/nl/dataset/86247NED; "
    "municipality -> arbeidsmarktregio as " + FILE_2026_AM + ")"
)
SRC_COROP = (
    "CBS 'Woonplaatsen in Nederland' + 'Gebieden in Nederland' (current year): woonplaats -> gemeente -> COROP "
    "as " + FILE_COROP + ", generated by woonstadrotterdam/woningwaardering"
)
SRC_AM_CODES = (
    "CBS gebiedsindeling arbeidsmarktregio (statcode/statnaam, 2019-2025; via PDOK as republished in "
    "cartomap/nl rd/arbeidsmarktregio_2025.topojson)"
)
SRC_DISSOLVED = (
    "CBS 84721NED, 84929NED, 85067NED 'Gebieden in Nederland 2020/2021/2022' for municipalities dissolved "
    "after 2019 (values taken from the public compilation ahrnuld/jobmarket data/reference/municipalities.csv)"
)
SRC_HERINDELING = (
    "CBS 'Gemeentelijke indelingen per jaar' / herindelingen "
    "(https://www.cbs.nl/nl-nl/onze-diensten/methoden/classificaties/overig/gemeentelijke-indelingen-per-jaar)"
)
SRC_HIERARCHY = "CBS regional classifications: COROP-indeling, provincies, landsdelen (fixed hierarchy COROP -> province -> landsdeel)"
SRC_FILES_NOTE = "files read from ../shared/realdata/cbs-regio (not copied); built by tools/build_region_tables.py"


def build_metadata(am_meta: dict) -> dict[str, dict]:
    retrieved = am_meta.get("opgehaald", "unknown date")
    municipality_description = f"""One row per (boundary_year, municipality) for boundary years {FIRST_YEAR}-{LAST_YEAR}, with every region
level the monitor publishes. boundary_year Y is the CBS municipal division of 1 January Y
('Gebieden in Nederland Y'). 2019 codes and names come from 84378NED, 2026 codes from 86247NED
(retrieved {retrieved}); 2020-2025 are derived by applying municipal_mergers.csv to 2019, and the
counts are checked (355, 355, 352, 345, 342, 342, 342, 342).

Names: CBS names; the StatLine disambiguation suffix ' (gemeente)' of 84378NED ('s-Gravenhage,
Groningen, Utrecht) is dropped, so a code has one name in all years. CBS labels of some
intermediate-year tables differ only in such suffixes (e.g. 'Beek' vs 'Beek (L.)').

Derived / best-effort parts:
- COROP and arbeidsmarktregio of a municipality that still exists in 2026 are its 2026 assignment,
  applied to every boundary year. This was not verified against each year's CBS table; the only
  known difference: CBS 2019 and 2020 put Vijfheerenlanden (GM1961) in AM99 'Niet in te delen',
  this table gives it AM35 Gorinchem (its CBS region from 2021 on).
- Municipalities dissolved after 2019 carry the COROP/arbeidsmarktregio of the last CBS year they
  existed (from a public compilation of CBS 84721NED/84929NED/85067NED, not re-fetched here).
  Weesp (2019-2022) lies in COROP CR24 Het Gooi en Vechtstreek, unlike Amsterdam.
- Province follows from COROP, landsdeel from province (fixed CBS hierarchy).
- Arbeidsmarktregio codes are the CBS statcodes (AM01..AM38 with gaps: AM04, AM16, AM31 unused),
  not a 1..35 numbering.
- techniekpact_region is a project-maintained, best-effort assignment (no official table exists):
  Noord = Groningen, Fryslân, Drenthe; Noordvleugel = Noord-Holland, Flevoland, Utrecht;
  Oost = Overijssel, Gelderland; Zuidoost = Limburg + COROP Midden-, Noordoost- and
  Zuidoost-Noord-Brabant; Zuidwest = Zeeland, Zuid-Holland, COROP West-Noord-Brabant.
"""
    merger_description = """Municipal reorganisations (herindelingen) from boundary year 2016 to 2026: one row per old
municipality code that disappears. effective_year is the first boundary year (CBS division of
1 January) without the old code, so applying all rows with effective_year <= Y to the 2019 list
gives the list of Y; the build checks that 2019 + rows 2020..2026 equals the 342 codes of 86247NED.
For 1-January reorganisations effective_year is the legal year; Weesp joined Amsterdam on
2022-03-24 and has effective_year 2023 (CBS 'Gebieden in Nederland 2022' still lists it).

kind: merger (whole municipality joins new_code); split (divided over several municipalities,
new_code is the primary successor = the one that received the former seat; all parts in
municipal_split_parts.csv, data of a split municipality cannot be mapped exactly); code_change
(same territory, new code, here with a new name); rename (new name, same code; none occurred).
No reorganisations took effect in 2020, 2024, 2025 or 2026.

Best effort: rows with effective_year 2016-2019 (marked so in `source`) let data years 2015-2018 be
mapped forward. No CBS list of 2015-2018 is available to the build, so they are checked only against
the 2019 list and the known CBS counts (393 in 2015, 390 in 2016, 388 in 2017, 380 in 2018).
Reorganisations before 2016 (e.g. 1 January 2015) are not included: 2015 codes are taken as given.
"""
    split_description = """Parts of the municipalities that were split (rows with kind = split in municipal_mergers.csv):
one row per (old municipality, receiving municipality). is_primary marks the
successor used in municipal_mergers.csv (the one that received the former seat). woonplaatsen lists
BAG woonplaatsen that moved to that part (all of them when woonplaatsen_complete is true, examples
otherwise); memberships are checked against the woonplaats -> gemeente file. No population shares
are given: mapping a split municipality's data to one successor is an approximation.
"""
    simple = {"code": "CBS code", "name": "name as CBS writes it"}
    return {
        "municipalities": {
            "id": "regions.municipalities",
            "version": VERSION,
            "title": "Municipalities per boundary year with province, COROP, arbeidsmarktregio, landsdeel and Techniekpact region",
            "description": municipality_description,
            "status": "derived",
            "source": "; ".join(
                [
                    SRC_2019,
                    SRC_2026,
                    SRC_COROP,
                    SRC_AM_CODES,
                    SRC_DISSOLVED,
                    SRC_HERINDELING,
                    SRC_HIERARCHY,
                    "Techniekpact regions: project rule (best effort)",
                    SRC_FILES_NOTE,
                ]
            ),
            "licence": CBS_LICENCE + "; techniekpact_region columns: project data, " + PROJECT_LICENCE,
            "columns": {
                "boundary_year": "CBS municipal division (1 January of this year) the row belongs to",
                "municipality_code": "CBS municipality code (GM + 4 digits) valid in boundary_year",
                "municipality_name": "municipality name as CBS writes it (without the StatLine suffix ' (gemeente)')",
                "province_code": "CBS province code (PV20-PV31), from the COROP region",
                "province_name": "province name as in CBS Gebieden in Nederland 2026",
                "corop_code": "CBS COROP region code (CR01-CR40)",
                "corop_name": "COROP region name",
                "arbeidsmarktregio_code": "CBS arbeidsmarktregio statcode (AM01-AM38, 35 in use)",
                "arbeidsmarktregio_name": "arbeidsmarktregio name as in 86247NED",
                "landsdeel_code": "CBS landsdeel code (LD01-LD04), from the province",
                "landsdeel_name": "landsdeel name",
                "techniekpact_region_code": "project Techniekpact region (TP-...), best effort, from province and COROP",
                "techniekpact_region_name": "Techniekpact region name",
            },
        },
        "municipal_mergers": {
            "id": "regions.municipal_mergers",
            "version": VERSION,
            "title": "Municipal reorganisations (herindelingen) 2016-2026",
            "description": merger_description,
            "status": "derived",
            "source": "; ".join([SRC_HERINDELING, SRC_2019, SRC_2026, "rows 2016-2019: best effort", SRC_FILES_NOTE]),
            "licence": CBS_LICENCE,
            "columns": {
                "effective_year": "first boundary year (CBS division of 1 January) in which old_code no longer exists",
                "old_code": "CBS code of the municipality that disappears",
                "old_name": "its name as CBS writes it",
                "new_code": "CBS code of the successor (primary successor for a split)",
                "new_name": "successor name as CBS writes it",
                "kind": "merger, split, rename or code_change",
                "source": "source of the row; 'best effort' marks the pre-2019 history",
            },
        },
        "municipal_split_parts": {
            "id": "regions.municipal_split_parts",
            "version": VERSION,
            "title": "Receiving municipalities of split municipalities (2018 Littenseradiel, 2019 Winsum, 2021 Haaren)",
            "description": split_description,
            "status": "derived",
            "source": "; ".join([SRC_HERINDELING, SRC_COROP, "2018 and 2019 rows: best effort", SRC_FILES_NOTE]),
            "licence": CBS_LICENCE,
            "columns": {
                "effective_year": "first boundary year without old_code",
                "old_code": "CBS code of the split municipality",
                "old_name": "its name",
                "new_code": "CBS code of a receiving municipality",
                "new_name": "its name",
                "is_primary": "true for the successor used in municipal_mergers.csv (received the former seat)",
                "woonplaatsen": "BAG woonplaatsen that moved to this municipality, '; '-separated",
                "woonplaatsen_complete": "true when woonplaatsen lists all of them, false when they are examples",
                "source": "source of the row",
            },
        },
        "provinces": {
            "id": "regions.provinces",
            "version": VERSION,
            "title": "Provinces (CBS)",
            "description": "The 12 provinces with CBS codes (PV20-PV31) and their CBS landsdeel. Names as in "
            "Gebieden in Nederland 2026 (Fryslân; older CBS tables write Friesland).",
            "status": "official",
            "source": SRC_HIERARCHY + "; " + SRC_2026,
            "licence": CBS_LICENCE,
            "columns": {**simple, "landsdeel_code": "CBS landsdeel the province belongs to"},
        },
        "corop": {
            "id": "regions.corop",
            "version": VERSION,
            "title": "COROP regions (CBS)",
            "description": "The 40 COROP regions with CBS codes (CR01-CR40) and their province. Codes and names "
            "checked against the woonplaats -> gemeente -> COROP file.",
            "status": "official",
            "source": SRC_HIERARCHY + "; " + SRC_COROP,
            "licence": CBS_LICENCE,
            "columns": {**simple, "province_code": "CBS province the COROP region lies in"},
        },
        "arbeidsmarktregios": {
            "id": "regions.arbeidsmarktregios",
            "version": VERSION,
            "title": "Arbeidsmarktregio's (35 labour-market regions)",
            "description": "The 35 arbeidsmarktregio's (UWV labour-market regions) with their CBS statcodes. CBS codes "
            "are AM01-AM38 with gaps (AM04, AM16, AM31 unused; AM36 Regio Zwolle, AM37 "
            "Zuid-Kennemerland en IJmond, AM38 FoodValley), not a 1..35 numbering; UWV's own "
            "1..35 numbering differs. Names as in 86247NED (2026), checked against it. CBS 2019 and "
            "2020 also have AM99 'Niet in te delen' (Vijfheerenlanden), which is not a region.",
            "status": "official",
            "source": SRC_AM_CODES + "; " + SRC_2026,
            "licence": CBS_LICENCE,
            "columns": simple,
        },
        "landsdelen": {
            "id": "regions.landsdelen",
            "version": VERSION,
            "title": "Landsdelen (CBS)",
            "description": "The 4 CBS landsdelen (LD01-LD04), the regional level of CBS labour figures.",
            "status": "official",
            "source": SRC_HIERARCHY,
            "licence": CBS_LICENCE,
            "columns": simple,
        },
        "techniekpact_regions": {
            "id": "regions.techniekpact_regions",
            "version": VERSION,
            "title": "Techniekpact regions",
            "description": "The five regions in which the regional technology pacts are organised. Project-maintained, "
            "best-effort reference data: no official municipality -> region table was found. "
            "Municipalities are assigned by province, Noord-Brabant by COROP: Noord = Groningen, "
            "Fryslân, Drenthe; Noordvleugel = Noord-Holland, Flevoland, Utrecht; Oost = Overijssel, "
            "Gelderland; Zuidoost = Limburg and COROP Midden-, Noordoost- and Zuidoost-Noord-Brabant; "
            "Zuidwest = Zeeland, Zuid-Holland and COROP West-Noord-Brabant. Older editions used "
            "Noordwest instead of Noordvleugel.",
            "status": "best-effort",
            "source": "Project rule (docs/methodology/regions.md); built by tools/build_region_tables.py",
            "licence": PROJECT_LICENCE,
            "columns": {"code": "project code (TP-...)", "name": "region name as used by the regional pacts"},
        },
    }


# ---- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE_DIR, help="folder with the CBS files")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="folder to write the tables to")
    parser.add_argument(
        "--check", action="store_true", help="build and compare with the files in --out-dir; write nothing"
    )
    args = parser.parse_args(argv)

    try:
        files, checks = build(args.source_dir)
    except (BuildError, OSError, KeyError, ValueError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    if checks.failures:
        for failure in checks.failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        print(f"{len(checks.failures)} check(s) failed, {len(checks.passed)} passed; nothing written", file=sys.stderr)
        return 1

    if args.check:
        stale = [
            name
            for name, text in sorted(files.items())
            if not (args.out_dir / name).exists() or (args.out_dir / name).read_bytes() != text.encode("utf-8")
        ]
        for name in stale:
            print(f"DIFFERS: {args.out_dir / name}", file=sys.stderr)
        print(f"{len(checks.passed)} checks passed; {len(files) - len(stale)}/{len(files)} files up to date")
        return 1 if stale else 0

    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        (args.out_dir / name).write_bytes(text.encode("utf-8"))
    print(f"{len(checks.passed)} checks passed; wrote {len(files)} files to {args.out_dir}")
    for name, text in sorted(files.items()):
        if name.endswith(".csv"):
            print(f"  {name}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
