"""Sample deliveries of DUO secondary education (vo) in DUO's real layouts (docs/sources.md): exam
candidates and passes per location and profile, pupils per location by type, sector, department
and year of study, the register of vo locations, and the havo/vwo exam-grades files per subject.

Exams: editions whose last education year is 2019 or earlier get the 2014-2019 layout (latin-1,
BRIN NUMMER, ONBEKEND block, pass rates like `87,5%`); later editions the 2019- layout (every field
quoted, `<5` masking). Pupils: one file per edition (`leerlingen-vo-per-vestiging-naar-onderwijstype-
<year>.csv`, latin-1, no masking, no municipality), with `alle-vestigingen-vo.csv` giving each
location's municipality. Sizes: about 200,000 exam candidates a year. Locations lie in real
municipalities (reference/regions/municipalities.csv) that keep their code over 2019-2026; names
are made for the sample.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import delivery_years, synthetic_code, unit
from pipeline.sources.duo_common import fold, strip_suffix

LOCATIONS = 640  # per unit of scale
TWIN_CODE_LETTERS = "ABCDEFGHIJKLMNOPQR"  # codes of the locations a scaled sample adds
YEARS_PER_FILE = 5
OLD_EXAM_LAYOUT_LAST = 2019  # exam files up to this exam year take DUO's 2014-2019 layout
CANDIDATES_PER_TYPE = {"VMBO": 95_000, "HAVO": 62_000, "VWO": 43_000}
PROFILES = {
    "VMBO": [
        ("30", "VMBO LWT - techniek"),
        ("31", "VMBO LWT - zorg & welzijn"),
        ("32", "VMBO LWT - economie"),
        ("34", "VMBO B - techniek"),
        ("35", "VMBO B - zorg en welzijn"),
        ("36", "VMBO B - economie"),
        ("37", "VMBO B - landbouw"),
        ("38", "VMBO K - techniek"),
        ("39", "VMBO K - zorg en welzijn"),
        ("40", "VMBO K - economie"),
        ("41", "VMBO K - landbouw"),
        ("42", "VMBO G - techniek"),
        ("43", "VMBO G - zorg en welzijn"),
        ("44", "VMBO G - economie"),
        ("45", "VMBO G - landbouw"),
        ("90", "VMBO T - techniek"),
        ("91", "VMBO T - zorg en welzijn"),
        ("92", "VMBO T - economie"),
        ("93", "VMBO T - landbouw"),
    ],
    "HAVO": [
        ("50", "HAVO - N&T"),
        ("51", "HAVO - N&G"),
        ("52", "HAVO - E&M"),
        ("53", "HAVO - C&M"),
        ("54", "HAVO - N&T / N&G"),
        ("57", "HAVO - N&G / C&M"),
        ("58", "HAVO - N&G / E&M"),
        ("59", "HAVO - E&M / C&M"),
    ],
    "VWO": [
        ("60", "VWO - N&T"),
        ("61", "VWO - N&G"),
        ("62", "VWO - E&M"),
        ("63", "VWO - C&M"),
        ("64", "VWO - N&T / N&G"),
        ("65", "VWO - N&T / E&M"),
        ("66", "VWO - N&T / C&M"),
        ("67", "VWO - N&G / C&M"),
        ("68", "VWO - N&G / E&M"),
        ("69", "VWO - E&M / C&M"),
    ],
}
STUDY_YEARS = {"VMBO": (3, 4), "HAVO": (4, 5), "VWO": (4, 5, 6)}
NAMES = [
    "Lyceum",
    "College",
    "Scholengemeenschap",
    "Montessori College",
    "Christelijk Lyceum",
    "Vakcollege",
    "Stedelijk Gymnasium",
    "Het Baken",
    "De Brug",
    "Comenius College",
    "Erasmus College",
    "Atheneum Ékeren",
]


def female_share(code: str, name: str) -> float:
    if "techniek" in name:
        return 0.12
    if "zorg" in name:
        return 0.80
    if "N&T" in name and "N&G" not in name:
        return 0.28
    if "N&G" in name or "C&M" in name:
        return 0.62
    return 0.45


@lru_cache(maxsize=4)
def locations(seed: int, scale: int = 1) -> tuple[tuple, ...]:
    """(BRIN, location number, name, municipality name as DUO writes it, offered types, municipality
    code) per location;
    LOCATIONS x scale of them (the ones beyond LOCATIONS with synthetic codes)."""
    frame = reference.load("regions/municipalities.csv").frame
    codes_by_year = frame.groupby("boundary_year")["municipality_code"].apply(set)
    stable = set.intersection(*codes_by_year.tolist())
    latest = frame[frame["boundary_year"] == frame["boundary_year"].max()]
    short = latest["municipality_name"].map(lambda n: fold(strip_suffix(n)))
    unique = short[~short.duplicated(keep=False)]
    candidates = sorted(
        (code, name) for code, name in zip(latest.loc[unique.index, "municipality_code"], unique) if code in stable
    )
    result = []
    for i in range(LOCATIONS * scale):
        code, name = candidates[int(unit(seed, "vo-gm", i) ** 1.6 * len(candidates))]
        brin = (
            f"{10 + i // 26 % 90:02d}{chr(65 + i % 26)}{chr(65 + i // 26 // 90)}"
            if i < LOCATIONS
            else synthetic_code(TWIN_CODE_LETTERS, i - LOCATIONS)
        )
        u = unit(seed, "vo-types", i)
        types = ("VMBO",) if u < 0.35 else (("HAVO", "VWO") if u < 0.6 else ("VMBO", "HAVO", "VWO"))
        label = f"{NAMES[int(unit(seed, 'vo-name', i) * len(NAMES))]} {name.title()} {i}"
        result.append((brin, f"{i % 3:02d}", label, name, types, code))
    return tuple(result)


@lru_cache(maxsize=4)
def offers(seed: int, scale: int = 1) -> tuple[tuple, ...]:
    rows = []
    for brin, number, label, municipality, types, _ in locations(seed, scale):
        for school_type in types:
            for code, name in PROFILES[school_type]:
                if unit(seed, "vo-offer", brin, number, code) < 0.25:
                    continue
                rows.append(
                    (
                        brin,
                        number,
                        label,
                        municipality,
                        school_type,
                        code,
                        name,
                        0.2 + 1.6 * unit(seed, "vo-size", brin, number, code),
                    )
                )
    return tuple(rows)


@lru_cache(maxsize=8)
def type_weights(seed: int, what: str, scale: int = 1) -> dict[str, float]:
    weights: dict[str, float] = {}
    for o in pupil_offers(seed, scale) if what == "pupils" else offers(seed, scale):
        weights[o[4]] = weights.get(o[4], 0.0) + o[7]
    return weights


def counts(seed: int, offer: tuple, year: int, what: str, scale: int = 1) -> tuple[int, int]:
    weights = type_weights(seed, what, scale)
    total = offer[7] * CANDIDATES_PER_TYPE[offer[4]] * scale / weights[offer[4]]
    total *= 0.9 + 0.2 * unit(seed, "vo-noise", what, offer[0], offer[1], offer[5], year)
    if unit(seed, "vo-small", what, offer[0], offer[1], offer[5], year) < 0.1:
        total = unit(seed, "vo-tiny", what, offer[0], offer[1], offer[5], year) * 6
    total = round(total)
    women = round(total * female_share(offer[5], offer[6]))
    return total - women, women


def passes(seed: int, offer: tuple, year: int, candidates: int, sex: str) -> int:
    rate = 0.8 + 0.18 * unit(seed, "vo-pass", offer[0], offer[1], offer[5], year, sex)
    return min(candidates, round(candidates * rate))


def rate(passed: int, candidates: int, decimal: str) -> str:
    if candidates == 0:
        return "0"
    value = round(100 * passed / candidates, 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _old_rate(passed: int, candidates: int) -> str:
    """The 2014-2019 layout's pass rate: decimal comma, percent sign, no leading zero (`87,5%`, `,0%`)."""
    value = round(100 * passed / candidates, 1) if candidates else 0.0
    text = f"{value:.1f}".replace(".", ",")
    return (text[1:] if text.startswith("0,") else text) + "%"


