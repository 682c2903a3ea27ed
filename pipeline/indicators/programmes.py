"""Indicators of the Pact's programmes from their registers (core table programme_participation):
companies in Jet-Net & TechNet, MKB!dee projects and the share of the MKB!dee budget for small firms.

- Companies are counted once per year however many schools they partner with. A company that
  partners with schools in several regions would count in each, so regional counts would not add
  up to the national one: companies are published nationally only.
- MKB!dee projects are counted per year of funding, nationally and per Techniekpact region (the
  register names the region of each project). Counts of companies and projects go through the
  same disclosure control as counts of persons (threshold of reference/indicators/parameters.csv,
  the national figure being the sum of the regions). The register names each project's region
  itself; no municipal division is involved, so no boundary year is recorded.
- The budget share is euros of grants to firms of the small size classes (parameter
  `mkbidee_small_firm_size_classes`) over all grants, nationally and per region; grants are
  amounts paid to firms, not counts of persons, and are not suppressed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import reference
from pipeline.indicators import cells as c
from pipeline.indicators import labour, register
from pipeline.problems import SourceError, problem
from schemas.indicators import COLUMNS
from schemas.raw_labour import FIRM_SIZE_CLASSES

PROGRAMME_INDICATORS = ("jet_net_technet_companies", "mkbidee_projects", "mkbidee_small_firm_budget_share")


def small_firm_classes() -> set[str]:
    value = reference.load("indicators/parameters.csv").frame.set_index("parameter")["value"][
        "mkbidee_small_firm_size_classes"
    ]
    classes = {part.strip() for part in value.split(";") if part.strip()}
    unknown = classes - set(FIRM_SIZE_CLASSES)
    if unknown or not classes:
        raise reference.ReferenceError(
            f"mkbidee_small_firm_size_classes in reference/indicators/parameters.csv names "
            f"{sorted(unknown) or 'no class'}; the register's classes are {FIRM_SIZE_CLASSES}"
        )
    return classes


def regional(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sums of `columns` per year, nationally and per Techniekpact region of the register."""
    names = reference.load("regions/techniekpact_regions.csv").frame.set_index("code")["name"]
    by_region = frame.groupby(["year", "region_code"], as_index=False, sort=True)[columns].sum()
    by_region = by_region.assign(region_level="techniekpact", region_name=by_region["region_code"].map(names))
    national = frame.groupby("year", as_index=False, sort=True)[columns].sum().assign(**labour.NATIONAL)
    both = pd.concat([national, by_region], ignore_index=True)
    return both.assign(period=both["year"].astype(str), definition="none", breakdown="", sex="T", boundary_year=pd.NA)


@register(
    table="programme_participation",
    source_family="registers_jetnet_technet;registers_mkbidee",
    indicators=PROGRAMME_INDICATORS,
)
def programmes(core: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Companies in Jet-Net & TechNet (national), MKB!dee projects and the small firms' share of the
    MKB!dee budget (national and per Techniekpact region), per year."""
    partnerships = core[core["unit"] == "partnership"]
    projects = core[core["unit"] == "project"]
    cubes = []
    if not partnerships.empty:
        companies = partnerships.groupby("year", as_index=False, sort=True)["company"].nunique()
        cubes.append(
            pd.DataFrame(
                {
                    "cube": "companies",
                    "definition": "none",
                    "period": companies["year"].astype(str),
                    "breakdown": "",
                    **labour.NATIONAL,
                    "sex": "T",
                    "low": companies["company"].astype(float),
                    "high": companies["company"].astype(float),
                    "boundary_year": pd.NA,
                }
            )
        )
    if not projects.empty:
        counted = regional(projects, ["count"])
        cubes.append(
            counted.assign(cube="projects", low=counted["count"].astype(float), high=counted["count"].astype(float))
        )
    if not cubes:
        return pd.DataFrame(columns=COLUMNS)
    cells = pd.concat(cubes, ignore_index=True)[["cube", *c.CELL_KEYS, "low", "high", "boundary_year"]]
    cells = labour.protect_parts(cells, "techniekpact", ctx)
    trace = c.active_trace()
    if trace is not None:
        if not partnerships.empty:
            trace.add_rows(
                "companies", partnerships.assign(_one=1.0), low="_one", high="_one", period="year", distinct="company"
            )
        if not projects.empty:
            trace.add_rows(
                "projects",
                projects,
                low="count",
                high="count",
                period="year",
                place="region_code",
                place_level="techniekpact",
            )
    out = []
    if not partnerships.empty:
        out.append(c.count("jet_net_technet_companies", cells, "companies", ctx))
    if not projects.empty:
        out += [c.count("mkbidee_projects", cells, "projects", ctx), budget_share(projects, ctx)]
    return pd.concat(out, ignore_index=True)


def budget_share(projects: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    missing = projects[projects["grant_eur"].isna()]
    if not missing.empty:
        raise SourceError(
            [
                problem(r.source_file, int(r.source_line), "grant_eur", f"project {r.project_code} has no grant")
                for r in missing.itertuples(index=False)
            ]
        )
    small = projects["firm_size_class"].isin(small_firm_classes())
    sums = regional(projects.assign(small=np.where(small, projects["grant_eur"], 0.0)), ["small", "grant_eur"])
    cells = sums.assign(
        numerator=sums["small"],
        denominator=sums["grant_eur"],
        value=(100.0 * sums["small"] / sums["grant_eur"]).round(2),
        suppressed=False,
        provisional=False,
        rule="",
    )
    trace = c.active_trace()
    if trace is not None:
        amounts = projects.assign(small=np.where(small, projects["grant_eur"], 0.0))
        for cube, column in (("budget:small", "small"), ("budget:all", "grant_eur")):
            trace.add_rows(
                cube, amounts, low=column, high=column, period="year", place="region_code", place_level="techniekpact"
            )
    indicator_id = "mkbidee_small_firm_budget_share"
    out = labour.published(indicator_id, cells[cells["grant_eur"] > 0], "percent", ctx)
    return c.traced(
        indicator_id, "divide", out, numerator="budget:small", denominator="budget:all", scale=100.0, digits=2
    )
