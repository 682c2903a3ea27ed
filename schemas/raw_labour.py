"""Contracts of the raw stage for the labour-market sources (CBS, UWV) and the programme registers.

Each model is the parsed delivery in long form, before harmonisation: codes and labels as the
source writes them (padding stripped), plus `source_file` and `source_line`. For the CBS OData
bundles `source_line` is the record index in `TypedDataSet.value` (0-based); for XLSX it is the
spreadsheet row; for CSV the physical line.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SEXES_CBS = ["T", "M", "V"]  # totaal, mannen, vrouwen
PERIOD_TYPES = ["year", "quarter", "month"]
PERIOD_CODE = r"^\d{4}(JJ00|KW0[1-4]|MM(0[1-9]|1[0-2]))$"
UWV_METHODS = ["oud", "herzien 2022"]
TENSION_CLASSES = ["zeer ruim", "ruim", "gemiddeld", "krap", "zeer krap"]
PROGRAMMES = ["Jet-Net", "TechNet", "MKB!dee"]
FIRM_SIZE_CLASSES = ["1-9", "10-49", "50-249", "250 en meer"]


class _Period(pa.DataFrameModel):
    period_code: Series[str] = pa.Field(
        str_matches=PERIOD_CODE, description="CBS period code (2019JJ00, 2019KW01, 2019MM01)"
    )
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES, description="year, quarter or month")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="calendar year of the period")
    quarter: Series[pd.Int64Dtype] = pa.Field(ge=1, le=4, nullable=True, description="quarter (quarterly periods only)")
    month: Series[pd.Int64Dtype] = pa.Field(ge=1, le=12, nullable=True, description="month (monthly periods only)")


class RawCbsEmployment(_Period):
    """CBS 85276NED-like table: employed labour force by occupation (BRC 2014), sex and characteristic."""

    table_id: Series[str] = pa.Field(description="StatLine table identifier (TableInfos.Identifier)")
    sex: Series[str] = pa.Field(isin=SEXES_CBS, description="T, M or V (from the Geslacht dimension)")
    characteristic_key: Series[str] = pa.Field(description="Persoonskenmerken key")
    characteristic: Series[str] = pa.Field(description="Persoonskenmerken title, e.g. 'Totaal personen'")
    occupation_key: Series[str] = pa.Field(description="Beroep dimension key")
    occupation_code: Series[str] = pa.Field(
        str_matches=r"^(T|\d{2}|\d{4})$", description="BRC 2014 code as CBS writes it; T = all occupations"
    )
    occupation_label: Series[str] = pa.Field(description="Beroep title without its code")
    value: Series[float] = pa.Field(
        ge=0, nullable=True, description="published value in the measure's unit; null = not shown by CBS"
    )
    unit: Series[str] = pa.Field(description="unit of the measure (DataProperties.Unit), e.g. 'x 1 000'")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="persons (value x unit)")
    suppressed: Series[bool] = pa.Field(description="cell not published by CBS (null in TypedDataSet)")
    status: Series[str] = pa.Field(description="Perioden status (Definitief, Voorlopig, ...)")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=0, description="record index in TypedDataSet")

    class Config:
        strict = True
        unique = ["sex", "characteristic_key", "occupation_key", "period_code"]


class RawCbsVacancies(_Period):
    """CBS 80472NED-like table: open vacancies by industry (SBI 2008), per quarter."""

    table_id: Series[str] = pa.Field(description="StatLine table identifier")
    sector_key: Series[str] = pa.Field(description="Bedrijfskenmerken key")
    sector_code: Series[str] = pa.Field(
        str_matches=r"^(T|[A-U](-[A-U])?)$", description="SBI 2008 section(s) as CBS writes them; T = all activities"
    )
    sector_label: Series[str] = pa.Field(description="industry title without its code")
    value: Series[float] = pa.Field(ge=0, nullable=True, description="published value (x 1 000)")
    unit: Series[str] = pa.Field(description="unit of the measure")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="open vacancies (value x unit)")
    suppressed: Series[bool] = pa.Field(description="cell not published by CBS")
    status: Series[str] = pa.Field(description="Perioden status")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=0, description="record index in TypedDataSet")

    class Config:
        strict = True
        unique = ["sector_key", "period_code"]


class RawCbsRegions(pa.DataFrameModel):
    """CBS 'Gebieden in Nederland': municipality -> region levels, one row per municipality.

    Levels a delivery does not carry are empty strings (the StatLine CSV export carries codes and
    names only; the derived JSON only the arbeidsmarktregio)."""

    table_id: Series[str] = pa.Field(description="StatLine table identifier, e.g. 84378NED")
    boundary_year: Series[int] = pa.Field(ge=2000, le=2100, description="municipal division of 1 January of this year")
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", description="CBS municipality code")
    municipality_name: Series[str] = pa.Field(description="municipality name as CBS writes it")
    arbeidsmarktregio_code: Series[str] = pa.Field(str_matches=r"^(AM\d{2})?$", description="AM code or ''")
    arbeidsmarktregio_name: Series[str] = pa.Field(description="arbeidsmarktregio name or ''")
    corop_code: Series[str] = pa.Field(str_matches=r"^(CR\d{2})?$", description="COROP code or ''")
    province_code: Series[str] = pa.Field(str_matches=r"^(PV\d{2})?$", description="province code or ''")
    landsdeel_code: Series[str] = pa.Field(str_matches=r"^(LD\d{2})?$", description="landsdeel code or ''")
    population: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="inhabitants where the table gives them"
    )
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=0, description="line (CSV) or record index (JSON)")

    class Config:
        strict = True
        unique = ["boundary_year", "municipality_code"]


class RawCbsUnemployment(pa.DataFrameModel):
    """CBS custom table (maatwerk, XLSX): labour force and unemployment by field of education."""

    year: Series[int] = pa.Field(ge=1990, le=2100, description="survey year")
    field_of_education: Series[str] = pa.Field(
        str_matches=r"^(T|TECHNIEK|\d{2,4})$",
        description="ISCED-F 2013 code; T = all fields; TECHNIEK = CBS's total of the technical fields",
    )
    field_label: Series[str] = pa.Field(description="label as CBS writes it")
    education_level: Series[str] = pa.Field(
        isin=["T", "laag", "middelbaar", "hoog"], description="highest level attained; T = all"
    )
    sex: Series[str] = pa.Field(isin=SEXES_CBS, description="T, M or V")
    labour_force: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="labour force, persons (CBS rounds to thousands)"
    )
    unemployed: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="unemployed (ILO), persons")
    unemployment_rate: Series[float] = pa.Field(
        ge=0, le=100, nullable=True, description="unemployment rate, % as CBS publishes it"
    )
    suppressed: Series[bool] = pa.Field(description="a cell of the row is secret ('x') or missing ('.')")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=1, description="spreadsheet row")

    class Config:
        strict = True
        unique = ["year", "field_of_education", "education_level", "sex"]


class RawUwvVacancies(pa.DataFrameModel):
    """UWV open vacancies in technical and ICT occupations per quarter and occupation level."""

    year: Series[int] = pa.Field(ge=1990, le=2100)
    quarter: Series[int] = pa.Field(ge=1, le=4)
    occupation_group: Series[str] = pa.Field(
        isin=["Technische beroepen", "ICT-beroepen"], description="UWV's group as written"
    )
    occupation_level: Series[str] = pa.Field(
        isin=["1", "2", "3", "4", "T"], description="UWV occupation level 1-4; T = all levels"
    )
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, description="open vacancies (UWV estimate)")
    method: Series[str] = pa.Field(
        isin=UWV_METHODS, description="'oud' before, 'herzien 2022' after UWV's revision (back to 2017)"
    )
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=2)

    class Config:
        strict = True
        unique = ["year", "quarter", "occupation_group", "occupation_level"]


class RawUwvTension(pa.DataFrameModel):
    """UWV tension indicator per quarter, labour-market region and occupation group."""

    year: Series[int] = pa.Field(ge=1990, le=2100)
    quarter: Series[int] = pa.Field(ge=1, le=4)
    arbeidsmarktregio_code: Series[str] = pa.Field(str_matches=r"^AM\d{2}$")
    arbeidsmarktregio_name: Series[str]
    occupation_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="BRC 2014 occupation group")
    occupation_label: Series[str]
    vacancies: Series[pd.Int64Dtype] = pa.Field(ge=0, description="open vacancies")
    short_term_benefits: Series[pd.Int64Dtype] = pa.Field(ge=0, description="WW benefits shorter than 6 months")
    tension: Series[float] = pa.Field(
        ge=0, nullable=True, description="vacancies / short-term benefits; null when no benefits"
    )
    tension_class: Series[str] = pa.Field(isin=TENSION_CLASSES, description="UWV typering")
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=2)

    class Config:
        strict = True
        unique = ["year", "quarter", "arbeidsmarktregio_code", "occupation_code"]


class RawJetNetTechNet(pa.DataFrameModel):
    """Jet-Net & TechNet register: one row per company-school partnership per year."""

    programme: Series[str] = pa.Field(isin=["Jet-Net", "TechNet"])
    year: Series[int] = pa.Field(ge=2000, le=2100)
    school_code: Series[str] = pa.Field(str_matches=r"^\d{2}[A-Z]{2}\d{2}$", description="BRIN + vestigingsnummer")
    school_name: Series[str]
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$")
    company: Series[str] = pa.Field(str_length={"min_value": 1})
    region_code: Series[str] = pa.Field(str_matches=r"^TP-[A-Z]+$", description="Techniekpact region")
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=2)

    class Config:
        strict = True
        unique = ["programme", "year", "school_code", "company"]


class RawMkbIdee(pa.DataFrameModel):
    """MKB!dee register: one row per funded project."""

    project_code: Series[str] = pa.Field(str_matches=r"^MKB\d{2}\d{3}$")
    project_name: Series[str]
    year: Series[int] = pa.Field(ge=2000, le=2100)
    grant_eur: Series[float] = pa.Field(ge=0)
    firm_size_class: Series[str] = pa.Field(isin=FIRM_SIZE_CLASSES)
    region_code: Series[str] = pa.Field(str_matches=r"^TP-[A-Z]+$")
    source_file: Series[str]
    source_line: Series[int] = pa.Field(ge=2)

    class Config:
        strict = True
        unique = ["project_code"]