def write_exams(seed: int, last: int, folder: Path, scale: int = 1) -> Path:
    """The exam file: up to exam year 2019 DUO's 2014-2019 layout (latin-1, BRIN NUMMER and the
    6-character VESTIGINGSNUMMER, an ONBEKEND block, no masking), later the 2019- layout."""
    years = list(range(last - YEARS_PER_FILE + 1, last + 1))  # exam years = end of the school year
    old = last <= OLD_EXAM_LAYOUT_LAST
    fixed = (
        ["BRIN NUMMER", "VESTIGINGSNUMMER", "INSTELLINGSNAAM VESTIGING"]
        if old
        else ["INSTELLINGSCODE", "VESTIGINGSCODE", "INSTELLINGSNAAM VESTIGING"]
    )
    fixed += ["GEMEENTENAAM", "ONDERWIJSTYPE VO", "INSPECTIECODE", "OPLEIDINGSNAAM"]
    sexes = ("MAN", "VROUW", "ONBEKEND", "TOTAAL") if old else ("MAN", "VROUW", "TOTAAL")
    header = list(fixed)
    for year in years:
        for sex in sexes:
            for measure in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERC"):
                header.append(f"{measure} SCHOOLJAAR {year - 1}-{year} - {sex}")
    lines = [header]
    for offer in offers(seed, scale):
        brin, number, label, municipality, school_type, code, name, _ = offer
        row = [brin, brin + number, label, municipality, school_type, code, name]
        for year in years:
            cand = counts(seed, offer, year, "exam", scale)
            passed = tuple(passes(seed, offer, year, c, s) for c, s in zip(cand, ("M", "V")))
            pairs = [*zip(cand, passed), *([(0, 0)] if old else []), (sum(cand), sum(passed))]
            for c, p in pairs:
                if old:
                    row += [str(c), str(p), _old_rate(p, c)]
                else:
                    row += [("<5" if 1 <= v <= 4 else str(v)) for v in (c, p)] + [rate(p, c, ".")]
        lines.append(row)
    path = folder / f"examenkandidaten-en-geslaagden-{years[0] - 1}-{last}.csv"
    if old:
        path.write_bytes(("\n".join(";".join(r) for r in lines) + "\n").encode("latin-1"))
    else:
        path.write_bytes(("\r\n".join(";".join(f'"{v}"' for v in r) for r in lines) + "\r\n").encode("utf-8"))
    return path


