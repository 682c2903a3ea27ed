"""Contracts of the classification stage: classified core tables, the bridge, the definition history.

- `classified_model(core_model)` gives the contract of a classified core table: the core table's
  own columns (unchanged) plus the four flag columns of both STEM definitions (`FLAG_COLUMNS`).
- `Bridge`: the Dutch vs international STEM bridge (pipeline/bridge.py).
- `DefinitionChanges`, `DefinitionComparison`: the version history of the definition tables
  (pipeline/definition_history.py).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

UNCLASSIFIED = "unclassified"  # cluster_nl / isced_f of a code a definition table does not know (--allow-unclassified)
NOT_APPLICABLE = "n/a"  # isced_f where a level has no international table (e.g. occupations)
FLAG_COLUMNS = ["stem_nl", "cluster_nl", "stem_isced", "isced_f"]


def _flag_fields() -> dict[str, tuple[object, object]]:
    return {
        "stem_nl": (
            Series[pd.BooleanDtype],
            pa.Field(nullable=True, description="STEM under the Dutch definition (bètatechniek); null = unclassified"),
        ),
        "cluster_nl": (
            Series[str],
            pa.Field(
                description=(
                    "cluster under the Dutch definition ('' when not STEM, 'unclassified' when the code is unknown)"
                )
            ),
        ),
        "stem_isced": (
            Series[pd.BooleanDtype],
            pa.Field(
                nullable=True,
                description="STEM under ISCED-F 2013 broad fields 05/06/07; null = unclassified or not applicable",
            ),
        ),
        "isced_f": (
            Series[str],
            pa.Field(
                str_matches=rf"^(\d{{4}}|{UNCLASSIFIED}|{NOT_APPLICABLE})$",
                description="ISCED-F 2013 detailed field (4 digits); 'unclassified' or 'n/a'",
            ),
        ),
    }


@cache
def classified_model(core_model: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """The contract of `core_model` classified under both definitions (strictness and keys kept)."""
    fields = _flag_fields()
    namespace = {
        "__annotations__": {name: annotation for name, (annotation, _) in fields.items()},
        "__doc__": f"{(core_model.__doc__ or core_model.__name__).strip()} With the STEM flags of both definitions.",
        "__module__": __name__,
    }
    namespace.update({name: field for name, (_, field) in fields.items()})
    return type(f"Classified{core_model.__name__}", (core_model,), namespace)


COMPONENTS = ["all", "nl_total", "isced_total", "both", "added", "left_out", "unclassified"]


class Bridge(pa.DataFrameModel):
    """Dutch vs international STEM: per edition, level, population, year and sex, the totals under
    both definitions and the difference split by group. nl_total = isced_total + added - left_out."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    level: Series[str] = pa.Field(description="hbo, wo, mbo, ...")
    population: Series[str] = pa.Field(description="first_years, diplomas, entrants, ...")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year")
    sex: Series[str] = pa.Field(isin=["T", "M", "V"], description="T total, M men, V women")
    component: Series[str] = pa.Field(
        isin=COMPONENTS,
        description=(
            "all: everyone; nl_total / isced_total: STEM under the Dutch / ISCED definition; both: STEM under both; "
            "added: Dutch STEM but not ISCED STEM; left_out: ISCED STEM but not Dutch STEM; "
            "unclassified: in codes a definition does not know (only with --allow-unclassified)"
        ),
    )
    group_kind: Series[str] = pa.Field(
        isin=["", "cluster_nl", "isced_f_broad", "definition"],
        description=(
            "what `group` is: the Dutch cluster (for added), the ISCED-F broad field (for left_out), "
            "the definition nl/isced (for unclassified); '' for totals"
        ),
    )
    group: Series[str] = pa.Field(
        description="cluster or ISCED-F broad field ('' for totals; 'unclassified' for unknown codes)"
    )
    group_label: Series[str] = pa.Field(description="label of the group")
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0, description="persons, the whole number the indicators publish (rows' point values: masked 1..4 as 2)"
    )
    count_low: Series[int] = pa.Field(ge=0, description="lower bound (masked counts as 1)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound (masked counts as 4)")
    programmes: Series[int] = pa.Field(ge=0, description="distinct programme codes in the cell")

    class Config:
        strict = True
        unique = ["edition", "level", "population", "year", "sex", "component", "group_kind", "group"]


class DefinitionChanges(pa.DataFrameModel):
    """One row per definition table that changed since the previous recorded edition."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition that uses the new version")
    table_id: Series[str] = pa.Field(description="reference table id, e.g. stem.nl_ho_programmes")
    definition: Series[str] = pa.Field(isin=["nl", "isced"], description="nl or isced")
    previous_edition: Series[str] = pa.Field(
        str_matches=r"^\d{4}$", description="last edition that used the old version"
    )
    old_version: Series[str] = pa.Field(description="version used by previous_edition")
    new_version: Series[str] = pa.Field(description="version used now")
    old_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="sha256 of the old version's file")
    new_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="sha256 of the new version's file")
    codes_added: Series[int] = pa.Field(ge=0, description="codes in the new version only")
    codes_removed: Series[int] = pa.Field(ge=0, description="codes in the old version only")
    codes_reclassified: Series[int] = pa.Field(ge=0, description="codes whose flag, cluster or field changed")
    detail: Series[str] = pa.Field(description="the codes, e.g. '+ 34567 (techniek); - 12345; ~ 56789 false->true'")

    class Config:
        strict = True
        unique = ["edition", "table_id"]


class DefinitionComparison(pa.DataFrameModel):
    """STEM counts of the whole series under the current and under the previous table version."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    definition: Series[str] = pa.Field(isin=["nl", "isced"], description="nl or isced")
    table_id: Series[str] = pa.Field(description="the definition table that changed")
    old_version: Series[str] = pa.Field(description="version of the table in the previous edition")
    new_version: Series[str] = pa.Field(description="version of the table in this edition")
    level: Series[str] = pa.Field(description="education level (hbo, wo, mbo, ...)")
    population: Series[str] = pa.Field(description="who is counted (e.g. first_years, enrolled, diplomas)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="data year")
    sex: Series[str] = pa.Field(isin=["T", "M", "V"], description="T total, M men, V women")
    stem_new: Series[float] = pa.Field(
        description="STEM count under the current version (whole persons, as the indicators publish)"
    )
    stem_old: Series[float] = pa.Field(
        nullable=True, description="STEM count under the previous version (null: codes unknown to it)"
    )
    total: Series[float] = pa.Field(description="everyone (whole persons, as the indicators publish)")
    share_new: Series[float] = pa.Field(nullable=True, description="percent STEM, current version")
    share_old: Series[float] = pa.Field(nullable=True, description="percent STEM, previous version")
    unknown_to_old: Series[float] = pa.Field(ge=0, description="persons in codes the previous version does not know")

    class Config:
        strict = True
        unique = ["edition", "definition", "table_id", "level", "population", "year", "sex"]
