"""Contracts of the core stage for the labour market (CBS, UWV) and the programme registers.

Long tables, one meaning each, with `edition`, `year` and (for sub-year data) `period`. Counts of
CBS tables are persons (CBS's 'x 1 000' multiplied out); a cell CBS does not publish is a null
count with `suppressed` set, never a 0. `masked` keeps its core meaning (masked at source to 1..4)
and is False for these sources, which do not mask that way.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.raw_labour import FIRM_SIZE_CLASSES, PERIOD_TYPES, PROGRAMMES, SEXES_CBS, TENSION_CLASSES, UWV_METHODS

PERIOD = r"^\d{4}(-Q[1-4]|-M(0[1-9]|1[0-2]))?$"


class _Core(pa.DataFrameModel):
    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="calendar year of the figure")


class _Counted(pa.DataFrameModel):
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="persons; null when not published")
    count_low: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="lower bound (= count; null when unknown)"
    )
    count_high: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="upper bound (= count; null when unknown)"
    )
    masked: Series[bool] = pa.Field(description="masked at source to 1..4 (never for CBS/UWV)")
    suppressed: Series[bool] = pa.Field(description="cell not published by the source (CBS '.', 'x', null)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line, spreadsheet row or JSON record index in the delivery")


class EmploymentByOccupation(_Core, _Counted):
    """Employed persons (CBS labour force survey) per occupation, sex and characteristic, per year or quarter."""

    period: Series[str] = pa.Field(str_matches=PERIOD, description="2019, 2019-Q1 or 2019-M01")
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    occupation_code: Series[str] = pa.Field(
        str_matches=r"^(T|\d{2}|\d{4})$", description="BRC 2014 code as CBS writes it; T = all"
    )
    occupation_label: Series[str] = pa.Field(description="occupation title as CBS writes it")
    sex: Series[str] = pa.Field(isin=SEXES_CBS, description="T, M or V")
    characteristic: Series[str] = pa.Field(description="Persoonskenmerken (e.g. 'Totaal personen')")
    provisional: Series[bool] = pa.Field(description="CBS marks the period provisional (Voorlopig)")
    table_id: Series[str] = pa.Field(description="StatLine table")

    class Config:
        strict = True
        unique = ["period", "occupation_code", "sex", "characteristic"]


class VacanciesBySector(_Core, _Counted):
    """Open vacancies (CBS) per industry and quarter."""

    period: Series[str] = pa.Field(str_matches=PERIOD)
    period_type: Series[str] = pa.Field(isin=PERIOD_TYPES)
    sector_code: Series[str] = pa.Field(str_matches=r"^(T|[A-U](-[A-U])?)$", description="SBI 2008 section(s); T = all")
    sector_label: Series[str]
    provisional: Series[bool]
    table_id: Series[str]

    class Config:
        strict = True
        unique = ["period", "sector_code"]


class MunicipalityRegions(pa.DataFrameModel):
    """Municipality -> region levels per boundary year, as the edition's CBS region tables give them."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    boundary_year: Series[int] = pa.Field(ge=2000, le=2100)
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$")
    municipality_name: Series[str]
    arbeidsmarktregio_code: Series[str] = pa.Field(str_matches=r"^(AM\d{2})?$")
    corop_code: Series[str] = pa.Field(str_matches=r"^(CR\d{2})?$")
    province_code: Series[str] = pa.Field(str_matches=r"^(PV\d{2})?$")
    landsdeel_code: Series[str] = pa.Field(str_matches=r"^(LD\d{2})?$")
    table_id: Series[str]
    source_file: Series[str]
    source_line: Series[int]

    class Config:
        strict = True
        unique = ["boundary_year", "municipality_code"]


class UnemploymentByEducation(_Core):
    """Labour force and ILO unemployment by field of education (ISCED-F 2013), level and sex (CBS custom table)."""

    field_of_education: Series[str] = pa.Field(
        str_matches=r"^(T|TECHNIEK|\d{2,4})$",
        description="ISCED-F 2013 code; T = all fields; TECHNIEK = CBS's technical total",
    )
    education_level: Series[str] = pa.Field(isin=["T", "laag", "middelbaar", "hoog"])
    sex: Series[str] = pa.Field(isin=SEXES_CBS)
    labour_force: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="persons")
    unemployed: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="persons")
    unemployment_rate: Series[float] = pa.Field(ge=0, le=100, nullable=True, description="% as CBS publishes it")
    suppressed: Series[bool]
    source_file: Series[str]
    source_line: Series[int]

    class Config:
        strict = True
        unique = ["year", "field_of_education", "education_level", "sex"]


class VacanciesByOccupation(_Core):
    """Open vacancies in technical and ICT occupations per quarter and occupation level (UWV)."""

    period: Series[str] = pa.Field(str_matches=r"^\d{4}-Q[1-4]$")
    occupation_group: Series[str] = pa.Field(isin=["technical", "ict"])
    occupation_level: Series[str] = pa.Field(isin=["1", "2", "3", "4", "T"])
    count: Series[pd.Int64Dtype] = pa.Field(ge=0)
    method: Series[str] = pa.Field(
        isin=UWV_METHODS, description="UWV estimation method; the series breaks between them"
    )
    source_file: Series[str]
    source_line: Series[int]

    class Config:
        strict = True
        unique = ["period", "occupation_group", "occupation_level"]


class LabourMarketTension(_Core):
    """UWV tension indicator per quarter, arbeidsmarktregio and occupation group."""

    period: Series[str] = pa.Field(str_matches=r"^\d{4}-Q[1-4]$")
    arbeidsmarktregio_code: Series[str] = pa.Field(str_matches=r"^AM\d{2}$")
    occupation_code: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    vacancies: Series[pd.Int64Dtype] = pa.Field(ge=0)
    short_term_benefits: Series[pd.Int64Dtype] = pa.Field(ge=0)
    tension: Series[float] = pa.Field(ge=0, nullable=True)
    tension_class: Series[str] = pa.Field(isin=TENSION_CLASSES)
    source_file: Series[str]
    source_line: Series[int]

    class Config:
        strict = True
        unique = ["period", "arbeidsmarktregio_code", "occupation_code"]


class ProgrammeParticipation(_Core):
    """Participation in the Pact's programmes: Jet-Net & TechNet partnerships, MKB!dee projects."""

    programme: Series[str] = pa.Field(isin=PROGRAMMES)
    unit: Series[str] = pa.Field(isin=["partnership", "project"], description="what one row counts")
    school_code: Series[str] = pa.Field(description="BRIN + vestiging ('' for projects)")
    municipality_code: Series[str] = pa.Field(str_matches=r"^(GM\d{4})?$")
    company: Series[str] = pa.Field(description="company ('' for projects)")
    project_code: Series[str] = pa.Field(description="MKB!dee project ('' for partnerships)")
    region_code: Series[str] = pa.Field(str_matches=r"^TP-[A-Z]+$")
    grant_eur: Series[float] = pa.Field(ge=0, nullable=True, description="grant (projects only)")
    firm_size_class: Series[str] = pa.Field(isin=["", *FIRM_SIZE_CLASSES])
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, description="1 per partnership or project")
    source_file: Series[str]
    source_line: Series[int]

    class Config:
        strict = True
        unique = ["programme", "year", "school_code", "company", "project_code"]
