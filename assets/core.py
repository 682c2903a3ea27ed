"""Stage 3, core: harmonised long tables with one meaning each."""

import dagster as dg
import pandas as pd

from assets.contracts import contract_spec, passed, under_contract
from assets.partitions import editions
from assets.raw import fail
from pipeline import editions as edition_table
from pipeline.core import ho as core_ho
from pipeline.core import labour as core_labour
from pipeline.core import registers as core_registers
from pipeline.dagster_support import CATEGORICAL_TABLE_LOADER
from schemas import empty_table, enforce, table_schema
from schemas.core import HoFirstYears
from schemas.core_labour import (
    EmploymentByOccupation,
    LabourMarketTension,
    MunicipalityRegions,
    ProgrammeParticipation,
    UnemploymentByEducation,
    VacanciesByOccupation,
    VacanciesBySector,
)


@dg.asset(
    partitions_def=editions,
    group_name="core",
    owners=["team:ptvt-monitor"],
    kinds={"pandas"},
    tags={"techpact/stage": "core"},
    metadata={"dagster/column_schema": table_schema(HoFirstYears)},
    check_specs=[
        dg.AssetCheckSpec(
            "totals_equal_raw",
            asset="ho_first_years",
            blocking=True,
            description="Per level and year, core totals equal the raw delivery totals",
        ),
        contract_spec(HoFirstYears, "ho_first_years"),
    ],
)
def ho_first_years(context: dg.AssetExecutionContext, raw_duo_ho_first_years: pd.DataFrame):
    """First-year students hbo and wo per programme, location, study form and sex, every year of the edition's files."""
    edition = context.partition_key
    frame = yield from under_contract(
        HoFirstYears,
        lambda: core_ho.ho_first_years(raw_duo_ho_first_years, edition, edition_table.get(edition).education_last_year),
        fail,
    )
    raw_totals = raw_duo_ho_first_years.groupby(["level", "year"])["count"].sum()
    core_totals = frame.groupby(["level", "year"])["count"].sum()
    equal = raw_totals.sort_index().equals(core_totals.sort_index())
    yield dg.Output(
        frame, metadata={"dagster/row_count": len(frame), "years": f"{frame['year'].min()}-{frame['year'].max()}"}
    )
    yield dg.AssetCheckResult(
        check_name="totals_equal_raw",
        passed=bool(equal),
        metadata={
            "totals": dg.MetadataValue.md("\n".join(f"- {lvl} {yr}: {int(v)}" for (lvl, yr), v in core_totals.items()))
        },
    )
    yield passed(HoFirstYears, frame)


def core_family_asset(name: str, raw_family: str, build, model, description: str, categorical: bool = False):
    """A core table built from one raw DUO family; its totals per year must equal the raw totals.
    With `categorical`, the raw table's text columns arrive as Categoricals (large record-level
    tables whose names and codes repeat: a fraction of the memory); the core table is the same."""

    @dg.asset(
        name=name,
        partitions_def=editions,
        group_name="core",
        owners=["team:ptvt-monitor"],
        kinds={"pandas"},
        tags={"techpact/stage": "core"},
        description=description,
        ins={
            "raw": dg.AssetIn(
                key=f"raw_{raw_family}", input_manager_key=CATEGORICAL_TABLE_LOADER if categorical else None
            )
        },
        metadata={"dagster/column_schema": table_schema(model)},
        check_specs=[
            dg.AssetCheckSpec(
                "totals_equal_raw",
                asset=name,
                blocking=True,
                description="Per year, core totals equal the raw delivery totals",
            ),
            contract_spec(model, name),
        ],
    )
    def _core(context: dg.AssetExecutionContext, raw: pd.DataFrame):
        edition = context.partition_key
        frame = yield from under_contract(
            model, lambda: build(raw, edition, edition_table.get(edition).education_last_year), fail
        )
        keys = ["year", "measure"] if "measure" in frame.columns else ["year"]
        raw_totals = (
            raw.groupby(keys, observed=True)["count"].sum().sort_index() if len(raw) else pd.Series(dtype="Int64")
        )
        core_totals = (
            frame.groupby(keys, observed=True)["count"].sum().sort_index() if len(frame) else pd.Series(dtype="Int64")
        )
        equal = len(raw_totals) == len(core_totals) and bool((raw_totals.to_numpy() == core_totals.to_numpy()).all())
        years = f"{frame['year'].min()}-{frame['year'].max()}" if len(frame) else "none"
        yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "years": years})
        yield dg.AssetCheckResult(
            check_name="totals_equal_raw",
            passed=equal,
            metadata={
                "totals": dg.MetadataValue.md(
                    "\n".join(f"- {k}: {int(v)}" for k, v in core_totals.items()) or "no delivery this edition"
                )
            },
        )
        yield passed(model, frame)

    return _core


