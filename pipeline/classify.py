"""Classification stage: every education and labour core table gets the flags of both STEM definitions.

Both definitions are reference tables in `reference/stem/` (one row per code and validity period,
validated by `schemas.reference`): the Dutch definition (bètatechniek: `stem_nl`, `cluster_nl`) and
the international one (ISCED-F 2013 broad fields 05/06/07: `stem_isced`, `isced_f`).

Which core table is classified by which tables on which column is configuration, `PLAN`: one
`Classification` row per core table. A new level (a new core table) is a new row, not new code;
`assets/classification.py` makes one Dagster asset `<core>_classified` per row.

Rules:
- The row of a code that applies is the one whose `valid_from`..`valid_to` contains the row's
  year (and, where the table has a `level` column, whose level matches).
- A code that a definition table does not know, or knows only for other years, stops the run:
  `ClassificationError` lists every such code with the definition, level, years and where it
  occurs (file and lines). With `allow_unclassified` (CLI `--allow-unclassified`) the rows are
  kept with a null flag and `cluster_nl`/`isced_f` = "unclassified", and the codes are reported;
  nothing is ever dropped or guessed.
- Rows whose code is a total of the source (e.g. `T` in CBS tables) are not classified (null flags,
  empty cluster) and never reported as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline import reference
from pipeline.problems import SourceError
from pipeline.reference import ReferenceTable
from schemas import reference as reference_schemas
from schemas.classification import NOT_APPLICABLE, UNCLASSIFIED, classified_model

DEFINITIONS = ("nl", "isced")


@dataclass(frozen=True)
class Classification:
    """One row of the plan: classify core table `core` on `code_column` with the given tables."""

    core: str  # core asset / table name; the classified asset is `<core>_classified`
    model: str  # Pandera model of the core table, "module:Class"
    code_column: str
    name_column: str
    tables: dict[str, str]  # definition ("nl", "isced") -> reference table path; isced may be absent (n/a)
    level_column: str | None = None  # column matched (case-insensitively) with the tables' `level` column
    level: str = ""  # the level's name where the core table has no level column (bridge, reports)
    population: str = ""  # bridge population (first_years, diplomas, entrants); "" = no bridge
    total_codes: tuple[str, ...] = field(default=())  # codes that are totals of the source: not classified

    @property
    def asset(self) -> str:
        return f"{self.core}_classified"

    def core_model(self) -> type[pa.DataFrameModel]:
        module, name = self.model.split(":")
        return getattr(__import__(module, fromlist=[name]), name)

    def output_model(self) -> type[pa.DataFrameModel]:
        return classified_model(self.core_model())


HO = {"nl": "stem/nl_ho_programmes.csv", "isced": "stem/isced_ho_programmes.csv"}
MBO = {"nl": "stem/nl_mbo_qualifications.csv", "isced": "stem/isced_mbo_qualifications.csv"}
VO = {"nl": "stem/nl_vo_profiles.csv", "isced": "stem/isced_vo_profiles.csv"}
HO_TABLES = HO  # kept for callers of the first version

PLAN: tuple[Classification, ...] = (
    Classification(
        core="ho_first_years",
        model="schemas.core:HoFirstYears",
        code_column="programme_code",
        name_column="programme_name",
        level_column="level",
        tables=HO,
        population="first_years",
    ),
    Classification(
        core="ho_diplomas",
        model="schemas.core:HoDiplomas",
        code_column="programme_code",
        name_column="programme_name",
        level_column="level",
        tables=HO,
        population="diplomas",
    ),
    Classification(
        core="ho_enrolments",
        model="schemas.core:HoEnrolments",
        code_column="programme_code",
        name_column="programme_name",
        level_column="level",
        tables=HO,
    ),
    Classification(
        core="mbo_participants",
        model="schemas.core:MboParticipants",
        code_column="qualification_code",
        name_column="qualification_name",
        level="mbo",
        tables=MBO,
        population="participants",
    ),
    Classification(
        core="mbo_diplomas",
        model="schemas.core:MboDiplomas",
        code_column="qualification_code",
        name_column="qualification_name",
        level="mbo",
        tables=MBO,
        population="diplomas",
    ),
    Classification(
        core="vo_exam_candidates",
        model="schemas.core:VoExamCandidates",
        code_column="profile_code",
        name_column="programme_name",
        level_column="school_type",
        tables=VO,
    ),
    Classification(
        core="vo_pupils_by_profile",
        model="schemas.core:VoPupilsByProfile",
        code_column="profile_code",
        name_column="programme_name",
        level_column="school_type",
        tables=VO,
    ),
)


def plan() -> tuple[Classification, ...]:
    return PLAN


def spec(core: str) -> Classification:
    for row in PLAN:
        if row.core == core:
            return row
    raise KeyError(f"no classification configured for core table {core!r}")


@dataclass(frozen=True)
class UnknownCode:
    definition: str
    table: str
    code: str
    name: str
    level: str
    rows: int
    years: str  # e.g. "2015-2019"
    problem: str  # "not in the table" or "not valid in 2015 (valid 2017-)"
    where: str  # e.g. "03b-...-hbo-2019.csv line(s) 12, 13, 14 (+40 more)"

    def __str__(self) -> str:
        return (
            f"[{self.definition}] {self.level} {self.code} {self.name!r}: {self.problem}; "
            f"{self.rows} row(s), years {self.years}, in {self.where}"
        )


class ClassificationError(Exception):
    def __init__(self, unknown: list[UnknownCode]):
        self.unknown = unknown
        lines = [
            f"{len(unknown)} code(s) unknown to a STEM definition table (add them to the table, or run with "
            f"--allow-unclassified to count them as unclassified):"
        ]
        lines += [f"  - {u}" for u in unknown]
        super().__init__("\n".join(lines))


@cache
def _validated(path: str, sha256: str) -> None:
    table = reference.load(path)
    model = reference_schemas.model_for(table.path)
    if model is not None:
        found = reference_schemas.problems(model, table.frame, table.path)
        if found:
            raise SourceError(found)


def load_definition(path: str) -> ReferenceTable:
    """A definition table (shipped or override), validated by its Pandera model (`schemas.reference`)."""
    table = reference.load(path)
    _validated(path, table.sha256)
    return table


def _years(values: pd.Series) -> str:
    low, high = int(values.min()), int(values.max())
    return str(low) if low == high else f"{low}-{high}"


def _describe_where(rows: pd.DataFrame) -> str:
    if "source_file" not in rows.columns:
        return f"{len(rows)} row(s)"
    parts = []
    for file, group in rows.groupby("source_file", sort=True):
        lines = sorted(set(group["source_line"].astype(int))) if "source_line" in group.columns else []
        shown = ", ".join(map(str, lines[:5])) + (f" (+{len(lines) - 5} more)" if len(lines) > 5 else "")
        parts.append(f"{file} line(s) {shown}" if lines else str(file))
    return "; ".join(parts)


def _lookup(
    table: pd.DataFrame,
    frame: pd.DataFrame,
    code_column: str,
    level_column: str | None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Per input row (same order), the table row valid in its year (its `columns`, default all), or
    NaN; `_known_code` says whether the code occurs in the table at all (for any year). The lookup
    is made once per distinct code (and level) and year, then spread over the rows."""
    keys = ["code"] + (["level"] if level_column and "level" in table.columns else [])
    rows = pd.DataFrame({"code": frame[code_column].astype(str).array, "year": frame["year"].to_numpy()})
    if "level" in keys:
        rows["level"] = frame[level_column].astype(str).str.lower().array
        table = table.assign(level=table["level"].str.lower())
    combination = rows.groupby(keys + ["year"], sort=False, dropna=False).ngroup().to_numpy()
    left = rows.drop_duplicates(keys + ["year"]).reset_index(drop=True)  # in order of first occurrence, as ngroup
    left["_row"] = np.arange(len(left))
    ref = table.assign(
        _start=pd.to_numeric(table["valid_from"]), _end=pd.to_numeric(table["valid_to"].replace("", "9999"))
    )
    merged = left.merge(ref, on=keys, how="inner", sort=False)
    valid = merged[(merged["year"] >= merged["_start"]) & (merged["year"] <= merged["_end"])]
    known_codes = set(map(tuple, ref[keys].to_numpy().tolist()))
    out = left[["_row"]].merge(valid.drop(columns=keys + ["year"]), on="_row", how="left")
    out = out.drop_duplicates("_row").set_index("_row").sort_index()
    out["_known_code"] = [tuple(k) in known_codes for k in left[keys].to_numpy().tolist()]
    if columns is not None:
        out = out[columns + ["_known_code"]]
    return out.iloc[combination].reset_index(drop=True)


