"""hbo/wo diplomas in STEM and the STEM teacher-training indicators (issue 5), on the real DUO files
(the first-year files in full, the first 300 rows of the diploma files). Expected values are counted
straight from the delivery files with the csv module and the reference tables, not through the
parsers or the indicator code."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from pipeline import classify, disclosure, indicators, reference, regions, sources
from pipeline.core import ho as core_ho
from pipeline.indicators import ho as ho_indicators

HO = "duo-ho-mbo-2019-tekkieworden"
SEX = {"man": "M", "vrouw": "V"}


def _groups() -> dict[str, str]:
    table = reference.load("stem/teacher_training_groups.csv").frame
    return dict(zip(table["code"], table["teacher_group"]))


def _stem_codes(definition: str) -> set[str]:
    path = "stem/nl_ho_programmes.csv" if definition == "nl" else "stem/isced_ho_programmes.csv"
    table = reference.load(path).frame
    return set(table.loc[table["is_stem"] == "true", "code"])


def _count_file(path: Path, year: str, key) -> dict[tuple, int]:
    """Sum the `year` column per key(row) (rows whose count is masked count as their lower bound 1)."""
    out: dict[tuple, int] = defaultdict(int)
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            value = (row.get(year) or "").strip()
            n = 1 if value.startswith("<") else int(value or 0)
            for k in key(row):
                out[k] += n
    return out


def _by_group_and_sex(folder: Path, pattern: str, year: str) -> dict[tuple, int]:
    groups = _groups()
    out: dict[tuple, int] = defaultdict(int)
    for path in sorted(p for p in folder.glob(pattern) if p.name[0] in "hw"):

        def key(row):
            group = groups.get(row["OPLEIDINGSCODE ACTUEEL"])
            sex = SEX.get(row.get("GESLACHT", ""))
            return [(group, sex), (group, "T")] if group and sex else []

        for k, n in _count_file(path, year, key).items():
            out[k] += n
    return dict(out)


@pytest.fixture(scope="module")
def real(realdata):
    folder = realdata / HO
    tables = {}
    for pattern, build, core, name in (
        ("*_inscriptions_2019.csv", core_ho.ho_first_years, "ho_first_years", "ho_first_years_classified"),
        ("*_gediplomeerden_2019.csv", core_ho.ho_diplomas, "ho_diplomas", "ho_diplomas_classified"),
    ):
        raw = pd.concat([sources.parse(p).frame for p in sorted(folder.glob(pattern)) if p.name[0] in "hw"])
        tables[name], _ = classify.classify(build(raw, "2020", 2019), classify.spec(core), allow_unclassified=True)
    frame, coverage = indicators.compute(tables, "2020")
    return folder, frame, coverage


def _national(frame: pd.DataFrame, indicator_id: str, period: str, definition: str = "none") -> pd.DataFrame:
    return frame[
        (frame["indicator_id"] == indicator_id)
        & (frame["region_level"] == "national")
        & (frame["period"] == period)
        & (frame["definition"] == definition)
    ]


def test_real_teacher_training_inflow_and_diplomas_per_group_equal_the_files(real):
    folder, frame, coverage = real
    compared = 0
    for indicator_id, pattern, year in (
        ("teacher_training_inflow", "*_inscriptions_2019.csv", "2019"),
        ("teacher_training_diplomas", "*_gediplomeerden_2019.csv", "2018"),
    ):
        assert coverage.set_index("indicator_id").loc[indicator_id, "status"] == "computed"
        want = _by_group_and_sex(folder, pattern, year)
        got = _national(frame, indicator_id, year)
        assert len(want) > 0
        for (group, sex), n in want.items():
            cell = got[(got["breakdown"] == f"teacher_group={group}") & (got["sex"] == sex)]
            assert len(cell) == 1, (indicator_id, group, sex)
            if "suppressed" not in cell["flag"].iat[0]:
                assert cell["value"].iat[0] == n
                compared += 1
    assert compared >= 8


def test_real_teacher_diplomas_relative_to_the_stem_diplomas_of_their_level(real):
    folder, frame, _ = real
    groups = _by_group_and_sex(folder, "*_gediplomeerden_2019.csv", "2018")
    level_of = dict(
        zip(*[reference.load("stem/teacher_training_groups.csv").frame[c] for c in ("teacher_group", "level")])
    )
    for definition in ("nl", "isced"):
        stem = _stem_codes(definition)
        total = {
            level: _count_file(
                folder / f"{level}_gediplomeerden_2019.csv",
                "2018",
                lambda row, stem=stem: [()] if row["OPLEIDINGSCODE ACTUEEL"] in stem and row["GESLACHT"] else [],
            ).get((), 0)
            for level in ("hbo", "wo")
        }
        got = _national(frame, "teacher_training_diplomas_vs_stem", "2018", definition)
        got = got[got["sex"] == "T"].set_index("breakdown")
        compared = 0
        for (group, sex), n in groups.items():
            row = got.loc[f"teacher_group={group}"]
            if sex != "T" or "suppressed" in row["flag"]:
                continue
            assert row["denominator"] == total[level_of[group]]
            assert row["value"] == pytest.approx(100 * n / total[level_of[group]], abs=0.005)
            compared += 1
        assert compared >= 1


def test_real_diplomas_stem_national_count_and_share(real):
    folder, frame, _ = real
    stem = _stem_codes("nl")
    compared = 0
    for level in ("hbo", "wo"):
        counts = _count_file(
            folder / f"{level}_gediplomeerden_2019.csv",
            "2018",
            lambda row: [(SEX[row["GESLACHT"]], row["OPLEIDINGSCODE ACTUEEL"] in stem)] if row["GESLACHT"] else [],
        )
        for sex in ("M", "V"):
            cell = _national(frame, "ho_diplomas_stem", "2018", "nl")
            cell = cell[(cell["breakdown"] == f"level={level}") & (cell["sex"] == sex)]
            if "suppressed" in cell["flag"].iat[0]:  # the diploma extract has wo in three municipalities only
                continue
            compared += 1
            assert cell["value"].iat[0] == counts[(sex, True)]
            share = _national(frame, "ho_diplomas_stem_share", "2018", "nl")
            share = share[(share["breakdown"] == f"level={level}") & (share["sex"] == sex)]
            want = 100 * counts[(sex, True)] / (counts[(sex, True)] + counts[(sex, False)])
            assert share["value"].iat[0] == pytest.approx(want, abs=0.005)
    assert compared >= 2


def test_real_teacher_and_diploma_cubes_are_protected(real):
    _, frame, _ = real
    members = regions.members(2020)
    threshold = disclosure.parameters().threshold
    for indicator_id in ("teacher_training_inflow", "teacher_training_diplomas", "ho_diplomas_stem"):
        part = frame[frame["indicator_id"] == indicator_id]
        shown = part[~part["flag"].str.contains("suppressed")]
        assert not ((shown["value_low"] < threshold) & (shown["value_high"] > 0)).any()
        assert part["flag"].str.contains("suppressed").any()
        for _, group in part.groupby(["definition", "period", "breakdown"]):
            cells = group.assign(
                suppressed=group["flag"].str.contains("suppressed"), low=group["value_low"], high=group["value_high"]
            )
            assert disclosure.recoverable_cells(cells, members) == []


def test_a_teacher_programme_without_a_group_stops_the_run(real):
    folder, _, _ = real
    raw = sources.parse(folder / "hbo_inscriptions_2019.csv").frame
    classified, _ = classify.classify(
        core_ho.ho_first_years(raw, "2020", 2019), classify.spec("ho_first_years"), allow_unclassified=True
    )
    teacher = classified["cluster_nl"] == ho_indicators.TEACHER_CLUSTER
    assert teacher.any()
    renamed = classified.copy()
    first = renamed.index[teacher][0]
    renamed.loc[renamed["programme_code"] == renamed.at[first, "programme_code"], "programme_code"] = "39999"
    with pytest.raises(ValueError, match=r"teacher_training_groups\.csv: .*39999"):
        ho_indicators.teacher_groups(renamed)


def test_every_teacher_cluster_programme_has_a_group():
    nl = reference.load("stem/nl_ho_programmes.csv").frame
    cluster = set(nl.loc[nl["cluster"] == ho_indicators.TEACHER_CLUSTER, "code"])
    groups = reference.load("stem/teacher_training_groups.csv").frame
    assert cluster == set(groups["code"])
    assert set(groups["teacher_group"]) == {
        "second_degree_exact_hbo",
        "vocational_technical",
        "first_degree_exact_wo",
        "first_degree_exact_hbo",
    }
    assert (groups.loc[groups["teacher_group"] == "first_degree_exact_wo", "level"] == "wo").all()
    assert (groups.groupby("teacher_group")["level"].nunique() == 1).all()  # each group is compared with its level


def test_teacher_groups_are_named_in_both_languages():
    from pipeline.publish.report import breakdown_label, messages

    groups = sorted(set(reference.load("stem/teacher_training_groups.csv").frame["teacher_group"]))
    for lang in ("nl", "en"):
        t = messages(lang)
        labels = [breakdown_label(f"teacher_group={g}", t) for g in groups]
        assert all(label != g and "_" not in label for label, g in zip(labels, groups)), labels
        assert len(set(labels)) == len(groups)
        assert breakdown_label("level=hbo;teacher_group=vocational_technical", t).startswith("hbo, (")
