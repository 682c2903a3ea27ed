"""Stage 2, raw: every delivery recognised by its header, parsed from its real format and
validated against its Pandera model. A problem stops the run with file, row and column."""

import dataclasses
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.contracts import contract_spec, passed, under_contract
from assets.partitions import editions
from pipeline import sources
from pipeline.dagster_support import BuildOptions, LandingArea
from pipeline.problems import SourceError
from pipeline.sources.files import SOURCE_LINE, sha256_file
from schemas import empty_table, enforce, table_schema
from schemas.raw import RawHoEnrolment
from schemas.raw_labour import (
    RawCbsEmployment,
    RawCbsRegions,
    RawCbsUnemployment,
    RawCbsVacancies,
    RawJetNetTechNet,
    RawMkbIdee,
    RawUwvTension,
    RawUwvVacancies,
)

ROWS_PER_FILE = "rows_per_file"  # read back by the edition manifest


def fail(error: SourceError) -> dg.Failure:
    table = dg.MetadataValue.md(
        "| file | row | column | problem |\n|---|---|---|---|\n"
        + "\n".join(f"| {p.file} | {p.row or ''} | {p.column or ''} | {p.problem} |" for p in error.problems[:200])
    )
    return dg.Failure(
        description=error.summary(),
        metadata={"problems": table, "problem_count": len(error.problems)},
        allow_retries=False,
    )  # bad input: retrying cannot help


