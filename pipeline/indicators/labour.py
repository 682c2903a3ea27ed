"""Indicators of the labour market: persons employed in technical and ICT occupations (CBS),
unemployment of the technically educated (CBS custom table), open vacancies in technical and ICT
occupations and the tension indicator (UWV).

- Which occupations are technical, and which of them ICT, is the Dutch STEM table
  `reference/stem/nl_technical_occupations.csv` (`is_stem`, and `cluster` = ICT). An occupation code
  of a source that the table does not know stops the run (`classify.ClassificationError`, with file
  and lines); an occupation group the table counts but a source lacks stops it too.
- CBS publishes nationally and controls disclosure itself: its counts (persons; StatLine's
  'x 1 000' multiplied out by the parser) are published as they are, a cell CBS does not publish is
  carried as suppressed (`rule` 'source:suppressed'), and only where a suppressed cell could be
  recomputed as T = M + V is one more sex suppressed ('secondary:sex'). CBS's provisional periods
  carry the flag 'provisional'. Growth is measured from the edition's base year
  (reference/editions/editions.csv).
- UWV's tension indicator is open vacancies / persons on short unemployment benefit per
  arbeidsmarktregio and occupation group. Both counts are protected per quarter and group across
  the arbeidsmarktregio's and the national sum (`protect_parts`), the value is their ratio. Its
  class follows from the value by reference/indicators/tension_classes.csv (`tension_class`); it is
  not part of the breakdown, which identifies a figure across quarters and editions (a revised
  value may change class). Regions are the ones UWV reports for the quarter: the boundary year is
  the year of the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import classify, disclosure, editions, reference, regions
from pipeline.indicators import cells as c
from pipeline.indicators import register
from pipeline.problems import SourceError, problem
from schemas.indicators import COLUMNS

OCCUPATION_TABLE = "stem/nl_technical_occupations.csv"
ICT_CLUSTER = "ICT"  # the `cluster` value of reference/stem/nl_technical_occupations.csv for ICT occupations
TOTAL = "T"  # CBS's and UWV's code of a total (all occupations, all levels, all fields)
TECHNICAL_FIELDS = "TECHNIEK"  # CBS's total of the technical fields of education (schemas.core_labour)
NATIONAL = {"region_level": "national", "region_code": regions.NATIONAL_CODE, "region_name": regions.NATIONAL_NAME}
SOURCE_SUPPRESSED = "source:suppressed"

EMPLOYMENT = (
    "employed_technical_occupations",
    "employed_technical_occupations_growth",
    "employed_technical_occupations_women_share",
    "employed_ict_occupations",
)
UNEMPLOYMENT = ("unemployment_rate_technically_educated", "unemployment_rate_labour_force")
VACANCIES = {"technical": "vacancies_technical_occupations", "ict": "vacancies_ict_occupations"}


# --- the long layout for figures the source publishes itself --------------------------------------


def published(indicator_id: str, cells: pd.DataFrame, unit: str, ctx: c.Context) -> pd.DataFrame:
    """Rows of the indicator table from cells with `period, breakdown, sex, numerator, denominator,
    value, suppressed, provisional, rule` (region columns and `boundary_year` optional: national, none).
    Suppressed cells publish no numbers; the bounds of a source's exact figure are the value."""
    cells = cells.reset_index(drop=True)
    for column, default in (*NATIONAL.items(), ("boundary_year", pd.NA)):
        if column not in cells.columns:
            cells[column] = default
    hide = cells["suppressed"].to_numpy(dtype=bool)
    flags = [
        ";".join(f for f, on in (("suppressed", s), ("provisional", p)) if on)
        for s, p in zip(hide, cells["provisional"].to_numpy(dtype=bool))
    ]
    out = pd.DataFrame(
        {
            "indicator_id": indicator_id,
            "definition": "none",
            "edition": ctx.edition,
            **{k: cells[k].astype(str).to_numpy() for k in ("period", *NATIONAL, "sex", "breakdown")},
            "unit": unit,
            "flag": flags,
            "rule": cells["rule"].to_numpy(),
            "boundary_year": cells["boundary_year"].astype("Int64").to_numpy(),
        }
    )
    for column in ("numerator", "denominator", "value"):
        out[column] = np.where(hide, np.nan, cells[column].astype(float))
    out["value_low"] = out["value"]
    out["value_high"] = out["value"]
    return out[COLUMNS]


