"""Sample deliveries of DUO higher education (hbo, wo) in DUO's publication formats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import delivery_years, stable_municipalities, synthetic_code, unit

YEARS_PER_FILE = 5

# first-years per year around 2019, per level (DUO: hbo 113,422, wo 109,833 in 2019)
TARGET_FIRST_YEARS = {"hbo": 113_000, "wo": 109_000}
# share of women among first-years per CROHO sector (order of magnitude as in DUO's files)
FEMALE_SHARE = {
    "techniek": 0.22,
    "natuur": 0.45,
    "onderwijs": 0.68,
    "gezondheidszorg": 0.78,
    "economie": 0.42,
    "recht": 0.62,
    "gedrag en maatschappij": 0.72,
    "taal en cultuur": 0.60,
    "landbouw en natuurlijke omgeving": 0.48,
    "sectoroverstijgend": 0.55,
}
# all students and diplomas per year, per level (order of magnitude of DUO's files around 2019)
TARGET_ENROLMENTS = {"hbo": 480_000, "wo": 310_000}
TARGET_DIPLOMAS = {"hbo": 78_000, "wo": 75_000}
INSTITUTIONS = Path(__file__).with_name("institutions.csv")
TWIN_CODE_LETTERS = {"hbo": "X", "wo": "Y"}  # synthetic institutions of a scaled sample
TWIN_KIND = {"hbo": "Hogeschool", "wo": "Universiteit"}
_OFFERS: dict[tuple[int, int], list] = {}


@dataclass(frozen=True)
class Offer:
    level: str
    institution: pd.Series
    programme: pd.Series
    study_form: str
    weight: float


def programme_type(name: str, level: str) -> str:
    if name.startswith("Ad "):
        return "associate degree"
    if name.startswith("M "):
        return "master"
    return "bachelor"


def offers(seed: int, scale: int = 1) -> list[Offer]:
    """Programme x location x study form offered, with a relative size. At scale S every teaching
    location of institutions.csv gets S - 1 synthetic twins (own code, a real municipality) that offer
    the same programmes, so the files have S times the rows."""
    result = base_offers(seed)
    twins: dict[tuple[str, str, str], list[pd.Series]] = {}
    for level in ("hbo", "wo"):
        places = [o.institution for o in result if o.level == level]
        keys = sorted({(p["institution_code"], p["municipality_number"]) for p in places})
        rows = {(p["institution_code"], p["municipality_number"]): p for p in places}
        for number, (_k, key) in enumerate((k, key) for k in range(1, scale) for key in keys):
            twins.setdefault((level, *key), []).append(twin_institution(seed, level, number, rows[key]))
    for offer in list(result):
        for twin in twins.get(
            (offer.level, offer.institution["institution_code"], offer.institution["municipality_number"]), []
        ):
            result.append(Offer(offer.level, twin, offer.programme, offer.study_form, offer.weight))
    return result


def twin_institution(seed: int, level: str, number: int, base: pd.Series) -> pd.Series:
    """A synthetic institution of a scaled sample: the `number`-th twin of a teaching location of
    institutions.csv, in a real municipality that keeps its code over every boundary year."""
    municipalities = stable_municipalities()
    code, name, province = municipalities[int(unit(seed, "ho-twin-gm", level, number) * len(municipalities))]
    twin = base.copy()
    twin["institution_code"] = synthetic_code(TWIN_CODE_LETTERS[level], number)
    twin["institution_name"] = f"{TWIN_KIND[level]} {name} {number + 1}"
    twin["municipality_number"], twin["municipality_name"], twin["province"] = code[2:], name, province
    return twin


def base_offers(seed: int) -> list[Offer]:
    programmes = reference.load("stem/nl_ho_programmes.csv").frame
    institutions = pd.read_csv(INSTITUTIONS, dtype=str, keep_default_na=False)
    result: list[Offer] = []
    for level in ("hbo", "wo"):
        places = institutions[institutions["level"] == level].reset_index(drop=True)
        weights = places["size_weight"].astype(float).to_numpy()
        progs = programmes[programmes["level"] == level].sort_values("code")
        for prog in progs.itertuples(index=False):
            n_places = 1 + int(unit(seed, "places", prog.code) * 3)
            chosen: set[int] = set()
            for k in range(n_places):
                u = unit(seed, "place", prog.code, k)
                chosen.add(int(np.searchsorted(np.cumsum(weights) / weights.sum(), u)))
            for index in sorted(chosen):
                place = places.iloc[index]
                base = np.exp(2.2 * unit(seed, "size", prog.code, index)) * float(place["size_weight"])
                result.append(Offer(level, place, pd.Series(prog._asdict()), "voltijd onderwijs", base))
                if level == "hbo" and unit(seed, "deeltijd", prog.code, index) < 0.3:
                    result.append(Offer(level, place, pd.Series(prog._asdict()), "deeltijd onderwijs", base * 0.15))
                if level == "hbo" and unit(seed, "duaal", prog.code, index) < 0.08:
                    result.append(Offer(level, place, pd.Series(prog._asdict()), "duaal onderwijs", base * 0.1))
    return result


def first_year_rows(
    seed: int,
    level: str,
    years: Iterable[int],
    all_offers: list[Offer],
    *,
    target: dict[str, int] = TARGET_FIRST_YEARS,
    salt: str = "",
) -> pd.DataFrame:
    level_offers = [o for o in all_offers if o.level == level]
    total_weight = sum(o.weight for o in level_offers)
    scale = target[level] / total_weight
    rows = []
    for offer in level_offers:
        prog, inst = offer.programme, offer.institution
        key = (prog["code"], inst["institution_code"], inst["municipality_number"], offer.study_form)
        growth = 0.01 + 0.05 * unit(seed, "growth", *key)
        female = min(
            0.95, max(0.03, FEMALE_SHARE.get(prog["croho_sector"], 0.5) + 0.2 * (unit(seed, "fem", *key) - 0.5))
        )
        counts = {}
        for year in years:
            expected = offer.weight * scale * (1 + growth) ** (year - 2019)
            noise = 0.85 + 0.3 * unit(seed, "noise" + salt, *key, year)
            total = round(expected * noise)
            women = round(total * female)
            counts[year] = {"man": total - women, "vrouw": women}
        for sex in ("man", "vrouw"):
            rows.append(
                {
                    "PROVINCIE": inst["province"],
                    "GEMEENTENUMMER": inst["municipality_number"],
                    "GEMEENTENAAM": inst["municipality_name"],
                    "SOORT INSTELLING": "reguliere inst.",
                    "TYPE HOGER ONDERWIJS": programme_type(prog["name"], level),
                    "BRIN NUMMER ACTUEEL": inst["institution_code"],
                    "INSTELLINGSNAAM ACTUEEL": inst["institution_name"],
                    "CROHO ONDERDEEL": prog["croho_sector"],
                    "CROHO SUBONDERDEEL": f"n.v.t. ({prog['croho_sector']})",
                    "OPLEIDINGSCODE ACTUEEL": prog["code"],
                    "OPLEIDINGSNAAM ACTUEEL": prog["name"],
                    "OPLEIDINGSVORM": offer.study_form,
                    "GESLACHT": sex,
                    **{str(year): counts[year][sex] for year in years},
                }
            )
    frame = pd.DataFrame(rows)
    order = [
        "PROVINCIE",
        "GEMEENTENUMMER",
        "BRIN NUMMER ACTUEEL",
        "OPLEIDINGSCODE ACTUEEL",
        "OPLEIDINGSVORM",
        "GESLACHT",
    ]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


def write_duo_csv(frame: pd.DataFrame, path: Path, *, protected: bool) -> None:
    """Write as DUO does: `;`, CRLF, header on line 1; from 2023 counts 1-4 as `<5` and renamed columns."""
    out = frame.copy()
    year_columns = [c for c in out.columns if c.isdigit()]
    if protected:
        out = out.rename(
            columns={
                "BRIN NUMMER ACTUEEL": "INSTELLINGSCODE ACTUEEL",
                "CROHO ONDERDEEL": "ONDERDEEL",
                "CROHO SUBONDERDEEL": "SUBONDERDEEL",
            }
        )
        for column in year_columns:
            values = out[column].astype(int)
            out[column] = values.astype(str).where(~values.between(1, 4), "<5")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    path.write_bytes(text.encode("utf-8") + b"\r\n")  # DUO's files end with a blank line


def write(edition: Edition, folder: Path, seed: int, scale: int = 1) -> list[Path]:
    """First-year, enrolment and diploma files hbo and wo of one edition: the five years up to its last
    education year (at scale > 1 also the files of five years earlier), in the 2018-2022 layout, or
    the protected layout (`<5`, renamed columns) from data year 2023."""
    if (seed, scale) not in _OFFERS:
        _OFFERS.clear()
        _OFFERS[seed, scale] = offers(seed, scale)
    written = []
    for last in delivery_years(edition.education_last_year, scale, YEARS_PER_FILE):
        written += write_files(seed, last, folder, _OFFERS[seed, scale], scale)
    return written


def write_files(seed: int, last: int, folder: Path, all_offers: list[Offer], scale: int) -> list[Path]:
    years = list(range(last - YEARS_PER_FILE + 1, last + 1))
    diploma_years = [y - 1 for y in years]  # DUO's diploma files end a year earlier (2019 file: 2014-2018)
    first_years, enrolments, diploma_counts = (
        {level: n * scale for level, n in target.items()}
        for target in (TARGET_FIRST_YEARS, TARGET_ENROLMENTS, TARGET_DIPLOMAS)
    )
    written = []
    for level in ("hbo", "wo"):
        frame = first_year_rows(seed, level, years, all_offers, target=first_years)
        path = folder / f"03b-eerstejaars-ingeschrevenen-{level}-domein-{level}-{last}.csv"
        write_duo_csv(frame, path, protected=last >= 2023)
        written.append(path)
        enrolled = first_year_rows(seed, level, years, all_offers, target=enrolments, salt="enrolled")
        path = folder / f"01-ingeschrevenen-{level}-{last}.csv"
        write_duo_csv(enrolled, path, protected=last >= 2023)
        written.append(path)
        diplomas = diploma_rows(
            first_year_rows(seed, level, diploma_years, all_offers, target=diploma_counts, salt="diplomas"), level
        )
        path = folder / f"05-gediplomeerden-{level}-{last}.csv"
        write_duo_csv(diplomas, path, protected=last >= 2023)
        written.append(path)
    return written


def diploma_rows(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """The diploma layout: no TYPE HOGER ONDERWIJS, SOORT DIPLOMA (e.g. `hbo bachelor`) before GESLACHT."""
    out = frame.copy()
    kind = out.pop("TYPE HOGER ONDERWIJS")
    out.insert(list(out.columns).index("GESLACHT"), "SOORT DIPLOMA", level + " " + kind)
    return out
