"""Stage 1, sources: the landing area's deliveries and the reference tables as observable sources.

A delivery family's data version per edition is the sha256 over its files (name and content);
a reference table's data version is its file's sha256. Every materialisation downstream records
these as `dagster/input_data_version/...`, and the UI marks assets stale when they change.
"""

import hashlib

import dagster as dg

from assets.partitions import editions
from pipeline import classify, reference, sources
from pipeline.dagster_support import LandingArea
from pipeline.problems import SourceError
from pipeline.sources.files import sha256_file

FAMILIES = {
    "duo_ho_first_years": "DUO first-year enrolments hbo and wo (03b-eerstejaars-ingeschrevenen-*)",
    "duo_ho_enrolments": "DUO all enrolments hbo and wo (01-ingeschrevenen-*)",
    "duo_ho_diplomas": "DUO diplomas hbo and wo (05-gediplomeerden-*)",
    "duo_mbo_participants": "DUO mbo participants per institution and qualification (08-deelnemers-per-instelling-*)",
    "duo_mbo_diplomas": "DUO mbo diplomas per institution and qualification (gediplomeerden-per-instelling-*)",
    "duo_vo_exams": "DUO vo exam candidates and passes per location and profile (examenkandidaten-en-geslaagden-*)",
    "duo_vo_pupils": "DUO vo pupils per location by type, profile and year of study (leerlingen-vo-per-vestiging-*)",
    "duo_vo_register": "DUO register of vo school locations with their municipality (alle-vestigingen-vo)",
    "duo_vo_subjects": "DUO havo/vwo exam candidates and grades per location and subject (*-en-examencijfers-*)",
    "cbs_employment": "CBS StatLine employed labour force by occupation (85276NED OData bundle)",
    "cbs_vacancies": "CBS StatLine open vacancies by industry (80472NED OData bundle)",
    "cbs_regions": "CBS Gebieden in Nederland region tables (OData bundle, StatLine CSV export, derived JSON)",
    "cbs_unemployment": "CBS custom table on unemployment by field of education (XLSX)",
    "uwv_vacancies": "UWV open vacancies in technical and ICT occupations (CSV)",
    "uwv_tension": "UWV tension indicator per arbeidsmarktregio and occupation group (CSV)",
    "registers_jetnet_technet": "Jet-Net & TechNet partnership register (CSV)",
    "registers_mkbidee": "MKB!dee project register (CSV)",
}
REFERENCE_SOURCES = {
    # every definition table of the classification plan, and the record of versions per edition
    "reference_stem": sorted({p for row in classify.plan() for p in row.tables.values()})
    + ["stem/definition_history.csv"],
    "reference_indicator_catalogue": ["indicators/catalogue.csv"],
    "reference_indicator_targets": ["indicators/targets.csv"],
    "reference_indicator_parameters": [
        "indicators/parameters.csv",
        "indicators/period_flags.csv",
        "indicators/tension_classes.csv",
    ],
    "reference_regions": [
        "regions/municipalities.csv",
        "regions/municipal_mergers.csv",
        "regions/municipal_split_parts.csv",
    ],
}


DOMAIN_TAG = "techpact/domain"
LABOUR_MARKET = "labour_market"
LABOUR_MARKET_PUBLISHERS = ("cbs_", "uwv_")  # CBS and UWV deliveries are labour-market sources


def family_domain(family: str) -> str:
    """`labour_market` for the families of CBS and UWV and every family an indicator of the
    catalogue's labour-market strand (Werken) reads; `education` otherwise. The quarterly refresh
    re-materialises what depends on the labour-market sources (tag techpact/domain)."""
    catalogue = reference.load("indicators/catalogue.csv").frame
    werken = {
        f
        for cell in catalogue.loc[catalogue["strand"] == "Werken", "source_families"].fillna("")
        for f in str(cell).split(";")
        if f
    }
    return LABOUR_MARKET if family in werken or family.startswith(LABOUR_MARKET_PUBLISHERS) else "education"


def family_fingerprint(landing: LandingArea, edition: str, family: str) -> str | None:
    digest = hashlib.sha256()
    found = False
    for path in landing.files(edition):
        try:
            fmt = sources.detect(path)
        except SourceError:
            continue  # unrecognised files are reported by the landing_inventory asset
        if fmt.family == family:
            found = True
            digest.update(path.name.encode() + b"\0" + sha256_file(path).encode() + b"\0")
    return digest.hexdigest() if found else None


def landing_source(family: str, description: str) -> dg.SourceAsset:
    @dg.observable_source_asset(
        name=f"landing_{family}",
        group_name="sources",
        partitions_def=editions,
        description=f"Landing-area deliveries: {description}. Data version: sha256 over the family's files.",
        tags={"techpact/stage": "sources", DOMAIN_TAG: family_domain(family)},
        owners=["team:ptvt-monitor"],
    )
    def _observe(landing: LandingArea) -> dg.DataVersionsByPartition:
        versions = {}
        for edition in editions.get_partition_keys():
            fingerprint = family_fingerprint(landing, edition, family)
            if fingerprint:
                versions[edition] = fingerprint
        return dg.DataVersionsByPartition(versions)

    return _observe


def reference_source(name: str, paths: list[str]) -> dg.SourceAsset:
    @dg.observable_source_asset(
        name=name,
        group_name="sources",
        owners=["team:ptvt-monitor"],
        description="Versioned reference tables: " + ", ".join(f"reference/{p}" for p in paths),
        tags={"techpact/stage": "sources"},
    )
    def _observe() -> dg.DataVersion:
        tables = [reference.load(p) for p in paths]
        return dg.DataVersion(hashlib.sha256("".join(t.sha256 for t in tables).encode()).hexdigest())

    return _observe


landing_sources = [landing_source(family, text) for family, text in FAMILIES.items()]
reference_sources = [reference_source(name, paths) for name, paths in REFERENCE_SOURCES.items()]
