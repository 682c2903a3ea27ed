"""Sample deliveries of DUO secondary education (vo): exam candidates and passes per location and
profile, and pupils per location by profile and year of study, in DUO's formats.

Exams: editions whose last education year is 2018 or earlier get the 2013-2018 layout (latin-1,
pass rates like `87,5%`); later editions the 2019- layout (every field quoted, `<5` masking).
Pupils: one file per edition (`01.-leerlingen-vo-per-vestiging-naar-onderwijstype-<year>.csv`),
`<5` masked. Sizes: about 200,000 exam candidates a year. Locations lie in real municipalities
(reference/regions/municipalities.csv) that keep their code over 2019-2026; names are made for
the sample.
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
    """(BRIN, location number, name, municipality name as DUO writes it, offered types) per location;
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
        _code, name = candidates[int(unit(seed, "vo-gm", i) ** 1.6 * len(candidates))]
        brin = (
            f"{10 + i // 26 % 90:02d}{chr(65 + i % 26)}{chr(65 + i // 26 // 90)}"
            if i < LOCATIONS
            else synthetic_code(TWIN_CODE_LETTERS, i - LOCATIONS)
        )
        u = unit(seed, "vo-types", i)
        types = ("VMBO",) if u < 0.35 else (("HAVO", "VWO") if u < 0.6 else ("VMBO", "HAVO", "VWO"))
        label = f"{NAMES[int(unit(seed, 'vo-name', i) * len(NAMES))]} {name.title()} {i}"
        result.append((brin, f"{i % 3:02d}", label, name, types))
    return tuple(result)


@lru_cache(maxsize=4)
def offers(seed: int, scale: int = 1) -> tuple[tuple, ...]:
    rows = []
    for brin, number, label, municipality, types in locations(seed, scale):
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


def write_exams(seed: int, last: int, folder: Path, scale: int = 1) -> Path:
    years = list(range(last - YEARS_PER_FILE + 1, last + 1))  # exam years = end of the school year
    old = last <= 2018
    fixed = (
        ["BRIN NUMMER", "VESTIGINGSNUMMER", "VESTIGINGSNAAM"]
        if old
        else ["INSTELLINGSCODE", "VESTIGINGSCODE", "INSTELLINGSNAAM VESTIGING"]
    )
    fixed += ["GEMEENTENAAM", "ONDERWIJSTYPE VO", "INSPECTIECODE", "OPLEIDINGSNAAM"]
    header = list(fixed)
    for year in years:
        for sex in ("MAN", "VROUW", "TOTAAL"):
            for measure in ("EXAMENKANDIDATEN", "GESLAAGDEN", "SLAAGPERCENTAGE" if old else "SLAAGPERC"):
                header.append(
                    f"{measure} {year - 1}-{year} {sex}" if old else f"{measure} SCHOOLJAAR {year - 1}-{year} - {sex}"
                )
    lines = [header]
    for offer in offers(seed, scale):
        brin, number, label, municipality, school_type, code, name, _ = offer
        row = [brin, number if old else brin + number, label, municipality, school_type, code, name]
        for year in years:
            cand = counts(seed, offer, year, "exam", scale)
            passed = tuple(passes(seed, offer, year, c, s) for c, s in zip(cand, ("M", "V")))
            for c, p in [*zip(cand, passed), (sum(cand), sum(passed))]:
                shown = [str(c), str(p)] if old else [("<5" if 1 <= v <= 4 else str(v)) for v in (c, p)]
                row += shown + [rate(p, c, ",") + "%" if old else rate(p, c, ".")]
        lines.append(row)
    if old:
        path = folder / f"examenkandidaten-vo-en-geslaagden-{years[0] - 1}-{last}.csv"
        path.write_bytes(("\r\n".join(";".join(r) for r in lines) + "\r\n").encode("latin-1"))
    else:
        path = folder / f"examenkandidaten-en-geslaagden-{years[0] - 1}-{last}.csv"
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
    for brin, number, label, municipality, types in locations(seed, scale):
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


def write_pupils(seed: int, year: int, folder: Path, scale: int = 1) -> Path:
    header = [
        "INSTELLINGSCODE",
        "VESTIGINGSCODE",
        "INSTELLINGSNAAM VESTIGING",
        "GEMEENTENAAM",
        "ONDERWIJSTYPE VO",
        "AFDELING",
        "INSPECTIECODE",
        "OPLEIDINGSNAAM",
    ]
    header += [f"LEER- OF VERBLIJFSJAAR {n} - {sex}" for n in range(1, 7) for sex in ("MAN", "VROUW")]
    lines = [";".join(header)]
    for offer in pupil_offers(seed, scale, vmbo_profiles(year)):
        brin, number, label, municipality, school_type, code, name, _ = offer
        row = [brin, brin + number, label, municipality, school_type, name.split(" - ", 1)[1], code, name]
        for n in range(1, 7):
            if n in STUDY_YEARS[school_type]:
                men, women = counts(seed, offer, year * 10 + n, "pupils", scale)
                row += ["<5" if 1 <= v <= 4 else str(v) for v in (men, women)]
            else:
                row += ["0", "0"]
        lines.append(";".join(row))
    path = folder / f"01.-leerlingen-vo-per-vestiging-naar-onderwijstype-{year}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def write(edition: Edition, folder: Path, seed: int, scale: int = 1) -> list[Path]:
    """The exam file(s) and the pupil file(s) of one edition: one of each at scale 1; at scale > 1
    ten years of both (two five-year exam files, ten yearly pupil files)."""
    last = edition.education_last_year
    return [write_exams(seed, end, folder, scale) for end in delivery_years(last, scale, YEARS_PER_FILE)] + [
        write_pupils(seed, year, folder, scale) for year in delivery_years(last, scale, 1)
    ]