# --- labour market (CBS, UWV) and programme registers ------------------------------------------
# Each core table is built from its raw table by a plain function in pipeline/core/labour.py or
# pipeline/core/registers.py; the blocking check compares totals (or rows) with the raw input, so
# harmonising can never add, drop or double a figure. An empty raw table gives an empty core table.


def _labour_year(edition: str) -> int:
    return edition_table.get(edition).labour_last_year


LABOUR_CORE = {  # core table -> (raw input, model, builder(raw, edition), raw total, core total, description)
    "employment_by_occupation": (
        "raw_cbs_employment",
        EmploymentByOccupation,
        lambda raw, e: core_labour.employment_by_occupation(raw, e, _labour_year(e)),
        "count",
        "count",
        "Employed persons per occupation (BRC 2014), sex and characteristic, per year and quarter (CBS)",
    ),
    "vacancies_by_sector": (
        "raw_cbs_vacancies",
        VacanciesBySector,
        lambda raw, e: core_labour.vacancies_by_sector(raw, e, _labour_year(e)),
        "count",
        "count",
        "Open vacancies per industry (SBI 2008) and quarter (CBS)",
    ),
    "municipality_regions": (
        "raw_cbs_regions",
        MunicipalityRegions,
        lambda raw, e: core_labour.municipality_regions(raw, e),
        None,
        None,
        "Municipality -> arbeidsmarktregio, COROP, province, landsdeel per boundary year (CBS)",
    ),
    "unemployment_by_education": (
        "raw_cbs_unemployment",
        UnemploymentByEducation,
        lambda raw, e: core_labour.unemployment_by_education(raw, e, _labour_year(e)),
        "unemployed",
        "unemployed",
        "Labour force and unemployment by field of education (ISCED-F), level and sex (CBS custom table)",
    ),
    "vacancies_by_occupation": (
        "raw_uwv_vacancies",
        VacanciesByOccupation,
        lambda raw, e: core_labour.vacancies_by_occupation(raw, e, _labour_year(e)),
        "count",
        "count",
        "Open vacancies in technical and ICT occupations per quarter and level, with UWV's method (UWV)",
    ),
    "labour_market_tension": (
        "raw_uwv_tension",
        LabourMarketTension,
        lambda raw, e: core_labour.labour_market_tension(raw, e, _labour_year(e)),
        "vacancies",
        "vacancies",
        "UWV tension indicator per quarter, arbeidsmarktregio and occupation group",
    ),
}


def _totals(frame: pd.DataFrame, column: str | None) -> dict[str, int]:
    if column is None or frame.empty:
        return {"rows": len(frame)}
    by = "year" if "year" in frame else None
    sums = frame.groupby(by)[column].sum() if by else pd.Series({"all": frame[column].sum()})
    return {str(k): int(v) for k, v in sums.items()}


