"""Runs isolated from each other (issue 16): each run reads and writes its own stored outputs; a refresh
reuses only those of the edition's published release, never a failed run's; two builds of one edition
from different landing folders, started together, each publish what they read; the warehouse password
appears nowhere in what a build prints or stores; `techpact ui` leaves no process behind."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from pipeline import cli, verify, warehouse
from pipeline.publish import release as releasing
from pipeline.settings import PROJECT_ROOT, Settings, prepare_dagster_home
from pipeline.sources.files import sha256_file

SECRET = "s3cret-Pw-4711"


def inputs_of(folder: Path) -> list[tuple[str, str]]:
    """The deliveries of a landing folder (the sample's `.techpact-sample` mark is none: the manifest
    states it as `synthetic_sample`)."""
    return sorted((p.name, sha256_file(p)) for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def manifest_inputs(edition_dir: Path) -> list[tuple[str, str]]:
    manifest = json.loads((edition_dir / "manifest.json").read_text(encoding="utf-8"))
    return sorted((item["file"], item["sha256"]) for item in manifest["inputs"])


def revise_first_count(path: Path, add: int) -> None:
    """One more real-looking revision of a DUO delivery: the last count column (AANTAL ... in the long
    layouts, the latest year in the wide ones) of its first data row + `add`."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    counts = [i for i, name in enumerate(header) if name.upper().startswith("AANTAL") or name.isdigit()]
    column = counts[-1]
    fields = lines[1].rstrip("\n").split(";")
    fields[column] = str(int(fields[column]) + add) if fields[column].isdigit() else str(add)
    lines[1] = ";".join(fields) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def every_file_under(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]


