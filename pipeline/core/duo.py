"""Helpers shared by the DUO core tables: edition year check, count bounds, empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, problem
from schemas import validate


def check_years(raw: pd.DataFrame, edition: str, last_year: int) -> None:
    """Years after the edition's last education year are an error (a delivery of the wrong edition)."""
    if raw.empty:
        return
    late = raw[raw["year"] > last_year]
    if not late.empty:
        raise SourceError([
            problem(f, int(line), str(y), f"year {y} is after edition {edition}'s last education year {last_year}")
            for f, y, line in sorted(set(zip(late["source_file"], late["year"], late.groupby(["source_file", "year"])["source_line"].transform("min"))))
        ])


def text(column: pd.Series) -> object:
    """A text column's values for a new frame: Arrow-backed strings stay Arrow arrays (no Python
    string per value, which costs time and about 60 bytes a value on large tables)."""
    return column.array if isinstance(column.dtype, pd.StringDtype) else column.to_numpy()


def bounds(raw: pd.DataFrame) -> dict[str, object]:
    masked = raw["masked"].to_numpy(dtype=bool)
    value = raw["count"].fillna(0).astype(np.int64).to_numpy()
    return {"count": raw["count"].astype("Int64").array,
            "count_low": np.where(masked, 1, value).astype(np.int64),
            "count_high": np.where(masked, 4, value).astype(np.int64),
            "masked": masked,
            "source_file": text(raw["source_file"]),
            "source_line": raw["source_line"].astype(np.int64).to_numpy()}


def finish(frame: pd.DataFrame, model, keys: list[str]) -> pd.DataFrame:
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    problems = validate(model, frame)
    if problems:
        raise SourceError(problems)
    return frame
