"""Synthetic indicator tables for the publication tests: realistic sizes and shapes (national and
regional rows on the real region codes, both STEM definitions, sexes, masked, suppressed,
provisional and break flags, an indicator of another strand), a targets and a bridge table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.indicators import finish

EDITION = "2024"
PERIODS = ["2019", "2020", "2021", "2022", "2023"]
MUNICIPALITIES = {  # code: (name, RD x, RD y of a 10 km square's corner) - real codes, rough positions
    "GM0014": ("Groningen", 230000, 575000),
    "GM0034": ("Almere", 140000, 480000),
    "GM0202": ("Arnhem", 185000, 440000),
    "GM0344": ("Utrecht", 130000, 450000),
    "GM0363": ("Amsterdam", 115000, 480000),
    "GM0518": ("'s-Gravenhage", 75000, 450000),
    "GM0599": ("Rotterdam", 85000, 430000),
    "GM0772": ("Eindhoven", 155000, 380000),
}
WITHOUT_DATA = {"GM0080": ("Leeuwarden", 180000, 575000)}  # has an outline, no figures
WERKEN = {
    "indicator_id": "technicians_employed",
    "strand": "Werken",
    "level": "labour",
    "title_nl": "Werkzame technici",
    "title_en": "Technicians in employment",
    "numerator": "employed technicians",
    "denominator": "",
    "unit": "count",
    "breakdowns": "sex",
    "source_families": "cbs_labour",
    "stem_definitions": "none",
    "note_nl": "Werkzame personen in een technisch beroep (synthetisch).",
    "note_en": "Employed persons in a technical occupation (synthetic).",
}


def catalogue() -> pd.DataFrame:
    frame = reference.load("indicators/catalogue.csv").frame
    return pd.concat([frame, pd.DataFrame([WERKEN])], ignore_index=True)


def _regions() -> list[tuple[str, str, str, float]]:
    """(level, code, name, weight) on the real 2024 region tables; weights sum to 1 per level."""
    towns = reference.load("regions/municipalities.csv").frame
    towns = towns[towns["boundary_year"] == EDITION]
    out = []
    for level, code_col, name_col in (
        ("province", "province_code", "province_name"),
        ("techniekpact", "techniekpact_region_code", "techniekpact_region_name"),
        ("arbeidsmarktregio", "arbeidsmarktregio_code", "arbeidsmarktregio_name"),
        ("corop", "corop_code", "corop_name"),
    ):
        groups = towns.groupby([code_col, name_col]).size()
        for (code, name), size in groups.items():
            out.append((level, code, name, size / groups.sum()))
    for code, (name, _, _) in MUNICIPALITIES.items():
        out.append(("municipality", code, name, 0.03))
    return out


def indicator_table(seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    regions = [("national", "NL01", "Nederland", 1.0)] + _regions()
    for definition, stem_factor in (("nl", 1.0), ("isced", 0.92)):
        for level, all_first, share in (("hbo", 110000, 0.235), ("wo", 108000, 0.27)):
            for p_index, period in enumerate(PERIODS):
                for region_level, code, name, weight in regions:
                    local = share * (1 + 0.25 * (rng.random() - 0.5)) if region_level != "national" else share
                    for sex, sex_share, sex_stem in (("V", 0.53, 0.45), ("M", 0.47, 1.6)):
                        den = round(all_first * (1 + 0.02 * p_index) * weight * sex_share)
                        num = round(den * min(local * sex_stem * stem_factor * (1 + 0.01 * p_index), 0.95))
                        rows.append(
                            {
                                "indicator_id": "ho_first_years_stem_share",
                                "definition": definition,
                                "period": period,
                                "region_level": region_level,
                                "region_code": code,
                                "region_name": name,
                                "sex": sex,
                                "breakdown": f"level={level}",
                                "numerator": float(num),
                                "denominator": float(den),
                            }
                        )
    frame = pd.DataFrame(rows)
    keys = ["indicator_id", "definition", "period", "region_level", "region_code", "region_name", "breakdown"]
    total = frame.groupby(keys, as_index=False)[["numerator", "denominator"]].sum().assign(sex="T")
    frame = pd.concat([frame, total], ignore_index=True)
    frame["value"] = (100 * frame["numerator"] / frame["denominator"]).round(2)
    frame["unit"] = "percent"
    frame["flag"] = ""
    small = (frame["region_level"] == "municipality") & (frame["period"] == "2019") & (frame["sex"] == "V")
    frame.loc[small, "flag"] = "masked"
    suppressed = (frame["region_code"] == "GM0034") & (frame["period"] == "2023") & (frame["sex"] != "T")
    frame.loc[suppressed, ["value", "numerator"]] = np.nan
    frame.loc[suppressed, "flag"] = "suppressed"
    counts = frame.assign(
        indicator_id="ho_first_years_stem", value=frame["numerator"], denominator=np.nan, unit="count"
    )
    werken = []
    for p_index, period in enumerate(PERIODS):
        for sex, base in (("T", 1_050_000), ("V", 160_000), ("M", 890_000)):
            value = float(round(base * (1 + 0.015 * p_index) + rng.integers(-3000, 3000)))
            flag = "provisional" if period == PERIODS[-1] else ("break" if period == "2021" else "")
            werken.append(
                {
                    "indicator_id": "technicians_employed",
                    "definition": "none",
                    "period": period,
                    "region_level": "national",
                    "region_code": "NL01",
                    "region_name": "Nederland",
                    "sex": sex,
                    "breakdown": "",
                    "numerator": value,
                    "denominator": np.nan,
                    "value": value,
                    "unit": "count",
                    "flag": flag,
                }
            )
    frame = pd.concat([frame, counts, pd.DataFrame(werken)], ignore_index=True)
    frame["edition"] = EDITION
    frame["value_low"] = frame["value"]
    frame["value_high"] = frame["value"]
    frame["rule"] = np.where(frame["flag"] == "suppressed", "primary:n<10", "")
    frame["boundary_year"] = pd.array(
        [None if level == "national" else int(EDITION) for level in frame["region_level"]], dtype="Int64"
    )
    return finish(frame)


def targets() -> pd.DataFrame:
    return reference.load("indicators/targets.csv").frame


def bridge() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "isced_f": ["0511", "0613", "0715", "0914"],
            "nl_definition": ["bètatechniek", "bètatechniek", "bètatechniek", "geen"],
            "isced_stem": ["ja", "ja", "ja", "nee"],
        }
    )


def manifest() -> dict:
    return {
        "edition": EDITION,
        "inputs": [
            {
                "file": "synthetic.csv",
                "family": "duo_ho_first_years",
                "generation": "test",
                "sha256": "0" * 64,
                "bytes": 1,
                "rows": 1,
            }
        ],
        "reference_tables": [
            {
                "id": "indicators.catalogue",
                "version": "test",
                "status": "project",
                "sha256": "1" * 64,
                "path": "indicators/catalogue.csv",
            }
        ],
        "code": {"version": "test-version"},
        "parameters": {},
        "checks": [{"name": "every_code_classified", "passed": True}],
    }


def square(x: float, y: float, size: float = 10000) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def render_edition(
    stage: Path, languages: tuple[str, ...] = ("nl", "en"), background: bool | None = None
) -> dict[str, str]:
    from pipeline.publish import content, edition

    extras = content.Extras(targets=targets(), bridge=bridge())
    return edition.render(
        stage, EDITION, indicator_table(), catalogue(), manifest(), languages, extras, background=background
    )
