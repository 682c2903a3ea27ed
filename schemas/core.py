"""Contracts of the core stage: harmonised long tables with one meaning each."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SEXES = ["M", "V"]  # DUO/CBS codes: M man, V vrouw


class HoFirstYears(pa.DataFrameModel):
    """First-year students in hbo and wo on 1 October, per programme, location, form and sex."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year of the 1 October count")
    level: Series[str] = pa.Field(isin=["hbo", "wo"], description="hbo or wo")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="CBS municipality code of the teaching location, as in the source year"
    )
    municipality_name: Series[str] = pa.Field(description="municipality name as the source writes it")
    institution_code: Series[str] = pa.Field(description="BRIN code of the institution")
    institution_name: Series[str] = pa.Field(description="institution name")
    croho_sector: Series[str] = pa.Field(description="CROHO sector (onderdeel)")
    programme_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="CROHO programme code")
    programme_name: Series[str] = pa.Field(description="programme name")
    programme_type: Series[str] = pa.Field(description="associate degree, bachelor, master")
    study_form: Series[str] = pa.Field(description="voltijd, deeltijd or duaal")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="students; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (`<5`)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "year",
            "level",
            "institution_code",
            "municipality_code",
            "programme_code",
            "programme_type",
            "study_form",
            "sex",
        ]


class ClassifiedHoFirstYears(HoFirstYears):
    """First-years with the STEM flags of both definitions and the versions of the tables used."""

    stem_nl: Series[bool] = pa.Field(
        nullable=True, description="STEM under the Dutch definition (bètatechniek); null = unclassified"
    )
    cluster_nl: Series[str] = pa.Field(description="cluster under the Dutch definition ('' when not STEM)")
    stem_isced: Series[bool] = pa.Field(
        nullable=True, description="STEM under ISCED-F 2013 broad fields 05/06/07; null = unclassified"
    )
    isced_f: Series[str] = pa.Field(description="ISCED-F 2013 detailed field")

    class Config:
        strict = True


class HoEnrolments(HoFirstYears):
    """All students enrolled in hbo and wo on 1 October, per programme, location, form and sex."""

    class Config:
        strict = True
        unique = [
            "year",
            "level",
            "institution_code",
            "municipality_code",
            "programme_code",
            "programme_type",
            "study_form",
            "sex",
        ]


class HoDiplomas(pa.DataFrameModel):
    """Diplomas awarded in hbo and wo per programme, location, form, diploma type and sex."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(
        ge=1990, le=2100, description="year the diplomas were awarded (academic year starting in it)"
    )
    level: Series[str] = pa.Field(isin=["hbo", "wo"], description="hbo or wo")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="CBS municipality code of the teaching location, as in the source year"
    )
    municipality_name: Series[str] = pa.Field(description="municipality name as the source writes it")
    institution_code: Series[str] = pa.Field(description="BRIN code of the institution")
    institution_name: Series[str] = pa.Field(description="institution name")
    croho_sector: Series[str] = pa.Field(description="CROHO sector (onderdeel)")
    programme_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="CROHO programme code")
    programme_name: Series[str] = pa.Field(description="programme name")
    diploma_type: Series[str] = pa.Field(description="SOORT DIPLOMA as DUO writes it (e.g. hbo bachelor, wo master)")
    study_form: Series[str] = pa.Field(description="voltijd, deeltijd or duaal")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="diplomas; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (`<5`)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "year",
            "level",
            "institution_code",
            "municipality_code",
            "programme_code",
            "diploma_type",
            "study_form",
            "sex",
        ]


class MboParticipants(pa.DataFrameModel):
    """mbo participants on 1 October per institution, place, learning path, qualification (crebo) and sex."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year of the 1 October count")
    institution_code: Series[str] = pa.Field(description="BRIN code of the institution")
    institution_name: Series[str] = pa.Field(description="institution name")
    place_name: Series[str] = pa.Field(description="place of the teaching location as DUO writes it")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$",
        description="municipality of the place, current division (reference/regions/places.csv)",
    )
    learning_path: Series[str] = pa.Field(
        isin=["BOLVT", "BOLDT", "BBL"], description="BOL full-time, BOL part-time, BBL"
    )
    qualification_level: Series[int] = pa.Field(ge=1, le=4, description="mbo level 1-4")
    qualification_code: Series[str] = pa.Field(str_matches=r"^\d{5}$", description="crebo code of the qualification")
    qualification_name: Series[str] = pa.Field(description="qualification name")
    mbo_sector: Series[str] = pa.Field(description="MBO SECTOR")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="participants; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (4 with INDICATIEAVG='J')")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = [
            "year",
            "institution_code",
            "place_name",
            "learning_path",
            "qualification_level",
            "qualification_code",
            "sex",
        ]


