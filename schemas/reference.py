"""Contracts of the reference tables of the STEM definitions (reference/stem/ and their overrides).

One model per kind of table, so that the shipped best-effort tables and an official list that
replaces one of them (`TECHPACT_REFERENCE_OVERRIDES`, file for file) pass the same checks:

- `DutchDefinition` (`nl_*.csv`: nl_ho_programmes, nl_mbo_qualifications, nl_vo_profiles,
  nl_technical_fields_of_education, nl_technical_occupations): one row per code and validity period
  with `is_stem`, `cluster` (required for STEM codes), `reason`, `source`, `valid_from`, `valid_to`.
- `IscedDefinition` (`isced_*.csv` except isced_f_fields: isced_ho_programmes,
  isced_mbo_qualifications, isced_vo_profiles): the ISCED-F 2013 field of every code, its narrow and
  broad field consistent with it, and `is_stem` true exactly for broad fields 05, 06, 07.
- `IscedFields` (`isced_f_fields.csv`): the ISCED-F 2013 code list (2-, 3- and 4-digit codes, name).

Values are text as read (`pipeline.reference.load` reads every column as text). Extra columns
(e.g. `croho_sector`) are allowed; the required ones must be there, spelled as here. Periods of one
code may not overlap, so exactly one row applies to a code in a year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.problems import SourceProblem

BOOLEAN = r"(?i)^\s*(true|false|1|0|yes|no|ja|nee)\s*$"
TRUE = {"true", "1", "yes", "ja"}
ISCED_STEM_BROAD = {"05", "06", "07"}
OPEN_END = 9999


def _truthy(series: pd.Series) -> pd.Series:
    return series.str.strip().str.lower().isin(TRUE)


def _overlap_free(frame: pd.DataFrame) -> pd.Series:
    """True for rows whose validity period overlaps no other row of the same code (and level)."""
    keys = ["code", "level"] if "level" in frame.columns else ["code"]
    start = pd.to_numeric(frame["valid_from"], errors="coerce")
    end = pd.to_numeric(frame["valid_to"].replace("", str(OPEN_END)), errors="coerce")
    work = pd.DataFrame({"start": start, "end": end}, index=frame.index).join(frame[keys])
    ok = pd.Series(True, index=frame.index)
    for _, group in work[work.duplicated(keys, keep=False)].groupby(keys, sort=False):
        group = group.sort_values("start")
        starts, ends = group["start"].to_numpy(), group["end"].to_numpy()
        for i in range(1, len(group)):
            if starts[i] <= ends[:i].max():
                ok.loc[[group.index[i - 1], group.index[i]]] = False
    return ok


class _Definition(pa.DataFrameModel):
    code: Series[str] = pa.Field(
        str_matches=r"^\S+$", description="the source's code (CROHO, crebo, profile, BRC, ISCED-F)"
    )
    name: Series[str] = pa.Field(description="name as the source writes it")
    is_stem: Series[str] = pa.Field(str_matches=BOOLEAN, description="true/false (also 1/0, yes/no, ja/nee)")
    reason: Series[str] = pa.Field(str_matches=r"\S", description="why the code is (not) STEM")
    source: Series[str] = pa.Field(str_matches=r"\S", description="where the classification comes from")
    valid_from: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="first reference year the row applies to")
    valid_to: Series[str] = pa.Field(str_matches=r"^(\d{4})?$", description="last reference year ('' = open)")

    @pa.dataframe_check(description="valid_to is not before valid_from")
    def period_in_order(cls, frame: pd.DataFrame) -> pd.Series:
        start = pd.to_numeric(frame["valid_from"], errors="coerce")
        end = pd.to_numeric(frame["valid_to"].replace("", str(OPEN_END)), errors="coerce")
        return ~(end < start)

    @pa.dataframe_check(description="periods of one code do not overlap")
    def one_row_per_code_and_year(cls, frame: pd.DataFrame) -> pd.Series:
        return _overlap_free(frame)

    class Config:
        strict = False
        coerce = False


class DutchDefinition(_Definition):
    """The Dutch STEM definition (bètatechniek) of one level: one row per code and validity period."""

    cluster: Series[str] = pa.Field(
        description="STEM cluster (techniek, natuur, ICT, landbouw, ...); required when is_stem"
    )

    @pa.dataframe_check(description="every STEM code has a cluster")
    def stem_has_cluster(cls, frame: pd.DataFrame) -> pd.Series:
        return ~_truthy(frame["is_stem"]) | frame["cluster"].str.strip().ne("")


class IscedDefinition(_Definition):
    """The ISCED-F 2013 field of every code of one level; international STEM = broad fields 05/06/07."""

    isced_f_detailed: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="ISCED-F 2013 detailed field")
    isced_f_narrow: Series[str] = pa.Field(str_matches=r"^\d{3}$", description="ISCED-F 2013 narrow field")
    isced_f_broad: Series[str] = pa.Field(str_matches=r"^\d{2}$", description="ISCED-F 2013 broad field")

    @pa.dataframe_check(description="narrow and broad field are the prefixes of the detailed field")
    def fields_nest(cls, frame: pd.DataFrame) -> pd.Series:
        return (frame["isced_f_detailed"].str[:3] == frame["isced_f_narrow"]) & (
            frame["isced_f_detailed"].str[:2] == frame["isced_f_broad"]
        )

    @pa.dataframe_check(description="is_stem is true exactly for broad fields 05, 06, 07")
    def stem_is_05_06_07(cls, frame: pd.DataFrame) -> pd.Series:
        return _truthy(frame["is_stem"]) == frame["isced_f_broad"].isin(ISCED_STEM_BROAD)


class IscedFields(pa.DataFrameModel):
    """The ISCED-F 2013 code list: broad (2 digits), narrow (3) and detailed (4) fields with names."""

    code: Series[str] = pa.Field(str_matches=r"^\d{2,4}$", unique=True, description="ISCED-F 2013 code")
    field_level: Series[str] = pa.Field(isin=["broad", "narrow", "detailed"], description="broad, narrow or detailed")
    name: Series[str] = pa.Field(str_matches=r"\S", description="English name (UNESCO)")
    is_stem: Series[str] = pa.Field(str_matches=BOOLEAN, description="true exactly under broad fields 05, 06, 07")

    @pa.dataframe_check(description="field_level matches the number of digits")
    def level_matches_digits(cls, frame: pd.DataFrame) -> pd.Series:
        return frame["code"].str.len() == frame["field_level"].map({"broad": 2, "narrow": 3, "detailed": 4})

    @pa.dataframe_check(description="is_stem is true exactly for codes under broad fields 05, 06, 07")
    def stem_is_05_06_07(cls, frame: pd.DataFrame) -> pd.Series:
        return _truthy(frame["is_stem"]) == frame["code"].str[:2].isin(ISCED_STEM_BROAD)

    class Config:
        strict = False


def model_for(path: Path | str) -> type[pa.DataFrameModel] | None:
    """The contract of a STEM reference table by its file name (None: not a definition table)."""
    name = Path(path).name
    if name.startswith("isced_f_fields"):
        return IscedFields
    if name.startswith("isced_"):
        return IscedDefinition
    if name.startswith("nl_"):
        return DutchDefinition
    return None


def problems(model: type[pa.DataFrameModel], frame: pd.DataFrame, path: Path | str) -> list[SourceProblem]:
    """Validate a reference table; problems name the file, its line (header = line 1) and column."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        found = []
        for case in errors.failure_cases.itertuples(index=False):
            index = case.index
            has_row = index is not None and not pd.isna(index)
            line = int(index) + 2 if has_row else None
            column = None if case.column is None or pd.isna(case.column) else str(case.column)
            value = case.failure_case
            if case.schema_context == "DataFrameSchema":
                if "column_in_dataframe" in str(case.check):
                    column = str(value)
                    value = "missing column"
                elif has_row:  # a whole-row check: one problem per row, named by the row's code
                    column = None
                    value = (
                        frame["code"].iloc[int(index)] if "code" in frame.columns and int(index) < len(frame) else value
                    )
            found.append(SourceProblem(str(path), line, column, f"check {case.check} failed for value {value!r}"))
        return sorted(set(found), key=lambda p: (p.row or 0, p.column or "", p.problem))
    return []
