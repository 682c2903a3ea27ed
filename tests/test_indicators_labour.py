"""Labour-market and programme indicators (issue 5) on the generated sample: every figure is
recomputed here with plain pandas from the core tables and the reference tables, flags of the
sources travel into the published cells, and codes the STEM occupation table does not know stop
the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline import classify, editions, indicators, sources
from pipeline.core import labour as core_labour
from pipeline.core import registers as core_registers
from pipeline.indicators import checks
from pipeline.indicators import labour as labour_indicators
from pipeline.problems import SourceError
from pipeline.settings import REFERENCE_DIR

EDITION = "2024"
LABOUR_FAMILIES = {
    "cbs_employment",
    "cbs_unemployment",
    "uwv_vacancies",
    "uwv_tension",
    "registers_jetnet_technet",
    "registers_mkbidee",
}
MINE = {
    "employed_technical_occupations",
    "employed_technical_occupations_growth",
    "employed_technical_occupations_women_share",
    "employed_ict_occupations",
    "unemployment_rate_technically_educated",
    "unemployment_rate_labour_force",
    "vacancies_technical_occupations",
    "vacancies_ict_occupations",
    "labour_market_tension",
    "jet_net_technet_companies",
    "mkbidee_projects",
    "mkbidee_small_firm_budget_share",
}


@pytest.fixture(scope="module")
def core(sample_dir) -> dict[str, pd.DataFrame]:
    """The labour and programme core tables of the sample's edition 2024, built without Dagster."""
    raw: dict[str, list[pd.DataFrame]] = {}
    for path in sources.delivery_files(sample_dir / EDITION):
        fmt = sources.detect(path)
        if fmt.family in LABOUR_FAMILIES:
            raw.setdefault(fmt.family, []).append(fmt.parse(path).frame)
    raw_frames = {family: pd.concat(frames, ignore_index=True) for family, frames in raw.items()}
    last = editions.get(EDITION).labour_last_year
    return {
        "employment_by_occupation": core_labour.employment_by_occupation(raw_frames["cbs_employment"], EDITION, last),
        "unemployment_by_education": core_labour.unemployment_by_education(
            raw_frames["cbs_unemployment"], EDITION, last
        ),
        "vacancies_by_occupation": core_labour.vacancies_by_occupation(raw_frames["uwv_vacancies"], EDITION, last),
        "labour_market_tension": core_labour.labour_market_tension(raw_frames["uwv_tension"], EDITION, last),
        "programme_participation": core_registers.programme_participation(
            raw_frames["registers_jetnet_technet"], raw_frames["registers_mkbidee"], EDITION, last
        ),
    }


@pytest.fixture(scope="module")
def built(core):
    return indicators.compute(core, EDITION)


def cells(frame: pd.DataFrame, indicator_id: str, **where) -> pd.DataFrame:
    part = frame[frame["indicator_id"] == indicator_id]
    for column, value in where.items():
        part = part[part[column] == value]
    return part


def technical_groups() -> pd.DataFrame:
    table = pd.read_csv(REFERENCE_DIR / "stem" / "nl_technical_occupations.csv", dtype=str, keep_default_na=False)
    return table[(table["is_stem"] == "true") & (table["code"].str.len() == 4)]


def occupation_rows(groups: pd.DataFrame, core_codes: set[str]) -> set[str]:
    """The rows of 85276NED that add up to `groups`: a class whose every group is in `groups` by
    its own row, the other groups by theirs (what CBS publishes for a class is its total)."""
    table = pd.read_csv(REFERENCE_DIR / "stem" / "nl_technical_occupations.csv", dtype=str, keep_default_na=False)
    all_groups = table[table["code"].str.len() == 4]
    rows = set()
    for cls, members in all_groups.groupby("brc_class"):
        wanted = set(members["code"]) & set(groups["code"])
        if wanted and wanted == set(members["code"]) and cls in core_codes:
            rows.add(cls)
        else:
            rows |= wanted
    return rows


def yearly_totals(employment: pd.DataFrame, codes: set[str]) -> pd.DataFrame:
    rows = employment[
        (employment["period_type"] == "year")
        & (employment["characteristic"] == "Totaal personen")
        & employment["occupation_code"].isin(codes)
    ]
    return rows.groupby(["year", "sex"]).agg(
        count=("count", "sum"), unknown=("suppressed", "any"), provisional=("provisional", "any")
    )


# ---------------------------------------------------------------- coverage and checks


