"""Contracts of the core stage: harmonised long tables with one meaning each."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

SEXES = ["M", "V"]  # DUO/CBS codes: M man, V vrouw


class HoFirstYears(pa.DataFrameModel):
    """First-year students in hbo and wo on 1 October, per programme, location, form and sex."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year of the 1 October count")
    level: Series[str] = pa.Field(isin=["hbo", "wo"], description="hbo or wo")
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", description="CBS municipality code of the teaching location, as in the source year")
    municipality_name: Series[str] = pa.Field(description="municipality name as the source writes it")
    institution_code: Series[str] = pa.Field(description="BRIN code of the institution")
    institution_name: Series[str] = pa.Field(description="institution name")
    croho_sector: Series[str] = pa.Field(description="CROHO sector (onderdeel)")
    programme_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="CROHO programme code")
    programme_name: Series[str] = pa.Field(description="programme name")
    programme_type: Series[str] = pa.Field(description="associate degree, bachelor, master")
    study_form: Series[str] = pa.Field(description="voltijd, deeltijd or duaal")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    count: Series["Int64"] = pa.Field(ge=0, nullable=True, description="students; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (`<5`)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["year", "level", "institution_code", "municipality_code", "programme_code", "programme_type", "study_form", "sex"]


class ClassifiedHoFirstYears(HoFirstYears):
    """First-years with the STEM flags of both definitions and the versions of the tables used."""

    stem_nl: Series[bool] = pa.Field(nullable=True, description="STEM under the Dutch definition (bètatechniek); null = unclassified")
    cluster_nl: Series[str] = pa.Field(description="cluster under the Dutch definition ('' when not STEM)")
    stem_isced: Series[bool] = pa.Field(nullable=True, description="STEM under ISCED-F 2013 broad fields 05/06/07; null = unclassified")
    isced_f: Series[str] = pa.Field(description="ISCED-F 2013 detailed field")

    class Config:
        strict = True
