"""Contract of the indicator tables and of the published downloads (one long layout)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class Indicators(pa.DataFrameModel):
    indicator_id: Series[str] = pa.Field(
        description="id in the indicator catalogue (reference/indicators/catalogue.csv)"
    )
    definition: Series[str] = pa.Field(
        isin=["nl", "isced", "none"], description="STEM definition: nl (bètatechniek), isced (ISCED-F 05/06/07), none"
    )
    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    period: Series[str] = pa.Field(description="data period, e.g. 2019 or 2019KW01")
    region_level: Series[str] = pa.Field(
        description="national, landsdeel, techniekpact, province, corop, arbeidsmarktregio, municipality"
    )
    region_code: Series[str] = pa.Field(description="CBS region code (NL01, PV20, GM0363, ...)")
    region_name: Series[str] = pa.Field(description="region name")
    sex: Series[str] = pa.Field(isin=["T", "M", "V"], description="T total, M men, V women")
    breakdown: Series[str] = pa.Field(description="other breakdown as key=value;... ('' for none)")
    numerator: Series[float] = pa.Field(nullable=True, description="numerator (count)")
    denominator: Series[float] = pa.Field(nullable=True, description="denominator (count); null for counts")
    value: Series[float] = pa.Field(
        nullable=True,
        description="published value in `unit` (a count is a whole number of persons); null when suppressed",
    )
    value_low: Series[float] = pa.Field(
        nullable=True, description="lower bound of value when counts were masked at source (else = value)"
    )
    value_high: Series[float] = pa.Field(
        nullable=True, description="upper bound of value when counts were masked at source (else = value)"
    )
    unit: Series[str] = pa.Field(isin=["count", "percent", "ratio"], description="unit of value")
    flag: Series[str] = pa.Field(
        description="'' or flags separated by ';' (masked, suppressed, provisional, break, estimate; the legend "
        "with their symbols is flag_legend.csv)"
    )
    rule: Series[str] = pa.Field(
        description="disclosure rule that applied ('' when published): primary:n<threshold, secondary:region, "
        "secondary:sex, secondary:breakdown (a margin of another breakdown); prefixed "
        "numerator/denominator for shares"
    )
    boundary_year: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        description=(
            "municipal division (CBS, 1 January) regional figures are mapped to; null for sources without a location"
        ),
    )

    class Config:
        strict = "filter"
        unique = ["indicator_id", "definition", "edition", "period", "region_level", "region_code", "sex", "breakdown"]


COLUMNS = list(Indicators.to_schema().columns)


class Coverage(pa.DataFrameModel):
    """Per edition, what happened to every catalogue entry (nothing is skipped silently)."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition")
    indicator_id: Series[str] = pa.Field(description="id in the catalogue")
    strand: Series[str] = pa.Field(description="Kiezen, Leren or Werken")
    source_families: Series[str] = pa.Field(description="source families the catalogue names")
    status: Series[str] = pa.Field(
        isin=["computed", "no_function", "source_absent", "no_rows"],
        description=(
            "computed; no_function (none registered yet); source_absent (its core table is not in this edition); "
            "no_rows"
        ),
    )
    detail: Series[str] = pa.Field(description="what was computed or why not")

    class Config:
        strict = True
        unique = ["edition", "indicator_id"]


class Progress(pa.DataFrameModel):
    """Progress on the Pact's objectives (reference/indicators/targets.csv), per year with data."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition")
    target_id: Series[str] = pa.Field(description="objective id in targets.csv")
    indicator_id: Series[str] = pa.Field(description="indicator the objective is measured on")
    definition: Series[str] = pa.Field(description="STEM definition")
    breakdown: Series[str] = pa.Field(description="breakdown of the cell")
    sex: Series[str] = pa.Field(description="sex of the cell")
    strand: Series[str] = pa.Field(description="Kiezen, Leren or Werken")
    period: Series[str] = pa.Field(description="year of the value")
    value: Series[float] = pa.Field(nullable=True, description="value of the indicator (national)")
    base_year: Series[int] = pa.Field(description="start of the path")
    base_value: Series[float] = pa.Field(nullable=True, description="value in the base year (null: no data for it)")
    target_year: Series[int] = pa.Field(description="year the target should be reached")
    target_value: Series[float] = pa.Field(description="target value")
    path_value: Series[float] = pa.Field(nullable=True, description="value on the path in this year (rule 'linear')")
    distance: Series[float] = pa.Field(nullable=True, description="target_value - value")
    status: Series[str] = pa.Field(
        isin=["reached", "on_track", "off_track", "unknown"],
        description="reached, on_track, off_track or unknown (no base value)",
    )
    target_status: Series[str] = pa.Field(description="official or example")

    class Config:
        strict = True