def test_every_labour_indicator_the_sources_support_is_computed(built):
    frame, coverage = built
    status = coverage.set_index("indicator_id")["status"]
    assert set(status[status == "computed"].index) == MINE
    # no source in the pipeline gives the number of havo/vwo school locations next to the partnerships,
    # nor hard-to-fill teacher vacancies: these stay without a function
    assert status["jet_net_technet_school_coverage"] == "no_function"
    assert status["stem_teacher_vacancies_hard_to_fill_share"] == "no_function"
    assert set(frame["definition"]) == {"none"}
    result = checks.run(frame)
    assert result["passed"].all(), result.to_dict("records")


# ---------------------------------------------------------------- employment in technical and ICT occupations


def test_employment_in_technical_occupations_equals_the_sum_of_the_table_rows(core, built):
    frame, _ = built
    employment = core["employment_by_occupation"]
    groups = technical_groups()
    codes = occupation_rows(groups, set(employment["occupation_code"]))
    assert {"07", "08", "0531", "0533", "1031"} == codes  # classes 07 and 08 whole, three groups of other classes
    want = yearly_totals(employment, codes)
    got = cells(frame, "employed_technical_occupations", breakdown="").set_index(["period", "sex"])
    assert len(got) == len(want) == 11 * 3
    for (year, sex), row in want.iterrows():
        cell = got.loc[(str(year), sex)]
        assert not row["unknown"]
        assert (
            cell["value"] == cell["numerator"] == row["count"]
            and cell["value_low"] == cell["value_high"] == row["count"]
        )
        assert ("provisional" in cell["flag"]) == row["provisional"] == (year == 2023)
        assert pd.isna(cell["boundary_year"]) and cell["region_code"] == "NL01" and cell["unit"] == "count"
    # the other route, adding up every technical group, gives the same up to CBS's rounding per group
    by_group = yearly_totals(employment, set(groups["code"]))
    totals = got.xs("T", level="sex")["value"]
    for year in range(2013, 2024):
        assert abs(by_group.loc[(year, "T"), "count"] - totals[str(year)]) <= 500 * len(groups)


def test_growth_and_women_share_are_recomputed_from_the_counts(core, built):
    frame, _ = built
    employment = core["employment_by_occupation"]
    want = yearly_totals(employment, occupation_rows(technical_groups(), set(employment["occupation_code"])))["count"]
    base = editions.get(EDITION).base_year
    assert base == 2013
    growth = cells(frame, "employed_technical_occupations_growth").set_index(["period", "sex"])
    assert sorted(set(growth.index.get_level_values(0))) == [str(y) for y in range(2014, 2024)]
    for (period, sex), cell in growth.iterrows():
        now, then = want[(int(period), sex)], want[(base, sex)]
        assert cell["numerator"] == now - then and cell["denominator"] == then
        assert cell["value"] == pytest.approx(100 * (now - then) / then, abs=5e-3 + 1e-9)  # 2 decimals
    assert growth.loc[("2023", "T"), "value"] > 0
    women = cells(frame, "employed_technical_occupations_women_share").set_index("period")
    assert set(women["sex"]) == {"T"} and len(women) == 11
    for period, cell in women.iterrows():
        assert cell["numerator"] == want[(int(period), "V")] and cell["denominator"] == want[(int(period), "T")]
        assert cell["value"] == pytest.approx(
            100 * want[(int(period), "V")] / want[(int(period), "T")], abs=5e-3 + 1e-9
        )
    assert women.loc["2013", "value"] < women.loc["2023", "value"]


def test_ict_occupations_follow_the_table_cluster(core, built):
    frame, _ = built
    employment = core["employment_by_occupation"]
    ict = technical_groups()
    ict = ict[ict["cluster"] == "ICT"]
    codes = occupation_rows(ict, set(employment["occupation_code"]))
    assert codes == {"08", "0533"}
    want = yearly_totals(employment, codes)
    got = cells(frame, "employed_ict_occupations", breakdown="").set_index(["period", "sex"])["value"]
    assert {(str(y), s): v for (y, s), v in want["count"].items()} == got.to_dict()
    # per occupation group: CBS's own row, its suppression carried
    for code in sorted(ict["code"]):
        rows = employment[
            (employment["occupation_code"] == code)
            & (employment["period_type"] == "year")
            & (employment["characteristic"] == "Totaal personen")
        ]
        part = cells(frame, "employed_ict_occupations", breakdown=f"occupation={code}").set_index(["period", "sex"])
        assert len(part) == len(rows)
        for row in rows.itertuples():
            cell = part.loc[(str(row.year), row.sex)]
            if row.suppressed:
                assert "suppressed" in cell["flag"] and cell["rule"] == "source:suppressed" and np.isnan(cell["value"])
            elif "suppressed" not in cell["flag"]:
                assert cell["value"] == row.count