def vmbo_profiles(year: int) -> tuple[tuple[str, str], ...]:
    """(code, name) of the vmbo profiles of reference/stem/nl_vo_profiles.csv (project codes
    `VMBO-BWI`, ...) valid in `year`: none before the Wet profielen vmbo (2016)."""
    table = reference.load("stem/nl_vo_profiles.csv").frame
    valid = (table["valid_from"].astype(int) <= year) & ((table["valid_to"] == "") | (table["valid_to"] >= str(year)))
    return tuple(
        sorted((c, n) for c, n, ok in zip(table["code"], table["name"], valid) if c.startswith("VMBO-") and ok)
    )


@lru_cache(maxsize=4)
def pupil_offers(seed: int, scale: int = 1, vmbo: tuple[tuple[str, str], ...] | None = None) -> tuple[tuple, ...]:
    """havo/vwo as in the exam file; vmbo by the profiles `vmbo` (default: those valid now), the
    subject of the '3rd-year vmbo technical profile' indicator, or, in years before the profiles
    (`vmbo` empty), by the sector programmes of the exam file."""
    vmbo = vmbo_profiles(9999) if vmbo is None else vmbo
    rows = [o for o in offers(seed, scale) if o[4] != "VMBO" or not vmbo]
    for brin, number, label, municipality, types, _ in locations(seed, scale):
        if "VMBO" in types:
            for code, name in vmbo:
                if unit(seed, "vo-vmbo-offer", brin, number, code) < 0.35:
                    continue
                rows.append(
                    (
                        brin,
                        number,
                        label,
                        municipality,
                        "VMBO",
                        code,
                        name,
                        0.2 + 1.6 * unit(seed, "vo-vmbo-size", brin, number, code),
                    )
                )
    return tuple(sorted(rows, key=lambda r: (r[0], r[1], r[4], r[5])))


@lru_cache(maxsize=2)
def _pupil_rows(sha: str) -> dict[tuple[str, str], list[tuple[str, str, str, str]]]:
    """(school type, profile code) -> [(ONDERWIJSTYPE, VMBO SECTOR, AFDELING, ELEMENTCODE)] from
    reference/sources/duo_vo_pupil_programmes.csv: how DUO's pupils file writes each profile
    (the element code is made for the sample)."""
    table = reference.load("sources/duo_vo_pupil_programmes.csv").frame
    rows: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for i, r in enumerate(table.itertuples(index=False)):
        if r.school_type and "*" not in (r.vmbo_sector, r.department):
            rows.setdefault((r.school_type, r.profile_code), []).append(
                (r.school_type_year, r.vmbo_sector, r.department, f"{300 + i:04d}")
            )
        elif r.school_type and r.vmbo_sector == "*":  # vmbo profiles: the sector of the profile
            sector = "Techniek" if r.profile_code in TECHNICAL_PROFILES else VMBO_SECTORS.get(r.profile_code, "N.v.t.")
            rows.setdefault((r.school_type, r.profile_code), []).append(
                (r.school_type_year, sector, r.department, f"{300 + i:04d}")
            )
    return rows


