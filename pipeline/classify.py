"""Classification: STEM flags under the Dutch definition (bètatechniek) and under ISCED-F 05/06/07.

The definitions are reference tables (`reference/stem/`), one row per code with its reason and
validity. A code that a table does not know stops the run with every unknown code and where it
occurs, unless the analyst explicitly allows unknown codes: then they are kept with a null flag
("unclassified"), counted and reported, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.reference import ReferenceTable

HO_TABLES = {"nl": "stem/nl_ho_programmes.csv", "isced": "stem/isced_ho_programmes.csv"}


@dataclass(frozen=True)
class UnknownCode:
    definition: str
    code: str
    name: str
    level: str
    rows: int
    where: str  # e.g. "03b-...-hbo-2019.csv lines 12, 13, 14 (+40 more)"


class ClassificationError(Exception):
    def __init__(self, unknown: list[UnknownCode]):
        self.unknown = unknown
        lines = [f"{len(unknown)} code(s) unknown to a STEM definition table (add them to the table, or run with "
                 f"--allow-unclassified to count them as unclassified):"]
        lines += [f"  - [{u.definition}] {u.level} {u.code} {u.name!r}: {u.rows} row(s) in {u.where}" for u in unknown]
        super().__init__("\n".join(lines))


def _valid_rows(table: pd.DataFrame, years: pd.Series, codes: pd.Series) -> pd.DataFrame:
    """Per input row, the table row for its code that is valid in its year (or none)."""
    left = pd.DataFrame({"code": codes.to_numpy(), "year": years.to_numpy(), "_row": np.arange(len(codes))})
    merged = left.merge(table, on="code", how="left", sort=False)
    start = pd.to_numeric(merged["valid_from"], errors="coerce").fillna(0)
    end = pd.to_numeric(merged["valid_to"].replace("", np.nan), errors="coerce").fillna(9999)
    ok = merged["is_stem"].notna() & (merged["year"] >= start) & (merged["year"] <= end)
    merged = merged[ok].drop_duplicates("_row", keep="last")
    return left[["_row"]].merge(merged, on="_row", how="left").set_index("_row").sort_index()


def _describe_where(rows: pd.DataFrame) -> str:
    parts = []
    for file, group in rows.groupby("source_file", sort=True):
        lines = sorted(set(group["source_line"].astype(int)))
        shown = ", ".join(map(str, lines[:5])) + (f" (+{len(lines) - 5} more)" if len(lines) > 5 else "")
        parts.append(f"{file} line(s) {shown}")
    return "; ".join(parts)


def classify(frame: pd.DataFrame, tables: dict[str, ReferenceTable], *, code_column: str, name_column: str,
             level_column: str, allow_unclassified: bool = False) -> tuple[pd.DataFrame, list[UnknownCode]]:
    """Add `stem_<def>` (nullable bool) and `cluster_nl` / `isced_f` for each definition table."""
    out = frame.copy()
    unknown: list[UnknownCode] = []
    for definition, table in tables.items():
        ref = table.frame.rename(columns={"code": "code"})
        ref = ref[ref["level"].isin(frame[level_column].unique())] if "level" in ref.columns else ref
        matched = _valid_rows(ref, frame["year"], frame[code_column])
        is_stem = matched["is_stem"]
        known = is_stem.notna().to_numpy()
        flags = pd.array([None] * len(frame), dtype="boolean")
        if known.any():
            flags[known] = reference.as_bool(is_stem[known].astype(str)).to_numpy()
        out[f"stem_{definition}"] = flags
        if definition == "nl":
            out["cluster_nl"] = matched["cluster"].fillna("").astype(str).to_numpy()
        else:
            out["isced_f"] = matched["isced_f_detailed"].fillna("").astype(str).to_numpy()
        if not known.all():
            missing = frame.loc[~known]
            for (code, level), rows in missing.groupby([code_column, level_column], sort=True):
                unknown.append(UnknownCode(definition, str(code), str(rows[name_column].iloc[0]), str(level), len(rows),
                                           _describe_where(rows)))
    if unknown and not allow_unclassified:
        raise ClassificationError(unknown)
    return out, unknown


def ho_tables() -> dict[str, ReferenceTable]:
    return {definition: reference.load(path) for definition, path in HO_TABLES.items()}


def classify_ho(core: pd.DataFrame, *, allow_unclassified: bool = False) -> tuple[pd.DataFrame, list[UnknownCode]]:
    return classify(core, ho_tables(), code_column="programme_code", name_column="programme_name",
                    level_column="level", allow_unclassified=allow_unclassified)
