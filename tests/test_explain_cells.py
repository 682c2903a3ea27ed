"""`techpact explain` on the shared sample build: a stratified sample of published cells – every
indicator x region level x definition, and every cell of one indicator – each reproduced exactly
from its contributing source rows by the arithmetic the explanation gives."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline import explain

pytestmark = pytest.mark.e2e

PER_STRATUM = 5  # cells drawn from each indicator x region level x definition
SEED = 20  # the sample is drawn the same way on every run
MINIMUM = 1000
WHOLE_INDICATOR = "mbo_diplomas_stem_share"  # every cell of this one (a share under both definitions, every level)


@pytest.fixture(scope="module")
def explainer(sample_build):
    return explain.Explainer(sample_build.edition_dir, sample_build.warehouse_url)


def stratified(indicators: pd.DataFrame) -> pd.DataFrame:
    strata = ["indicator_id", "region_level", "definition"]
    drawn = indicators.sample(frac=1, random_state=SEED).groupby(strata, sort=True).head(PER_STRATUM)
    whole = indicators[indicators["indicator_id"] == WHOLE_INDICATOR]
    return pd.concat([drawn, whole]).drop_duplicates(subset=list(explain.KEY))


def test_explain_reproduces_every_sampled_cell(explainer, sample_build):
    indicators = explainer.indicators
    assert WHOLE_INDICATOR in set(indicators["indicator_id"])
    sample = stratified(indicators)
    strata = {tuple(r) for r in indicators[["indicator_id", "region_level", "definition"]].itertuples(index=False)}
    assert {tuple(r) for r in sample[["indicator_id", "region_level", "definition"]].itertuples(index=False)} == strata
    assert len(sample) >= MINIMUM, f"only {len(sample)} cells in the sample"
    inputs = {i["file"] for i in json.loads((sample_build.edition_dir / "manifest.json").read_text())["inputs"]}
    failures, published, suppressed = [], 0, 0
    for _, row in sample.iterrows():
        cell = explain.cell_id(row)
        result = explainer.explain(cell)
        if not result.reproduced:
            failures.append(f"{cell}: {'; '.join(result.differences)}")
            continue
        if "suppressed" in row["flag"].split(";"):
            suppressed += 1
        else:
            published += 1
        for part in result.parts:
            files = set(part.rows["source_file"])
            assert files <= inputs, f"{cell}: rows of files the manifest does not list: {files - inputs}"
    assert not failures, f"{len(failures)} of {len(sample)} cells not reproduced:\n" + "\n".join(failures[:20])
    assert published > MINIMUM // 2 and suppressed > 0


def test_a_province_cell_sums_the_province_rows_only(explainer):
    """A province figure is made of the rows of the province's municipalities, not the national rows."""
    indicators = explainer.indicators
    shown = indicators[
        (indicators["indicator_id"] == "ho_first_years_stem_share") & ~indicators["flag"].str.contains("suppressed")
    ]
    pick = shown[shown["region_level"] == "province"].iloc[0]
    same = ["definition", "period", "sex", "breakdown"]
    national = shown[(shown["region_level"] == "national") & (shown[same] == pick[same]).all(axis=1)].iloc[0]
    regional = explainer.explain(explain.cell_id(pick))
    whole = explainer.explain(explain.cell_id(national))
    assert regional.reproduced and whole.reproduced
    den, den_all = regional.parts[1], whole.parts[1]
    assert 0 < len(den.rows) < len(den_all.rows)
    assert set(den.rows.index) < set(den_all.rows.index)
    assert float(pick["denominator"]) < float(national["denominator"])
    text = regional.text()
    assert "province " + pick["region_code"] in text and "boundary year" in text


def test_a_labour_market_cell_names_its_rows(explainer):
    """A labour-market figure is the sum of the source rows of its occupation groups (the old
    explanation summed nothing for them)."""
    indicators = explainer.indicators
    pick = indicators[
        (indicators["indicator_id"] == "employed_technical_occupations")
        & (indicators["breakdown"] == "")
        & ~indicators["flag"].str.contains("suppressed")
    ].iloc[0]
    result = explainer.explain(explain.cell_id(pick))
    assert result.reproduced, result.differences
    (numerator,) = result.parts
    assert len(numerator.rows) > 1
    assert numerator.low == float(pick["value"])
    assert all(int(line) > 0 for line in numerator.rows["source_line"])
