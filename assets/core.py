"""Stage 3, core: harmonised long tables with one meaning each."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from assets.raw import fail
from pipeline import editions as edition_table
from pipeline.core import ho as core_ho
from pipeline.problems import SourceError
from schemas import table_schema
from schemas.core import HoFirstYears


@dg.asset(
    partitions_def=editions, group_name="core", owners=["team:ptvt-monitor"], kinds={"pandas"},
    code_version="1", tags={"techpact/stage": "core"},
    metadata={"dagster/column_schema": table_schema(HoFirstYears)},
    check_specs=[dg.AssetCheckSpec("totals_equal_raw", asset="ho_first_years", blocking=True,
                                   description="Per level and year, core totals equal the raw delivery totals")],
)
def ho_first_years(context: dg.AssetExecutionContext, raw_duo_ho_first_years: pd.DataFrame):
    """First-year students hbo and wo per programme, location, study form and sex, every year of the edition's files."""
    edition = context.partition_key
    try:
        frame = core_ho.ho_first_years(raw_duo_ho_first_years, edition, edition_table.get(edition).education_last_year)
    except SourceError as error:
        raise fail(error) from error
    raw_totals = raw_duo_ho_first_years.groupby(["level", "year"])["count"].sum()
    core_totals = frame.groupby(["level", "year"])["count"].sum()
    equal = raw_totals.sort_index().equals(core_totals.sort_index())
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "years": f"{frame['year'].min()}-{frame['year'].max()}"})
    yield dg.AssetCheckResult(check_name="totals_equal_raw", passed=bool(equal),
                              metadata={"totals": dg.MetadataValue.md("\n".join(
                                  f"- {lvl} {yr}: {int(v)}" for (lvl, yr), v in core_totals.items()))})


def core_family_asset(name: str, raw_family: str, build, model, description: str):
    """A core table built from one raw DUO family; its totals per year must equal the raw totals."""

    @dg.asset(
        name=name, partitions_def=editions, group_name="core", owners=["team:ptvt-monitor"], kinds={"pandas"},
        code_version="1", tags={"techpact/stage": "core"}, description=description,
        ins={"raw": dg.AssetIn(key=f"raw_{raw_family}")},
        metadata={"dagster/column_schema": table_schema(model)},
        check_specs=[dg.AssetCheckSpec("totals_equal_raw", asset=name, blocking=True,
                                       description="Per year, core totals equal the raw delivery totals")],
    )
    def _core(context: dg.AssetExecutionContext, raw: pd.DataFrame):
        edition = context.partition_key
        try:
            frame = build(raw, edition, edition_table.get(edition).education_last_year)
        except SourceError as error:
            raise fail(error) from error
        keys = ["year", "measure"] if "measure" in frame.columns else ["year"]
        raw_totals = raw.groupby(keys)["count"].sum().sort_index() if len(raw) else pd.Series(dtype="Int64")
        core_totals = frame.groupby(keys)["count"].sum().sort_index() if len(frame) else pd.Series(dtype="Int64")
        equal = len(raw_totals) == len(core_totals) and bool((raw_totals.to_numpy() == core_totals.to_numpy()).all())
        years = f"{frame['year'].min()}-{frame['year'].max()}" if len(frame) else "none"
        yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "years": years})
        yield dg.AssetCheckResult(check_name="totals_equal_raw", passed=equal, metadata={"totals": dg.MetadataValue.md(
            "\n".join(f"- {k}: {int(v)}" for k, v in core_totals.items()) or "no delivery this edition")})

    return _core


def _duo_core_assets():
    from pipeline.core import mbo as core_mbo
    from pipeline.core import vo as core_vo
    from schemas.core import HoDiplomas, HoEnrolments, MboDiplomas, MboParticipants, VoExamCandidates, VoPupilsByProfile

    specs = [
        ("ho_enrolments", "duo_ho_enrolments", core_ho.ho_enrolments, HoEnrolments,
         "All students hbo and wo per programme, location, study form and sex."),
        ("ho_diplomas", "duo_ho_diplomas", core_ho.ho_diplomas, HoDiplomas,
         "Diplomas hbo and wo per programme, location, study form, diploma type and sex."),
        ("mbo_participants", "duo_mbo_participants", core_mbo.mbo_participants, MboParticipants,
         "mbo participants per institution, place (municipality), learning path, crebo and sex."),
        ("mbo_diplomas", "duo_mbo_diplomas", core_mbo.mbo_diplomas, MboDiplomas,
         "mbo diplomas per institution, place (municipality), learning path, crebo and sex."),
        ("vo_exam_candidates", "duo_vo_exams", core_vo.vo_exam_candidates, VoExamCandidates,
         "vo exam candidates and passes per location, profile (INSPECTIECODE) and sex."),
        ("vo_pupils_by_profile", "duo_vo_pupils", core_vo.vo_pupils_by_profile, VoPupilsByProfile,
         "vo pupils per location, profile (INSPECTIECODE), year of study and sex."),
    ]
    return [core_family_asset(*spec) for spec in specs]


duo_core_assets = _duo_core_assets()