TECHNICAL_PROFILES = ("VMBO-BWI", "VMBO-PIE", "VMBO-MT", "VMBO-MVI", "VMBO-MaT", "VMBO-VRT")
VMBO_SECTORS = {
    "VMBO-EO": "Economie",
    "VMBO-HBR": "Economie",
    "VMBO-DP": "Intersect. programma",
    "VMBO-GR": "Landbouw",
    "VMBO-ZW": "Zorg & Welzijn",
}
PUPILS_HEADER = [
    "BRIN NUMMER",
    "VESTIGINGSNUMMER",
    "INSTELLINGSNAAM VESTIGING",
    "PLAATSNAAM VESTIGING",
    "PROVINCIE VESTIGING",
    "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR",
    "VMBO SECTOR",
    "AFDELING",
    "ELEMENTCODE",
    "OPLEIDINGSNAAM",
] + [f"LEER- OF VERBLIJFSJAAR {n} - {sex}" for n in range(1, 7) for sex in ("MAN", "VROUW")]


@lru_cache(maxsize=2)
def provinces() -> dict[str, str]:
    """Municipality code -> province name (latest division of reference/regions/municipalities.csv)."""
    frame = reference.load("regions/municipalities.csv").frame
    latest = frame[frame["boundary_year"] == frame["boundary_year"].max()]
    return dict(zip(latest["municipality_code"], latest["province_name"]))