def labour_core_asset(
    name: str, raw_name: str, model, build, raw_total: str | None, core_total: str | None, description: str
) -> dg.AssetsDefinition:
    @dg.asset(
        name=name,
        partitions_def=editions,
        group_name="core",
        owners=["team:ptvt-monitor"],
        kinds={"pandas"},
        tags={"techpact/stage": "core"},
        description=description,
        ins={"raw": dg.AssetIn(raw_name)},
        metadata={"dagster/column_schema": table_schema(model)},
        check_specs=[
            dg.AssetCheckSpec(
                "totals_equal_raw",
                asset=name,
                blocking=True,
                description="Per year, core totals (or rows) equal those of the raw deliveries",
            ),
            contract_spec(model, name),
        ],
    )
    def _core(context: dg.AssetExecutionContext, raw: pd.DataFrame):
        edition = context.partition_key
        frame = yield from under_contract(
            model, lambda: enforce(model, empty_table(model)) if raw.empty else build(raw, edition), fail
        )
        raw_totals, core_totals = _totals(raw, raw_total), _totals(frame, core_total)
        if raw_total is None:  # region tables: every municipality of every boundary year kept once
            raw_totals = {
                "rows": int(raw[["boundary_year", "municipality_code"]].drop_duplicates().shape[0]) if len(raw) else 0
            }
            core_totals = {"rows": len(frame)}
        yield dg.Output(frame, metadata={"dagster/row_count": len(frame)})
        yield dg.AssetCheckResult(
            check_name="totals_equal_raw",
            passed=raw_totals == core_totals,
            metadata={"raw": dg.MetadataValue.json(raw_totals), "core": dg.MetadataValue.json(core_totals)},
        )
        yield passed(model, frame)

    return _core


def _duo_core_assets():
    from pipeline.core import mbo as core_mbo
    from pipeline.core import vo as core_vo
    from schemas.core import HoDiplomas, HoEnrolments, MboDiplomas, MboParticipants, VoExamCandidates, VoExamSubjects

    specs = [
        (
            "ho_enrolments",
            "duo_ho_enrolments",
            core_ho.ho_enrolments,
            HoEnrolments,
            "All students hbo and wo per programme, location, study form and sex.",
        ),
        (
            "ho_diplomas",
            "duo_ho_diplomas",
            core_ho.ho_diplomas,
            HoDiplomas,
            "Diplomas hbo and wo per programme, location, study form, diploma type and sex.",
        ),
        (
            "mbo_participants",
            "duo_mbo_participants",
            core_mbo.mbo_participants,
            MboParticipants,
            "mbo participants per institution, place (municipality), learning path, crebo and sex.",
        ),
        (
            "mbo_diplomas",
            "duo_mbo_diplomas",
            core_mbo.mbo_diplomas,
            MboDiplomas,
            "mbo diplomas per institution, place (municipality), learning path, crebo and sex.",
        ),
        (
            "vo_exam_candidates",
            "duo_vo_exams",
            core_vo.vo_exam_candidates,
            VoExamCandidates,
            "vo exam candidates and passes per location, profile (INSPECTIECODE) and sex.",
            True,
        ),
        (
            "vo_exam_subjects",
            "duo_vo_subjects",
            core_vo.vo_exam_subjects,
            VoExamSubjects,
            "havo/vwo exam candidates per location and subject (candidates with the subject in their exam).",
        ),
    ]
    return [core_family_asset(*spec) for spec in specs]


duo_core_assets = _duo_core_assets()


