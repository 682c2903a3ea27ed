"""Progress on the Pact's objectives (reference/indicators/targets.csv), national, per year with data.

Rule 'linear': the path runs in a straight line from the value in the base year to the target in
the target year; a year is on track when its value is at or beyond the path in the direction of
the target, and 'reached' once the value is at or beyond the target itself.
"""

from __future__ import annotations

import pandas as pd

from pipeline import reference
from schemas import enforce
from schemas.indicators import Progress

RULES = ("linear",)


def progress(indicators: pd.DataFrame, edition: str) -> pd.DataFrame:
    targets = reference.load("indicators/targets.csv").frame
    unknown = sorted(set(targets["rule"]) - set(RULES))
    if unknown:
        raise ValueError(f"reference/indicators/targets.csv: unknown progress rule(s) {unknown}; known: {list(RULES)}")
    national = indicators[indicators["region_level"] == "national"]
    rows = []
    for t in targets.itertuples(index=False):
        cells = national[
            (national["indicator_id"] == t.indicator_id)
            & (national["definition"] == t.definition)
            & (national["breakdown"] == t.breakdown)
            & (national["sex"] == t.sex)
        ]
        series = dict(zip(cells["period"], cells["value"]))
        base_year, target_year, target = int(t.base_year), int(t.target_year), float(t.target_value)
        base = series.get(str(base_year))
        for period in sorted(series):
            value = series[period]
            year = int(period[:4])
            path = None
            if base is not None and pd.notna(base):
                share = min(max((year - base_year) / (target_year - base_year), 0.0), 1.0)
                path = base + share * (target - base)
            rising = target >= (base if base is not None and pd.notna(base) else target)
            if pd.isna(value) or path is None:
                status = "unknown"
            elif (value >= target) if rising else (value <= target):
                status = "reached"
            elif (value >= path) if rising else (value <= path):
                status = "on_track"
            else:
                status = "off_track"
            rows.append(
                {
                    "edition": edition,
                    "target_id": t.target_id,
                    "indicator_id": t.indicator_id,
                    "definition": t.definition,
                    "breakdown": t.breakdown,
                    "sex": t.sex,
                    "strand": t.strand,
                    "period": period,
                    "value": value,
                    "base_year": base_year,
                    "base_value": base if base is not None else float("nan"),
                    "target_year": target_year,
                    "target_value": target,
                    "path_value": path if path is not None else float("nan"),
                    "distance": (target - value) if pd.notna(value) else float("nan"),
                    "status": status,
                    "target_status": t.status,
                }
            )
    frame = pd.DataFrame(rows, columns=list(Progress.to_schema().columns))
    for column in ("value", "base_value", "path_value", "distance", "target_value"):
        frame[column] = frame[column].astype(float)
    for column in ("base_year", "target_year"):
        frame[column] = frame[column].astype("int64")
    for column in ("path_value", "distance"):
        frame[column] = frame[column].round(4)
    return enforce(Progress, frame)