def _periods(table: pd.DataFrame, code: str) -> str:
    rows = table[table["code"] == code]
    return ", ".join(f"{a}-{b}" for a, b in zip(rows["valid_from"], rows["valid_to"]))


def classify(
    frame: pd.DataFrame,
    row: Classification,
    *,
    allow_unclassified: bool = False,
    tables: dict[str, ReferenceTable] | None = None,
) -> tuple[pd.DataFrame, list[UnknownCode]]:
    """Add `stem_nl`, `cluster_nl`, `stem_isced`, `isced_f` to a core table (rows and order unchanged)."""
    tables = tables if tables is not None else {d: load_definition(p) for d, p in row.tables.items()}
    out = frame.copy()
    unknown: list[UnknownCode] = []
    is_total = frame[row.code_column].astype(str).isin(row.total_codes).to_numpy()
    for definition in DEFINITIONS:
        flag_column, detail_column = f"stem_{definition}", ("cluster_nl" if definition == "nl" else "isced_f")
        table = tables.get(definition)
        if table is None:  # no international table for this level (e.g. occupations)
            out[flag_column] = pd.array([None] * len(frame), dtype="boolean")
            out[detail_column] = NOT_APPLICABLE
            continue
        ref = table.frame
        source_detail = "cluster" if definition == "nl" else "isced_f_detailed"
        matched = _lookup(ref, frame, row.code_column, row.level_column, ["is_stem", source_detail])
        known = matched["is_stem"].notna().to_numpy()
        flags = pd.array([None] * len(frame), dtype="boolean")
        if known.any():
            flags[known] = reference.as_bool(matched["is_stem"][known].astype(str)).to_numpy()
        detail = matched[source_detail].fillna("").astype(str).to_numpy().copy()
        missing = ~known & ~is_total
        detail[missing] = UNCLASSIFIED
        detail[is_total] = "" if definition == "nl" else NOT_APPLICABLE
        out[flag_column] = flags
        out[detail_column] = detail
        if missing.any():
            rows = frame.loc[missing].assign(_known=matched["_known_code"].to_numpy()[missing])
            groups = [row.code_column] + ([row.level_column] if row.level_column else [])
            for key, group in rows.groupby(groups, sort=True):
                code = str(key[0] if isinstance(key, tuple) else key)
                level = str(key[1]) if isinstance(key, tuple) and len(key) > 1 else (row.level or row.core)
                problem = (
                    f"not valid in {_years(group['year'])} (table rows valid {_periods(ref, code)})"
                    if group["_known"].iloc[0]
                    else f"not in {table.id} (version {table.version})"
                )
                unknown.append(
                    UnknownCode(
                        definition,
                        table.id,
                        code,
                        str(group[row.name_column].iloc[0]),
                        level,
                        len(group),
                        _years(group["year"]),
                        problem,
                        _describe_where(group),
                    )
                )
    if unknown and not allow_unclassified:
        raise ClassificationError(unknown)
    for column in ("cluster_nl", "isced_f"):  # text even when the table is empty (no rows to infer from)
        if column in out.columns:
            out[column] = out[column].astype("str")
    return out, unknown


def unknown_frame(unknown: list[UnknownCode]) -> pd.DataFrame:
    columns = ["definition", "table", "code", "name", "level", "rows", "years", "problem", "where"]
    return pd.DataFrame([u.__dict__ for u in unknown], columns=columns)


def definition_tables() -> list[ReferenceTable]:
    """Every definition table the plan uses (for the manifest and the version history)."""
    paths = sorted({p for row in PLAN for p in row.tables.values()})
    return [load_definition(p) for p in paths]


def ho_tables() -> dict[str, ReferenceTable]:
    return {definition: load_definition(path) for definition, path in HO.items()}


def classify_ho(core: pd.DataFrame, *, allow_unclassified: bool = False) -> tuple[pd.DataFrame, list[UnknownCode]]:
    return classify(core, spec("ho_first_years"), allow_unclassified=allow_unclassified)