class MboDiplomas(MboParticipants):
    """mbo diplomas per institution, place, learning path, qualification (crebo) and sex; `year` is
    the school year starting in it."""

    class Config:
        strict = True
        unique = [
            "year",
            "institution_code",
            "place_name",
            "learning_path",
            "qualification_level",
            "qualification_code",
            "sex",
        ]


class VoExamCandidates(pa.DataFrameModel):
    """vo exam candidates and passes per location, profile (INSPECTIECODE) and sex; `measure` says which."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="exam year: the calendar year the school year ends in")
    school_year: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{4}$", description="school year, e.g. 2019-2020")
    institution_code: Series[str] = pa.Field(description="BRIN code of the school board's institution")
    location_code: Series[str] = pa.Field(description="VESTIGINGSCODE (BRIN + location number)")
    location_name: Series[str] = pa.Field(description="name of the location")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="municipality of the location, in the file year's division"
    )
    school_type: Series[str] = pa.Field(isin=["VMBO", "HAVO", "VWO"], description="ONDERWIJSTYPE VO")
    profile_code: Series[str] = pa.Field(
        str_matches=r"^\d{2}$", description="INSPECTIECODE (havo/vwo profile, vmbo sector)"
    )
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    measure: Series[str] = pa.Field(isin=["candidates", "passed"], description="candidates or passed")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="pupils; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (`<5`)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["year", "location_code", "profile_code", "sex", "measure"]


class VoPupilsByProfile(pa.DataFrameModel):
    """vo pupils of vmbo, havo and vwo on 1 October per location, type, profile code, year of study and sex;
    the municipality of each location from DUO's register of locations."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="reference year of the 1 October count")
    institution_code: Series[str] = pa.Field(description="BRIN code")
    location_code: Series[str] = pa.Field(description="VESTIGINGSCODE (BRIN + location number)")
    location_name: Series[str] = pa.Field(description="name of the location")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="municipality of the location, in the count year's division"
    )
    school_type: Series[str] = pa.Field(isin=["VMBO", "HAVO", "VWO"], description="ONDERWIJSTYPE VO")
    school_type_year: Series[str] = pa.Field(
        description="ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR (e.g. VMBO KL lj 3-4)"
    )
    vmbo_sector: Series[str] = pa.Field(description="VMBO SECTOR (N.v.t. outside vmbo)")
    department: Series[str] = pa.Field(description="AFDELING: havo/vwo profile or vmbo profile in words")
    element_code: Series[str] = pa.Field(description="ELEMENTCODE (DUO's programme element)")
    profile_code: Series[str] = pa.Field(
        str_matches=r"^(\d{2}|VMBO-[A-Za-z]+)$",
        description="INSPECTIECODE: havo/vwo profile, vmbo sector, or vmbo profile (VMBO-BWI, ...)",
    )
    programme_name: Series[str] = pa.Field(description="OPLEIDINGSNAAM")
    study_year: Series[int] = pa.Field(ge=1, le=6, description="year of study (leer- of verblijfsjaar)")
    sex: Series[str] = pa.Field(isin=SEXES, description="M or V")
    count: Series[pd.Int64Dtype] = pa.Field(ge=0, nullable=True, description="pupils; null when masked at source")
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count (1 when masked)")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count (4 when masked)")
    masked: Series[bool] = pa.Field(description="count masked at source (`<5`)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["year", "location_code", "school_type_year", "element_code", "profile_code", "study_year", "sex"]


class VoExamSubjects(pa.DataFrameModel):
    """havo/vwo exam candidates per location and subject (DUO exam-grades file): candidates with the subject."""

    edition: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="edition (publication year)")
    year: Series[int] = pa.Field(ge=1990, le=2100, description="exam year: the calendar year the school year ends in")
    school_year: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{4}$", description="school year, e.g. 2018-2019")
    institution_code: Series[str] = pa.Field(description="BRIN code")
    location_code: Series[str] = pa.Field(description="BRIN + location number")
    location_name: Series[str] = pa.Field(description="name of the location")
    municipality_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$",
        description="municipality of the location (GEMEENTENUMMER), in the file year's division",
    )
    school_type: Series[str] = pa.Field(isin=["HAVO", "VWO"], description="ONDERWIJSTYPE VO")
    subject_code: Series[str] = pa.Field(str_matches=r"^\d{4}$", description="VAKCODE")
    subject_name: Series[str] = pa.Field(description="VAKNAAM")
    count: Series[pd.Int64Dtype] = pa.Field(
        ge=0, nullable=True, description="candidates with a graded school exam in the subject"
    )
    count_low: Series[int] = pa.Field(ge=0, description="lower bound of the count")
    count_high: Series[int] = pa.Field(ge=0, description="upper bound of the count")
    masked: Series[bool] = pa.Field(description="count masked at source (never: the file has no masking)")
    source_file: Series[str] = pa.Field(description="delivery the row comes from")
    source_line: Series[int] = pa.Field(description="line of the row in the delivery")

    class Config:
        strict = True
        unique = ["year", "school_type", "location_code", "subject_code"]
