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

`passes_values(model, columns, key_unique)` answers the same question for a frame that is not built
yet: the Arrow-native parsers (`pipeline.sources.duo_arrow`) give, per column, the dtype the frame
will have and an array holding every value the column will have (a wide file's column stands for
the long table's column that repeats it); checks run with Arrow's kernels, with regular expressions
translated only where the translation is at least as strict as Python's (`\\d` becomes `[0-9]`).
False again means "not shown to pass": the parser then builds the frame the usual way and Pandera
names what fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
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
        data.str.len() == exact_value
        if exact_value is not None
        else (data.str.len() >= (min_value if min_value is not None else 0))
        & (data.str.len() <= (max_value if max_value is not None else np.iinfo(np.int64).max))
    ),
}


def _supported(schema: pa.DataFrameSchema) -> bool:
    """Whether every rule of the schema is one this module evaluates."""
    if (
        schema.checks
        or schema.index is not None
        or schema.coerce
        or schema.dtype is not None
        or schema.ordered
        or schema.add_missing_columns
        or schema.drop_invalid_rows
        or schema.unique_column_names
    ):
        return False
    for column in schema.columns.values():
        if column.regex or column.coerce or column.unique or column.dtype is None or not column.required:
            return False
        for check in column.checks:
            if (
                check.name not in BUILTIN
                or check.element_wise
                or check.groupby is not None
                or not check.ignore_na
                or check.raise_warning
            ):
                return False
    return not isinstance(schema.unique, str)


@cache
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
            if not bool(
                np.all(np.asarray(result.fillna(False) if isinstance(result, pd.Series) else result, dtype=bool))
            ):
                return False
        elif not bool(result):
            return False
    return True


def _has_duplicate_key(frame: pd.DataFrame, keys: list[str]) -> bool:
    """Whether two rows share the key (nulls equal, as in Pandera's check: pandas' `duplicated`)."""
    return bool(frame.duplicated(subset=keys).any())


# --- values of a frame not built yet (Arrow) ---------------------------------------------------


class ModelPlan(NamedTuple):
    """What a parser needs to know of a model before building its frame: the column order, and the
    columns whose distinct values are worth computing once (checked, or part of the unique key)."""

    columns: tuple[str, ...]
    encode: frozenset[str]


@cache
def model_plan(model: type[pa.DataFrameModel]) -> ModelPlan:
    schema, _ = _model_schema(model)
    checked = {name for name, spec in schema.columns.items() if spec.checks}
    keys = set(schema.unique) if schema.unique and not isinstance(schema.unique, str) else set()
    return ModelPlan(tuple(schema.columns), frozenset(checked | keys))


def passes_values(
    model: type[pa.DataFrameModel],
    columns: Mapping[str, tuple[object, object]],
    key_unique: Callable[[list[str]], bool],
) -> bool:
    """True when a frame with these columns passes the model: `columns` maps each column to (the
    frame column's pandas dtype, an Arrow or NumPy array holding every value of that column, repeats
    allowed); `key_unique(keys)` tells whether the frame's rows are unique on the model's key.

    The rules are those of `passes` (strict column set, dtype, nullability, built-in checks, unique
    key). A dtype is checked by Pandera's own dtype check; for any dtype but object that check does
    not look at the data, for object columns it is given the values. Comparisons of integers with a
    bound are answered from the column's minimum and maximum. A rule this function cannot evaluate
    makes it answer False."""
    schema, supported = _model_schema(model)
    if not supported or set(schema.columns) - set(columns) or (schema.strict and set(columns) - set(schema.columns)):
        return False
    for name, spec in schema.columns.items():
        dtype, values = columns[name]
        if not _dtype_passes(model, name, spec, dtype, values):
            return False
        if (
            isinstance(values, np.ndarray)
            and values.dtype.kind in "iub"
            and (values.dtype.kind != "b" or not spec.checks)
        ):
            # integers (or flags without checks): no nulls
            if (
                spec.checks
                and len(values)
                and not all(_bounds_pass(check, int(values.min()), int(values.max())) for check in spec.checks)
            ):
                return False
            continue
        array = values if isinstance(values, pyarrow.Array | pyarrow.ChunkedArray) else pyarrow.array(values)
        if not spec.nullable and array.null_count:
            return False
        if not spec.checks:
            continue
        present = array.drop_null() if array.null_count else array
        if not len(present):
            continue
        if pyarrow.types.is_integer(present.type):
            low, high = pc.min_max(present).values()
            if not all(_bounds_pass(check, low.as_py(), high.as_py()) for check in spec.checks):
                return False
            continue
        text = pyarrow.types.is_string(present.type) or pyarrow.types.is_large_string(present.type)
        if text and len(present) <= _PASSED_FROM_MEMORY:
            passed = _PASSED.setdefault((model, name), set())
            listed = present.to_pylist()
            if passed.issuperset(listed):  # every value passed this column's checks before
                continue
        if text and any(check.name not in ("isin", "notin") for check in spec.checks):
            present = pc.unique(present)  # element-wise checks: once per distinct value
        if not all(_arrow_check(check, present) for check in spec.checks):
            return False
        if text and len(present) <= _PASSED_FROM_MEMORY and len(passed) < _PASSED_LIMIT:
            passed.update(listed)
    return not schema.unique or bool(key_unique(list(schema.unique)))