def test_cbs_suppression_is_carried_and_cannot_be_recovered_by_subtraction(core, built):
    frame, _ = built
    employment = core["employment_by_occupation"]
    by_type = cells(frame, "employed_technical_occupations")
    by_type = by_type[by_type["breakdown"].str.startswith("occupation_type=")]
    assert set(by_type["breakdown"]) == {
        "occupation_type=ICT",
        "occupation_type=overig technisch",
        "occupation_type=technisch ambachtelijk",
    }
    groups = technical_groups()
    for (period, breakdown), trio in by_type.groupby(["period", "breakdown"]):
        kind = breakdown.split("=", 1)[1]
        rows = employment[
            (employment["period"] == period)
            & (employment["characteristic"] == "Totaal personen")
            & employment["occupation_code"].isin(
                occupation_rows(groups[groups["cluster"] == kind], set(employment["occupation_code"]))
            )
        ]
        unknown = rows.groupby("sex")["suppressed"].any()
        counts = rows.groupby("sex")["count"].sum()
        by_sex = trio.set_index("sex")
        for sex in ("T", "M", "V"):
            cell = by_sex.loc[sex]
            if unknown[sex]:  # a part CBS does not publish: the sum is not published either
                assert cell["flag"].startswith("suppressed") and cell["rule"] == "source:suppressed"
            elif cell["rule"] == "secondary:sex":  # hidden so that T = M + V does not give the other away
                assert unknown.sum() == 1 and np.isnan(cell["value"])
            else:
                assert cell["value"] == counts[sex] and "suppressed" not in cell["flag"]
        assert trio["flag"].str.contains("suppressed").sum() != 1
    assert (by_type["rule"] == "source:suppressed").any() and (by_type["rule"] == "secondary:sex").any()
    assert checks.recoverable_by_subtraction(frame) == []


def test_an_occupation_code_the_table_does_not_know_stops_the_run(core):
    employment = core["employment_by_occupation"]
    odd = (
        employment[employment["occupation_code"] == "0531"]
        .head(1)
        .assign(occupation_code="0599", occupation_label="Onbekende managers")
    )
    with pytest.raises(classify.ClassificationError) as error:
        labour_indicators.employment(pd.concat([employment, odd], ignore_index=True), indicators.context(EDITION))
    text = str(error.value)
    assert "0599" in text and "Onbekende managers" in text and "85276NED.json" in text


def test_an_occupation_group_the_source_lacks_stops_the_run(core):
    employment = core["employment_by_occupation"]
    without = employment[employment["occupation_code"] != "1031"]
    with pytest.raises(SourceError) as error:
        labour_indicators.employment(without, indicators.context(EDITION))
    text = str(error.value)
    assert "1031" in text and "2013-2023" in text and "85276NED.json" in text


def test_a_year_cbs_gives_only_by_quarter_is_published_by_quarter(core):
    employment = core["employment_by_occupation"]
    quarterly_2023 = employment[~((employment["year"] == 2023) & (employment["period_type"] == "year"))]
    frame = labour_indicators.employment(quarterly_2023, indicators.context(EDITION))
    periods = set(cells(frame, "employed_technical_occupations")["period"])
    assert periods == {str(y) for y in range(2013, 2023)} | {f"2023-Q{q}" for q in range(1, 5)}
    # growth is yearly only
    assert set(cells(frame, "employed_technical_occupations_growth")["period"]) == {str(y) for y in range(2014, 2023)}
    quarter = cells(frame, "employed_technical_occupations", period="2023-Q2", breakdown="", sex="T")["value"].iat[0]
    rows = quarterly_2023[
        (quarterly_2023["period"] == "2023-Q2")
        & (quarterly_2023["sex"] == "T")
        & (quarterly_2023["characteristic"] == "Totaal personen")
        & quarterly_2023["occupation_code"].isin({"07", "08", "0531", "0533", "1031"})
    ]
    assert quarter == rows["count"].sum()


# ---------------------------------------------------------------- unemployment


