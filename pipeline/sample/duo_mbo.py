"""Sample deliveries of DUO mbo (participants and diplomas per institution) in DUO's formats.

Editions whose last education year is 2019 or earlier get the 2015-2019 layout (sex x year wide,
empty cell = no students, blank-padded text fields); later editions the layout with INDICATIEAVG
masking (long; counts below 5 written as 4 with INDICATIEAVG='J'). Sizes: about 500,000
participants and 150,000 diplomas a year. The qualifications are a sample list (codes and names
made for the sample, not DUO's crebo register); places are real place names of
reference/regions/places.csv.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.editions import Edition
from pipeline.sample.common import unit

YEARS_PER_FILE = 5
TARGET_PARTICIPANTS = 500_000
TARGET_DIPLOMAS = 150_000

# (institution code, type, name, place)
INSTITUTIONS = [
    ("S1MB", "ROC", "ROC Maasmond", "ROTTERDAM"), ("S2MB", "ROC", "ROC Amstelland-Noord", "AMSTERDAM"),
    ("S3MB", "ROC", "ROC Domstad", "UTRECHT"), ("S4MB", "ROC", "ROC Hofstad", "'S-GRAVENHAGE"),
    ("S5MB", "ROC", "ROC Kempen", "EINDHOVEN"), ("S6MB", "ROC", "ROC Noorderpoort-Stad", "GRONINGEN"),
    ("S7MB", "ROC", "ROC Midden-Brabant", "TILBURG"), ("S8MB", "ROC", "ROC Flevoland", "ALMERE"),
    ("S9MB", "ROC", "ROC West-Brabant", "BREDA"), ("T1MB", "ROC", "ROC Rijk van Nijmegen", "NIJMEGEN"),
    ("T2MB", "ROC", "ROC Twente", "ENSCHEDE"), ("T3MB", "ROC", "ROC Veluwe", "APELDOORN"),
    ("T4MB", "ROC", "ROC Kennemerland", "HAARLEM"), ("T5MB", "ROC", "ROC Rijn en IJssel", "ARNHEM"),
    ("T6MB", "ROC", "ROC Eemland", "AMERSFOORT"), ("T7MB", "ROC", "ROC IJsseldelta", "ZWOLLE"),
    ("T8MB", "ROC", "ROC Leidse Regio", "LEIDEN"), ("T9MB", "ROC", "ROC Zuid-Limburg", "MAASTRICHT"),
    ("U1MB", "ROC", "ROC Drechtsteden", "DORDRECHT"), ("U2MB", "ROC", "ROC Friesland", "LEEUWARDEN"),
    ("U3MB", "ROC", "ROC Oost-Brabant", "'S-HERTOGENBOSCH"), ("U4MB", "ROC", "ROC Drenthe", "ASSEN"),
    ("U5MB", "ROC", "ROC Noord-Limburg", "VENLO"), ("U6MB", "ROC", "ROC Parkstad", "HEERLEN"),
    ("U7MB", "ROC", "ROC Salland", "DEVENTER"), ("U8MB", "ROC", "ROC Zeeland", "MIDDELBURG"),
    ("U9MB", "AOC", "AOC Gelderse Vallei", "EDE"), ("V1MB", "ROC", "ROC Peelland", "HELMOND"),
    ("V2MB", "ROC", "ROC Noord-Holland Noord", "ALKMAAR"), ("V3MB", "vakinstelling", "Vakschool Delft", "DELFT"),
    ("V4MB", "ROC", "ROC Zuidoost-Drenthe", "EMMEN"), ("V5MB", "AOC", "AOC Oost", "HENGELO"),
]
# (crebo, name, level, sector, domain, relative size, share of women)
QUALIFICATIONS = [
    ("25998", "Entree (sample)", 1, "combinatie van sectoren", "Entree", 3, 0.40),
    ("25880", "Medewerker installatietechniek (sample)", 2, "techniek", "Bouw en infra", 2, 0.03),
    ("25881", "Eerste monteur installatietechniek (sample)", 3, "techniek", "Bouw en infra", 2, 0.03),
    ("25882", "Technicus elektrotechniek (sample)", 4, "techniek", "Techniek en procesindustrie", 2, 0.05),
    ("25883", "Monteur mechatronica (sample)", 2, "techniek", "Techniek en procesindustrie", 2, 0.04),
    ("25884", "Technicus mechatronica (sample)", 4, "techniek", "Techniek en procesindustrie", 2, 0.06),
    ("25885", "Allround timmerman (sample)", 3, "techniek", "Bouw en infra", 2, 0.02),
    ("25886", "Autotechnicus (sample)", 3, "techniek", "Mobiliteit en voertuigen", 3, 0.03),
    ("25887", "Software developer (sample)", 4, "techniek", "ICT en creatieve industrie", 4, 0.10),
    ("25888", "ICT-beheerder (sample)", 4, "techniek", "ICT en creatieve industrie", 3, 0.08),
    ("25889", "Operator procesindustrie (sample)", 3, "techniek", "Techniek en procesindustrie", 1, 0.12),
    ("25890", "Medewerker creatieve productie (sample)", 2, "techniek", "ICT en creatieve industrie", 1, 0.45),
    ("25891", "Mediavormgever (sample)", 4, "techniek", "ICT en creatieve industrie", 2, 0.48),
    ("25892", "Verzorgende IG (sample)", 3, "zorg en welzijn", "Zorg en welzijn", 6, 0.92),
    ("25893", "Mbo-verpleegkundige (sample)", 4, "zorg en welzijn", "Zorg en welzijn", 6, 0.88),
    ("25894", "Pedagogisch medewerker (sample)", 3, "zorg en welzijn", "Zorg en welzijn", 5, 0.93),
    ("25895", "Sociaal werker (sample)", 4, "zorg en welzijn", "Zorg en welzijn", 4, 0.82),
    ("25896", "Helpende zorg en welzijn (sample)", 2, "zorg en welzijn", "Zorg en welzijn", 2, 0.90),
    ("25897", "Doktersassistent (sample)", 4, "zorg en welzijn", "Zorg en welzijn", 2, 0.96),
    ("25899", "Sport- en bewegingsleider (sample)", 3, "zorg en welzijn", "Sport en bewegen", 3, 0.30),
    ("25900", "Medewerker logistiek (sample)", 2, "economie", "Transport, scheepvaart en logistiek", 3, 0.15),
    ("25901", "Commercieel medewerker (sample)", 3, "economie", "Handel en ondernemerschap", 3, 0.45),
    ("25902", "Ondernemer detailhandel (sample)", 4, "economie", "Handel en ondernemerschap", 3, 0.50),
    ("25903", "Office manager (sample)", 4, "economie", "Economie en administratie", 3, 0.75),
    ("25904", "Financieel administratief medewerker (sample)", 3, "economie", "Economie en administratie", 2, 0.50),
    ("25905", "Kok (sample)", 2, "economie", "Horeca en bakkerij", 2, 0.35),
    ("25906", "Gastheer/gastvrouw (sample)", 2, "economie", "Horeca en bakkerij", 2, 0.60),
    ("25907", "Juridisch medewerker (sample)", 4, "economie", "Veiligheid en sport", 2, 0.70),
    ("25908", "Medewerker dierverzorging (sample)", 2, "groen", "Voedsel, natuur en leefomgeving", 2, 0.80),
    ("25909", "Vakbekwaam hovenier (sample)", 3, "groen", "Voedsel, natuur en leefomgeving", 1, 0.15),
    ("25910", "Manager natuur en groen (sample)", 4, "groen", "Voedsel, natuur en leefomgeving", 1, 0.35),
]
PATHS = {"BOLVT": 0.72, "BOLDT": 0.03, "BBL": 0.25}
HEADER_2015 = ["BRIN NUMMER", "SOORTINS", "INSTELLINGSNAAM", "PLAATSNAAM", "TYPE MBO", "KWALIFICATIENIVEAU",
               "KWALIFICATIE CODE", "KWALIFICATIE NAAM", "MBO SECTOR", "DOMEIN", "SECTORUNIT SBB",
               "BRIN NUMMER KENNISCENTRUM", "NAAM KENNISCENTRUM"]
SBB = {"techniek": "Techniek en gebouwde omgeving", "zorg en welzijn": "Zorg, welzijn en sport",
       "economie": "Handel", "groen": "Voedsel, groen en gastvrijheid", "combinatie van sectoren": "Bovensectoraal"}


def cells(seed: int, kind: str, years: list[int]) -> list[dict]:
    """One dict per institution x qualification x learning path offered, with counts per year and sex."""
    target = TARGET_PARTICIPANTS if kind == "participants" else TARGET_DIPLOMAS
    offers = []
    for inst in INSTITUTIONS:
        for qual in QUALIFICATIONS:
            if inst[1] == "AOC" and qual[3] not in ("groen", "combinatie van sectoren"):
                continue
            if inst[1] != "AOC" and qual[3] == "groen" and unit(seed, "mbo-groen", inst[0], qual[0]) < 0.7:
                continue
            for path, share in PATHS.items():
                if path == "BOLDT" and unit(seed, "mbo-boldt", inst[0], qual[0]) < 0.6:
                    continue
                size = qual[5] * share * (0.3 + 1.4 * unit(seed, "mbo-size", inst[0], qual[0], path))
                offers.append((inst, qual, path, size))
    scale = target / sum(o[3] for o in offers)
    result = []
    for inst, qual, path, size in offers:
        counts = {}
        for year in years:
            total = int(round(size * scale * (0.9 + 0.2 * unit(seed, "mbo-noise", kind, inst[0], qual[0], path, year))))
            if unit(seed, "mbo-small", kind, inst[0], qual[0], path, year) < 0.08:
                total = int(unit(seed, "mbo-tiny", kind, inst[0], qual[0], path, year) * 6)
            women = int(round(total * qual[6]))
            counts[year] = (total - women, women)
        result.append({"inst": inst, "qual": qual, "path": path, "counts": counts})
    return result


def write_2015(rows: list[dict], years: list[int], path: Path) -> None:
    header = HEADER_2015 + [f"{sex}{year}" for year in years for sex in ("MAN", "VROUW", "TOTAAL")]
    lines = [";".join(header)]
    for row in rows:
        inst, qual = row["inst"], row["qual"]
        fields = [inst[0], inst[1], inst[2], inst[3], row["path"], str(qual[2]), qual[0], qual[1], qual[3], qual[4],
                  SBB[qual[3]], "    ", " " * 24]
        for year in years:
            men, women = row["counts"][year]
            fields += ["", "", ""] if men + women == 0 else [str(men), str(women), str(men + women)]
        lines.append(";".join(fields))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_2020(rows: list[dict], years: list[int], path: Path, kind: str) -> None:
    count_column = "AANTAL DEELNEMERS" if kind == "participants" else "AANTAL GEDIPLOMEERDEN"
    header = ["INSTELLINGSCODE"] + HEADER_2015[1:11] + ["GESLACHT", "JAAR", count_column, "INDICATIEAVG"]
    lines = [";".join(header)]
    for row in rows:
        inst, qual = row["inst"], row["qual"]
        base = [inst[0], inst[1], inst[2], inst[3], row["path"], str(qual[2]), qual[0], qual[1], qual[3], qual[4], SBB[qual[3]]]
        for year in years:
            for sex, value in zip(("MAN", "VROUW"), row["counts"][year]):
                if value == 0:
                    continue
                masked = value < 5
                lines.append(";".join(base + [sex, str(year), "4" if masked else str(value), "J" if masked else "N"]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write(edition: Edition, folder: Path, seed: int) -> list[Path]:
    last = edition.education_last_year
    years = list(range(last - YEARS_PER_FILE + 1, last + 1))
    written = []
    for kind, name in (("participants", "08-deelnemers-per-instelling"), ("diplomas", "10-gediplomeerden-per-instelling")):
        rows = cells(seed, kind, years)
        path = folder / f"{name}-{years[0]}-{last}.csv"
        if last <= 2019:
            write_2015(rows, years, path)
        else:
            write_2020(rows, years, path, kind)
        written.append(path)
    return written
