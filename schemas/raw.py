"""Contracts of the raw stage: each source family after parsing, before harmonisation.

Vocabularies are those the sources publish (DUO writes them in lower case).
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

HO_STUDY_FORMS = ["voltijd onderwijs", "deeltijd onderwijs", "duaal onderwijs"]
HO_PROGRAMME_TYPES = ["associate degree", "bachelor", "master", "postmaster"]
HO_INSTITUTION_TYPES = ["reguliere inst.", "WO kleine univ."]
SEXES_DUO = ["man", "vrouw"]


class RawHoEnrolment(pa.DataFrameModel):
    """DUO hbo/wo enrolment or first-year file, one row per programme x location x form x sex x year."""

    level: Series[str] = pa.Field(isin=["hbo", "wo"], description="hbo or wo, from the delivery")
    province: Series[str] = pa.Field(description="PROVINCIE of the teaching location")
    municipality_number: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="GEMEENTENUMMER, 4-digit, of the teaching location")
    municipality_name: Series[str] = pa.Field(description="GEMEENTENAAM")
    institution_type: Series[str] = pa.Field(isin=HO_INSTITUTION_TYPES, description="SOORT INSTELLING")
    programme_type: Series[str] = pa.Field(isin=HO_PROGRAMME_TYPES, description="TYPE HOGER ONDERWIJS")
    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER ACTUEEL / INSTELLINGSCODE ACTUEEL")
    institution_name: Series[str] = pa.Field(description="INSTELLINGSNAAM ACTUEEL")
    croho_sector: Series[str] = pa.Field(description="CROHO ONDERDEEL / ONDERDEEL")
    croho_subsector: Series[str] = pa.Field(description="CROHO SUBONDERDEEL / SUBONDERDEEL")
    programme_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="OPLEIDINGSCODE ACTUEEL (CROHO)")
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM ACTUEEL")
    study_form: Series[str] = pa.Field(isin=HO_STUDY_FORMS, description="OPLEIDINGSVORM")
    sex: Series[str] = pa.Field(isin=SEXES_DUO, description="GESLACHT")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year (1 October count)")
    count: Series["Int64"] = pa.Field(ge=0, nullable=True, description="number of students; null when masked at source")
    masked: Series[bool] = pa.Field(description="count masked at source ('<5'): known to lie in 1..4")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["level", "institution_code", "municipality_number", "programme_code", "study_form", "programme_type", "sex", "year"]
