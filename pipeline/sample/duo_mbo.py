"""Sample deliveries of DUO mbo (participants and diplomas per institution) in DUO's formats.

Editions whose last education year is 2019 or earlier get the 2015-2019 layout (sex x year wide,
empty cell = no students, blank-padded text fields); later editions the layout with INDICATIEAVG
masking (long; counts below 5 written as 4 with INDICATIEAVG='J'). Sizes: about 500,000
participants and 150,000 diplomas a year. Qualifications (crebo code, name, sector, domain) are drawn
from reference/stem/nl_mbo_qualifications.csv; institutions are fictitious; places are real place
names of reference/regions/places.csv.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import delivery_years, stable_municipality_codes, synthetic_code, unit

YEARS_PER_FILE = 5
TARGET_PARTICIPANTS = 500_000
TARGET_DIPLOMAS = 150_000

# (institution code, type, name, place)
INSTITUTIONS = [
    ("S1MB", "ROC", "ROC Maasmond", "ROTTERDAM"),
    ("S2MB", "ROC", "ROC Amstelland-Noord", "AMSTERDAM"),
    ("S3MB", "ROC", "ROC Domstad", "UTRECHT"),
    ("S4MB", "ROC", "ROC Hofstad", "'S-GRAVENHAGE"),
    ("S5MB", "ROC", "ROC Kempen", "EINDHOVEN"),
    ("S6MB", "ROC", "ROC Noorderpoort-Stad", "GRONINGEN"),
    ("S7MB", "ROC", "ROC Midden-Brabant", "TILBURG"),
    ("S8MB", "ROC", "ROC Flevoland", "ALMERE"),
    ("S9MB", "ROC", "ROC West-Brabant", "BREDA"),
    ("T1MB", "ROC", "ROC Rijk van Nijmegen", "NIJMEGEN"),
    ("T2MB", "ROC", "ROC Twente", "ENSCHEDE"),
    ("T3MB", "ROC", "ROC Veluwe", "APELDOORN"),
    ("T4MB", "ROC", "ROC Kennemerland", "HAARLEM"),
    ("T5MB", "ROC", "ROC Rijn en IJssel", "ARNHEM"),
    ("T6MB", "ROC", "ROC Eemland", "AMERSFOORT"),
    ("T7MB", "ROC", "ROC IJsseldelta", "ZWOLLE"),
    ("T8MB", "ROC", "ROC Leidse Regio", "LEIDEN"),
    ("T9MB", "ROC", "ROC Zuid-Limburg", "MAASTRICHT"),
    ("U1MB", "ROC", "ROC Drechtsteden", "DORDRECHT"),
    ("U2MB", "ROC", "ROC Friesland", "LEEUWARDEN"),
    ("U3MB", "ROC", "ROC Oost-Brabant", "'S-HERTOGENBOSCH"),
    ("U4MB", "ROC", "ROC Drenthe", "ASSEN"),
    ("U5MB", "ROC", "ROC Noord-Limburg", "VENLO"),
    ("U6MB", "ROC", "ROC Parkstad", "HEERLEN"),
    ("U7MB", "ROC", "ROC Salland", "DEVENTER"),
    ("U8MB", "ROC", "ROC Zeeland", "MIDDELBURG"),
    ("U9MB", "AOC", "AOC Gelderse Vallei", "EDE"),
    ("V1MB", "ROC", "ROC Peelland", "HELMOND"),
    ("V2MB", "ROC", "ROC Noord-Holland Noord", "ALKMAAR"),
    ("V3MB", "vakinstelling", "Vakschool Delft", "DELFT"),
    ("V4MB", "ROC", "ROC Zuidoost-Drenthe", "EMMEN"),
    ("V5MB", "AOC", "AOC Oost", "HENGELO"),
]
TWIN_CODE_LETTERS = "Z"  # synthetic institutions of a scaled sample
SAMPLE_QUALIFICATIONS = 48
FEMALE_SHARE = {
    "techniek": 0.10,
    "zorg en welzijn": 0.85,
    "economie": 0.50,
    "groen": 0.45,
    "combinatie van sectoren": 0.40,
}


@lru_cache(maxsize=4)
def qualifications(seed: int) -> tuple[tuple, ...]:
    """(crebo, name, level, sector, domain, relative size, share of women) for a deterministic choice of
    the qualifications in reference/stem/nl_mbo_qualifications.csv (so the sample's crebo codes are
    real and classifiable). That table has no level: the sample draws one (Entree is level 1)."""
    table = reference.load("stem/nl_mbo_qualifications.csv").frame.sort_values("code")
    table = table[table["mbo_sector"].isin(list(FEMALE_SHARE)) & table["valid_to"].eq("")]
    chosen = sorted(table.itertuples(index=False), key=lambda r: unit(seed, "mbo-pick", r.code))[:SAMPLE_QUALIFICATIONS]
    result = []
    for row in sorted(chosen, key=lambda r: r.code):
        level = 1 if row.name.lower().startswith("entree") else 2 + int(unit(seed, "mbo-level", row.code) * 3)
        share = min(0.95, max(0.02, FEMALE_SHARE[row.mbo_sector] + 0.2 * (unit(seed, "mbo-fem", row.code) - 0.5)))
        result.append(
            (row.code, row.name, level, row.mbo_sector, row.domain, 1 + 5 * unit(seed, "mbo-w", row.code), share)
        )
    return tuple(result)


@lru_cache(maxsize=4)
def institutions(seed: int, scale: int = 1) -> tuple[tuple[str, str, str, str], ...]:
    """INSTITUTIONS and, at scale S, S - 1 synthetic twins of each (own code, same type) in real places
    of reference/regions/places.csv that name one municipality keeping its code over every boundary year."""
    if scale == 1:
        return tuple(INSTITUTIONS)
    stable = stable_municipality_codes()
    table = reference.load("regions/places.csv").frame
    places = sorted(
        n
        for n, c, s in zip(table["place_name"], table["municipality_code"], table["status"])
        if s == "unique" and c in stable
    )
    twins = []
    for number in range((scale - 1) * len(INSTITUTIONS)):
        _code, kind, _, _ = INSTITUTIONS[number % len(INSTITUTIONS)]
        place = places[int(unit(seed, "mbo-twin-place", number) * len(places))]
        twins.append((synthetic_code(TWIN_CODE_LETTERS, number), kind, f"{kind} {place.title()} {number + 1}", place))
    return tuple(INSTITUTIONS) + tuple(twins)


PATHS = {"BOLVT": 0.72, "BOLDT": 0.03, "BBL": 0.25}
HEADER_2015 = [
    "BRIN NUMMER",
    "SOORTINS",
    "INSTELLINGSNAAM",
    "PLAATSNAAM",
    "TYPE MBO",
    "KWALIFICATIENIVEAU",
    "KWALIFICATIE CODE",
    "KWALIFICATIE NAAM",
    "MBO SECTOR",
    "DOMEIN",
    "SECTORUNIT SBB",
    "BRIN NUMMER KENNISCENTRUM",
    "NAAM KENNISCENTRUM",
]
SBB = {
    "techniek": "Techniek en gebouwde omgeving",
    "zorg en welzijn": "Zorg, welzijn en sport",
    "economie": "Handel",
    "groen": "Voedsel, groen en gastvrijheid",
    "combinatie van sectoren": "Bovensectoraal",
}


def cells(seed: int, kind: str, years: list[int], scale: int = 1) -> list[dict]:
    """One dict per institution x qualification x learning path offered, with counts per year and sex."""
    target = (TARGET_PARTICIPANTS if kind == "participants" else TARGET_DIPLOMAS) * scale
    offers = []
    for inst in institutions(seed, scale):
        for qual in qualifications(seed):
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
            total = round(size * scale * (0.9 + 0.2 * unit(seed, "mbo-noise", kind, inst[0], qual[0], path, year)))
            if unit(seed, "mbo-small", kind, inst[0], qual[0], path, year) < 0.08:
                total = int(unit(seed, "mbo-tiny", kind, inst[0], qual[0], path, year) * 6)
            women = round(total * qual[6])
            counts[year] = (total - women, women)
        result.append({"inst": inst, "qual": qual, "path": path, "counts": counts})
    return result


def write_2015(rows: list[dict], years: list[int], path: Path) -> None:
    header = HEADER_2015 + [f"{sex}{year}" for year in years for sex in ("MAN", "VROUW", "TOTAAL")]
    lines = [";".join(header)]
    for row in rows:
        inst, qual = row["inst"], row["qual"]
        fields = [
            inst[0],
            inst[1],
            inst[2],
            inst[3],
            row["path"],
            str(qual[2]),
            qual[0],
            qual[1],
            qual[3],
            qual[4],
            SBB[qual[3]],
            "    ",
            " " * 24,
        ]
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
        base = [
            inst[0],
            inst[1],
            inst[2],
            inst[3],
            row["path"],
            str(qual[2]),
            qual[0],
            qual[1],
            qual[3],
            qual[4],
            SBB[qual[3]],
        ]
        for year in years:
            for sex, value in zip(("MAN", "VROUW"), row["counts"][year]):
                if value == 0:
                    continue
                masked = value < 5
                lines.append(";".join(base + [sex, str(year), "4" if masked else str(value), "J" if masked else "N"]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write(edition: Edition, folder: Path, seed: int, scale: int = 1) -> list[Path]:
    written = []
    for last in delivery_years(edition.education_last_year, scale, YEARS_PER_FILE):
        years = list(range(last - YEARS_PER_FILE + 1, last + 1))
        for kind, name in (
            ("participants", "08-deelnemers-per-instelling"),
            ("diplomas", "10-gediplomeerden-per-instelling"),
        ):
            rows = cells(seed, kind, years, scale)
            path = folder / f"{name}-{years[0]}-{last}.csv"
            if last <= 2019:
                write_2015(rows, years, path)
            else:
                write_2020(rows, years, path, kind)
            written.append(path)
    return written