@dg.asset(
    partitions_def=editions,
    group_name="raw",
    owners=["team:ptvt-monitor"],
    kinds={"python", "csv"},
    tags={"techpact/stage": "raw"},
    check_specs=[
        dg.AssetCheckSpec(
            "every_file_recognised",
            asset="landing_inventory",
            blocking=True,
            description="Every file in the landing folder is read as a delivery: a file the build does not "
            "read (another suffix than .csv/.txt/.json/.xlsx, a subfolder) is listed as a warning",
        )
    ],
)
def landing_inventory(
    context: dg.AssetExecutionContext, landing: LandingArea, options: BuildOptions
) -> dg.Output[pd.DataFrame]:
    """The edition's landing folder: every file with its detected source family, format generation and
    sha256; no delivery twice and every delivery the edition needs (reference/editions/deliveries.csv)
    present, or its family allowed to be missing (`--allow-missing`)."""
    from pipeline import preflight

    edition = context.partition_key
    refused = preflight.landing_problems(landing.files(edition), edition, tuple(options.allow_missing))
    if refused:
        raise dg.Failure(description="\n".join(refused), allow_retries=False)
    rows, problems = [], []
    for path in landing.files(edition):
        try:
            fmt = sources.detect(path)
        except SourceError as error:
            problems.extend(error.problems)
            continue
        rows.append(
            {
                "file": path.name,
                "path": str(path),
                "family": fmt.family,
                "generation": fmt.generation,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    if problems:
        raise fail(SourceError(problems))
    if not rows:
        raise dg.Failure(
            description=f"no deliveries for edition {edition} in the landing area {landing.root}", allow_retries=False
        )
    frame = pd.DataFrame(rows)
    yield dg.Output(frame, metadata={"files": len(frame), "families": ", ".join(sorted(frame["family"].unique()))})
    read = set(frame["file"])
    unread = sorted(
        p.name + ("/" if p.is_dir() else "")
        for p in landing.folder(edition).iterdir()
        if not p.name.startswith(".") and p.name not in read
    )
    yield dg.AssetCheckResult(
        check_name="every_file_recognised",
        passed=not unread,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"files": len(frame), "not read": ", ".join(unread) or "none"},
    )


def parse_family(
    inventory: pd.DataFrame, family: str, model, *, validate_union: bool = False
) -> tuple[pd.DataFrame, list[sources.Delivery]]:
    """Every delivery of the family parsed and validated by the model (each file by its parser; with
    `validate_union`, the union of the files too); an edition without a delivery gets the empty table."""
    paths = [p for p, f in zip(inventory["path"], inventory["family"]) if f == family]
    deliveries = sources.parse_all([Path(p) for p in paths])
    if not deliveries:
        return enforce(model, empty_table(model)), []
    frame = pd.concat([d.frame for d in deliveries], ignore_index=True)
    if validate_union:
        enforce(model, frame)
    # the per-file frames are in `frame` now: keep only what the metadata needs (halves the step's memory)
    return frame, [dataclasses.replace(d, frame=d.frame.iloc[:0]) for d in deliveries]


@dg.asset(
    partitions_def=editions,
    group_name="raw",
    owners=["team:ptvt-monitor"],
    kinds={"pandas", "pandera"},
    deps=["landing_duo_ho_first_years"],
    tags={"techpact/stage": "raw"},
    metadata={"dagster/column_schema": table_schema(RawHoEnrolment)},
    check_specs=[contract_spec(RawHoEnrolment, "raw_duo_ho_first_years", "Every parsed file")],
)
def raw_duo_ho_first_years(context: dg.AssetExecutionContext, landing_inventory: pd.DataFrame):
    """DUO first-year enrolments hbo and wo, parsed from every format generation (long: one row per year)."""
    frame, deliveries = yield from under_contract(
        RawHoEnrolment, lambda: parse_family(landing_inventory, "duo_ho_first_years", RawHoEnrolment), fail
    )
    if frame.empty:
        raise dg.Failure(
            description=f"edition {context.partition_key}: no DUO first-year file (hbo/wo) in the landing area",
            allow_retries=False,
        )
    totals = frame.groupby(["level", "year"])["count"].sum()
    yield dg.Output(
        frame,
        metadata={
            **raw_metadata(frame, deliveries),
            "totals": dg.MetadataValue.md("\n".join(f"- {lvl} {yr}: {int(v)}" for (lvl, yr), v in totals.items())),
        },
    )
    yield passed(RawHoEnrolment, frame, files=len(deliveries))


def raw_asset(family: str, model, description: str, *, validate_union: bool = False) -> dg.AssetsDefinition:
    """The raw asset of a source family an edition may lack (then the table is empty, not a failure):
    every delivery of the family parsed and validated (`validate_union`: also the union of the files,
    e.g. the same period in two deliveries), with files, rows per file, years and totals recorded."""
    name = f"raw_{family}"

    @dg.asset(
        name=name,
        partitions_def=editions,
        group_name="raw",
        owners=["team:ptvt-monitor"],
        kinds={"pandas", "pandera"},
        deps=[f"landing_{family}"],
        tags={"techpact/stage": "raw"},
        description=description,
        metadata={"dagster/column_schema": table_schema(model)},
        check_specs=[
            contract_spec(model, name, "Every parsed file" + (", and their union," if validate_union else ""))
        ],
    )
    def _raw(context: dg.AssetExecutionContext, landing_inventory: pd.DataFrame):
        frame, deliveries = yield from under_contract(
            model, lambda: parse_family(landing_inventory, family, model, validate_union=validate_union), fail
        )
        yield dg.Output(frame, metadata=raw_metadata(frame, deliveries))
        yield passed(model, frame, files=len(deliveries))

    return _raw


def raw_metadata(frame: pd.DataFrame, deliveries: list[sources.Delivery]) -> dict:
    """What a raw materialisation records: files with their generation, data rows per file (the
    manifest's `rows`), years, masked cells and totals per year where the table has them."""
    rows = frame.groupby("source_file")[SOURCE_LINE].nunique() if len(frame) else pd.Series(dtype=int)
    metadata = {
        "dagster/row_count": len(frame),
        "files": ", ".join(f"{d.path.name} ({d.generation})" for d in deliveries) or "none in the landing area",
        ROWS_PER_FILE: dg.MetadataValue.json({str(f): int(n) for f, n in rows.items()}),
    }
    if "year" in frame and len(frame):
        metadata["years"] = f"{int(frame['year'].min())}-{int(frame['year'].max())}"
    if "masked" in frame:
        metadata["masked_cells"] = int(frame["masked"].sum())
    if "count" in frame and "year" in frame and len(frame):
        totals = frame.groupby("year")["count"].sum()
        metadata["totals"] = dg.MetadataValue.md("\n".join(f"- {yr}: {int(v)}" for yr, v in totals.items()))
    return metadata


# --- labour market (CBS, UWV) and programme registers ------------------------------------------
# An edition without deliveries of a family (e.g. an education-only release) gets an empty table,
# so the education part can be built before the labour part, as PTvT did in 2022.

LABOUR_FAMILIES = {
    "cbs_employment": (
        RawCbsEmployment,
        "CBS employed labour force by occupation (BRC 2014), sex and characteristic (85276NED-like OData)",
    ),
    "cbs_vacancies": (RawCbsVacancies, "CBS open vacancies by industry per quarter (80472NED-like OData)"),
    "cbs_regions": (
        RawCbsRegions,
        "CBS Gebieden in Nederland: municipality -> arbeidsmarktregio, COROP, province, landsdeel",
    ),
    "cbs_unemployment": (
        RawCbsUnemployment,
        "CBS custom table: labour force and unemployment by field of education (XLSX)",
    ),
    "uwv_vacancies": (
        RawUwvVacancies,
        "UWV open vacancies in technical and ICT occupations per quarter and occupation level",
    ),
    "uwv_tension": (RawUwvTension, "UWV tension indicator per quarter, arbeidsmarktregio and occupation group"),
    "registers_jetnet_technet": (RawJetNetTechNet, "Jet-Net & TechNet register of company-school partnerships"),
    "registers_mkbidee": (RawMkbIdee, "MKB!dee register of funded projects"),
}


def _duo_raw_assets():
    from schemas.raw import RawHoDiploma, RawMbo, RawVoExam, RawVoLocations, RawVoPupils, RawVoSubjects

    specs = [
        (
            "duo_ho_enrolments",
            RawHoEnrolment,
            "DUO all enrolments hbo and wo, every format generation (long: one row per year).",
        ),
        ("duo_ho_diplomas", RawHoDiploma, "DUO diplomas hbo and wo, every format generation (long: one row per year)."),
        (
            "duo_mbo_participants",
            RawMbo,
            "DUO mbo participants per institution, place, learning path, crebo, sex and year.",
        ),
        ("duo_mbo_diplomas", RawMbo, "DUO mbo diplomas per institution, place, learning path, crebo, sex and year."),
        ("duo_vo_exams", RawVoExam, "DUO vo exam candidates and passes per location, profile, sex and school year."),
        ("duo_vo_pupils", RawVoPupils, "DUO vo pupils per location, type, sector, department, year of study and sex."),
        ("duo_vo_register", RawVoLocations, "DUO register of vo school locations: the municipality of each location."),
        ("duo_vo_subjects", RawVoSubjects, "DUO havo/vwo exam candidates per location and subject."),
    ]
    return [raw_asset(family, model, text) for family, model, text in specs]


duo_raw_assets = _duo_raw_assets()
labour_raw_assets = [
    raw_asset(family, model, text, validate_union=True) for family, (model, text) in LABOUR_FAMILIES.items()
]