@pytest.mark.e2e
@pytest.mark.postgres
def test_two_builds_from_different_folders_started_together_each_publish_what_they_read(sample_dir, tmp_path, pg_url):
    """Same edition, same home, output folder and warehouse (PostgreSQL, its URL with a password),
    different landing folders: B has a revised mbo delivery and lacks the hbo first-year file (allowed
    with --allow-missing). Both exit 0; the release the warehouse records lists exactly the files of
    the folder its run read, and the password is in no output and no file of the home folder."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password=SECRET).render_as_string(hide_password=False)
    folders = {"A": tmp_path / "a", "B": tmp_path / "b"}
    for folder in folders.values():
        shutil.copytree(sample_dir / "2024", folder / "2024")
    revise_first_count(next((folders["B"] / "2024").glob("08-deelnemers-*.csv")), 300)
    next((folders["B"] / "2024").glob("03b-eerstejaars-*hbo*.csv")).unlink()

    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "TECHPACT_WAREHOUSE_URL")}
    env.update(TECHPACT_HOME=str(tmp_path / "home"), PYTHONWARNINGS="ignore", TECHPACT_WAREHOUSE_URL=url)
    runs = {}
    for name, folder in folders.items():
        command = [sys.executable, "-m", "pipeline.cli", "build", "--sources", str(folder), "--edition", "2024"]
        command += ["--out", str(tmp_path / "out"), "--lang", "nl"]
        command += ["--allow-missing", "duo_ho_first_years"] if name == "B" else []
        runs[name] = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    printed = {name: run.communicate(timeout=1800) for name, run in runs.items()}
    for name, run in runs.items():
        assert run.returncode == 0, printed[name][1][-3000:]

    run_ids = {re.findall(r"\(run ([0-9a-f-]{36})\)", printed[name][0])[-1]: name for name in runs}
    record = releasing.release_record(url, "2024")
    winner = run_ids[record["run_id"]]
    edition_dir = tmp_path / "out" / "2024"
    assert manifest_inputs(edition_dir) == inputs_of(folders[winner] / "2024")
    stored = warehouse.read_table(url, "edition_inputs", "2024")
    assert sorted(zip(stored["file"], stored["sha256"])) == inputs_of(folders[winner] / "2024")
    manifest = json.loads((edition_dir / "manifest.json").read_text(encoding="utf-8"))
    if winner == "B":  # published without the hbo first-year file: the gap stated in manifest and report
        assert [m["delivery"] for m in manifest["missing_deliveries"]] == ["duo_ho_first_years_hbo"]
        assert "Zonder levering duo_ho_first_years_hbo (" in (edition_dir / "index.html").read_text(encoding="utf-8")
    else:
        assert "missing_deliveries" not in manifest
    assert cli.main(["verify", str(edition_dir), "--sources", str(folders[winner]), "--warehouse", url]) == 0

    # the password: masked in what was printed, and stored nowhere (run config, event log, outputs)
    for name in runs:
        assert SECRET not in printed[name][0] + printed[name][1]
        assert "warehouse: postgresql+psycopg://postgres:***@" in printed[name][0]
    leaking = [p for p in every_file_under(tmp_path / "home", tmp_path / "out") if SECRET.encode() in p.read_bytes()]
    assert leaking == []


@pytest.mark.e2e
def test_a_refresh_after_a_failed_run_publishes_the_last_good_education_figures(sample_build, tmp_path, monkeypatch):
    """A run from another landing folder (revised hbo first-year counts) stores its education outputs
    and then fails (a broken UWV delivery); `techpact refresh` on the published edition's folder then
    publishes the education figures and tables of the last published release, not the failed run's."""
    import dagster as dg

    from pipeline.definitions import EDITION_JOB, build_defs
    from pipeline.indicators import registered

    build = sample_build.copy(tmp_path / "build")
    before = pd.read_csv(build.edition_dir / "indicators.csv", dtype=str, keep_default_na=False)
    core_before = warehouse.read_table(build.warehouse_url, "core_ho_first_years_classified", "2024")

    other = tmp_path / "other"
    shutil.copytree(sample_build.sample_dir / "2024", other / "2024")
    revise_first_count(next((other / "2024").glob("03b-eerstejaars-*hbo*.csv")), 500)
    uwv = next((other / "2024").glob("uwv-vacatures-*.csv"))
    uwv.write_text(uwv.read_text(encoding="utf-8").splitlines()[0] + "\n;;;\n", encoding="utf-8")

    monkeypatch.setenv("TECHPACT_HOME", str(build.home))
    monkeypatch.setenv("DAGSTER_HOME", str(build.home / "dagster"))
    settings = Settings(home=build.home, sources=other, out=build.out, warehouse_url=build.warehouse_url)
    prepare_dagster_home(settings)
    defs = build_defs(settings)
    [family] = [f"indicators_{f.name}" for f in registered() if f.table == "ho_first_years_classified"]
    # the asset graph is resolved with this home's instance open (Dagster's definitions state storage
    # belongs to the instance; one closed by an earlier test in the same worker cannot serve it)
    with settings.exported_warehouse(), dg.DagsterInstance.get() as instance:
        selected = (
            dg.AssetSelection.assets(family).upstream() | dg.AssetSelection.assets("raw_uwv_vacancies")
        ).resolve(defs.resolve_asset_graph())
        failed = defs.resolve_job_def(EDITION_JOB).execute_in_process(
            partition_key="2024",
            asset_selection=sorted(selected),
            instance=instance,
            raise_on_error=False,
        )
        assert not failed.success
        materialized = {e.asset_key.path[-1] for e in failed.get_asset_materialization_events()}
        assert {"raw_duo_ho_first_years", "ho_first_years_classified", family} <= materialized

    landing = sample_build.sample_dir
    code = cli.main(["refresh", "--edition", "2024", "--sources", str(landing), "--out", str(build.out)])
    assert code == 0
    after = pd.read_csv(build.edition_dir / "indicators.csv", dtype=str, keep_default_na=False)
    education = before["indicator_id"].str.startswith("ho_first_years")
    assert education.sum() > 0
    pd.testing.assert_frame_equal(
        after[after["indicator_id"].str.startswith("ho_first_years")].reset_index(drop=True),
        before[education].reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(
        warehouse.read_table(build.warehouse_url, "core_ho_first_years_classified", "2024"), core_before
    )
    assert manifest_inputs(build.edition_dir) == inputs_of(landing / "2024")
    # the failed run's outputs are gone (only published releases' and running runs' are kept)
    assert failed.run_id not in {p.name for p in (build.home / "storage" / "runs").iterdir()}


def test_a_refresh_from_a_folder_with_other_education_deliveries_is_refused(sample_build, tmp_path):
    """The refresh reuses the published release's education outputs: a landing folder whose education
    deliveries differ from that release's would publish a manifest naming files it was not built from."""
    import dagster as dg

    from assets.publication import _refuse_other_reused_inputs

    url = sample_build.warehouse_url
    inventory = warehouse.read_table(url, "edition_inputs", "2024")
    _refuse_other_reused_inputs(inventory, url, "2024")  # the published release's own inputs: accepted
    changed = inventory.copy()
    row = changed.index[changed["family"] == "duo_ho_first_years"][0]
    changed.loc[row, "sha256"] = "0" * 64
    with pytest.raises(dg.Failure, match="education deliveries differ") as caught:
        _refuse_other_reused_inputs(changed, url, "2024")
    assert changed.loc[row, "file"] in str(caught.value.description)
    labour = inventory.copy()
    labour.loc[labour.index[labour["family"] == "uwv_vacancies"][0], "sha256"] = "1" * 64
    _refuse_other_reused_inputs(labour, url, "2024")  # a revised labour-market delivery is what a refresh is for


def test_each_run_stores_its_outputs_in_its_own_folder(sample_build):
    """The shared build's outputs are in the folder of its run, the one its release record names."""
    runs = sample_build.home / "storage" / "runs"
    record = releasing.release_record(sample_build.warehouse_url, "2024")
    assert [p.name for p in runs.iterdir()] == [record["run_id"]]
    assert (runs / record["run_id"] / "indicators" / "2024.parquet").is_file()
    assert not (sample_build.home / "storage" / "indicators").exists()


# --- techpact ui ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_ui_stops_its_whole_process_tree(tmp_path, sample_dir, sig):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(TECHPACT_HOME=str(tmp_path / "home"), PYTHONWARNINGS="ignore")
    command = [sys.executable, "-m", "pipeline.cli", "ui", "--port", str(port), "--sources", str(sample_dir)]
    ui = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # a guard against a hang while the UI starts, not a speed test
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Dagster UI did not start")
        tree = cli._descendants(ui.pid)
        assert len(tree) >= 2  # dagster dev, its webserver (and daemon, code server)
        ui.send_signal(sig)
        ui.wait(timeout=60)
        assert [pid for pid in tree if cli._alive(pid)] == []
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
    finally:
        if ui.poll() is None:
            cli.stop_process_tree(ui, 5)
    assert cli.UI_STOP_SECONDS < 10


def test_the_ui_opens_without_the_community_pop_up(tmp_path, monkeypatch):
    import dagster as dg

    monkeypatch.delenv("TECHPACT_DAGSTER_YAML", raising=False)
    monkeypatch.delenv("TECHPACT_INSTANCE", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", "")
    prepare_dagster_home(Settings(home=tmp_path))
    with dg.DagsterInstance.get() as instance:
        assert instance.nux_enabled is False


def test_verify_refuses_a_manifest_rehashed_after_tampering_and_a_link_the_warehouse_did_not_commit(
    sample_build, tmp_path, capsys
):
    build = sample_build.copy(tmp_path / "build")
    command = ["verify", str(build.edition_dir), "--outputs-only", "--warehouse", build.warehouse_url]
    assert cli.main(command) == 0
    # an output changed and its hash in the manifest changed with it: the files agree with the manifest,
    # the manifest no longer with the one the warehouse recorded at the commit
    folder = build.edition_dir.resolve()
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    table = folder / "indicators.csv"
    table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n", 1))
    for item in manifest["outputs"]:
        if item["path"] == "indicators.csv":
            item["sha256"] = sha256_file(table)
    (folder / "manifest.json").write_text(json.dumps(manifest, sort_keys=True), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(command) == 1
    printed = capsys.readouterr().out
    assert "release manifest.json: differs from the manifest the warehouse recorded at commit" in printed
    assert "1 difference(s)" in printed
    # a link to a release the warehouse did not commit (a copy under another name)
    shutil.copytree(folder, folder.parent / "2024-99", symlinks=True)
    releasing.point_link(build.out, "2024", "2024-99")
    record = releasing.release_record(build.warehouse_url, "2024")
    found = verify.verify_release(build.out / "2024", build.warehouse_url)
    assert found[0].problem == (
        f"link/warehouse mismatch: the folder is release 2024-99, the warehouse committed {record['release']}"
    )
    # the next command's recovery puts the link back to the committed release first
    assert cli.main(["verify", str(build.out / "2024"), "--outputs-only", "--warehouse", build.warehouse_url]) == 1
    assert releasing.current_release(build.out, "2024") == record["release"]
    assert not (build.out / ".releases" / "2024-99").exists()
