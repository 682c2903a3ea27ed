"""Stage 2, raw: every delivery recognised by its header, parsed from its real format and
validated against its Pandera model. A problem stops the run with file, row and column."""


import dagster as dg
import pandas as pd

from assets.partitions import editions
from pipeline import sources
from pipeline.dagster_support import LandingArea
from pipeline.problems import SourceError
from pipeline.sources.files import sha256_file
from schemas import table_schema
from schemas.raw import RawHoEnrolment


def fail(error: SourceError) -> dg.Failure:
    table = dg.MetadataValue.md("| file | row | column | problem |\n|---|---|---|---|\n" + "\n".join(
        f"| {p.file} | {p.row or ''} | {p.column or ''} | {p.problem} |" for p in error.problems[:200]))
    return dg.Failure(description=error.summary(), metadata={"problems": table, "problem_count": len(error.problems)},
                      allow_retries=False)  # bad input: retrying cannot help


@dg.asset(
    partitions_def=editions, group_name="raw", owners=["team:ptvt-monitor"], kinds={"python", "csv"},
    code_version="1", tags={"techpact/stage": "raw"},
    check_specs=[dg.AssetCheckSpec("every_file_recognised", asset="landing_inventory", blocking=True,
                                   description="Every file in the landing folder is a recognised delivery")],
)
def landing_inventory(context: dg.AssetExecutionContext, landing: LandingArea) -> dg.Output[pd.DataFrame]:
    """The edition's landing folder: every file with its detected source family, format generation and sha256."""
    edition = context.partition_key
    rows, problems = [], []
    for path in landing.files(edition):
        try:
            fmt = sources.detect(path)
        except SourceError as error:
            problems.extend(error.problems)
            continue
        rows.append({"file": path.name, "path": str(path), "family": fmt.family, "generation": fmt.generation,
                     "bytes": path.stat().st_size, "sha256": sha256_file(path)})
    if problems:
        raise fail(SourceError(problems))
    if not rows:
        raise dg.Failure(description=f"no deliveries for edition {edition} in the landing area {landing.root}", allow_retries=False)
    frame = pd.DataFrame(rows)
    yield dg.Output(frame, metadata={"files": len(frame), "families": ", ".join(sorted(frame["family"].unique()))})
    yield dg.AssetCheckResult(check_name="every_file_recognised", passed=True, metadata={"files": len(frame)})


def parse_family(inventory: pd.DataFrame, family: str) -> tuple[pd.DataFrame, list[sources.Delivery]]:
    paths = [p for p, f in zip(inventory["path"], inventory["family"]) if f == family]
    try:
        deliveries = sources.parse_all([__import__("pathlib").Path(p) for p in paths])
    except SourceError as error:
        raise fail(error) from error
    frame = pd.concat([d.frame for d in deliveries], ignore_index=True) if deliveries else pd.DataFrame()
    return frame, deliveries


@dg.asset(
    partitions_def=editions, group_name="raw", owners=["team:ptvt-monitor"], kinds={"pandas", "pandera"},
    code_version="1", deps=["landing_duo_ho_first_years"], tags={"techpact/stage": "raw"},
    metadata={"dagster/column_schema": table_schema(RawHoEnrolment)},
    check_specs=[dg.AssetCheckSpec("pandera_RawHoEnrolment", asset="raw_duo_ho_first_years", blocking=True,
                                   description="Parsed rows satisfy the RawHoEnrolment contract")],
)
def raw_duo_ho_first_years(context: dg.AssetExecutionContext, landing_inventory: pd.DataFrame):
    """DUO first-year enrolments hbo and wo, parsed from every format generation (long: one row per year)."""
    frame, deliveries = parse_family(landing_inventory, "duo_ho_first_years")
    if frame.empty:
        raise dg.Failure(description=f"edition {context.partition_key}: no DUO first-year file (hbo/wo) in the landing area", allow_retries=False)
    totals = frame.groupby(["level", "year"])["count"].sum()
    yield dg.Output(frame, metadata={
        "dagster/row_count": len(frame),
        "files": ", ".join(f"{d.path.name} ({d.generation})" for d in deliveries),
        "masked_cells": int(frame["masked"].sum()),
        "totals": dg.MetadataValue.md("\n".join(f"- {lvl} {yr}: {int(v)}" for (lvl, yr), v in totals.items())),
    })
    yield dg.AssetCheckResult(check_name="pandera_RawHoEnrolment", passed=True,
                              metadata={"rows": len(frame), "files": len(deliveries)})


def raw_family_asset(family: str, model, description: str):
    """A raw asset for a DUO family that an edition may lack (then the table is empty, not a failure)."""
    from pipeline.core.duo import empty

    check = f"pandera_{model.__name__}"

    @dg.asset(
        name=f"raw_{family}", partitions_def=editions, group_name="raw", owners=["team:ptvt-monitor"],
        kinds={"pandas", "pandera"}, code_version="1", deps=[f"landing_{family}"], tags={"techpact/stage": "raw"},
        metadata={"dagster/column_schema": table_schema(model)}, description=description,
        check_specs=[dg.AssetCheckSpec(check, asset=f"raw_{family}", blocking=True,
                                       description=f"Parsed rows satisfy the {model.__name__} contract")],
    )
    def _raw(context: dg.AssetExecutionContext, landing_inventory: pd.DataFrame):
        frame, deliveries = parse_family(landing_inventory, family)
        if frame.empty:
            frame = empty(model)
        totals = frame.groupby("year")["count"].sum() if len(frame) else pd.Series(dtype="Int64")
        yield dg.Output(frame, metadata={
            "dagster/row_count": len(frame),
            "files": ", ".join(f"{d.path.name} ({d.generation})" for d in deliveries) or "none this edition",
            "masked_cells": int(frame["masked"].sum()),
            "totals": dg.MetadataValue.md("\n".join(f"- {yr}: {int(v)}" for yr, v in totals.items()) or "none"),
        })
        yield dg.AssetCheckResult(check_name=check, passed=True, metadata={"rows": len(frame), "files": len(deliveries)})

    return _raw


def _duo_raw_assets():
    from schemas.raw import RawHoDiploma, RawMbo, RawVoExam, RawVoPupils

    specs = [
        ("duo_ho_enrolments", RawHoEnrolment, "DUO all enrolments hbo and wo, every format generation (long: one row per year)."),
        ("duo_ho_diplomas", RawHoDiploma, "DUO diplomas hbo and wo, every format generation (long: one row per year)."),
        ("duo_mbo_participants", RawMbo, "DUO mbo participants per institution, place, learning path, crebo, sex and year."),
        ("duo_mbo_diplomas", RawMbo, "DUO mbo diplomas per institution, place, learning path, crebo, sex and year."),
        ("duo_vo_exams", RawVoExam, "DUO vo exam candidates and passes per location, profile, sex and school year."),
        ("duo_vo_pupils", RawVoPupils, "DUO vo pupils per location, profile, year of study and sex."),
    ]
    return [raw_family_asset(family, model, text) for family, model, text in specs]


duo_raw_assets = _duo_raw_assets()
