"""Indicator tables: what the catalogue (reference/indicators/catalogue.csv) declares, computed
from the classified core tables, in one long layout (schemas.indicators.Indicators).

Masked source counts (1..4) are carried as intervals: `numerator`/`denominator` are the midpoints
of the bounds, `value_low`/`value_high` the bounds of the value, and the cell is flagged `masked`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import reference
from schemas.indicators import COLUMNS, Indicators

NATIONAL = {"region_level": "national", "region_code": "NL01", "region_name": "Nederland"}
DEFINITIONS = ("nl", "isced")


def catalogue() -> pd.DataFrame:
    return reference.load("indicators/catalogue.csv").frame


def _with_total_sex(frame: pd.DataFrame, keys: list[str], value_columns: list[str]) -> pd.DataFrame:
    by_sex = frame.groupby(keys + ["sex"], as_index=False, sort=True)[value_columns].sum()
    total = frame.groupby(keys, as_index=False, sort=True)[value_columns].sum()
    total["sex"] = "T"
    return pd.concat([total, by_sex], ignore_index=True)


def ho_first_years(classified: pd.DataFrame, edition: str) -> pd.DataFrame:
    """Number and share of first-years in STEM, hbo and wo, by sex, every year, both definitions."""
    out = []
    for definition in DEFINITIONS:
        flag = classified[f"stem_{definition}"]
        if flag.isna().all():
            continue
        stem = flag.fillna(False).to_numpy(dtype=bool)
        frame = pd.DataFrame({
            "year": classified["year"], "level": classified["level"], "sex": classified["sex"],
            "den_low": classified["count_low"], "den_high": classified["count_high"],
            "num_low": np.where(stem, classified["count_low"], 0), "num_high": np.where(stem, classified["count_high"], 0),
        })
        sums = _with_total_sex(frame, ["year", "level"], ["num_low", "num_high", "den_low", "den_high"])
        base = pd.DataFrame({
            "definition": definition, "edition": edition, "period": sums["year"].astype(str), **NATIONAL,
            "sex": sums["sex"], "breakdown": "level=" + sums["level"],
        })
        num_masked = sums["num_low"] != sums["num_high"]
        any_masked = num_masked | (sums["den_low"] != sums["den_high"])
        numerator = (sums["num_low"] + sums["num_high"]) / 2
        count = base.assign(indicator_id="ho_first_years_stem", numerator=numerator, denominator=np.nan,
                            value=numerator, value_low=sums["num_low"].astype(float),
                            value_high=sums["num_high"].astype(float), unit="count",
                            flag=np.where(num_masked, "masked", ""))
        low = 100 * sums["num_low"] / sums["den_high"]
        high = 100 * sums["num_high"] / sums["den_low"]
        share = base.assign(indicator_id="ho_first_years_stem_share", numerator=numerator,
                            denominator=(sums["den_low"] + sums["den_high"]) / 2,
                            value=((low + high) / 2).round(2), value_low=low.round(2), value_high=high.round(2),
                            unit="percent", flag=np.where(any_masked, "masked", ""))
        out += [count, share]
    return finish(pd.concat(out, ignore_index=True))


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Order columns and rows canonically and validate against the indicator contract."""
    frame = frame[COLUMNS].sort_values(["indicator_id", "definition", "period", "region_level", "region_code",
                                        "breakdown", "sex"], kind="stable").reset_index(drop=True)
    for column in ("numerator", "denominator", "value", "value_low", "value_high"):
        frame[column] = frame[column].astype(float)
    Indicators.validate(frame, lazy=True)
    return frame
