"""The STEM definitions: contracts of the tables (and of official drop-ins), validity per year, the
bridge between the Dutch and the ISCED definition, the version history, both definitions everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import bridge, classify, definition_history, reference, sources
from pipeline.core import ho as core_ho
from pipeline.problems import SourceError
from pipeline.settings import REFERENCE_DIR
from schemas import reference as reference_schemas

HO = "duo-ho-mbo-2019-tekkieworden"
REAL_FILES = ("hbo_inscriptions_2019.csv", "wo_inscriptions_2019.csv")
HO_ROW = classify.spec("ho_first_years")


@pytest.fixture(scope="module")
def real_core(realdata):
    raw = pd.concat([sources.parse(realdata / HO / name).frame for name in REAL_FILES], ignore_index=True)
    return core_ho.ho_first_years(raw, "2020", 2019)


@pytest.fixture(scope="module")
def real_classified(real_core):
    return classify.classify(real_core, HO_ROW)  # strict: raises on any unknown code


def copy_table(name: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".csv", ".meta.toml"):
        shutil.copyfile(REFERENCE_DIR / "stem" / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder / f"{name}.csv"


def set_version(csv: Path, version: str) -> None:
    meta = csv.with_suffix(".meta.toml")
    text = meta.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version ="))
    meta.write_text(text.replace(old, f'version = "{version}"'), encoding="utf-8")


# --- real data ---------------------------------------------------------------------------------


@pytest.mark.realdata
def test_every_real_first_year_programme_is_classified_under_both_definitions(real_core, real_classified):
    classified, unknown = real_classified
    assert unknown == []
    assert sorted(classified["year"].unique()) == [2015, 2016, 2017, 2018, 2019]
    assert classified["stem_nl"].notna().all() and classified["stem_isced"].notna().all()
    assert classified["isced_f"].str.fullmatch(r"\d{4}").all()
    stem = classified[classified["stem_nl"].astype(bool)]
    assert (stem["cluster_nl"] != "").all()
    # the rule every version keeps: CROHO natuur and techniek is bètatechniek (a few codes are registered
    # in another sector at some institutions: the table classifies the code, so only pure ones are tested)
    sectors = classified.groupby("programme_code")["croho_sector"].agg(set)
    pure = sectors[sectors.map(lambda s: s <= {"natuur", "techniek"})].index
    assert len(pure) > 200
    assert classified.loc[classified["programme_code"].isin(pure), "stem_nl"].all()
    # and ISCED STEM is exactly the broad fields 05, 06, 07
    assert (classified["stem_isced"].astype(bool) == classified["isced_f"].str[:2].isin(["05", "06", "07"])).all()
    pd.testing.assert_frame_equal(classified[real_core.columns], real_core)  # rows and order unchanged


@pytest.mark.realdata
def test_real_bridge_2015_2019_reconciles_exactly(real_classified):
    classified, _ = real_classified
    table = bridge.bridge(classified, HO_ROW, "2020")
    assert bridge.reconcile(table) == []
    totals = table[table["group_kind"] == ""].pivot_table(
        index=["level", "year", "sex"], columns="component", values="count", aggfunc="sum"
    )
    assert len(totals) == 2 * 5 * 3  # hbo, wo x 2015-2019 x T, M, V
    assert (totals["nl_total"] == totals["isced_total"] + totals["added"] - totals["left_out"]).all()
    # the totals are the core table's own sums, computed here without the bridge
    frame = classified.assign(nl=classified["stem_nl"].astype(bool), isced=classified["stem_isced"].astype(bool))
    for (level, year, sex), row in totals.iterrows():
        cell = frame[(frame["level"] == level) & (frame["year"] == year) & ((frame["sex"] == sex) | (sex == "T"))]
        assert row["all"] == cell["count"].sum()
        assert row["nl_total"] == cell.loc[cell["nl"], "count"].sum()
        assert row["isced_total"] == cell.loc[cell["isced"], "count"].sum()
        assert row["added"] == cell.loc[cell["nl"] & ~cell["isced"], "count"].sum()
        assert row["left_out"] == cell.loc[cell["isced"] & ~cell["nl"], "count"].sum()
    # DUO's published total of hbo first-years 2019 (PROVENANCE.md)
    assert totals.loc[("hbo", 2019, "T"), "all"] == 113_422


@pytest.mark.realdata
@pytest.mark.parametrize(
    "folder,name,core,build",
    [
        (HO, "hbo_gediplomeerden_2019.csv", "ho_diplomas", core_ho.ho_diplomas),
        (HO, "wo_gediplomeerden_2019.csv", "ho_diplomas", core_ho.ho_diplomas),
        (HO, "mbo_inscriptions_2019.csv", "mbo_participants", None),
        ("duo-vo-examens-2019-2024", "examenkandidaten-en-geslaagden-2019-2024.csv", "vo_exam_candidates", None),
    ],
)
def test_real_diplomas_qualifications_and_profiles_are_classified_under_both(realdata, folder, name, core, build):
    from pipeline.core import mbo as core_mbo
    from pipeline.core import vo as core_vo

    build = (
        build or {"mbo_participants": core_mbo.mbo_participants, "vo_exam_candidates": core_vo.vo_exam_candidates}[core]
    )
    raw = sources.parse(realdata / folder / name).frame
    last = int(raw["year"].max())
    frame = build(raw, str(last + 1), last)
    row = classify.spec(core)
    classified, unknown = classify.classify(frame, row)  # strict: any unknown code raises
    assert unknown == [] and len(classified) == len(frame) > 0
    assert classified["stem_nl"].notna().all() and classified["stem_isced"].notna().all()
    assert classified["stem_nl"].any() and classified["stem_isced"].any()
    if row.population:
        assert bridge.reconcile(bridge.bridge(classified, row, str(last + 1))) == []


# --- the bridge on a hand-made table -----------------------------------------------------------


def hand_table() -> pd.DataFrame:
    """Four programmes, 2019, both sexes; figures chosen by hand."""
    rows = [  # code, sex, count, stem_nl, cluster_nl, stem_isced, isced_f
        ("10001", "M", 50, True, "techniek", True, "0715"),  # both
        ("10001", "V", 10, True, "techniek", True, "0715"),
        ("10002", "M", 7, True, "landbouw", False, "0811"),  # added by the Dutch definition
        ("10002", "V", 13, True, "landbouw", False, "0811"),
        ("10003", "M", 4, False, "", True, "0613"),  # left out by the Dutch definition
        ("10003", "V", 1, False, "", True, "0613"),
        ("10004", "M", 30, False, "", False, "0413"),  # neither
        ("10004", "V", 40, False, "", False, "0413"),
    ]
    frame = pd.DataFrame(
        rows, columns=["programme_code", "sex", "count", "stem_nl", "cluster_nl", "stem_isced", "isced_f"]
    )
    frame["count"] = frame["count"].astype("Int64")
    frame["count_low"] = frame["count_high"] = frame["count"].astype(np.int64)
    frame["stem_nl"] = frame["stem_nl"].astype("boolean")
    frame["stem_isced"] = frame["stem_isced"].astype("boolean")
    return frame.assign(year=2019, level="hbo")


def cell(table: pd.DataFrame, component: str, sex: str = "T", group: str = "") -> int:
    rows = table[(table["component"] == component) & (table["sex"] == sex) & (table["group"] == group)]
    assert len(rows) == 1, (component, sex, group)
    return int(rows["count"].iloc[0])


def test_bridge_splits_the_difference_by_group():
    table = bridge.bridge(hand_table(), HO_ROW, "2020")
    assert cell(table, "all") == 155
    assert cell(table, "nl_total") == 80 and cell(table, "isced_total") == 65
    assert cell(table, "added") == 20 and cell(table, "added", group="landbouw") == 20
    assert cell(table, "left_out") == 5 and cell(table, "left_out", group="06") == 5
    assert cell(table, "nl_total", "V") == 23 and cell(table, "isced_total", "V") == 11
    assert cell(table, "left_out", "M", "06") == 4
    assert bridge.reconcile(table) == []


def test_bridge_with_masked_and_unclassified_rows_still_reconciles():
    frame = hand_table()
    frame.loc[4, ["count", "count_low", "count_high"]] = [pd.NA, 1, 4]  # masked '<5'
    frame.loc[6, ["stem_isced", "isced_f"]] = [pd.NA, "unclassified"]  # unknown to ISCED, allowed
    frame.loc[6, ["stem_nl", "cluster_nl"]] = [True, "techniek"]
    table = bridge.bridge(frame, HO_ROW, "2020")
    assert bridge.reconcile(table) == []
    left = table[(table["component"] == "left_out") & (table["sex"] == "T") & (table["group_kind"] == "")].iloc[0]
    # the masked row counts as 2 (1..4, its midpoint to the even neighbour), as in the indicators
    assert left["count"] == 3 and (left["count_low"], left["count_high"]) == (2, 5)
    assert cell(table, "added", "M", "unclassified") == 30  # visible, not hidden in a cluster
    assert (
        cell(table, "unclassified", "T", "isced") == 30
        and table[(table["component"] == "unclassified") & (table["group"] == "nl")].empty
    )


def test_reconcile_finds_a_tampered_cell():
    table = bridge.bridge(hand_table(), HO_ROW, "2020")
    index = table.index[(table["component"] == "added") & (table["sex"] == "V") & (table["group_kind"] == "")][0]
    table.loc[index, ["count_low", "count_high"]] += 1
    gaps = bridge.reconcile(table)
    assert gaps and any("isced_total + added - left_out" in g for g in gaps)


@pytest.mark.parametrize("tampered", [False, True])
def test_the_bridge_asset_check_fails_on_a_bridge_that_does_not_add_up(tampered, monkeypatch):
    """The `bridge_reconciles` check of the `stem_bridge` asset (blocking: a failed one stops the run
    before any stage reads the bridge) passes on a bridge that adds up and fails, naming the gap, on
    one that does not."""
    import dagster as dg

    from assets import classification

    table = bridge.bridge(hand_table(), HO_ROW, "2020")
    if tampered:
        index = table.index[(table["component"] == "added") & (table["sex"] == "V") & (table["group_kind"] == "")][0]
        table.loc[index, ["count_low", "count_high"]] += 1
    monkeypatch.setattr(classification.bridge_logic, "bridges", lambda *_: table)
    inputs = {row.asset: pd.DataFrame() for row in classification.BRIDGED}
    results = list(classification.stem_bridge(dg.build_asset_context(partition_key="2020"), **inputs))
    [check] = [r for r in results if isinstance(r, dg.AssetCheckResult) and r.check_name == "bridge_reconciles"]
    assert check.check_name == "bridge_reconciles" and check.passed is not tampered
    assert (check.metadata["gaps"].value > 0) is tampered
    assert ("isced_total + added - left_out" in check.metadata["first gaps"].value) is tampered


# --- validity per year, contracts, drop-in replacement -------------------------------------------


def test_validity_is_honoured_per_year(tmp_path, monkeypatch):
    """A programme reclassified from 2018 on gets the old flag before 2018 and the new one after."""
    over = tmp_path / "over"
    csv = copy_table("nl_ho_programmes", over)
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    code = table.loc[table["is_stem"] == "false", "code"].iloc[0]
    old = table[table["code"] == code].iloc[0].copy()
    table.loc[table["code"] == code, "valid_to"] = "2017"
    new = old.copy()
    new[["is_stem", "cluster", "reason", "valid_from"]] = [
        "true",
        "landbouw",
        "more than half science content (test)",
        "2018",
    ]
    pd.concat([table, new.to_frame().T], ignore_index=True).to_csv(csv, index=False)
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))
    level = old["level"]
    core = pd.DataFrame(
        {
            "programme_code": code,
            "programme_name": old["name"],
            "level": level,
            "year": [2016, 2017, 2018, 2019],
            "source_file": "f.csv",
            "source_line": [2, 3, 4, 5],
        }
    )
    classified, unknown = classify.classify(core, HO_ROW)
    assert unknown == []
    assert classified["stem_nl"].tolist() == [False, False, True, True]
    assert classified["cluster_nl"].tolist() == ["", "", "landbouw", "landbouw"]


def test_a_code_outside_its_validity_is_unknown(tmp_path, monkeypatch):
    over = tmp_path / "over"
    csv = copy_table("nl_ho_programmes", over)
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    code = table["code"].iloc[0]
    table.loc[0, "valid_from"] = "2018"
    table.to_csv(csv, index=False)
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))
    core = pd.DataFrame(
        {
            "programme_code": code,
            "programme_name": "x",
            "level": table.loc[0, "level"],
            "year": [2017, 2018],
            "source_file": "03b.csv",
            "source_line": [7, 8],
        }
    )
    with pytest.raises(classify.ClassificationError) as caught:
        classify.classify(core, HO_ROW)
    [problem] = caught.value.unknown
    assert (problem.definition, problem.code, problem.years) == ("nl", code, "2017")
    assert "not valid in 2017" in problem.problem and problem.where == "03b.csv line(s) 7"


def test_shipped_definition_tables_meet_their_contracts():
    for path in sorted((REFERENCE_DIR / "stem").glob("*.csv")):
        model = reference_schemas.model_for(path)
        if model is None:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert reference_schemas.problems(model, frame, path) == [], path.name
        assert reference.load(f"stem/{path.name}").status in {"best-effort", "official", "derived"}


def test_an_official_drop_in_replaces_the_shipped_table(tmp_path, monkeypatch, real_or_sample_core):
    """Same file name and columns in TECHPACT_REFERENCE_OVERRIDES: used instead, version recorded."""
    over = tmp_path / "over"
    csv = copy_table("nl_ho_programmes", over)
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    code = real_or_sample_core.loc[real_or_sample_core["croho_sector"] == "onderwijs", "programme_code"].iloc[0]
    table.loc[table["code"] == code, ["is_stem", "cluster", "reason"]] = [
        "true",
        "lerarenopleiding",
        "official list (test)",
    ]
    table.to_csv(csv, index=False)
    set_version(csv, "official-2026")
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))
    assert classify.load_definition("stem/nl_ho_programmes.csv").version == "official-2026"
    classified, _ = classify.classify(real_or_sample_core, HO_ROW)
    rows = classified[classified["programme_code"] == code]
    assert rows["stem_nl"].all() and set(rows["cluster_nl"]) == {"lerarenopleiding"}


@pytest.mark.parametrize(
    "damage,line,column,check",
    [
        (
            lambda t: t.assign(cluster=np.where(t.index == 0, "", t["cluster"])).assign(
                is_stem=np.where(t.index == 0, "true", t["is_stem"])
            ),
            2,
            None,
            "stem_has_cluster",
        ),
        (lambda t: pd.concat([t, t.iloc[[3]]], ignore_index=True), 5, None, "one_row_per_code_and_year"),
        (lambda t: t.assign(is_stem=np.where(t.index == 2, "misschien", t["is_stem"])), 4, "is_stem", "str_matches"),
        (lambda t: t.assign(valid_to=np.where(t.index == 1, "1999", t["valid_to"])), 3, None, "period_in_order"),
        (lambda t: t.drop(columns=["reason"]), None, "reason", "column_in_dataframe"),
    ],
)
def test_a_broken_drop_in_stops_with_file_line_and_check(tmp_path, monkeypatch, damage, line, column, check):
    over = tmp_path / "over"
    csv = copy_table("nl_ho_programmes", over)
    table = damage(pd.read_csv(csv, dtype=str, keep_default_na=False))
    table.to_csv(csv, index=False)
    meta = csv.with_suffix(".meta.toml")
    if "reason" not in table.columns:  # the meta file declares the columns: keep it consistent with the file
        meta.write_text(
            "\n".join(line for line in meta.read_text().splitlines() if not line.startswith("reason =")),
            encoding="utf-8",
        )
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))
    with pytest.raises(SourceError) as caught:
        classify.load_definition("stem/nl_ho_programmes.csv")
    found = [p for p in caught.value.problems if check in p.problem]
    assert found, caught.value.summary()
    assert found[0].file == str(csv) and found[0].row == line and found[0].column == column


def test_isced_contract_ties_the_flag_to_fields_05_06_07(tmp_path):
    path = REFERENCE_DIR / "stem" / "isced_ho_programmes.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    index = table.index[table["isced_f_broad"] == "08"][0]
    table.loc[index, "is_stem"] = "true"  # agriculture is not ISCED STEM
    table.loc[index + 1, "isced_f_narrow"] = "999"
    found = reference_schemas.problems(reference_schemas.IscedDefinition, table, path)
    assert {(p.row, p.problem.split()[1]) for p in found} == {
        (index + 2, "stem_is_05_06_07"),
        (index + 3, "fields_nest"),
    }


# --- version history -----------------------------------------------------------------------------


@pytest.fixture
def sample_core(sample_dir):
    raw = pd.concat(
        [sources.parse(p).frame for p in sorted((sample_dir / "2024").glob("03b-eerstejaars-*.csv"))], ignore_index=True
    )
    return core_ho.ho_first_years(raw, "2024", 2023)


@pytest.fixture
def real_or_sample_core(sample_core):
    return sample_core


def test_definition_change_is_reported_and_both_versions_are_computed(tmp_path, monkeypatch, sample_core):
    recorded = tmp_path / "recorded"
    history = definition_history.record("2023", folder=recorded)
    assert set(history["table_id"]) == {t.id for t in classify.definition_tables()}
    over = tmp_path / "over"
    over.mkdir()
    for path in (recorded / "stem").glob("definition_history.*"):
        shutil.copyfile(path, over / path.name)
    for path in (recorded / "stem" / "archive").iterdir():
        shutil.copyfile(path, over / path.name)
    # the new version: two programmes outside natuur/techniek become STEM
    csv = copy_table("nl_ho_programmes", over)
    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    present = sample_core.loc[~sample_core["croho_sector"].isin(["natuur", "techniek"]), "programme_code"]
    codes = sorted(set(present) & set(table.loc[table["is_stem"] == "false", "code"]))[:2]
    table.loc[table["code"].isin(codes), ["is_stem", "cluster", "reason"]] = ["true", "gezondheidstechniek", "test"]
    table.to_csv(csv, index=False)
    set_version(csv, "2027.0")
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))

    assert definition_history.changes("2023").empty  # no earlier edition recorded
    changes = definition_history.changes("2024")
    assert len(changes) == 1
    row = changes.iloc[0]
    shipped = history.set_index("table_id").loc["stem.nl_ho_programmes", "version"]
    assert (row.table_id, row.old_version, row.new_version, row.previous_edition) == (
        "stem.nl_ho_programmes",
        shipped,
        "2027.0",
        "2023",
    )
    assert (row.codes_added, row.codes_removed, row.codes_reclassified) == (0, 0, 2)
    assert all(f"~ {code} " in row.detail for code in codes)

    comparison = definition_history.comparison("2024", {"ho_first_years": sample_core})
    assert set(comparison["year"]) == set(sample_core["year"])  # the whole series, both ways
    moved = sample_core[sample_core["programme_code"].isin(codes)]
    # whole persons as the indicators publish them: a masked 1..4 counts as 2 (2.5 to the even neighbour)
    mid = np.round((moved["count_low"] + moved["count_high"]) / 2)
    expected = mid.groupby([moved["level"], moved["year"]]).sum()
    total = comparison[comparison["sex"] == "T"].set_index(["level", "year"])
    difference = total["stem_new"] - total["stem_old"]
    assert difference.round(6).to_dict() == expected.reindex(difference.index, fill_value=0).round(6).to_dict()
    assert (comparison["unknown_to_old"] == 0).all()


def test_altered_archive_is_refused(tmp_path, monkeypatch):
    recorded = tmp_path / "recorded"
    history = definition_history.record("2023", folder=recorded)
    version = history.set_index("table_id").loc["stem.nl_ho_programmes", "version"]
    over = tmp_path / "over"
    over.mkdir()
    shutil.copytree(recorded / "stem", over, dirs_exist_ok=True)
    for path in (over / "archive").iterdir():
        shutil.copyfile(path, over / path.name)
    archived = over / f"nl_ho_programmes-{version}.csv"
    archived.write_text(archived.read_text(encoding="utf-8").replace("techniek", "techniek ", 1), encoding="utf-8")
    changed = copy_table("nl_ho_programmes", over)
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setenv("TECHPACT_REFERENCE_OVERRIDES", str(over))
    with pytest.raises(definition_history.HistoryError, match="altered"):
        definition_history.changes("2024")


# --- both definitions everywhere -------------------------------------------------------------------


def test_every_stem_indicator_in_the_catalogue_has_both_definitions():
    catalogue = reference.load("indicators/catalogue.csv").frame
    stem = catalogue[~catalogue["stem_definitions"].str.strip().isin(["", "none"])]
    assert not stem.empty
    for row in stem.itertuples():
        assert set(row.stem_definitions.split(";")) == {"nl", "isced"}, row.indicator_id
    # STEM teacher training and teacher vacancies follow their own four groups
    # (reference/stem/teacher_training_groups.csv), not a definition table
    counts_stem = catalogue[
        (catalogue["indicator_id"].str.contains("stem") | catalogue["title_en"].str.contains("STEM"))
        & ~catalogue["indicator_id"].str.contains("teacher")
    ]
    assert set(counts_stem["indicator_id"]) <= set(stem["indicator_id"])


def test_every_plan_row_classifies_under_both_definitions():
    for row in classify.plan():
        assert "nl" in row.tables, row.core
        cols = set(row.output_model().to_schema().columns)
        assert {"stem_nl", "cluster_nl", "stem_isced", "isced_f"} <= cols
