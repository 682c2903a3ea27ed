"""Classification: unknown programme codes stop the run, listed with where they occur."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import classify, sources
from pipeline.core import ho as core_ho


@pytest.fixture(scope="module")
def core_2020(sample_dir):
    raw = pd.concat(
        [sources.parse(p).frame for p in sorted((sample_dir / "2020").glob("03b-eerstejaars-*.csv"))], ignore_index=True
    )
    return core_ho.ho_first_years(raw, "2020", 2019)


def test_every_sample_programme_is_classified_under_both_definitions(core_2020):
    classified, unknown = classify.classify_ho(core_2020)
    assert unknown == []
    assert classified["stem_nl"].notna().all() and classified["stem_isced"].notna().all()
    techniek = classified[classified["croho_sector"] == "techniek"]
    assert techniek["stem_nl"].all()


def test_unknown_programme_stops_with_code_and_location(core_2020):
    altered = core_2020.copy()
    altered.loc[altered.index[:3], "programme_code"] = "99999"
    altered.loc[altered.index[:3], "programme_name"] = "B Nieuwe Opleiding"
    with pytest.raises(classify.ClassificationError) as caught:
        classify.classify_ho(altered)
    text = str(caught.value)
    assert "99999" in text and "B Nieuwe Opleiding" in text
    assert altered["source_file"].iloc[0] in text and "line(s)" in text
    assert {u.definition for u in caught.value.unknown} == {"nl", "isced"}


def test_allow_unclassified_keeps_and_reports_rows(core_2020):
    altered = core_2020.copy()
    altered.loc[altered.index[:2], "programme_code"] = "99999"
    classified, unknown = classify.classify_ho(altered, allow_unclassified=True)
    assert len(classified) == len(altered)
    assert classified["stem_nl"].isna().sum() == 2
    assert [u.code for u in unknown] == ["99999", "99999"]