def write_pupils(seed: int, year: int, folder: Path, scale: int = 1) -> Path:
    """DUO's pupils per location (layout of 2019): latin-1, no masking, no municipality (the register
    of locations gives it); vmbo, havo and vwo by profile, and the lower years (Brugjaar 1-2)."""
    ways = _pupil_rows(reference.sha256("sources/duo_vo_pupil_programmes.csv"))
    places = {(b, n): (m, c) for b, n, _, m, _, c in locations(seed, scale)}
    lines = [";".join(PUPILS_HEADER)]
    for brin, number, label, municipality, _types, code in locations(seed, scale):
        row = [brin, number, label, municipality, provinces()[code], "Brugjaar 1-2", "N.v.t.", "N.v.t.", "0024"]
        row += ["Ljvb op VWO/HAVO/VMBO-Alle Lw"]
        for n in range(1, 7):
            size = 40 + round(120 * unit(seed, "vo-lower", brin, number, year, n)) if n <= 2 else 0
            row += [str(size // 2), str(size - size // 2)]
        lines.append(";".join(row))
    for offer in pupil_offers(seed, scale, vmbo_profiles(year)):
        brin, number, label, _, school_type, code, name, _ = offer
        options = ways.get((school_type, code))
        if not options:  # a programme DUO's pupils file does not name (e.g. the LWT sector codes)
            continue
        way = options[int(unit(seed, "vo-path", brin, number, code) * len(options))]
        municipality, municipality_code = places[(brin, number)]
        row = [brin, number, label, municipality, provinces()[municipality_code], *way, name]
        for n in range(1, 7):
            if n in STUDY_YEARS[school_type]:
                men, women = counts(seed, offer, year * 10 + n, "pupils", scale)
                row += [str(men), str(women)]
            else:
                row += ["0", "0"]
        lines.append(";".join(row))
    path = folder / f"leerlingen-vo-per-vestiging-naar-onderwijstype-{year}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


REGISTER_HEADER = (
    "PROVINCIE;BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER;VESTIGINGSNAAM;STRAATNAAM;HUISNUMMER-TOEVOEGING;"
    "POSTCODE;PLAATSNAAM;GEMEENTENUMMER;GEMEENTENAAM;DENOMINATIE;TELEFOONNUMMER;INTERNETADRES;ONDERWIJSSTRUCTUUR;"
    "STRAATNAAM CORRESPONDENTIEADRES;HUISNUMMER-TOEVOEGING CORRESPONDENTIEADRES;POSTCODE CORRESPONDENTIEADRES;"
    "PLAATSNAAM CORRESPONDENTIEADRES;NODAAL GEBIED CODE;NODAAL GEBIED NAAM;RPA-GEBIED CODE;RPA-GEBIED NAAM;"
    "WGR-GEBIED CODE;WGR-GEBIED NAAM;COROPGEBIED CODE;COROPGEBIED NAAM;ONDERWIJSGEBIED CODE;ONDERWIJSGEBIED NAAM;"
    "RMC-REGIO CODE;RMC-REGIO NAAM"
)


def write_register(seed: int, folder: Path, scale: int = 1) -> Path:
    """DUO's register of vo locations (`alle-vestigingen-vo.csv`, layout of 2019): one row per
    location with GEMEENTENUMMER; addresses and regional codes made for the sample."""
    lines = [REGISTER_HEADER]
    for i, (brin, number, label, municipality, types, code) in enumerate(locations(seed, scale)):
        structure = "/".join(t for t in ("VMBO", "HAVO", "VWO") if t in types)
        cells = [provinces()[code], f"{10000 + i}", brin, brin + number, label, "Schoolstraat", str(1 + i % 90)]
        cells += [f"{1000 + i % 8000:04d} AA", municipality, code[2:], municipality, "Openbaar", "", "", structure]
        cells += ["Schoolstraat", str(1 + i % 90), f"{1000 + i % 8000:04d} AA", municipality]
        cells += ["", "", "", "", "", "", "", "", "", "", "", ""]
        lines.append(";".join(cells))
    path = folder / "alle-vestigingen-vo.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    return path


SUBJECT_SHARES = {  # VAKCODE -> (abbreviation, name, lowest and highest share of the candidates)
    "1001": ("netl", "Nederlandse taal en literatuur", 1.0, 1.0),
    "1002": ("entl", "Engelse taal en literatuur", 1.0, 1.0),
    "1018": ("biol", "biologie", 0.35, 0.55),
    "1023": ("nat", "natuurkunde", 0.25, 0.45),
    "1024": ("wisA", "wiskunde A", 0.4, 0.6),
    "1025": ("wisB", "wiskunde B", 0.3, 0.5),
    "1028": ("schk", "scheikunde", 0.3, 0.5),
    "0161": ("in", "informatica", 0.03, 0.15),
    "1035": ("nlt", "natuur, leven en technologie", 0.02, 0.12),
}


def _grade(seed: int, *key) -> str:
    return f"{5.5 + 2 * unit(seed, 'vo-grade', *key):.1f}".replace(".", ",")


def write_subjects(seed: int, last: int, folder: Path, scale: int = 1) -> list[Path]:
    """DUO's havo and vwo exam-grades files per subject for the exam year `last` (layout of
    2018-2019): latin-1, no masking, decimal commas; the candidates of a location are those of the
    exam file, each subject taken by a share of them; lo with the pass marks V and G."""
    from pipeline.sources.duo_vo_subjects import HEADER

    by_location: dict[tuple[str, str, str], int] = {}
    for offer in offers(seed, scale):
        if offer[4] in ("HAVO", "VWO"):
            key = (offer[0], offer[1], offer[4])
            by_location[key] = by_location.get(key, 0) + sum(counts(seed, offer, last, "exam", scale))
    places = {(b, n): (label, m, c) for b, n, label, m, _, c in locations(seed, scale)}
    paths = []
    for school_type in ("HAVO", "VWO"):
        lines = [";".join(HEADER)]
        for (brin, number, kind), total in sorted(by_location.items()):
            if kind != school_type or total == 0:
                continue
            label, municipality, code = places[(brin, number)]
            where = [str(last - 1), brin, number, label, code[2:], municipality, municipality, provinces()[code]]
            for vak, (short, name, low, high) in SUBJECT_SHARES.items():
                share = low + (high - low) * unit(seed, "vo-subject", brin, number, kind, vak, last)
                n = round(total * share)
                if n == 0:
                    continue
                central = 0 if vak in ("0161", "1035") else n
                g = _grade(seed, brin, number, kind, vak)
                cells = [*where, school_type, vak, short, name, "", "0", "0", str(n), g, str(n), g]
                cells += [str(central), g if central else ",0", str(central), g if central else ",0", g, ",0"]
                lines.append(";".join(cells))
            for mark, n in (("V", total - total // 20), ("G", total // 20)):
                cells = [*where, school_type, "0353", "lo", "lichamelijke opvoeding", mark, str(n), str(n)]
                cells += ["0", ",0", "0", ",0", "0", ",0", "0", ",0", ",0", ",0"]
                lines.append(";".join(cells))
        path = folder / f"examenkandidaten-{school_type.lower()}-en-examencijfers-{last - 1}-{last}.csv"
        path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
        paths.append(path)
    return paths


def write(edition: Edition, folder: Path, seed: int, scale: int = 1) -> list[Path]:
    """The exam file(s) and the pupil file(s) of one edition: one of each at scale 1; at scale > 1
    ten years of both (two five-year exam files, ten yearly pupil files)."""
    last = edition.education_last_year
    return (
        [write_exams(seed, end, folder, scale) for end in delivery_years(last, scale, YEARS_PER_FILE)]
        + [write_pupils(seed, year, folder, scale) for year in delivery_years(last, scale, 1)]
        + [write_register(seed, folder, scale)]
        + [p for year in delivery_years(last, scale, 1) for p in write_subjects(seed, year, folder, scale)]
    )
