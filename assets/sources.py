"""Stage 1, sources: the landing area's deliveries and the reference tables as observable sources.

A delivery family's data version per edition is the sha256 over its files (name and content);
a reference table's data version is its file's sha256. Every materialisation downstream records
these as `dagster/input_data_version/...`, and the UI marks assets stale when they change.
"""


import hashlib

import dagster as dg

from assets.partitions import editions
from pipeline import reference, sources
from pipeline.dagster_support import LandingArea
from pipeline.problems import SourceError
from pipeline.sources.files import sha256_file

FAMILIES = {
    "duo_ho_first_years": "DUO first-year enrolments hbo and wo (03b-eerstejaars-ingeschrevenen-*)",
}
REFERENCE_SOURCES = {
    "reference_stem_ho": ["stem/nl_ho_programmes.csv", "stem/isced_ho_programmes.csv"],
    "reference_indicator_catalogue": ["indicators/catalogue.csv"],
    "reference_indicator_targets": ["indicators/targets.csv"],
    "reference_indicator_parameters": ["indicators/parameters.csv", "indicators/period_flags.csv",
                                       "indicators/tension_classes.csv"],
    "reference_regions": ["regions/municipalities.csv", "regions/municipal_mergers.csv",
                          "regions/municipal_split_parts.csv"],
}


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
        name=f"landing_{family}", group_name="sources", partitions_def=editions,
        description=f"Landing-area deliveries: {description}. Data version: sha256 over the family's files.",
        tags={"techpact/stage": "sources"}, owners=["team:ptvt-monitor"],
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
        name=name, group_name="sources", owners=["team:ptvt-monitor"],
        description="Versioned reference tables: " + ", ".join(f"reference/{p}" for p in paths),
        tags={"techpact/stage": "sources"},
    )
    def _observe() -> dg.DataVersion:
        tables = [reference.load(p) for p in paths]
        return dg.DataVersion(hashlib.sha256("".join(t.sha256 for t in tables).encode()).hexdigest())

    return _observe


landing_sources = [landing_source(family, text) for family, text in FAMILIES.items()]
reference_sources = [reference_source(name, paths) for name, paths in REFERENCE_SOURCES.items()]
