"""Contract of the indicator tables and of the published downloads (one long layout)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series


class Indicators(pa.DataFrameModel):
    indicator_id: Series[str] = pa.Field(description="id in the indicator catalogue (reference/indicators/catalogue.csv)")
    definition: Series[str] = pa.Field(isin=["nl", "isced", "none"], description="STEM definition: nl (bètatechniek), isced (ISCED-F 05/06/07), none")
    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    period: Series[str] = pa.Field(description="data period, e.g. 2019 or 2019KW01")
    region_level: Series[str] = pa.Field(description="national, landsdeel, techniekpact, province, corop, arbeidsmarktregio, municipality")
    region_code: Series[str] = pa.Field(description="CBS region code (NL01, PV20, GM0363, ...)")
    region_name: Series[str] = pa.Field(description="region name")
    sex: Series[str] = pa.Field(isin=["T", "M", "V"], description="T total, M men, V women")
    breakdown: Series[str] = pa.Field(description="other breakdown as key=value;... ('' for none)")
    numerator: Series[float] = pa.Field(nullable=True, description="numerator (count)")
    denominator: Series[float] = pa.Field(nullable=True, description="denominator (count); null for counts")
    value: Series[float] = pa.Field(nullable=True, description="published value in `unit`; null when suppressed")
    value_low: Series[float] = pa.Field(nullable=True, description="lower bound of value when counts were masked at source (else = value)")
    value_high: Series[float] = pa.Field(nullable=True, description="upper bound of value when counts were masked at source (else = value)")
    unit: Series[str] = pa.Field(isin=["count", "percent", "ratio"], description="unit of value")
    flag: Series[str] = pa.Field(description="'' or flags separated by ';' (masked, suppressed, provisional, break)")

    class Config:
        strict = "filter"
        unique = ["indicator_id", "definition", "edition", "period", "region_level", "region_code", "sex", "breakdown"]


COLUMNS = list(Indicators.to_schema().columns)