def _vo_pupils_asset():
    from pipeline.core import vo as core_vo
    from schemas.core import VoPupilsByProfile

    @dg.asset(
        name="vo_pupils_by_profile",
        partitions_def=editions,
        group_name="core",
        owners=["team:ptvt-monitor"],
        kinds={"pandas"},
        tags={"techpact/stage": "core"},
        description=(
            "vo pupils of vmbo, havo and vwo per location, profile, year of study and sex; the municipality "
            "of each location from DUO's register of vo locations."
        ),
        ins={
            "raw": dg.AssetIn(key="raw_duo_vo_pupils", input_manager_key=CATEGORICAL_TABLE_LOADER),
            "locations": dg.AssetIn(key="raw_duo_vo_register"),
        },
        metadata={"dagster/column_schema": table_schema(VoPupilsByProfile)},
        check_specs=[
            dg.AssetCheckSpec(
                "totals_equal_raw",
                asset="vo_pupils_by_profile",
                blocking=True,
                description="Per year, core totals equal the raw totals of the rows of vmbo, havo and vwo by profile",
            ),
            contract_spec(VoPupilsByProfile, "vo_pupils_by_profile"),
        ],
    )
    def vo_pupils_by_profile(context: dg.AssetExecutionContext, raw: pd.DataFrame, locations: pd.DataFrame):
        edition = context.partition_key
        frame = yield from under_contract(
            VoPupilsByProfile,
            lambda: core_vo.vo_pupils_by_profile(
                raw, locations, edition, edition_table.get(edition).education_last_year
            ),
            fail,
        )
        scope = core_vo.pupils_in_scope(raw) if len(raw) else raw
        raw_totals = scope.groupby("year")["count"].sum().sort_index() if len(scope) else pd.Series(dtype="Int64")
        core_totals = frame.groupby("year")["count"].sum().sort_index() if len(frame) else pd.Series(dtype="Int64")
        equal = len(raw_totals) == len(core_totals) and bool((raw_totals.to_numpy() == core_totals.to_numpy()).all())
        yield dg.Output(frame, metadata={"dagster/row_count": len(frame)})
        yield dg.AssetCheckResult(
            check_name="totals_equal_raw",
            passed=equal,
            metadata={
                "totals": dg.MetadataValue.md(
                    "\n".join(f"- {k}: {int(v)}" for k, v in core_totals.items()) or "no delivery this edition"
                )
            },
        )
        yield passed(VoPupilsByProfile, frame)

    return vo_pupils_by_profile


vo_pupils_by_profile = _vo_pupils_asset()
labour_core_assets = [labour_core_asset(name, *spec) for name, spec in LABOUR_CORE.items()]


@dg.asset(
    partitions_def=editions,
    group_name="core",
    owners=["team:ptvt-monitor"],
    kinds={"pandas"},
    tags={"techpact/stage": "core"},
    metadata={"dagster/column_schema": table_schema(ProgrammeParticipation)},
    check_specs=[
        dg.AssetCheckSpec(
            "rows_equal_raw",
            asset="programme_participation",
            blocking=True,
            description="Every partnership and project of the registers appears once",
        ),
        contract_spec(ProgrammeParticipation, "programme_participation"),
    ],
)
def programme_participation(
    context: dg.AssetExecutionContext, raw_registers_jetnet_technet: pd.DataFrame, raw_registers_mkbidee: pd.DataFrame
):
    """Participation in Jet-Net & TechNet (partnerships) and MKB!dee (projects, grants), one row each."""
    edition = context.partition_key
    frame = yield from under_contract(
        ProgrammeParticipation,
        lambda: core_registers.programme_participation(
            raw_registers_jetnet_technet, raw_registers_mkbidee, edition, _labour_year(edition)
        ),
        fail,
    )
    expected = len(raw_registers_jetnet_technet) + len(raw_registers_mkbidee)
    per_programme = frame.groupby("programme")["count"].sum() if len(frame) else pd.Series(dtype="Int64")
    yield dg.Output(
        frame,
        metadata={
            "dagster/row_count": len(frame),
            "per_programme": dg.MetadataValue.json({k: int(v) for k, v in per_programme.items()}),
        },
    )
    yield dg.AssetCheckResult(
        check_name="rows_equal_raw",
        passed=len(frame) == expected,
        metadata={"raw_rows": expected, "core_rows": len(frame)},
    )
    yield passed(ProgrammeParticipation, frame)
