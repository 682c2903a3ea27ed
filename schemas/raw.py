"""Contracts of the raw stage: each source family after parsing, before harmonisation.

Vocabularies are those the sources publish (DUO writes them in lower case).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

HO_STUDY_FORMS = ["voltijd onderwijs", "deeltijd onderwijs", "duaal onderwijs"]
HO_PROGRAMME_TYPES = ["associate degree", "bachelor", "master", "postmaster"]
HO_INSTITUTION_TYPES = ["reguliere inst.", "WO kleine univ."]
SEXES_DUO = ["man", "vrouw"]
MBO_LEARNING_PATHS = ["BOLVT", "BOLDT", "BBL"]
MBO_SECTORS = ["techniek", "economie", "zorg en welzijn", "groen", "combinatie van sectoren"]
VO_SCHOOL_TYPES = ["VMBO", "HAVO", "VWO"]
VO_MEASURES = ["candidates", "passed"]


class RawHoBase(pa.DataFrameModel):
    """Columns every DUO hbo/wo file has (one row per programme x location x form x sex x year)."""

    level: Series[str] = pa.Field(isin=["hbo", "wo"], description="hbo or wo, from the delivery")
    province: Series[str] = pa.Field(description="PROVINCIE of the teaching location")
    municipality_number: Series[str] = pa.Field(
        str_matches=r"^\d{4}$", description="GEMEENTENUMMER, 4-digit, of the teaching location"
    )
    municipality_name: Series[str] = pa.Field(description="GEMEENTENAAM")
    institution_type: Series[str] = pa.Field(isin=HO_INSTITUTION_TYPES, description="SOORT INSTELLING")
    institution_code: Series[str] = pa.Field(
        str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER ACTUEEL / INSTELLINGSCODE ACTUEEL"
    )
    institution_name: Series[str] = pa.Field(description="INSTELLINGSNAAM ACTUEEL")
    croho_sector: Series[str] = pa.Field(description="CROHO ONDERDEEL / ONDERDEEL")
    croho_subsector: Series[str] = pa.Field(description="CROHO SUBONDERDEEL / SUBONDERDEEL")
    programme_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="OPLEIDINGSCODE ACTUEEL (CROHO)")
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM ACTUEEL")
    study_form: Series[str] = pa.Field(isin=HO_STUDY_FORMS, description="OPLEIDINGSVORM")


class RawHoEnrolment(RawHoBase):
    """DUO hbo/wo first-year or all-enrolment file, one row per programme x location x form x sex x year."""

    programme_type: Series[str] = pa.Field(isin=HO_PROGRAMME_TYPES, description="TYPE HOGER ONDERWIJS")
    programme_phase: Series[str] = pa.Field(description="OPLEIDINGSFASE ACTUEEL (files up to 2017; '' later)")
    sex: Series[str] = pa.Field(isin=SEXES_DUO, description="GESLACHT (or the MAN/VROUW of the year column up to 2017)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year (1 October count)")
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="number of students; null when masked at source"
    )
    masked: Series[bool] = pa.Field(description="count masked at source ('<5'): known to lie in 1..4")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "level",
            "institution_code",
            "municipality_number",
            "programme_code",
            "study_form",
            "programme_type",
            "programme_phase",
            "sex",
            "year",
        ]


class RawHoDiploma(RawHoBase):
    """DUO hbo/wo diploma file, one row per programme x location x form x diploma type x sex x year."""

    diploma_type: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="SOORT DIPLOMA (e.g. hbo bachelor, wo master)"
    )
    sex: Series[str] = pa.Field(isin=SEXES_DUO, description="GESLACHT (or the MAN/VROUW of the year column up to 2017)")
    year: Series[int] = pa.Field(
        ge=1990, le=2100, description="year the diplomas were awarded (academic year starting in it)"
    )
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="number of diplomas; null when masked at source"
    )
    masked: Series[bool] = pa.Field(description="count masked at source ('<5'): known to lie in 1..4")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "level",
            "institution_code",
            "municipality_number",
            "programme_code",
            "study_form",
            "diploma_type",
            "sex",
            "year",
        ]


class RawMbo(pa.DataFrameModel):
    """DUO mbo participants or diplomas per institution, place, learning path, qualification, sex and year."""

    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER / INSTELLINGSCODE")
    institution_type: Series[str] = pa.Field(description="SOORTINS (ROC, AOC, vakinstelling, ...)")
    institution_name: Series[str] = pa.Field(description="INSTELLINGSNAAM")
    place_name: Series[str] = pa.Field(
        str_length={"min_value": 1}, description="PLAATSNAAM as DUO writes it (upper case)"
    )
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="municipality of the place (reference/regions/places.csv)"
    )
    learning_path: Series[str] = pa.Field(
        isin=MBO_LEARNING_PATHS, description="TYPE MBO: BOL full-time, BOL part-time, BBL"
    )
    qualification_level: Series[int] = pa.Field(ge=1, le=4, description="KWALIFICATIENIVEAU 1-4")
    qualification_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="KWALIFICATIE CODE: 5-digit crebo")
    qualification_name: Series[str] = pa.Field(description="KWALIFICATIE NAAM")
    mbo_sector: Series[str] = pa.Field(isin=MBO_SECTORS, description="MBO SECTOR")
    domain: Series[str] = pa.Field(description="DOMEIN")
    sex: Series[str] = pa.Field(isin=SEXES_DUO, description="man or vrouw")
    year: Series[int] = pa.Field(
        ge=1990, le=2100, description="reference year (1 October count; diplomas: school year starting in it)"
    )
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="participants or diplomas; null when masked at source"
    )
    masked: Series[bool] = pa.Field(
        description="count masked at source (4 with INDICATIEAVG='J'): known to lie in 1..4"
    )
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "institution_code",
            "place_name",
            "learning_path",
            "qualification_level",
            "qualification_code",
            "sex",
            "year",
        ]


SEXES_VO_EXAM = ["man", "vrouw", "onbekend"]  # the 2014-2019 exam layout has an ONBEKEND block
VO_PUPIL_SCHOOL_TYPES = ["VMBO", "HAVO", "VWO", ""]  # "": lower years, VAVO, pro, international


class RawVoExam(pa.DataFrameModel):
    """DUO vo exam candidates and passes per location, profile, sex and school year (long: one measure per row)."""

    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="INSTELLINGSCODE / BRIN NUMMER")
    location_code: Series[str] = pa.Field(
        str_matches=r"^[0-9A-Z]{4}\d{2}$", description="VESTIGINGSCODE / VESTIGINGSNUMMER (BRIN + 2-digit number)"
    )
    location_name: Series[str] = pa.Field(description="INSTELLINGSNAAM VESTIGING")
    municipality_name: Series[str] = pa.Field(description="GEMEENTENAAM as DUO writes it (upper case)")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="municipality code of the name in the file year's division"
    )
    school_type: Series[str] = pa.Field(isin=VO_SCHOOL_TYPES, description="ONDERWIJSTYPE VO")
    profile_code: Series[str] = pa.Field(str_matches=r"^\d{2}$", description="INSPECTIECODE (profile / vmbo sector)")
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM")
    school_year: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{4}$", description="school year, e.g. 2019-2020")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="exam year: the calendar year the school year ends in")
    sex: Series[str] = pa.Field(isin=SEXES_VO_EXAM, description="man, vrouw or onbekend (2014-2019 layout)")
    measure: Series[str] = pa.Field(
        isin=VO_MEASURES, description="candidates (EXAMENKANDIDATEN) or passed (GESLAAGDEN)"
    )
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="pupils; null when masked at source")
    masked: Series[bool] = pa.Field(description="count masked at source ('<5'): known to lie in 1..4")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["location_code", "profile_code", "year", "sex", "measure"]


class RawVoPupils(pa.DataFrameModel):
    """DUO vo pupils per location, type and year, sector, department, year of study and sex on 1 October of `year`
    (layout of 2019); no municipality: the register of locations (`RawVoLocations`) gives it."""

    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER")
    location_code: Series[str] = pa.Field(
        str_matches=r"^[0-9A-Z]{4}\d{2}$", description="BRIN NUMMER + VESTIGINGSNUMMER (2 digits)"
    )
    location_name: Series[str] = pa.Field(description="INSTELLINGSNAAM VESTIGING")
    place_name: Series[str] = pa.Field(description="PLAATSNAAM VESTIGING")
    province: Series[str] = pa.Field(description="PROVINCIE VESTIGING")
    school_type_year: Series[str] = pa.Field(description="ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR")
    vmbo_sector: Series[str] = pa.Field(description="VMBO SECTOR (N.v.t. outside vmbo)")
    department: Series[str] = pa.Field(description="AFDELING: havo/vwo profile or vmbo profile (N.v.t. otherwise)")
    element_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="ELEMENTCODE")
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM")
    school_type: Series[str] = pa.Field(
        isin=VO_PUPIL_SCHOOL_TYPES,
        description="VMBO, HAVO, VWO by reference/sources/duo_vo_pupil_programmes.csv ('' = no profile indicator)",
    )
    profile_code: Series[str] = pa.Field(
        str_matches=r"^(\d{2}|VMBO-[A-Za-z]+|)$",
        description="code of the STEM tables: INSPECTIECODE or VMBO-<profile> ('' with an empty school type)",
    )
    study_year: Series[int] = pa.Field(ge=1, le=6, description="LEER- OF VERBLIJFSJAAR")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year (1 October count; from the file name)")
    sex: Series[str] = pa.Field(isin=SEXES_DUO, description="man or vrouw")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="pupils; null when masked at source")
    masked: Series[bool] = pa.Field(description="count masked at source ('<5'): known to lie in 1..4")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "location_code",
            "school_type_year",
            "vmbo_sector",
            "department",
            "element_code",
            "study_year",
            "year",
            "sex",
        ]


class RawVoLocations(pa.DataFrameModel):
    """DUO register of vo school locations (alle-vestigingen-vo): one row per location."""

    province: Series[str] = pa.Field(description="PROVINCIE")
    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER")
    location_code: Series[str] = pa.Field(
        str_matches=r"^[0-9A-Z]{4}\d{2}$", unique=True, description="VESTIGINGSNUMMER (BRIN + 2-digit number)"
    )
    location_name: Series[str] = pa.Field(description="VESTIGINGSNAAM")
    place_name: Series[str] = pa.Field(description="PLAATSNAAM")
    municipality_number: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="GEMEENTENUMMER")
    municipality_name: Series[str] = pa.Field(description="GEMEENTENAAM")
    education_structure: Series[str] = pa.Field(description="ONDERWIJSSTRUCTUUR (e.g. HAVO/VWO, VMBO, PRO)")
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", description="GM + GEMEENTENUMMER")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True


class RawVoSubjects(pa.DataFrameModel):
    """DUO havo/vwo exam candidates per location and subject (exam-grades file), one row per location x subject."""

    year: Series[int] = pa.Field(
        ge=1990, le=2100, description="exam year: SCHOOLJAAR + 1 (the year the school year ends)"
    )
    school_year: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{4}$", description="school year, e.g. 2018-2019")
    institution_code: Series[str] = pa.Field(str_matches=r"^[0-9A-Z]{4}$", description="BRIN NUMMER")
    location_code: Series[str] = pa.Field(
        str_matches=r"^[0-9A-Z]{4}\d{2}$", description="BRIN NUMMER + VESTIGINGSNUMMER (2 digits)"
    )
    location_name: Series[str] = pa.Field(description="INSTELLINGSNAAM VESTIGING")
    municipality_number: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="GEMEENTENUMMER")
    municipality_name: Series[str] = pa.Field(description="GEMEENTENAAM (upper case)")
    municipality_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", description="GM + GEMEENTENUMMER")
    place_name: Series[str] = pa.Field(description="PLAATSNAAM")
    province: Series[str] = pa.Field(description="PROVINCIE")
    school_type: Series[str] = pa.Field(isin=["HAVO", "VWO"], description="ONDERWIJSTYPE VO")
    subject_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="VAKCODE")
    subject_abbreviation: Series[str] = pa.Field(description="AFKORTING VAKNAAM")
    subject_name: Series[str] = pa.Field(description="VAKNAAM")
    pass_mark: Series[str] = pa.Field(
        isin=["", "V", "G"],
        description="SCHOOLEXAMEN BEOORDELING: V/G rows of pass-mark subjects (lo, ckv), '' otherwise",
    )
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0,
        nullable=True,
        description="candidates with a graded school exam in the subject (TOTAAL AANTAL SCHOOLEXAMENS MET CIJFER)",
    )
    central_exams: Series[int] = pa.Field(ge=0, description="TOTAAL AANTAL CENTRALE EXAMENS")
    masked: Series[bool] = pa.Field(description="always false: the file has no masking")
    source_file: Series[str] = pa.Field(description="delivery file name")
    source_line: Series[int] = pa.Field(ge=2, description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["school_type", "location_code", "subject_code", "pass_mark", "year"]