def divide(num: pd.DataFrame, den: pd.DataFrame, on: list[str], scale: float, digits: int) -> pd.DataFrame:
    """num `count` / den `count` cell by cell (`on` aligns them); suppressed if either is, with the
    rule of the part that was ('numerator ...' / 'denominator ...'). Cells without a denominator
    (0) have no value and are left out, as in cells._combine."""
    joined = num.merge(den, on=on, suffixes=("", "_den"), validate="many_to_one")
    joined = joined[joined["count_den"] != 0]
    joined["numerator"] = joined["count"]
    joined["denominator"] = joined["count_den"]
    joined["value"] = (scale * joined["count"] / joined["count_den"]).round(digits)
    joined["rule"] = np.where(
        joined["rule"] != "",
        "numerator " + joined["rule"],
        np.where(joined["rule_den"] != "", "denominator " + joined["rule_den"], ""),
    )
    joined["suppressed"] = joined["suppressed"] | joined["suppressed_den"]
    joined["provisional"] = joined["provisional"] | joined["provisional_den"]
    return joined


def complete_sexes(cells: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Where exactly one of T, M, V of a cell is suppressed, T = M + V would give it away: the
    smallest of the other two is suppressed as well ('secondary:sex')."""
    cells = cells.reset_index(drop=True).copy()
    for _, group in cells.groupby(keys, sort=True):
        if set(group["sex"]) != {"T", "M", "V"} or int(group["suppressed"].sum()) != 1:
            continue
        shown = group[~group["suppressed"]]
        smallest = shown["count"].astype(float).idxmin()
        cells.loc[smallest, ["suppressed", "rule"]] = [True, "secondary:sex"]
    return cells


# --- occupations: which source rows add up to the technical (ICT, ...) occupations -------------------


def occupation_table() -> pd.DataFrame:
    table = classify.load_definition(OCCUPATION_TABLE).frame
    table["is_stem"] = reference.as_bool(table["is_stem"])
    if ICT_CLUSTER not in set(table["cluster"]):
        raise reference.ReferenceError(f"{OCCUPATION_TABLE} has no occupation with cluster {ICT_CLUSTER!r}")
    return table


def valid_groups(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The table's occupation groups (4 digits) that apply to data of `year`."""
    end = pd.to_numeric(table["valid_to"].replace("", "9999"))
    return table[(table["code"].str.len() == 4) & (pd.to_numeric(table["valid_from"]) <= year) & (end >= year)]


def check_codes(frame: pd.DataFrame, name_column: str) -> None:
    """Every occupation code of a source is in the STEM occupation table (else ClassificationError)."""
    spec = classify.Classification(
        core="labour",
        model="schemas.core_labour:EmploymentByOccupation",
        code_column="occupation_code",
        name_column=name_column,
        tables={"nl": OCCUPATION_TABLE},
        total_codes=(TOTAL,),
    )
    classify.classify(frame, spec)


def units(wanted: set[str], groups: pd.DataFrame, present: set[str]) -> list[str]:
    """Source codes whose rows add up to exactly the `wanted` occupation groups: a class all of whose
    groups are wanted counts by its own row where the source has one, otherwise by its groups."""
    out = []
    for cls, members in groups.groupby("brc_class", sort=True):
        chosen = set(members["code"]) & wanted
        if not chosen:
            continue
        out += [cls] if chosen == set(members["code"]) and cls in present else sorted(chosen)
    return out


def employment_periods(core: pd.DataFrame) -> pd.DataFrame:
    """Yearly figures; a year CBS gives only by quarter is published by quarter (monthly figures,
    which 85276NED does not have, are not used)."""
    yearly = set(core.loc[core["period_type"] == "year", "year"])
    keep = (core["period_type"] == "year") | ((core["period_type"] == "quarter") & ~core["year"].isin(yearly))
    return core[keep]


def all_persons(frame: pd.DataFrame) -> pd.Series:
    """Rows of CBS's total over its personal characteristics ('Totaal personen')."""
    return frame["characteristic"].str.lower().str.startswith("totaal")


def employment_sums(
    core: pd.DataFrame, selections: dict[str, set[str]], table: pd.DataFrame, name: str = "employment"
) -> pd.DataFrame:
    """Per selection (breakdown text -> wanted occupation groups), period, sex and characteristic:
    the sum of the source rows that make up the selection. A part CBS does not publish makes the
    sum unknown (suppressed); a part the source lacks is an error. With a lineage trace active the
    rows of the published cells are recorded as cube `name` (`trace_sums`)."""
    frames, lacking_years = [], {}
    for year, rows in core.groupby("year", sort=True):
        groups = valid_groups(table, int(year))
        present = set(rows["occupation_code"])
        cells = rows[["period", "sex", "characteristic"]].drop_duplicates()
        for breakdown, wanted in selections.items():
            codes = units(wanted, groups, present)
            missing = sorted(set(codes) - present)
            part = rows[rows["occupation_code"].isin(codes)]
            counted = (
                part.assign(unknown=part["count"].isna())
                .groupby(["period", "sex", "characteristic"], sort=True)
                .agg(
                    count=("count", "sum"),
                    unknown=("unknown", "any"),
                    suppressed=("suppressed", "any"),
                    provisional=("provisional", "any"),
                    parts=("occupation_code", "nunique"),
                )
            )
            counted["count"] = (
                counted["count"].astype(float).where(~counted.pop("unknown"))
            )  # a part unknown: the sum too
            counted = cells.merge(counted.reset_index(), how="left", on=["period", "sex", "characteristic"])
            lacking = counted[counted["parts"].fillna(0) != len(codes)]
            if missing or not lacking.empty:
                what = ", ".join(missing) or f"rows of {len(lacking)} period/sex/characteristic cells"
                lacking_years.setdefault((rows["source_file"].iat[0], breakdown, what), []).append(int(year))
                continue
            frames.append(counted.drop(columns="parts").assign(breakdown=breakdown))
            trace_sums(name, part, breakdown)
    if lacking_years:
        raise SourceError(
            [
                problem(
                    file,
                    None,
                    "occupation_code",
                    f"the source lacks occupations ({what}) that {OCCUPATION_TABLE} counts for "
                    f"'{breakdown or 'all technical occupations'}' in {years[0]}-{years[-1]} "
                    f"({len(years)} years); the figure cannot be computed without them",
                )
                for (file, breakdown, what), years in sorted(lacking_years.items())
            ]
        )
    out = pd.concat(frames, ignore_index=True)
    out["count"] = out["count"].astype(float)
    out["rule"] = np.where(out["suppressed"], SOURCE_SUPPRESSED, "")
    return out


def trace_sums(name: str, part: pd.DataFrame, selection: str) -> None:
    """Record the rows of one selection as they are published: totals over all persons under the
    selection's breakdown, the characteristics (age, ...) of the whole selection under theirs."""
    trace = c.active_trace()
    if trace is None:
        return
    total = all_persons(part)
    if selection:
        part = part[total]
        breakdown = pd.Series(selection, index=part.index)
    else:
        breakdown = ("characteristic=" + part["characteristic"]).where(~total, "")
    counted = part.assign(_count=part["count"].astype(float))
    trace.add_rows(name, counted, low="_count", high="_count", breakdown=breakdown, sex=part["sex"])


def published_counts(indicator_id: str, counts: pd.DataFrame, cube: str, ctx: c.Context) -> pd.DataFrame:
    """The counts of `employment_sums` as published rows (the rows of cube `cube` in a trace)."""
    rows = published(
        indicator_id, counts.assign(numerator=counts["count"], denominator=np.nan, value=counts["count"]), "count", ctx
    )
    return c.traced(indicator_id, "count", rows, numerator=cube)


@register(table="employment_by_occupation", source_family="cbs_employment", indicators=EMPLOYMENT)
def employment(core: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Persons employed in technical occupations (in all, by type, by the source's characteristics
    such as age), their growth since the edition's base year and the share of women; persons in ICT
    occupations (in all and per occupation group). National, by sex, per year."""
    check_codes(core, "occupation_label")
    table = occupation_table()
    frame = employment_periods(core)
    technical = table[table["is_stem"] & (table["code"].str.len() == 4)]
    ict = technical[technical["cluster"] == ICT_CLUSTER]
    selections = {"": set(technical["code"])}
    selections |= {f"occupation_type={t}": set(g["code"]) for t, g in technical.groupby("cluster", sort=True)}
    ict_selections = {"": set(ict["code"])} | {f"occupation={code}": {code} for code in sorted(ict["code"])}
    is_total = all_persons(frame)
    if frame.loc[is_total, "characteristic"].nunique() != 1:
        raise SourceError(
            [
                problem(
                    frame["source_file"].iat[0],
                    None,
                    "characteristic",
                    f"expected one total characteristic ('Totaal ...'), found "
                    f"{sorted(set(frame.loc[is_total, 'characteristic']))}",
                )
            ]
        )
    sums = employment_sums(frame, selections, table, "employment:technical")
    totals = sums[all_persons(sums)].drop(columns="characteristic")
    by_characteristic = sums[(sums["breakdown"] == "") & ~all_persons(sums)]
    by_characteristic = by_characteristic.assign(breakdown="characteristic=" + by_characteristic["characteristic"])
    counts = complete_sexes(
        pd.concat([totals, by_characteristic.drop(columns="characteristic")], ignore_index=True),
        ["period", "breakdown"],
    )
    ict_sums = employment_sums(frame, ict_selections, table, "employment:ict")
    ict_counts = complete_sexes(ict_sums[all_persons(ict_sums)], ["period", "breakdown"])
    all_technical = counts[counts["breakdown"] == ""]
    women = divide(
        all_technical[all_technical["sex"] == "V"],
        all_technical[all_technical["sex"] == "T"].drop(columns="sex"),
        ["period", "breakdown"],
        100.0,
        2,
    )
    technical_cube, ict_cube = "employment:technical", "employment:ict"
    out = [
        published_counts("employed_technical_occupations", counts, technical_cube, ctx),
        c.traced(
            "employed_technical_occupations_women_share",
            "divide",
            published("employed_technical_occupations_women_share", women.assign(sex="T"), "percent", ctx),
            numerator=technical_cube,
            denominator=technical_cube,
            numerator_sex="V",
            denominator_sex="T",
            scale=100.0,
            digits=2,
        ),
        published_counts("employed_ict_occupations", ict_counts, ict_cube, ctx),
    ]
    base_year = editions.get(ctx.edition).base_year
    growth = growth_cells(all_technical, base_year)
    if not growth.empty:
        out.append(
            c.traced(
                "employed_technical_occupations_growth",
                "growth",
                published("employed_technical_occupations_growth", growth, "percent", ctx),
                numerator=technical_cube,
                denominator=technical_cube,
                base_period=str(base_year),
                scale=100.0,
                digits=2,
            )
        )
    return pd.concat(out, ignore_index=True)


def growth_cells(counts: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """(count in the year - count in the base year) / count in the base year, per sex, for every
    later year; none when the source does not reach back to the base year."""
    yearly = counts[counts["period"].str.fullmatch(r"\d{4}")]
    base = yearly[yearly["period"] == str(base_year)].drop(columns="period")
    later = yearly[yearly["period"] > str(base_year)]
    if base.empty:
        return base
    change = later.merge(
        base[["sex", "breakdown", "count", "suppressed"]], on=["sex", "breakdown"], suffixes=("", "_base")
    )
    change["count"] = change["count"] - change["count_base"]
    change["suppressed"] = change["suppressed"] | change["suppressed_base"]
    change = change.drop(columns=["count_base", "suppressed_base"])
    return divide(change, base, ["sex", "breakdown"], 100.0, 2)


# --- unemployment ---------------------------------------------------------------------------------


@register(table="unemployment_by_education", source_family="cbs_unemployment", indicators=UNEMPLOYMENT)
def unemployment(core: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """ILO unemployment rate of the technically educated (CBS's total of the technical fields) and
    of the whole labour force, as CBS publishes it (from unrounded figures), by sex and education
    level, per year. Numerator and denominator are CBS's rounded counts."""
    out = []
    for indicator_id, field in zip(UNEMPLOYMENT, (TECHNICAL_FIELDS, TOTAL)):
        rows = core[core["field_of_education"] == field]
        if rows.empty:
            continue
        suppressed = rows["suppressed"] | rows["unemployment_rate"].isna()
        cells = pd.DataFrame(
            {
                "period": rows["year"].astype(str),
                "sex": rows["sex"],
                "breakdown": np.where(
                    rows["education_level"] == TOTAL, "", "education_level=" + rows["education_level"]
                ),
                "numerator": rows["unemployed"].astype(float),
                "denominator": rows["labour_force"].astype(float),
                "value": rows["unemployment_rate"].astype(float),
                "suppressed": suppressed,
                "provisional": False,
                "rule": np.where(suppressed, SOURCE_SUPPRESSED, ""),
            }
        )
        trace = c.active_trace()
        if trace is not None:
            for part, column in (
                ("numerator", "unemployed"),
                ("denominator", "labour_force"),
                ("value", "unemployment_rate"),
            ):
                trace.add_rows(
                    f"{indicator_id}:{part}",
                    rows,
                    low=column,
                    high=column,
                    period="year",
                    breakdown=pd.Series(cells["breakdown"].to_numpy(), index=rows.index),
                    sex=rows["sex"],
                )
        out.append(
            c.traced(
                indicator_id,
                "source",
                published(indicator_id, cells, "percent", ctx),
                numerator=f"{indicator_id}:numerator",
                denominator=f"{indicator_id}:denominator",
                value=f"{indicator_id}:value",
            )
        )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=COLUMNS)


# --- UWV vacancies --------------------------------------------------------------------------------


@register(table="vacancies_by_occupation", source_family="uwv_vacancies", indicators=tuple(VACANCIES.values()))
def vacancies(core: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Open vacancies in technical and ICT occupations (UWV's estimate and lists), per quarter, in
    all and per occupation level 1-4, as UWV publishes them."""
    out = []
    for group, indicator_id in VACANCIES.items():
        rows = core[core["occupation_group"] == group]
        cells = pd.DataFrame(
            {
                "period": rows["period"],
                "sex": "T",
                "breakdown": np.where(
                    rows["occupation_level"] == TOTAL, "", "occupation_level=" + rows["occupation_level"]
                ),
                "numerator": rows["count"].astype(float),
                "denominator": np.nan,
                "value": rows["count"].astype(float),
                "suppressed": False,
                "provisional": False,
                "rule": "",
            }
        )
        trace = c.active_trace()
        if trace is not None:
            trace.add_rows(
                indicator_id,
                rows,
                low="count",
                high="count",
                breakdown=pd.Series(cells["breakdown"].to_numpy(), index=rows.index),
            )
        out.append(
            c.traced(indicator_id, "count", published(indicator_id, cells, "count", ctx), numerator=indicator_id)
        )
    return pd.concat(out, ignore_index=True)


# --- UWV tension indicator ------------------------------------------------------------------------


def protect_parts(cells: pd.DataFrame, part_level: str | None, ctx: c.Context) -> pd.DataFrame:
    """Disclosure control of cubes whose regions are the national figure and one level that
    partitions it (`part_level`, e.g. arbeidsmarktregio for a source without municipalities; None:
    national only). The national cell is the sum of the parts, as a region is the sum of its
    municipalities in disclosure.protect, which is run with the parts in the municipalities' place."""
    work = cells.reset_index(drop=True)
    parts = work["region_level"] == part_level
    members = {("national", regions.NATIONAL_CODE): frozenset(work.loc[parts, "region_code"])}
    stand_in = work.assign(region_level=np.where(parts, "municipality", work["region_level"]), boundary_year=0)
    out = disclosure.protect(stand_in, ["cube", "definition", "period", "breakdown"], {0: members}, ctx.params)
    out = out.assign(region_level=work["region_level"].to_numpy(), boundary_year=work["boundary_year"].to_numpy())
    disclosure.record(out)
    return out


def tension_class(values: pd.Series) -> pd.Series:
    """Class number of each value (reference/indicators/tension_classes.csv: lower <= v < upper);
    '' for a value that is not published."""
    table = reference.load("indicators/tension_classes.csv").frame
    out = pd.Series("", index=values.index, dtype=str)
    for number, lower, upper in zip(table["class"], table["lower"], table["upper"]):
        out[(values >= float(lower)) & (values < (float(upper) if upper != "" else np.inf))] = number
    return out


@register(table="labour_market_tension", source_family="uwv_tension", indicators=("labour_market_tension",))
def tension(core: pd.DataFrame, ctx: c.Context) -> pd.DataFrame:
    """Open vacancies per person on short unemployment benefit, for the technical occupations (all
    groups the STEM table counts) and the ICT occupations, per quarter, per arbeidsmarktregio and
    nationally (the sum over the regions)."""
    names = reference.load("labour/brc2014_occupations.csv").frame.set_index("code")["name"]
    check_codes(core.assign(occupation_name=core["occupation_code"].map(names).fillna("")), "occupation_name")
    table = occupation_table()
    am_names = reference.load("regions/arbeidsmarktregios.csv").frame.set_index("code")["name"]
    cubes = []
    for year, rows in core.groupby("year", sort=True):
        technical = valid_groups(table, int(year))
        technical = technical[technical["is_stem"]]
        for group, codes in (
            ("technical", technical["code"]),
            ("ict", technical.loc[technical["cluster"] == ICT_CLUSTER, "code"]),
        ):
            part = rows[rows["occupation_code"].isin(set(codes))]
            trace = c.active_trace()
            if trace is not None:
                for cube, column in (("tension:vacancies", "vacancies"), ("tension:benefits", "short_term_benefits")):
                    trace.add_rows(
                        cube,
                        part,
                        low=column,
                        high=column,
                        breakdown=f"occupation_group={group}",
                        place="arbeidsmarktregio_code",
                        place_level="arbeidsmarktregio",
                    )
            regional = part.groupby(["period", "arbeidsmarktregio_code"], as_index=False, sort=True)[
                ["vacancies", "short_term_benefits"]
            ].sum()
            regional = regional.rename(columns={"arbeidsmarktregio_code": "region_code"}).assign(
                region_level="arbeidsmarktregio", region_name=lambda f: f["region_code"].map(am_names)
            )
            national = (
                regional.groupby("period", as_index=False)[["vacancies", "short_term_benefits"]]
                .sum()
                .assign(**NATIONAL)
            )
            both = pd.concat([national, regional], ignore_index=True).assign(
                definition="none", breakdown=f"occupation_group={group}", sex="T", boundary_year=int(year)
            )
            for cube, column in (("tension:vacancies", "vacancies"), ("tension:benefits", "short_term_benefits")):
                cubes.append(both.assign(cube=cube, low=both[column].astype(float), high=both[column].astype(float)))
    cells = protect_parts(
        pd.concat(cubes, ignore_index=True)[["cube", *c.CELL_KEYS, "low", "high", "boundary_year"]],
        "arbeidsmarktregio",
        ctx,
    )
    return c.ratio("labour_market_tension", cells, "tension:vacancies", "tension:benefits", ctx)
