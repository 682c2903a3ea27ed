"""Helpers shared by the DUO core tables: edition year check, count bounds, empty tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.problems import SourceError, problem
from schemas import enforce


def check_years(raw: pd.DataFrame, edition: str, last_year: int) -> None:
    """Years after the edition's last education year are an error (a delivery of the wrong edition)."""
    if raw.empty:
        return
    late = raw[raw["year"] > last_year]
    if not late.empty:
        raise SourceError(
            [
                problem(f, int(line), str(y), f"year {y} is after edition {edition}'s last education year {last_year}")
                for f, y, line in sorted(
                    set(
                        zip(
                            late["source_file"],
                            late["year"],
                            late.groupby(["source_file", "year"])["source_line"].transform("min"),
                        )
                    )
                )
            ]
        )


def text(column: pd.Series) -> object:
    """A text column's values for a new frame: Arrow-backed strings stay Arrow arrays (no Python
    string per value, which costs time and about 60 bytes a value on large tables), Categoricals
    (a raw table read with `read_text_as_categories`) stay Categoricals until `finish`."""
    return column.array if isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype) else column.to_numpy()


def _sorted_categories(column: pd.Series) -> pd.Series:
    """The Categorical with its categories in sorted order: sorting by it orders rows as by the text."""
    categories = column.cat.categories
    return column if categories.is_monotonic_increasing else column.cat.set_categories(sorted(categories))


def as_text(column: pd.Series) -> pd.Series:
    """A Categorical column as the text column (`str`, Arrow-backed) it stands for, made in Arrow
    from codes and categories; any other column as it is."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column
    import pyarrow as pa

    codes = column.cat.codes.to_numpy()
    categories = pa.array(column.cat.categories.to_numpy(dtype=object), type=pa.large_string())
    values = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), categories).cast(pa.large_string())
    return pd.Series(pd.array(values, dtype="str"), index=column.index, name=column.name)


def bounds(raw: pd.DataFrame) -> dict[str, object]:
    masked = raw["masked"].to_numpy(dtype=bool)
    value = raw["count"].fillna(0).astype(np.int64).to_numpy()
    return {
        "count": raw["count"].astype("Int64").array,
        "count_low": np.where(masked, 1, value).astype(np.int64),
        "count_high": np.where(masked, 4, value).astype(np.int64),
        "masked": masked,
        "source_file": text(raw["source_file"]),
        "source_line": raw["source_line"].astype(np.int64).to_numpy(),
    }


def finish(frame: pd.DataFrame, model, keys: list[str]) -> pd.DataFrame:
    """Sort by the key, turn Categorical columns into text and validate. A Categorical is sorted on
    (sorted) categories, so the order is the text's; its rows are moved as codes, and the text is made once."""
    categorical = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if categorical:
        frame = frame.assign(**{c: _sorted_categories(frame[c]) for c in categorical if c in keys})
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    for column in categorical:
        frame[column] = as_text(frame[column])
    return enforce(model, frame)
