"""A vectorised pre-check of a Pandera model: does a frame pass the model, answered without Pandera's
per-column machinery.

`passes(schema, frame)` is True only when Pandera's own validation would pass: it evaluates the same
rules (strict column set, dtype, nullability, the built-in checks, the model's `unique` key) with
the same pandas expressions as Pandera's built-in checks, but element-wise checks of a column run
once per distinct value (a code column has a few distinct values in 100,000 rows) and the unique
key is tested on the combined codes of its columns. A model that uses anything else (a custom or
dataframe-wide check, coercion, regex columns, an index, ...) is not pre-checked (False), and a
frame that does not pass is never reported from here: the caller then runs Pandera, whose failure
cases name row and column. So the pre-check can make validation faster, never weaker.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines.pandas_engine import Engine

# Pandera's built-in column checks, with the expressions of pandera.backends.pandas.builtin_checks
BUILTIN: dict[str, Callable[..., pd.Series]] = {
    "equal_to": lambda data, value: data == value,
    "not_equal_to": lambda data, value: data != value,
    "greater_than": lambda data, min_value: data > min_value,
    "greater_than_or_equal_to": lambda data, min_value: data >= min_value,
    "less_than": lambda data, max_value: data < max_value,
    "less_than_or_equal_to": lambda data, max_value: data <= max_value,
    "isin": lambda data, allowed_values: data.isin(allowed_values),
    "notin": lambda data, forbidden_values: ~data.isin(forbidden_values),
    "str_matches": lambda data, pattern: data.str.match(pattern, na=False),
    "str_startswith": lambda data, string: data.str.startswith(string, na=False),
    "str_endswith": lambda data, string: data.str.endswith(string, na=False),
    "str_length": lambda data, min_value=None, max_value=None, exact_value=None: (
        data.str.len() == exact_value if exact_value is not None else
        (data.str.len() >= (min_value if min_value is not None else 0))
        & (data.str.len() <= (max_value if max_value is not None else np.iinfo(np.int64).max))),
}


def _supported(schema: pa.DataFrameSchema) -> bool:
    """Whether every rule of the schema is one this module evaluates."""
    if (schema.checks or schema.index is not None or schema.coerce or schema.dtype is not None or schema.ordered
            or schema.add_missing_columns or schema.drop_invalid_rows or schema.unique_column_names):
        return False
    for name, column in schema.columns.items():
        if column.regex or column.coerce or column.unique or column.dtype is None or not column.required:
            return False
        for check in column.checks:
            if (check.name not in BUILTIN or check.element_wise or check.groupby is not None or not check.ignore_na
                    or check.raise_warning):
                return False
    return not isinstance(schema.unique, str)


@lru_cache(maxsize=None)
def _model_schema(model: type[pa.DataFrameModel]) -> tuple[pa.DataFrameSchema, bool]:
    schema = model.to_schema()
    return schema, _supported(schema)


def passes_model(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> bool:
    schema, supported = _model_schema(model)
    return supported and passes(schema, frame)


def passes(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> bool:
    """True when the frame satisfies every rule of the schema; False when it does not or when the
    schema has a rule this module does not evaluate."""
    if not _supported(schema) or frame.columns.has_duplicates:
        return False
    columns = schema.columns
    if set(columns) - set(frame.columns) or (schema.strict and set(frame.columns) - set(columns)):
        return False
    for name, spec in columns.items():
        series = frame[name]
        dtype_ok = spec.dtype.check(Engine.dtype(series.dtype), series)
        if not (dtype_ok if isinstance(dtype_ok, bool | np.bool_) else bool(np.all(dtype_ok))):
            return False
        if not spec.nullable and series.hasnans:
            return False
        if spec.checks and not _checks_pass(spec.checks, series):
            return False
    keys = schema.unique
    return not keys or not _has_duplicate_key(frame, list(keys))


def _checks_pass(checks: list, series: pd.Series) -> bool:
    values = series.dropna() if series.hasnans else series
    if not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)):
        values = pd.Series(values.unique(), dtype=values.dtype)  # element-wise checks: once per distinct value
    for check in checks:
        result = BUILTIN[check.name](values, **check.statistics)
        if isinstance(result, pd.Series | np.ndarray):
            if not bool(np.all(np.asarray(result.fillna(False) if isinstance(result, pd.Series) else result, dtype=bool))):
                return False
        elif not bool(result):
            return False
    return True


def _has_duplicate_key(frame: pd.DataFrame, keys: list[str]) -> bool:
    """Whether two rows share the key (nulls equal, as in Pandera's check: pandas' `duplicated`)."""
    return bool(frame.duplicated(subset=keys).any())
