"""Indicators, regions, disclosure control, targets and downloads (issue 5)."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import disclosure, downloads, indicators, reference, regions, xlsx
from pipeline.indicators import checks
from pipeline.indicators import progress as progress_logic
from pipeline.problems import SourceError
from pipeline.publish import report

HO = "duo-ho-mbo-2019-tekkieworden"


# ---------------------------------------------------------------- regions


def test_codes_are_mapped_through_the_merger_history():
    # Delfzijl and Appingedam merged into Eemsdelta (GM1979) on 1 January 2021 (CBS)
    assert regions.map_code("GM0010", 2019, 2020).code == "GM0010"
    assert regions.map_code("GM0010", 2019, 2021) == regions.Mapping("GM1979", "merger")
    assert regions.map_code("GM0003", 2019, 2024).code == "GM1979"
    assert regions.map_code("GM0363", 2015, 2024) == regions.Mapping("GM0363", "same")


def test_unknown_municipality_code_stops_the_run_with_file_and_line():
    frame = pd.DataFrame(
        {
            "municipality_code": ["GM0363", "GM9999"],
            "code_year": [2019, 2019],
            "source_file": ["f.csv", "f.csv"],
            "source_line": [2, 3],
        }
    )
    with pytest.raises(SourceError) as error:
        regions.map_municipalities(frame, 2024)
    text = str(error.value)
    assert "f.csv, row 3" in text and "GM9999" in text and "GM0363" not in text


def test_every_level_partitions_the_country():
    members = regions.members(2024)
    everything = members[("national", "NL01")]
    assert len(everything) == 342
    for level in regions.LEVELS[1:]:
        parts = [m for (lvl, _), m in members.items() if lvl == level]
        assert sum(len(p) for p in parts) == len(everything)
        assert frozenset().union(*parts) == everything
    assert len([k for k in members if k[0] == "techniekpact"]) == 5
    assert len([k for k in members if k[0] == "arbeidsmarktregio"]) == 35


# ---------------------------------------------------------------- disclosure on a hand-made cube


def _toy_cells(values: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"region_level": level, "region_code": code, "sex": sex, "low": float(v), "high": float(v)}
            for (level, code, sex), v in values.items()
        ]
    )


def _toy():
    """Two municipalities of COROP CR01 (Oost-Groningen) and one elsewhere, by sex, with totals."""
    div = regions.division(2024)
    cr01 = sorted(div[div["corop_code"] == "CR01"]["municipality_code"])[:2]
    other = "GM0363"
    members = regions.members(2024)
    muni = {cr01[0]: (3, 40), cr01[1]: (30, 50), other: (500, 480)}
    values = {}
    for code, (m, v) in muni.items():
        values[("municipality", code, "M")] = m
        values[("municipality", code, "V")] = v
        values[("municipality", code, "T")] = m + v
    for (level, code), ms in members.items():
        if level == "municipality":
            continue
        inside = [c for c in muni if c in ms]
        if inside:
            for s, k in (("M", 0), ("V", 1)):
                values[(level, code, s)] = sum(muni[c][k] for c in inside)
            values[(level, code, "T")] = sum(sum(muni[c]) for c in inside)
    return _toy_cells(values), members


def test_primary_suppression_alone_is_recoverable_and_protection_is_not():
    cells, members = _toy()
    params = disclosure.Parameters(threshold=10)
    naive = cells.assign(suppressed=cells["low"] < 10)
    assert disclosure.recoverable_cells(naive, members), "a lone suppressed cell must be recoverable"
    flags, rules = disclosure._protect_group(cells, members, params)
    protected = cells.assign(suppressed=flags, rule=rules)
    assert disclosure.recoverable_cells(protected, members) == []
    assert protected.loc[protected["low"] < 10, "suppressed"].all()
    assert {r for r in rules if r} >= {"primary:n<10"} and any(r.startswith("secondary") for r in rules)
    national = protected[(protected["region_level"] == "national")]
    assert not national["suppressed"].any()  # the big cell elsewhere keeps the national figures publishable


# ---------------------------------------------------------------- real DUO files


@pytest.fixture(scope="module")
def real(realdata):
    from pipeline import classify, sources
    from pipeline.core.ho import ho_first_years

    folder = realdata / HO
    raw = pd.concat(
        [sources.parse(p).frame for p in sorted(folder.glob("*_inscriptions_2019.csv")) if p.name[0] in "hw"]
    )
    core = ho_first_years(raw, "2020", 2019)
    classified, _ = classify.classify_ho(core, allow_unclassified=True)
    frame, coverage = indicators.compute({"ho_first_years_classified": classified}, "2020")
    return folder, frame, coverage


def _independent(folder: Path, level: str, year: str, codes: set[str] | None) -> dict[str, tuple[int, int]]:
    """STEM (nl) and all first-years per sex straight from the DUO file and the reference table."""
    stem = reference.load("stem/nl_ho_programmes.csv").frame
    stem = stem[(stem["level"] == level) & (stem["is_stem"] == "true")]
    stem_codes = set(stem["code"])
    out = {"M": [0, 0], "V": [0, 0]}
    with open(folder / f"{level}_inscriptions_2019.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if not row.get("GESLACHT"):
                continue
            if codes is not None and "GM" + row["GEMEENTENUMMER"] not in codes:
                continue
            sex = {"man": "M", "vrouw": "V"}[row["GESLACHT"]]
            n = int(row[year])
            out[sex][1] += n
            if row["OPLEIDINGSCODE ACTUEEL"] in stem_codes:
                out[sex][0] += n
    out["T"] = [out["M"][0] + out["V"][0], out["M"][1] + out["V"][1]]
    return {k: tuple(v) for k, v in out.items()}


@pytest.mark.parametrize("level", ["hbo", "wo"])
def test_real_files_national_and_provinces_equal_an_independent_count(real, level):
    folder, frame, _ = real
    div = regions.division(2020)
    provinces = {code: set(group["municipality_code"]) for code, group in div.groupby("province_code")}
    compared = {"NL01": 0, "province": 0}
    for region, codes in (("NL01", None), *provinces.items()):
        want = _independent(folder, level, "2019", codes)
        for sex in ("T", "M", "V"):
            where = (
                (frame["definition"] == "nl")
                & (frame["period"] == "2019")
                & (frame["breakdown"] == f"level={level}")
                & (frame["region_code"] == region)
                & (frame["sex"] == sex)
            )
            share = frame[where & (frame["indicator_id"] == "ho_first_years_stem_share")]
            count = frame[where & (frame["indicator_id"] == "ho_first_years_stem")]
            if want[sex][1] == 0:
                assert share.empty and count.empty
                continue
            assert len(share) == 1 and len(count) == 1
            share, count = share.iloc[0], count.iloc[0]
            assert share["boundary_year"] == 2020 and count["boundary_year"] == 2020
            if "suppressed" not in count["flag"]:
                assert count["value"] == want[sex][0]
                compared["NL01" if region == "NL01" else "province"] += 1
            else:
                assert region != "NL01" and np.isnan(count["value"])
            if "suppressed" not in share["flag"]:
                assert share["numerator"] == want[sex][0] and share["denominator"] == want[sex][1]
                assert share["value"] == pytest.approx(round(100 * want[sex][0] / want[sex][1], 2))
                compared["NL01" if region == "NL01" else "province"] += 1
            else:
                assert region != "NL01" and np.isnan(share["value"])
    assert compared["NL01"] == 6 and compared["province"] >= 12


def test_real_files_regions_add_up_to_national(real):
    _, frame, _ = real
    assert checks.regions_add_up(frame) == []
    # and explicitly: the 12 provinces' all-first-years denominators add up to the national one
    share = frame[
        (frame["indicator_id"] == "ho_first_years_stem_share")
        & (frame["definition"] == "nl")
        & (frame["sex"] == "T")
        & (frame["period"] == "2019")
    ]
    for level in ("hbo", "wo"):
        part = share[share["breakdown"] == f"level={level}"]
        provinces = part[part["region_level"] == "province"]
        if provinces["denominator"].notna().all():
            assert provinces["denominator"].sum() == part[part["region_level"] == "national"]["denominator"].iat[0]
    counted = frame[frame["indicator_id"] == "ho_first_years_stem"]
    compared = 0
    for _, group in counted.groupby(["definition", "period", "breakdown", "sex"]):
        national = group[group["region_level"] == "national"]["value"].iat[0]
        for level in regions.LEVELS[1:]:
            values = group[group["region_level"] == level]["value"]
            if values.isna().any():  # a level with suppressed cells cannot be added up by a reader either
                continue
            compared += 1
            assert values.sum() == pytest.approx(national)
    assert compared > 0


def test_real_files_no_small_cell_published_and_nothing_recoverable(real):
    _, frame, _ = real
    threshold = disclosure.parameters().threshold
    published = frame[~frame["flag"].str.contains("suppressed")]
    counts = published[published["unit"] == "count"]
    assert not ((counts["value"] < threshold) & (counts["value"] > 0)).any()
    assert not (published["denominator"] < threshold).any()
    assert frame["flag"].str.contains("suppressed").any()
    suppressed = frame[frame["flag"].str.contains("suppressed")]
    assert suppressed["value"].isna().all() and (suppressed["rule"] != "").all()
    assert (published["rule"] == "").all()
    assert checks.small_cells_flagged(frame) == []
    # brute force over published totals and parts
    assert checks.recoverable_by_subtraction(frame) == []
    # the attacker's linear program: every small suppressed count keeps an interval of the protection level
    assert checks.attacker_audit(frame) == []
    # whole persons
    published_counts = counts["value"].dropna()
    assert (published_counts == published_counts.round()).all()
    # and the exact linear test on every published count group
    members = regions.members(2020)
    count_cells = frame[frame["unit"] == "count"]
    for _, group in count_cells.groupby(["definition", "period", "breakdown"]):
        cells = group.assign(suppressed=group["flag"].str.contains("suppressed"))
        assert disclosure.recoverable_cells(cells, members) == []


def test_real_files_secondary_suppression_stays_proportionate(real):
    # on the real 2019 files, fewer than 3% of the first-year cells are small; protecting them must
    # not blank the regional chapter: the national figures stay, provinces almost all stay
    _, frame, _ = real
    counts = frame[(frame["unit"] == "count") & frame["indicator_id"].str.startswith("ho_first_years")]
    hidden = counts["flag"].str.contains("suppressed")
    by_level = hidden.groupby(counts["region_level"]).mean()
    assert by_level["national"] == 0
    assert by_level["province"] <= 0.10, by_level.to_dict()
    assert hidden.mean() <= 0.25, by_level.to_dict()
    primary = counts["rule"].str.startswith("primary").sum()
    assert hidden.sum() <= 12 * primary  # a unit (3 sexes) and a few complements per small cell


def test_brute_force_check_catches_unprotected_tables(real):
    _, frame, _ = real
    # undo secondary suppression: a reader could then recompute cells
    naive = frame.copy()
    secondary = naive["rule"].str.startswith("secondary")
    naive.loc[secondary, "flag"] = ""
    assert checks.recoverable_by_subtraction(naive)


def test_real_files_every_level_and_sex_is_produced_and_coverage_is_reported(real):
    _, frame, coverage = real
    assert set(frame["region_level"]) == set(regions.LEVELS)
    assert set(frame["definition"]) == {"nl", "isced", "none"}  # none: the teacher-training groups
    assert set(frame.loc[frame["indicator_id"].str.startswith("ho_"), "definition"]) == {"nl", "isced"}
    assert set(frame["period"]) == {"2015", "2016", "2017", "2018", "2019"}
    catalogue = indicators.catalogue()
    assert set(coverage["indicator_id"]) == set(catalogue["indicator_id"])
    computed = set(coverage.loc[coverage["status"] == "computed", "indicator_id"])
    assert computed == {
        "ho_first_years_stem",
        "ho_first_years_stem_share",
        "ho_first_years_stem_women_share",
        "ho_first_years_stem_mf_ratio",
        "teacher_training_inflow",
    }
    assert set(coverage["status"]) - {"computed"} <= {"no_function", "source_absent"}
    ratio = frame[
        (frame["indicator_id"] == "ho_first_years_stem_mf_ratio")
        & (frame["region_level"] == "national")
        & (frame["definition"] == "nl")
        & (frame["period"] == "2019")
        & (frame["breakdown"] == "level=hbo")
    ].iloc[0]
    stem = frame[
        (frame["indicator_id"] == "ho_first_years_stem")
        & (frame["region_level"] == "national")
        & (frame["definition"] == "nl")
        & (frame["period"] == "2019")
        & (frame["breakdown"] == "level=hbo")
    ]
    men, women = (stem[stem["sex"] == s]["value"].iat[0] for s in ("M", "V"))
    assert ratio["value"] == pytest.approx(round(men / women, 3))


def test_catalogue_declares_every_strand_and_titles():
    catalogue = indicators.catalogue()
    assert set(catalogue["strand"]) == {"Kiezen", "Leren", "Werken"}
    assert catalogue["indicator_id"].is_unique
    assert (catalogue["title_nl"] != "").all() and (catalogue["title_en"] != "").all()
    for family in indicators.families().values():
        assert set(family.indicators) <= set(catalogue["indicator_id"])


# ---------------------------------------------------------------- targets


def test_progress_follows_the_linear_rule():
    rows = []
    for period, value in (("2015", 20.0), ("2020", 26.0), ("2021", 24.0), ("2025", 31.0)):
        rows.append(
            {
                "indicator_id": "ho_first_years_stem_share",
                "definition": "nl",
                "period": period,
                "region_level": "national",
                "breakdown": "level=hbo",
                "sex": "T",
                "value": value,
            }
        )
    result = progress_logic.progress(pd.DataFrame(rows), "2026")
    got = result[result["target_id"] == "ho_first_years_stem_share_hbo"].set_index("period")
    # targets.csv: base 2015, target 30 in 2025 -> path 2020 = 25, 2021 = 26
    assert got.loc["2020", "path_value"] == pytest.approx(25.0) and got.loc["2020", "status"] == "on_track"
    assert got.loc["2021", "path_value"] == pytest.approx(26.0) and got.loc["2021", "status"] == "off_track"
    assert got.loc["2025", "status"] == "reached" and got.loc["2021", "distance"] == pytest.approx(6.0)
    assert set(result["target_status"]) == {"example"}


# ---------------------------------------------------------------- downloads


def test_downloads_are_safe_against_formula_injection(tmp_path):
    names = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "Utrecht"]
    frame = pd.DataFrame(
        {
            "indicator_id": "ho_first_years_stem",
            "definition": "nl",
            "edition": "2024",
            "period": "2023",
            "region_level": "municipality",
            "region_code": [f"GM000{i}" for i in range(5)],
            "region_name": names,
            "sex": "T",
            "breakdown": "level=hbo",
            "numerator": 10.0,
            "denominator": np.nan,
            "value": [10.0, -1.0, 3.0, 4.0, 5.0],
            "value_low": 10.0,
            "value_high": 10.0,
            "unit": "count",
            "flag": "",
            "rule": "",
            "boundary_year": 2024,
        }
    )
    frame["boundary_year"] = frame["boundary_year"].astype("Int64")
    written = downloads.write(tmp_path, frame, indicators.catalogue())
    assert {p.name for p in written} == {
        "indicators.csv",
        "indicators.xlsx",
        "indicators.json",
        "data_dictionary.csv",
        "data_dictionary.json",
        "flag_legend.csv",
    }
    got = pd.read_csv(tmp_path / "indicators.csv", dtype=str, keep_default_na=False)
    # the legend's symbols: '-' for a count of nobody would read as a formula, so it is quoted too
    legend = pd.read_csv(tmp_path / "flag_legend.csv", dtype=str, keep_default_na=False)
    assert "'-" in set(legend["symbol"]) and set(got["symbol"]) == {""}
    assert list(got["region_name"]) == ["'" + n for n in names[:4]] + ["Utrecht"]
    assert got["value"].tolist()[1] == "-1"  # numbers stay numbers
    records = json.loads((tmp_path / "indicators.json").read_text(encoding="utf-8"))
    assert [r["region_name"] for r in records][:4] == ["'" + n for n in names[:4]]
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "indicators.xlsx")["indicators"]
    header = [c.value for c in sheet[xlsx.HEADER_ROW]]
    column = header.index("region_name")
    cells = [row[column] for row in sheet.iter_rows(min_row=xlsx.HEADER_ROW + 1)]
    assert [c.value for c in cells][:4] == ["'" + n for n in names[:4]]
    assert all(c.data_type == "s" for c in cells)
    dictionary = pd.read_csv(tmp_path / "data_dictionary.csv")
    assert {"indicator_id", "flag", "rule", "boundary_year", "value_low", "value_high"} <= set(dictionary["column"])
    assert (dictionary["description"].fillna("") != "").all()


def test_downloads_are_byte_identical_when_rebuilt(tmp_path):
    import time

    frame = pd.DataFrame(
        {
            "indicator_id": "ho_first_years_stem",
            "definition": "nl",
            "edition": "2024",
            "period": "2023",
            "region_level": "national",
            "region_code": "NL01",
            "region_name": "Nederland",
            "sex": "T",
            "breakdown": "",
            "numerator": 10.0,
            "denominator": np.nan,
            "value": 10.0,
            "value_low": 10.0,
            "value_high": 10.0,
            "unit": "count",
            "flag": "",
            "rule": "",
            "boundary_year": pd.array([2024], dtype="Int64"),
        }
    )
    first = downloads.write(tmp_path / "a", frame, indicators.catalogue())
    time.sleep(2.1)  # zip timestamps have a resolution of two seconds
    second = downloads.write(tmp_path / "b", frame, indicators.catalogue())
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_every_catalogue_entry_is_computed_or_has_a_reason_why_not():
    catalogue = set(indicators.catalogue()["indicator_id"])
    functions = {i for family in indicators.families().values() for i in family.indicators}
    reasons = reference.load("indicators/not_computed.csv").frame
    assert set(reasons["indicator_id"]) <= catalogue
    assert set(reasons["indicator_id"]) == catalogue - functions  # nothing left without a function or a reason
    assert (reasons["reason"].str.len() > 40).all()
    # the coverage of a build reports the reason
    _, coverage = indicators.compute({}, "2024")
    detail = coverage.set_index("indicator_id")["detail"]
    for row in reasons.itertuples(index=False):
        assert detail[row.indicator_id] == row.reason


def test_computed_indicators_name_the_delivery_families_they_read():
    # `techpact diff` explains a changed figure by the inputs of its source families, and the period
    # flags are keyed on them: they must be the families deliveries are recognised as
    from assets.sources import FAMILIES

    catalogue = indicators.catalogue().set_index("indicator_id")["source_families"].str.split(";")
    for family in indicators.families().values():
        for indicator_id in family.indicators:
            assert set(catalogue[indicator_id]) <= set(FAMILIES), (indicator_id, catalogue[indicator_id])
            assert set(catalogue[indicator_id]) <= set(family.source_family.split(";")), indicator_id
    flags = reference.load("indicators/period_flags.csv").frame
    assert set(flags["source_family"]) <= set(FAMILIES)


def test_xlsx_download_holds_every_cell_of_the_csv(tmp_path):
    from openpyxl import load_workbook

    frame = pd.DataFrame(
        {
            "indicator_id": "ho_first_years_stem",
            "definition": "nl",
            "edition": "2024",
            "period": ["2022", "2023", "2023"],
            "region_level": "national",
            "region_code": "NL01",
            "region_name": ["Nederland", "A & B <c>", " spaced "],
            "sex": "T",
            "breakdown": ["", "level=hbo", "level=wo"],
            "numerator": [10.0, np.nan, 2.5],
            "denominator": np.nan,
            "value": [10.0, 0.1 + 0.2, -3.0],
            "value_low": 10.0,
            "value_high": 10.0,
            "unit": "count",
            "flag": ["", "suppressed", ""],
            "rule": "",
            "boundary_year": pd.array([2024, None, 2024], dtype="Int64"),
        }
    )
    downloads.write(tmp_path, frame, indicators.catalogue())
    book = load_workbook(tmp_path / "indicators.xlsx")
    rows = list(book["indicators"].values)[xlsx.HEADER_ROW - 1 :]
    expected = downloads.download_frame(frame, indicators.catalogue())
    assert list(rows[0]) == list(expected.columns)
    assert len(rows) == len(expected) + 1
    csv_rows = list(csv.reader((tmp_path / "indicators.csv").open(encoding="utf-8", newline="")))[1:]
    for got, want, text in zip(rows[1:], expected.astype(object).itertuples(index=False), csv_rows):
        assert list(got) == [
            None  # a missing value and an empty text are an empty cell
            if v is None or v is pd.NA or v == "" or (isinstance(v, float) and np.isnan(v))
            else (v if isinstance(v, str) else (int(v) if isinstance(v, np.integer) else pytest.approx(v, rel=1e-15)))
            for v in want
        ]
        # every number as the CSV writes it (15 significant digits)
        assert [f"{v:.15g}" if isinstance(v, float) else ("" if v is None else str(v)) for v in got] == text
    assert rows[2][expected.columns.get_loc("value")] == pytest.approx(0.1 + 0.2, rel=1e-15)
    dictionary_rows = list(book["dictionary"].values)[xlsx.HEADER_ROW :]
    assert [r[0] for r in dictionary_rows] == list(downloads.dictionary()["column"])


def test_json_download_is_what_the_json_module_writes_with_indent_zero():
    records = [{"a": 1, "b": "x\\ny é", "c": None, "d": 0.1 + 0.2, "e": True}, {}, {"a": -2.5e-12}]
    assert downloads._records_json(records) == json.dumps(records, ensure_ascii=False, indent=0)
    assert downloads._records_json([]) == json.dumps([], ensure_ascii=False, indent=0)


def workbook_frame(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "indicator_id": "ho_first_years_stem_share",
            "definition": ["nl", "isced", "nl"],
            "edition": "2024",
            "period": "2023",
            "region_level": ["national", "national", "province"],
            "region_code": ["NL01", "NL01", "PV20"],
            "region_name": ["Nederland", "Nederland", "Groningen"],
            "sex": ["T", "V", "M"],
            "breakdown": ["", "level=hbo", "level=wo"],
            "numerator": [1234.0, 2.5, np.nan],
            "denominator": [5000.0, 10.0, np.nan],
            "value": [24.68, 25.0, np.nan],
            "value_low": [24.68, 15.0, np.nan],
            "value_high": [24.68, 35.0, np.nan],
            "unit": "percent",
            "flag": ["", "masked;provisional", "suppressed"],
            "rule": ["", "", "primary:n<10"],
            "boundary_year": pd.array([None, None, 2024], dtype="Int64"),
            **columns,
        }
    )
    return frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object})


def test_xlsx_download_is_an_accessible_statistical_workbook(tmp_path):
    from openpyxl import load_workbook

    downloads.write(tmp_path, workbook_frame(), indicators.catalogue(), synthetic=True)
    book = load_workbook(tmp_path / "indicators.xlsx")
    assert book.sheetnames == ["cover", "contents", "notes", "indicators", "dictionary", "legend"]
    assert book.active.title == "cover"
    messages = {lang: report.messages(lang) for lang in ("nl", "en")}
    cover = [value for row in book["cover"].values for value in row if value]
    assert cover[:2] == [
        messages["nl"]["workbook_title"].format(edition="2024"),
        "Techniekpact Monitor 2024: indicators",
    ]
    assert cover[2:4] == [messages["nl"]["sample_mark"], messages["en"]["sample_mark"]]  # the synthetic sample
    assert messages["en"]["contact"] in cover and "Edition 2024. Published on 1 June 2024" in cover
    for key in ("workbook_about", "workbook_edition", "sources", "download_licence", "contents", "workbook_notes"):
        assert messages["nl"][key] in cover and messages["en"][key] in cover, key  # every heading in both languages
    assert any(messages["en"]["source_duo_ho_first_years"] in text for text in cover)  # the indicator's source
    # contents: every other sheet, each a link to it
    contents = book["contents"]
    links = {
        row[0].value: row[0].hyperlink.location
        for row in contents.iter_rows(min_row=xlsx.HEADER_ROW + 1)
        if row[0].value
    }
    assert links == {name: f"'{name}'!A1" for name in book.sheetnames if name != "contents"}
    # notes: every flag that occurs, explained in both languages
    notes = pd.DataFrame(
        list(book["notes"].values)[xlsx.HEADER_ROW :], columns=list(book["notes"].values)[xlsx.HEADER_ROW - 1]
    )
    flags = notes[notes["kolom / column"] == "flag"].set_index("code")
    assert set(flags.index.dropna()) == {"masked", "provisional", "suppressed"}
    assert flags.loc["masked", "meaning"] == messages["en"]["flag_masked_note"]
    assert flags.loc["masked", "betekenis"] == messages["nl"]["flag_masked_note"]
    assert set(notes.loc[notes["kolom / column"] == "sex", "code"]) == {"T", "V", "M"}
    for name in book.sheetnames[1:]:  # every table: title in A1, one header row, frozen, a filter, nothing merged
        sheet = book[name]
        assert sheet["A1"].value and sheet["A1"].font.b, name
        assert sheet.freeze_panes == f"A{xlsx.HEADER_ROW + 1}", name
        assert sheet.auto_filter.ref == f"A{xlsx.HEADER_ROW}:{sheet.cell(sheet.max_row, sheet.max_column).coordinate}"
        assert all(cell.font.b for cell in sheet[xlsx.HEADER_ROW]), name
        assert not sheet.merged_cells.ranges, name
        assert all(sheet.column_dimensions[c.column_letter].width >= len(str(c.value)) for c in sheet[xlsx.HEADER_ROW])
    sheet = book["indicators"]
    header = [c.value for c in sheet[xlsx.HEADER_ROW]]
    row = dict(zip(header, sheet[xlsx.HEADER_ROW + 1]))
    assert (row["numerator"].value, row["numerator"].data_type, row["numerator"].number_format) == (1234, "n", "#,##0")
    assert (row["value"].value, row["value"].number_format) == (24.68, "#,##0.0##")
    second = dict(zip(header, sheet[xlsx.HEADER_ROW + 2]))
    assert (second["numerator"].value, second["numerator"].number_format) == (2.5, "#,##0.0##")  # a midpoint
    third = dict(zip(header, sheet[xlsx.HEADER_ROW + 3]))
    assert (third["boundary_year"].value, third["boundary_year"].number_format) == (2024, "0")
    assert third["value"].value is None and row["breakdown"].value is None  # empty cells
    assert book.properties.created == book.properties.modified == datetime(2024, 6, 1)
    # a real edition carries no sample mark
    downloads.write(tmp_path / "real", workbook_frame(), indicators.catalogue())
    cover = [v for row in load_workbook(tmp_path / "real" / "indicators.xlsx")["cover"].values for v in row if v]
    assert messages["nl"]["sample_mark"] not in cover and messages["en"]["sample_mark"] not in cover


def test_xlsx_workbook_refuses_what_a_cell_cannot_hold(tmp_path):
    frame = workbook_frame(value=[1.0, np.inf, 2.0])
    with pytest.raises(ValueError, match=r"sheet indicators, column value, row 2: inf"):
        downloads.write(tmp_path, frame, indicators.catalogue())
    with pytest.raises(ValueError, match="one edition"):
        downloads.write(tmp_path, workbook_frame(edition=["2023", "2024", "2024"]), indicators.catalogue())
    with pytest.raises(ValueError, match=r"no text for sex = 'X'"):
        downloads.write(tmp_path, workbook_frame(sex=["T", "X", "T"]), indicators.catalogue())