# texts that passed the checks of a column (model, column): the checks are functions of the value, so
# a column whose few (distinct) values all passed before passes again without an Arrow call
_PASSED: dict[tuple, set[str]] = {}
_PASSED_FROM_MEMORY = 4096  # only arrays this short are looked up (listing them costs more than it saves beyond)
_PASSED_LIMIT = 100_000  # texts remembered per column


_BOUNDS: dict[str, Callable[[int, int, int | float], bool]] = {
    "greater_than": lambda low, high, bound: low > bound,
    "greater_than_or_equal_to": lambda low, high, bound: low >= bound,
    "less_than": lambda low, high, bound: high < bound,
    "less_than_or_equal_to": lambda low, high, bound: high <= bound,
    "equal_to": lambda low, high, bound: low == bound and high == bound,
}


def _bounds_pass(check, low: int, high: int) -> bool:
    """Whether every integer in low..high passes a comparison with a bound (False for any other check)."""
    compare = _BOUNDS.get(check.name)
    stats = check.statistics
    bound = next(iter(stats.values()), None) if len(stats) == 1 else None
    if compare is None or not isinstance(bound, int | float) or isinstance(bound, bool):
        return False
    return bool(compare(low, high, bound))


_DTYPES: dict[tuple, bool] = {}


def _dtype_passes(model, name: str, spec, dtype, values) -> bool:
    try:
        key = (model, name, dtype)
        known = _DTYPES.get(key)
    except TypeError:  # a dtype that cannot be a key
        key, known = None, None
    if known is not None:
        return known
    pandas_dtype = pd.api.types.pandas_dtype(dtype)
    if pandas_dtype == np.dtype(object):
        series = pd.Series(np.asarray(values, dtype=object), dtype=object)
        result = spec.dtype.check(Engine.dtype(pandas_dtype), series)
        return bool(result) if isinstance(result, bool | np.bool_) else bool(np.all(result))
    result = spec.dtype.check(Engine.dtype(pandas_dtype))
    passed = bool(result) if isinstance(result, bool | np.bool_) else bool(np.all(result))
    if key is not None:
        _DTYPES[key] = passed
    return passed


# a Python regular expression Arrow (RE2) evaluates alike: literals, ASCII classes, groups,
# alternation, quantifiers, anchors and \d (translated to the stricter [0-9])
_PORTABLE_REGEX = re.compile(r"(?:\\d|\[[0-9A-Za-z\-]+\]|\{\d+(?:,\d*)?\}|[0-9A-Za-z _\-^$|()+*?])*")


def _re2_pattern(pattern) -> str | None:
    """The pattern of Pandera's `str_matches` (Python's `re.match`) for Arrow, or None where a
    translation might accept what Python rejects."""
    text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    if not isinstance(text, str) or (isinstance(pattern, re.Pattern) and pattern.flags & ~re.UNICODE):
        return None
    if not _PORTABLE_REGEX.fullmatch(text):
        return None
    return "^(?:" + text.replace("\\d", "[0-9]") + ")"


def _arrow_check(check, values) -> bool:
    """Whether all these values (no nulls) pass one of Pandera's built-in checks (False when the
    check cannot be evaluated here)."""
    if check.name not in BUILTIN:
        return False
    stats = check.statistics
    try:
        if pyarrow.types.is_string(values.type) or pyarrow.types.is_large_string(values.type):
            if check.name in ("isin", "notin"):
                listed = list(stats["allowed_values"] if check.name == "isin" else stats["forbidden_values"])
                if not all(isinstance(v, str) for v in listed):
                    return False
                found = pc.is_in(values, value_set=pyarrow.array(listed, type=values.type))
                result = found if check.name == "isin" else pc.invert(found)
            elif check.name == "str_matches":
                pattern = _re2_pattern(stats["pattern"])
                if pattern is None:
                    return False
                result = pc.match_substring_regex(values, pattern)
            elif check.name == "str_startswith":
                result = pc.starts_with(values, pattern=stats["string"])
            elif check.name == "str_endswith":
                result = pc.ends_with(values, pattern=stats["string"])
            elif check.name == "str_length":
                length = pc.utf8_length(values)
                exact, low, high = stats.get("exact_value"), stats.get("min_value"), stats.get("max_value")
                if exact is not None:
                    result = pc.equal(length, exact)
                else:
                    result = pc.and_(
                        pc.greater_equal(length, low if low is not None else 0),
                        pc.less_equal(length, high if high is not None else np.iinfo(np.int64).max),
                    )
            else:
                return False
        elif pyarrow.types.is_integer(values.type) or pyarrow.types.is_floating(values.type):
            compare = {
                "equal_to": pc.equal,
                "not_equal_to": pc.not_equal,
                "greater_than": pc.greater,
                "greater_than_or_equal_to": pc.greater_equal,
                "less_than": pc.less,
                "less_than_or_equal_to": pc.less_equal,
            }.get(check.name)
            bound = next(iter(stats.values()), None) if len(stats) == 1 else None
            if compare is None or not isinstance(bound, int | float) or isinstance(bound, bool):
                return False
            result = compare(values, bound)
        else:
            return False
        return result.false_count == 0 and result.null_count == 0
    except (pyarrow.ArrowException, TypeError, KeyError):
        return False