def test_unemployment_rates_are_cbs_rates_with_its_suppression(core, built):
    frame, _ = built
    table = core["unemployment_by_education"]
    for indicator_id, field in (
        ("unemployment_rate_technically_educated", "TECHNIEK"),
        ("unemployment_rate_labour_force", "T"),
    ):
        rows = table[table["field_of_education"] == field]
        got = cells(frame, indicator_id).set_index(["period", "breakdown", "sex"])
        assert len(got) == len(rows) == 5 * 4 * 3
        for row in rows.itertuples():
            cell = got.loc[
                (str(row.year), "" if row.education_level == "T" else f"education_level={row.education_level}", row.sex)
            ]
            if row.suppressed:
                assert cell["flag"] == "suppressed" and np.isnan(cell["value"]) and np.isnan(cell["numerator"])
            else:
                assert cell["value"] == row.unemployment_rate
                assert (cell["numerator"], cell["denominator"]) == (row.unemployed, row.labour_force)
                # CBS's rate comes from unrounded figures; its rounded counts give nearly the same
                assert (
                    abs(100 * row.unemployed / row.labour_force - row.unemployment_rate)
                    < 0.5 + 100 * 500 / row.labour_force
                )
    assert (cells(frame, "unemployment_rate_technically_educated")["flag"] == "suppressed").any()
    technical = cells(frame, "unemployment_rate_technically_educated", breakdown="", sex="T").set_index("period")[
        "value"
    ]
    everyone = cells(frame, "unemployment_rate_labour_force", breakdown="", sex="T").set_index("period")["value"]
    assert (technical < everyone).all()


# ---------------------------------------------------------------- UWV vacancies and tension


def test_vacancies_are_uwv_counts_per_quarter_and_level(core, built):
    frame, _ = built
    table = core["vacancies_by_occupation"]
    for group, indicator_id in (("technical", "vacancies_technical_occupations"), ("ict", "vacancies_ict_occupations")):
        rows = table[table["occupation_group"] == group]
        want = {
            (r.period, "" if r.occupation_level == "T" else f"occupation_level={r.occupation_level}"): float(r.count)
            for r in rows.itertuples()
        }
        got = cells(frame, indicator_id).set_index(["period", "breakdown"])["value"].to_dict()
        assert got == want and len(want) == 7 * 4 * 5
        part = cells(frame, indicator_id)
        # UWV's revised method starts in 2017: the first figures of the series carry the break (period_flags.csv)
        assert (part.loc[part["period"].str.startswith("2017"), "flag"] == "break").all()
        assert (part.loc[~part["period"].str.startswith("2017"), "flag"] == "").all()


def test_tension_per_region_and_nationally_is_the_ratio_of_summed_counts(core, built):
    frame, _ = built
    table = core["labour_market_tension"]
    groups = technical_groups()
    got = cells(frame, "labour_market_tension").set_index(["period", "region_code", "breakdown"])
    compared = 0
    for name, codes in (
        ("technical", set(groups["code"])),
        ("ict", set(groups.loc[groups["cluster"] == "ICT", "code"])),
    ):
        rows = table[table["occupation_code"].isin(codes)]
        regional = rows.groupby(["period", "arbeidsmarktregio_code"])[["vacancies", "short_term_benefits"]].sum()
        national = rows.groupby("period")[["vacancies", "short_term_benefits"]].sum()
        expected = [((p, a), r) for (p, a), r in regional.iterrows()] + [
            ((p, "NL01"), r) for p, r in national.iterrows()
        ]
        for (period, region), row in expected:
            cell = got.loc[(period, region, f"occupation_group={name}")]
            assert cell["boundary_year"] == 2023 and cell["unit"] == "ratio"
            if "suppressed" in cell["flag"]:
                continue
            assert (cell["numerator"], cell["denominator"]) == (row["vacancies"], row["short_term_benefits"])
            assert cell["value"] == pytest.approx(
                row["vacancies"] / row["short_term_benefits"], abs=5e-4 + 1e-9
            )  # 3 decimals
            compared += 1
    assert compared == 2 * 4 * 36
    assert set(got.loc[got.index.get_level_values(1) != "NL01", "region_level"]) == {"arbeidsmarktregio"}
    assert got.loc[("2023-Q1", "AM01", "occupation_group=ict"), "region_name"] == "Groningen"


