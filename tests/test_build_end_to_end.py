"""The whole path through Dagster: sample edition -> warehouse, CSV, HTML, PDF; bad input publishes nothing.

The published edition is the shared build of the sample (`sample_build` in conftest.py). A bad delivery
is tested with the real command once per kind of failure (a delivery that does not parse, a programme
code no STEM table knows), on a copy of that build: exit code, what the command prints, nothing
published. The other bad deliveries are run through the assets that read them (`materialize`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli, warehouse
from pipeline.dagster_support import published_output, run_storage
from pipeline.publish import formatting
from pipeline.sample import uwv

pytestmark = pytest.mark.e2e


def build(copy, sources: Path, monkeypatch, *extra: str) -> int:
    """`techpact build --edition 2024` from `sources` into the home, output folder and warehouse of
    `copy` (a copy of the shared build)."""
    monkeypatch.setenv("TECHPACT_HOME", str(copy.home))
    monkeypatch.setenv("DAGSTER_HOME", str(copy.home / "dagster"))
    return cli.main(
        [
            "build",
            "--sources",
            str(sources),
            "--edition",
            "2024",
            "--out",
            str(copy.out),
            "--warehouse",
            copy.warehouse_url,
        ]
        + list(extra)
    )


def published(copy) -> tuple[dict[Path, bytes], pd.DataFrame, pd.DataFrame]:
    """The edition's files, the warehouse's indicators and its release record."""
    folder = copy.edition_dir
    files = {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    return (
        files,
        warehouse.read_table(copy.warehouse_url, "indicators"),
        warehouse.read_table(copy.warehouse_url, "edition_releases"),
    )


def assert_unchanged(copy, before) -> None:
    after = published(copy)
    assert after[0] == before[0]
    pd.testing.assert_frame_equal(after[1], before[1])
    pd.testing.assert_frame_equal(after[2], before[2])


def landing_copy(sample_dir: Path, tmp: Path) -> Path:
    landing = tmp / "landing"
    shutil.copytree(sample_dir / "2024", landing / "2024")
    return landing


def materialize(landing: Path, tmp: Path, *targets: str, allow_unclassified: bool = False):
    """Materialise edition 2024 of `targets` and every asset they need from `landing`, in this process
    on a throwaway instance (storage under `tmp`); the result (not raised on failure)."""
    import dagster as dg

    from pipeline.definitions import EDITION_JOB, build_defs
    from pipeline.settings import Settings

    settings = Settings(home=tmp / "home", sources=landing, out=tmp / "out", warehouse_url=f"sqlite:///{tmp / 'w.db'}")
    defs = build_defs(settings, allow_unclassified=allow_unclassified)
    selected = dg.AssetSelection.assets(*targets).upstream().materializable().resolve(defs.resolve_asset_graph())
    with dg.DagsterInstance.ephemeral() as instance:
        return defs.resolve_job_def(EDITION_JOB).execute_in_process(
            partition_key="2024", asset_selection=sorted(selected), instance=instance, raise_on_error=False
        )


def test_outputs_are_published(sample_build):
    folder = sample_build.edition_dir
    names = {p.name for p in folder.iterdir()}
    assert names >= {
        "index.html",
        "indicators.csv",
        "manifest.json",
        "monitor-2024-nl.pdf",
        "monitor-2024-en.pdf",
        "site.css",
        "methode.html",
        "downloads.html",
        "kiezen.html",
        "indicator",
        "definition_changes.csv",
        "definition_comparison.csv",
        "stem_bridge.csv",
        "data_dictionary.csv",
        "data_dictionary.json",
        "indicators.json",
        "indicators.xlsx",
        "flag_legend.csv",
    }
    assert (folder / "indicator" / "ho_first_years_stem_share.html").is_file()


def test_the_workbook_holds_every_row_of_the_csv_and_marks_the_sample(sample_build):
    from openpyxl import load_workbook

    from pipeline import xlsx
    from pipeline.publish import report

    folder = sample_build.edition_dir
    book = load_workbook(folder / "indicators.xlsx", read_only=True)
    assert book.sheetnames == ["cover", "contents", "notes", "indicators", "dictionary", "legend"]
    cover = [value for row in book["cover"].values for value in row if value]
    assert report.messages("nl")["sample_mark"] in cover and report.messages("en")["sample_mark"] in cover
    rows = len(pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False))
    assert book["indicators"].max_row - xlsx.HEADER_ROW == rows
    header = next(book["indicators"].iter_rows(min_row=xlsx.HEADER_ROW, max_row=xlsx.HEADER_ROW, values_only=True))
    assert list(header) == list(pd.read_csv(folder / "indicators.csv", nrows=0).columns)
    book.close()


def test_published_cells_are_whole_persons_with_flags_of_the_legend(sample_build):
    """Issue 19: no published count has a fractional part; every flag of a published cell is one of
    the legend's, with its symbol; 'masked' marks a material interval only; the methodology page
    prints the legend."""
    folder = sample_build.edition_dir
    csv = pd.read_csv(folder / "indicators.csv", dtype={"period": str, "symbol": str}, keep_default_na=False)
    counts = pd.to_numeric(csv.loc[csv["unit"] == "count", "value"], errors="coerce").dropna()
    assert len(counts) > 0 and (counts == counts.round()).all()
    legend = pd.read_csv(folder / "flag_legend.csv", dtype=str, keep_default_na=False)
    flags = {f for cell in csv["flag"] for f in cell.split(";") if f}
    assert flags and flags <= set(legend["flag"])
    symbol = dict(zip(legend["flag"], legend["symbol"]))
    suppressed = csv["flag"].str.contains("suppressed")
    assert suppressed.any() and csv.loc[suppressed, "symbol"].str.contains(symbol["suppressed"], regex=False).all()
    # 'masked' marks a material interval only: never on an exact count
    exact = csv[(csv["unit"] == "count") & (csv["value_low"] == csv["value_high"]) & (csv["value_low"] != "")]
    assert not exact["flag"].str.contains("masked").any()
    page = (folder / "methode.html").read_text(encoding="utf-8")
    assert all(f"{label}</td>" in page for label in legend["label_nl"])


def test_html_shows_the_csv_numbers(sample_build):
    folder = sample_build.edition_dir
    csv = pd.read_csv(folder / "indicators.csv", dtype={"period": str})
    html = (folder / "indicator" / "ho_first_years_stem_share.html").read_text(encoding="utf-8")
    share = csv[
        (csv.indicator_id == "ho_first_years_stem_share")
        & (csv.definition == "nl")
        & (csv.sex == "T")
        & (csv.breakdown == "level=hbo")
        & (csv.region_level == "national")
    ]
    caption = html.index("Aandeel eerstejaars in bètatechniek – hbo – Nederlandse definitie")
    table = html[caption : html.index("</table>", caption)]
    rows = re.findall(r'<th scope="row">(\d{4})</th>(.*?)</tr>', table)
    assert len(rows) == len(share) == 5
    for period, cells in rows:
        values = re.findall(r"<td>(.*?)</td>", cells)
        expected = share[share.period == period].iloc[0]
        assert values[0] == formatting.number(expected.numerator, "nl")
        assert values[1] == formatting.number(expected.denominator, "nl")
        assert values[2] == formatting.percent(expected.value, "nl")


def test_warehouse_holds_the_published_indicators(sample_build):
    folder, url = sample_build.edition_dir, sample_build.warehouse_url
    csv = pd.read_csv(
        folder / "indicators.csv", dtype={"period": str, "edition": str}, keep_default_na=False, na_values=[""]
    ).fillna({"breakdown": ""})  # '' = no breakdown (e.g. a national total)
    stored = warehouse.read_table(url, "indicators", "2024")
    assert len(stored) == len(csv)
    key = ["indicator_id", "definition", "period", "region_level", "region_code", "sex", "breakdown"]
    merged = csv.merge(stored, on=key, suffixes=("", "_db"))
    assert len(merged) == len(csv)
    assert (merged["value"].fillna(-1) - merged["value_db"].fillna(-1)).abs().max() < 1e-9


def test_warehouse_holds_every_validated_stage_table(sample_build):
    import json

    from assets.publication import STAGE_TABLES

    folder, url = sample_build.edition_dir, sample_build.warehouse_url
    names = set(STAGE_TABLES.values())
    assert {
        "raw_duo_mbo_participants",
        "core_vo_pupils_by_profile_classified",
        "core_employment_by_occupation",
        "raw_uwv_tension",
        "core_programme_participation",
    } <= names
    stored = {name: warehouse.read_table(url, name, "2024") for name in sorted(names)}
    assert all(len(frame) > 0 for frame in stored.values()), [n for n, f in stored.items() if f.empty]
    for name, frame in stored.items():
        if name.endswith("_classified"):  # classification adds flags, never rows
            assert len(frame) == len(stored[name.removesuffix("_classified")])
            assert {"stem_nl", "stem_isced"} <= set(frame.columns)
    # every data row of every delivery is in its raw table (DUO's wide years make several raw rows of one line)
    rows = {item["file"]: item["rows"] for item in json.loads((folder / "manifest.json").read_text())["inputs"]}
    raw = pd.concat(
        [frame[["source_file", "source_line"]] for name, frame in stored.items() if name.startswith("raw_")]
    )
    lines = raw.drop_duplicates().groupby("source_file").size()
    assert {f: int(n) for f, n in lines.items()} == rows


def test_pdf_has_outline_page_numbers_and_contents(sample_build):
    from pypdf import PdfReader

    folder = sample_build.edition_dir
    reader = PdfReader(folder / "monitor-2024-nl.pdf")
    pages = len(reader.pages)
    assert pages >= 5
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == [
        "Kernpunten",
        "Doelen van het Techniekpact",
        "Kiezen",
        "Leren",
        "Werken",
        "Regio's",
        "Methode",
        "Colofon",
    ]
    contents = reader.pages[1].extract_text()
    assert "Inhoud" in contents and "Kernpunten" in contents
    assert f"3 / {pages}" in reader.pages[2].extract_text()
    assert reader.trailer["/Root"].get("/Lang") == "nl"


def test_manifest_names_inputs_with_hashes(sample_build):
    import hashlib
    import json

    folder, sample_dir = sample_build.edition_dir, sample_build.sample_dir
    manifest = json.loads((folder / "manifest.json").read_text())
    for item in manifest["inputs"]:
        data = (sample_dir / "2024" / item["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert item["rows"] > 0, item["file"]  # every delivery, not only the first-year files
        if item["file"].endswith(".csv"):  # the sample's CSV deliveries: a header, then one row per line
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:  # DUO's vo files of the 2019 layouts are latin-1
                text = data.decode("latin-1")
            lines = [line for line in text.splitlines() if line.strip(' ;"')]
            assert item["rows"] == len(lines) - 1, item["file"]
    assert {t["id"] for t in manifest["reference_tables"]} >= {"stem.nl_ho_programmes", "stem.isced_ho_programmes"}
    for output in manifest["outputs"]:
        assert hashlib.sha256((folder / output["path"]).read_bytes()).hexdigest() == output["sha256"]


def test_dagster_recorded_materialisations_and_checks(sample_build, monkeypatch):
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", str(sample_build.home / "dagster"))
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("edition_release"))
        assert event is not None
        raw = instance.get_latest_materialization_event(dg.AssetKey("raw_duo_ho_first_years"))
        tags = raw.asset_materialization.tags
        assert any(k.startswith("dagster/input_data_version") for k in tags)
        checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("indicators_ho_first_years"), "denominators_equal_core")]
        )
        assert checks


UI_QUERY = """{
  assetNodes { assetKey { path }
    assetChecksOrError { ... on AssetChecks { checks { name executionForLatestMaterialization { status runId } } } } }
  runsOrError { ... on Runs { results { runId status jobName } } }
}"""


def test_dagster_ui_shows_the_asset_graph_and_the_runs_checks(sample_build, tmp_path):
    """`techpact ui`, as README starts it, serves the build's instance: the asset graph, the run and its checks."""
    import json
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    import psutil

    copy = sample_build.copy(tmp_path)  # the UI's daemon writes to the instance
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "TECHPACT_HOME": str(copy.home),
        "TECHPACT_SOURCES": str(copy.sample_dir),
        "TECHPACT_OUT": str(copy.out),
        "PYTHONWARNINGS": "ignore",
    }
    env.pop("DAGSTER_HOME", None)

    def as_from_a_shell() -> None:  # a test runner's worker may ignore these; a user's terminal does not
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    ui = subprocess.Popen(
        [str(Path(sys.executable).parent / "techpact"), "ui", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_shell,
    )
    started: list[psutil.Process] = []
    try:
        deadline, answer = time.monotonic() + 240, None
        while answer is None:
            assert ui.poll() is None, f"techpact ui stopped: {ui.stderr.read()[-2000:]}"
            assert time.monotonic() < deadline, "the Dagster UI did not answer within 240 s"
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=json.dumps({"query": UI_QUERY}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                answer = json.load(urllib.request.urlopen(request, timeout=30))["data"]
            except OSError:
                time.sleep(2)
    finally:
        started = psutil.Process(ui.pid).children(recursive=True)  # `dagster dev`, its webserver, daemon, ...
        ui.send_signal(signal.SIGINT)  # Ctrl-C: techpact ui stops `dagster dev`, which stops what it started
        try:
            ui.wait(timeout=120)
        except subprocess.TimeoutExpired:
            ui.kill()
        _, left = psutil.wait_procs(started, timeout=60)
        for process in left:
            process.kill()
    assert ui.returncode is not None and not left, f"left running after Ctrl-C: {[p.pid for p in left]}"
    nodes = {"/".join(n["assetKey"]["path"]): n for n in answer["assetNodes"]}
    assert {"raw_duo_ho_first_years", "ho_first_years", "indicators", "edition_release"} <= set(nodes)
    runs = [r for r in answer["runsOrError"]["results"] if r["jobName"] == "edition_build"]  # newest first
    assert runs and runs[0]["status"] == "SUCCESS"
    checks = {
        c["name"]: c["executionForLatestMaterialization"]
        for c in nodes["indicators_ho_first_years"]["assetChecksOrError"]["checks"]
    }
    assert checks["denominators_equal_core"] == {"status": "SUCCEEDED", "runId": runs[0]["runId"]}


def test_a_delivery_that_does_not_parse_publishes_nothing(sample_build, tmp_path, monkeypatch, capsys):
    """The command on a bad delivery: exit code 1, 'NOT published' with the file and column, and the
    last good edition (files, warehouse rows, release record) as it was."""
    copy = sample_build.copy(tmp_path / "build")
    landing = landing_copy(sample_build.sample_dir, tmp_path)
    victim = sorted((landing / "2024").glob("*hbo*.csv"))[0]
    victim.write_text(victim.read_text(encoding="utf-8").replace("OPLEIDINGSVORM", "OPLEIDINGS_VORM", 1))
    before = published(copy)
    capsys.readouterr()
    assert build(copy, landing, monkeypatch) == 1
    err = capsys.readouterr().err
    assert "edition 2024 was NOT published" in err
    assert victim.name in err and "column 'OPLEIDINGSVORM'" in err
    assert_unchanged(copy, before)


DAMAGES = {  # delivery -> (damage, the core table it feeds, words of the error)
    "a value that is not a count": (
        "*hbo*.csv",
        lambda data: data.replace(b";vrouw;", b";vrouw;x", 1),
        "ho_enrolments",
        "",
    ),
    "an empty file": ("*hbo*.csv", lambda data: b"", "ho_enrolments", ""),
    "a truncated CBS OData file": (
        "85276NED.json",
        lambda data: data[: len(data) // 2],
        "employment_by_occupation",
        "truncated JSON",
    ),
    "an unknown labour-market region": (
        "uwv-spanningsindicator-2023.csv",
        lambda data: data.replace(b";AM24;Zeeland;", b";AM77;Zeeland;", 1),
        "labour_market_tension",
        "unknown arbeidsmarktregio 'AM77'",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_bad_delivery_fails_the_assets_that_read_it(sample_dir, tmp_path, case):
    """Each bad delivery fails an asset the edition's release depends on, with the file (and what is
    wrong) in the message the command prints (cli._failure_messages)."""
    import dagster as dg

    pattern, damage, table, words = DAMAGES[case]
    landing = landing_copy(sample_dir, tmp_path)
    victim = sorted((landing / "2024").glob(pattern))[0]
    victim.write_bytes(damage(victim.read_bytes()))
    result = materialize(landing, tmp_path, table)
    assert not result.success
    failed = {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}
    messages = "\n".join(cli._failure_messages(result))
    assert victim.name in messages and words in messages
    from pipeline.definitions import build_defs

    release_needs = build_defs().resolve_asset_graph().get(dg.AssetKey("edition_release")).parent_keys
    assert failed and {dg.AssetKey(step) for step in failed} <= release_needs  # so nothing is published


def _with_unknown_programme(sample_dir: Path, landing: Path) -> tuple[Path, list[int]]:
    """The sample's 2024 deliveries with one programme code replaced by one no table knows."""
    shutil.copytree(sample_dir / "2024", landing / "2024")
    victim = sorted((landing / "2024").glob("*eerstejaars*hbo*.csv"))[0]
    lines = victim.read_text(encoding="utf-8").split("\n")
    code = lines[1].split(";")[9]
    changed = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(";")
        if len(fields) > 9 and fields[9] == code:
            fields[9], fields[10] = "99998", "B Nieuwe Opleiding"
            lines[number - 1] = ";".join(fields)
            changed.append(number)
    victim.write_text("\n".join(lines), encoding="utf-8")
    return victim, changed


def test_unknown_programme_code_stops_the_build_with_the_code_listed(sample_build, tmp_path, monkeypatch, capsys):
    copy = sample_build.copy(tmp_path / "build")
    victim, changed = _with_unknown_programme(sample_build.sample_dir, tmp_path / "landing")
    before = published(copy)
    capsys.readouterr()
    assert build(copy, tmp_path / "landing", monkeypatch) == 1
    err = capsys.readouterr().err
    assert "NOT published" in err and "ho_first_years_classified" in err
    assert "[nl] hbo 99998 'B Nieuwe Opleiding'" in err and "[isced] hbo 99998" in err
    assert f"{victim.name} line(s) {', '.join(map(str, changed[:5]))}" in err
    assert_unchanged(copy, before)


def test_allow_unclassified_counts_and_reports_the_unknown_code(sample_dir, tmp_path):
    """With --allow-unclassified (BuildOptions) the classification passes with a warning and the
    unknown code is counted as unclassified under both definitions; the edition's release needs
    nothing more than these assets (its publication of the bridge: test_bridge_is_published...)."""
    import dagster as dg

    _with_unknown_programme(sample_dir, tmp_path / "landing")
    result = materialize(tmp_path / "landing", tmp_path, "stem_bridge", allow_unclassified=True)
    assert result.success
    storage = run_storage(tmp_path / "home" / "storage", result.run_id)
    bridge = pd.read_parquet(storage / "stem_bridge" / "2024.parquet")
    # unknown to both definitions: STEM under neither, and counted as unclassified under each
    unclassified = bridge[(bridge["component"] == "unclassified") & (bridge["sex"] == "T")]
    assert set(unclassified["group"]) == {"nl", "isced"} and (unclassified["count_low"] > 0).all()
    assert bridge[bridge["group"] == "unclassified"].empty
    classified = pd.read_parquet(storage / "ho_first_years_classified" / "2024.parquet")
    rows = classified[classified["programme_code"] == "99998"]
    assert len(rows) > 0 and rows["stem_nl"].isna().all() and (rows["cluster_nl"] == "unclassified").all()
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_check_key == dg.AssetCheckKey(dg.AssetKey("ho_first_years_classified"), "every_code_classified")
    ]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    assert "99998" in evaluation.metadata["unclassified"].value


def test_allow_unclassified_reaches_the_build(tmp_path, monkeypatch):
    """`techpact build --allow-unclassified` builds with the option (what it does: the test above)."""
    (tmp_path / "2024").mkdir()
    seen = {}
    monkeypatch.setattr(cli, "run_edition", lambda settings, edition, flat, **options: seen.update(options) or 0)
    assert cli.main(["build", "--sources", str(tmp_path), "--allow-unclassified"]) == 0
    assert seen["allow_unclassified"] is True
    assert cli.main(["build", "--sources", str(tmp_path)]) == 0
    assert seen["allow_unclassified"] is False


def test_every_stem_indicator_exists_under_both_definitions(sample_build):
    folder, url = sample_build.edition_dir, sample_build.warehouse_url
    csv = pd.read_csv(folder / "indicators.csv", dtype={"period": str}, keep_default_na=False)
    catalogue = pd.read_csv(
        Path(__file__).parents[1] / "reference" / "indicators" / "catalogue.csv", keep_default_na=False
    )
    stem_ids = set(catalogue.loc[~catalogue["stem_definitions"].isin(["", "none"]), "indicator_id"])
    published = csv[csv["indicator_id"].isin(stem_ids)]
    # every catalogue STEM indicator is either published or reported as not computed (never skipped)
    coverage = warehouse.read_table(url, "indicator_coverage", "2024")
    computed = set(coverage.loc[coverage["status"] == "computed", "indicator_id"])
    assert stem_ids <= set(coverage["indicator_id"])
    assert set(published["indicator_id"]) == stem_ids & computed and len(computed & stem_ids) > 0
    cells = ["indicator_id", "period", "region_level", "region_code", "sex", "breakdown"]
    for definition in ("nl", "isced"):
        assert len(published[published["definition"] == definition]) > 0
    # every national STEM cell exists under both definitions (a regional cell can be absent under one
    # definition only where that definition counts nobody there, e.g. a share of women of zero STEM students)
    national = published[published["region_level"] == "national"]
    nl = national[national["definition"] == "nl"][cells].sort_values(cells).reset_index(drop=True)
    isced = national[national["definition"] == "isced"][cells].sort_values(cells).reset_index(drop=True)
    pd.testing.assert_frame_equal(nl, isced)
    assert set(csv.loc[~csv["indicator_id"].isin(stem_ids), "definition"]) <= {"none"}


def test_bridge_is_published_and_in_the_warehouse(sample_build):
    from pipeline import bridge as bridge_logic

    folder, url = sample_build.edition_dir, sample_build.warehouse_url
    csv = pd.read_csv(folder / "stem_bridge.csv", dtype={"group": str, "edition": str}, keep_default_na=False)
    assert bridge_logic.reconcile(csv) == []
    assert set(csv["level"]) == {"hbo", "wo", "mbo"} and set(csv["sex"]) == {"T", "M", "V"}
    stored = warehouse.read_table(url, "stem_bridge", "2024")
    assert len(stored) == len(csv)
    indicators = pd.read_csv(folder / "indicators.csv", dtype={"period": str}, keep_default_na=False)
    count = indicators[
        (indicators.indicator_id == "ho_first_years_stem")
        & (indicators.sex == "T")
        & (indicators.region_level == "national")
    ]
    for definition, component in (("nl", "nl_total"), ("isced", "isced_total")):
        got = pd.to_numeric(count[count.definition == definition].set_index(["breakdown", "period"])["numerator"])
        want = csv[
            (csv.component == component) & (csv.sex == "T") & (csv.group_kind == "") & (csv.population == "first_years")
        ]
        want = want.assign(breakdown="level=" + want["level"], period=want["year"].astype(str)).set_index(
            ["breakdown", "period"]
        )["count"]
        pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, check_dtype=False)


DUO_CORE_TABLES = {  # core table -> (sample file pattern, count column expected present)
    "ho_first_years": "03b-eerstejaars-*.csv",
    "ho_enrolments": "01-ingeschrevenen-*.csv",
    "ho_diplomas": "05-gediplomeerden-*.csv",
    "mbo_participants": "08-deelnemers-*.csv",
    "mbo_diplomas": "10-gediplomeerden-*.csv",
    "vo_exam_candidates": "examenkandidaten-en-geslaagden-*.csv",
    "vo_pupils_by_profile": "leerlingen-vo-*.csv",
    "vo_exam_subjects": "examenkandidaten-*-en-examencijfers-*.csv",
}


@pytest.mark.parametrize("table", list(DUO_CORE_TABLES))
def test_every_duo_family_flows_into_its_core_table(sample_build, table):
    """The stored core table of the 2024 sample build holds every row and total of its deliveries."""
    import csv

    core = pd.read_parquet(published_output(sample_build.home / "storage", sample_build.warehouse_url, table, "2024"))
    files = sorted((sample_build.sample_dir / "2024").glob(DUO_CORE_TABLES[table]))
    assert files and len(core) > 0
    assert set(core["source_file"]) == {p.name for p in files}
    assert set(core["edition"]) == {"2024"}
    masked_in_files = 0
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # DUO's vo files of the 2019 layouts are latin-1
            text = data.decode("latin-1")
        rows = list(csv.reader(text.splitlines(), delimiter=";"))
        masked_in_files += sum(
            1
            for r in rows[1:]
            for h, c in zip(rows[0], r)
            if (c == "<5" and not h.endswith("TOTAAL")) or (h == "INDICATIEAVG" and c == "J")
        )
    assert int(core["masked"].sum()) == masked_in_files
    assert (core.loc[core["masked"], "count_low"] == 1).all() and (core.loc[core["masked"], "count_high"] == 4).all()


LABOUR_CORE_TABLES = {  # core table -> a family whose sample delivery feeds it
    "employment_by_occupation": "85276NED.json",
    "vacancies_by_sector": "80472NED.json",
    "municipality_regions": "85755NED.json",
    "unemployment_by_education": "cbs-maatwerk-werkloosheid-opleidingsrichting-2023.xlsx",
    "vacancies_by_occupation": "uwv-vacatures-techniek-ict-2023.csv",
    "labour_market_tension": "uwv-spanningsindicator-2023.csv",
    "programme_participation": "jet-net-technet-partnerschappen-2023.csv",
}


def test_labour_and_register_families_flow_into_their_core_tables(sample_build):
    storage = published_output(sample_build.home / "storage", sample_build.warehouse_url, "x", "2024").parent.parent
    for table, delivery in LABOUR_CORE_TABLES.items():
        frame = pd.read_parquet(storage / table / "2024.parquet")
        assert len(frame) > 0, table
        assert set(frame["edition"]) == {"2024"}, table
        assert delivery in set(frame["source_file"]), table
    regions = pd.read_parquet(storage / "municipality_regions" / "2024.parquet")
    assert len(regions) == 342 and regions["arbeidsmarktregio_code"].nunique() == 35
    participation = pd.read_parquet(storage / "programme_participation" / "2024.parquet")
    assert set(participation["programme"]) == {"Jet-Net", "TechNet", "MKB!dee"}


def test_refresh_reruns_only_the_labour_market_path(sample_build, tmp_path, monkeypatch, capsys):
    """`techpact refresh` after one labour-market delivery changed: only the assets that depend on it
    run, the edition is republished with the new figures, and the warehouse keeps the education
    tables it already holds without loading them again."""
    import dagster as dg

    from pipeline.definitions import EDITION_JOB, build_defs
    from pipeline.settings import Settings, prepare_dagster_home

    copy = sample_build.copy(tmp_path / "build")
    out, url = copy.out, copy.warehouse_url
    landing = landing_copy(sample_build.sample_dir, tmp_path)
    monkeypatch.setenv("TECHPACT_HOME", str(copy.home))
    monkeypatch.setenv("DAGSTER_HOME", str(copy.home / "dagster"))
    # the build's landing inventory taken again on this landing folder (same files): as if the edition
    # had been built from it, so that the refresh reads the revised delivery from here
    settings = Settings(home=copy.home, sources=landing, out=out, warehouse_url=url)
    prepare_dagster_home(settings)
    with dg.DagsterInstance.get() as instance:
        assert (
            build_defs(settings)
            .resolve_job_def(EDITION_JOB)
            .execute_in_process(
                partition_key="2024", asset_selection=[dg.AssetKey("landing_inventory")], instance=instance
            )
            .success
        )
    before = pd.read_csv(out / "2024" / "indicators.csv", dtype=str, keep_default_na=False)
    uwv.revise_vacancy_count(landing / "2024")
    capsys.readouterr()

    assert (
        cli.main(["refresh", "--edition", "2024", "--sources", str(landing), "--out", str(out), "--warehouse", url])
        == 0
    )
    run_id = capsys.readouterr().out.split("(run ")[1].split(")")[0]
    with dg.DagsterInstance.get() as instance:
        steps = {r.dagster_event.step_key for r in instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS)}
        release = instance.get_latest_materialization_event(dg.AssetKey("edition_release")).asset_materialization
    assert {"raw_uwv_vacancies", "indicators", "edition_release"} <= steps
    assert not {s for s in steps if s.startswith(("raw_duo_", "ho_", "mbo_", "vo_"))}
    # the indicators of the education families are not recomputed, those of the changed source are
    assert {"indicators_vacancies", "indicators_tension"} <= steps
    assert not {s for s in steps if s.startswith(("indicators_ho_", "indicators_mbo_", "indicators_vo_"))}

    after = pd.read_csv(out / "2024" / "indicators.csv", dtype=str, keep_default_na=False)
    changed = before.merge(after, how="outer", indicator=True).query("_merge != 'both'")
    assert not changed.empty and set(changed["indicator_id"]) <= {
        "vacancies_technical_occupations",
        "vacancies_ict_occupations",
        "labour_market_tension",
    }
    kept = set(release.metadata["warehouse_tables_unchanged"].value)
    assert {"raw_duo_ho_first_years", "core_ho_first_years", "core_ho_first_years_classified"} <= kept
    assert not {"raw_uwv_vacancies", "core_vacancies_by_occupation", "indicators"} & kept  # what changed is loaded
    stored = warehouse.read_table(url, "indicators", "2024")
    assert len(stored) == len(after)
    # the refresh (without --lang) publishes the languages the release had: both
    assert {p.name for p in (out / "2024").glob("*.pdf")} == {"monitor-2024-nl.pdf", "monitor-2024-en.pdf"}
    manifest = json.loads((out / "2024" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["languages"] == ["nl", "en"]