def test_tension_classes_follow_the_reference_table_like_uwv_types_them(core):
    table = core["labour_market_tension"]
    classes = pd.read_csv(REFERENCE_DIR / "indicators" / "tension_classes.csv", dtype=str, keep_default_na=False)
    number = dict(zip(classes["label_nl"], classes["class"]))
    rows = table[table["tension"].notna()]
    ours = labour_indicators.tension_class(rows["tension"])
    theirs = rows["tension_class"].map(number)
    edges = [float(v) for v in classes["lower"]]
    near_edge = rows["tension"].apply(lambda v: any(abs(v - e) <= 0.01 for e in edges))
    assert (ours[~near_edge] == theirs[~near_edge]).all() and (~near_edge).sum() > 10_000
    assert labour_indicators.tension_class(pd.Series([0.1, 0.67, 1.49, 4.0, np.nan])).tolist() == [
        "1",
        "3",
        "3",
        "5",
        "",
    ]


def test_small_tension_counts_are_suppressed_with_a_complement(core):
    table = core["labour_market_tension"].copy()
    ict = technical_groups()
    ict_codes = set(ict.loc[ict["cluster"] == "ICT", "code"])
    small = (
        (table["arbeidsmarktregio_code"] == "AM01")
        & table["occupation_code"].isin(ict_codes)
        & (table["period"] == "2023-Q1")
    )
    table.loc[small, "short_term_benefits"] = 1
    frame = labour_indicators.tension(table, indicators.context(EDITION))
    quarter = cells(frame, "labour_market_tension", period="2023-Q1", breakdown="occupation_group=ict")
    hidden = quarter[quarter["flag"].str.contains("suppressed")]
    assert hidden.set_index("region_code").loc["AM01", "rule"] == "denominator primary:n<10"
    assert len(hidden) >= 2 and "NL01" not in set(hidden["region_code"])  # a second region, not the national figure
    assert (hidden["rule"].str.contains("secondary") | (hidden["region_code"] == "AM01")).all()
    # the ratio is hidden; of its counts, the suppressed ones (a count that is published elsewhere stays)
    assert hidden["value"].isna().all()
    assert hidden.loc[hidden["rule"].str.startswith("denominator"), "denominator"].isna().all()
    assert hidden.loc[hidden["rule"].str.startswith("numerator"), "numerator"].isna().all()


# ---------------------------------------------------------------- programmes


def test_programme_counts_and_budget_share(core, built):
    frame, _ = built
    table = core["programme_participation"]
    partnerships = table[table["unit"] == "partnership"]
    companies = cells(frame, "jet_net_technet_companies").set_index("period")["value"]
    assert companies.to_dict() == {
        str(y): float(n) for y, n in partnerships.groupby("year")["company"].nunique().items()
    }
    assert set(cells(frame, "jet_net_technet_companies")["region_level"]) == {"national"}

    projects = table[table["unit"] == "project"]
    published = cells(frame, "mkbidee_projects")
    national = published[published["region_level"] == "national"].set_index("period")["value"]
    assert national.to_dict() == {"2018": 20.0, "2019": 21.0, "2020": 20.0}
    per_region = projects.groupby(["year", "region_code"]).size()
    regional = published[published["region_level"] == "techniekpact"].set_index(["period", "region_code"])
    assert len(regional) == len(per_region)
    for (year, region), n in per_region.items():
        cell = regional.loc[(str(year), region)]
        if n < 10:
            assert cell["flag"] == "suppressed" and cell["rule"] == "primary:n<10"
        else:
            assert cell["value"] == n

    parameters = pd.read_csv(REFERENCE_DIR / "indicators" / "parameters.csv", dtype=str, keep_default_na=False)
    small_classes = parameters.set_index("parameter")["value"]["mkbidee_small_firm_size_classes"].split(";")
    assert small_classes == ["1-9", "10-49"]
    small = projects[projects["firm_size_class"].isin(small_classes)]
    share = cells(frame, "mkbidee_small_firm_budget_share").set_index(["period", "region_code"])
    assert len(share) == len(per_region) + 3
    for year in (2018, 2019, 2020):
        numerator = small.loc[small["year"] == year, "grant_eur"].sum()
        denominator = projects.loc[projects["year"] == year, "grant_eur"].sum()
        cell = share.loc[(str(year), "NL01")]
        assert (cell["numerator"], cell["denominator"]) == (numerator, denominator)
        assert cell["value"] == pytest.approx(100 * numerator / denominator, abs=5e-3 + 1e-9)
        regions_of_year = share.xs(str(year), level="period").drop(index="NL01")
        assert regions_of_year["numerator"].sum() == numerator and regions_of_year["denominator"].sum() == denominator
    everything = 100 * small["grant_eur"].sum() / projects["grant_eur"].sum()
    assert 10 < everything < 45  # the programme reserved 27% for small firms (the MKB!dee programme's own figure)
