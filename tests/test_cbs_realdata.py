"""The real CBS region files in ../shared/realdata/cbs-regio: recognised, parsed, cross-checked."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from pipeline import cli, reference, sources
from pipeline.problems import SourceError

pytestmark = pytest.mark.realdata
REGIO = "cbs-regio"


def reference_year(year: int):
    ref = reference.load("regions/municipalities.csv").frame
    return ref[ref.boundary_year == str(year)].set_index("municipality_code")


def test_statline_export_2019(realdata):
    path = realdata / REGIO / "Gebieden_in_Nederland_2019_84378NED.csv"
    fmt = sources.detect(path)
    assert (fmt.family, fmt.generation) == ("cbs_regions", "StatLine CSV export")
    delivery = fmt.parse(path)
    frame = delivery.frame
    assert delivery.encoding == "latin-1"
    assert set(frame.table_id) == {"84378NED"} and set(frame.boundary_year) == {2019}
    # independent reading with the csv module: every line but the header and the 'Bron: CBS' footer
    with open(path, encoding="latin-1", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    body = [r for r in rows[1:] if r and not r[0].startswith("Bron:")]
    assert len(frame) == len(body) == 355
    assert int(frame.population.sum()) == sum(int(r[2]) for r in body)
    assert delivery.skipped_lines == (len(rows),)  # the footer line
    assert set(frame.municipality_code) == set(reference_year(2019).index)


def test_derived_86247NED_json_2026(realdata):
    path = realdata / REGIO / "arbeidsmarktregio_gemeente_86247NED.json"
    fmt = sources.detect(path)
    assert fmt.family == "cbs_regions" and "arbeidsmarktregio" in fmt.generation
    frame = fmt.parse(path).frame
    raw = json.loads(path.read_text(encoding="utf-8"))["gemeenten"]
    assert len(frame) == len(raw) == 342 and set(frame.boundary_year) == {2026}
    assert frame.arbeidsmarktregio_code.nunique() == 35
    ref = reference_year(2026)
    assert (frame.set_index("municipality_code").arbeidsmarktregio_code == ref.arbeidsmarktregio_code).all()
    # a problem points at the line of the member in the file
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if '"0363"' in text)
    assert int(frame.loc[frame.municipality_code == "GM0363", "source_line"].iloc[0]) == line


def test_woonplaats_corop_file(realdata):
    path = realdata / REGIO / "woonplaats_gemeente_corop.generated.csv"
    frame = sources.parse(path).frame
    assert len(frame) == 342 and set(frame.boundary_year) == {2026}
    ref = reference_year(2026)
    assert (frame.set_index("municipality_code").corop_code == ref.corop_code).all()


def test_validate_cli_recognises_the_real_cbs_files(realdata, capsys):
    code = cli.main(["validate", str(realdata / REGIO), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["valid"]
    found = {r["file"].rsplit("/", 1)[-1]: (r["family"], r["generation"], r["rows"]) for r in report["files"]}
    assert found == {
        "Gebieden_in_Nederland_2019_84378NED.csv": ("cbs_regions", "StatLine CSV export", 355),
        "arbeidsmarktregio_gemeente_86247NED.json": (
            "cbs_regions",
            "derived JSON municipality -> arbeidsmarktregio",
            342,
        ),
        "woonplaats_gemeente_corop.generated.csv": ("cbs_regions", "woonplaats -> gemeente -> COROP (derived)", 342),
    }


def test_a_municipality_unknown_in_2019_is_named(realdata, tmp_path):
    source = realdata / REGIO / "Gebieden_in_Nederland_2019_84378NED.csv"
    text = source.read_bytes().decode("latin-1").replace("Aalsmeer;GM0358;", "Aalsmeer;GM0999;")
    path = tmp_path / source.name
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        sources.parse(path)
    messages = {(p.row, p.column, p.problem) for p in caught.value.problems}
    assert (3, "Code", "municipality GM0999 does not exist in boundary year 2019") in messages
    assert (None, "Code", "municipality GM0358 of boundary year 2019 is missing") in messages


def test_export_without_footer_takes_the_year_from_the_name(realdata, tmp_path):
    source = realdata / REGIO / "Gebieden_in_Nederland_2019_84378NED.csv"
    lines = source.read_bytes().decode("latin-1").splitlines()
    path = tmp_path / source.name
    path.write_bytes("\n".join(lines[:-1]).encode("latin-1"))
    assert set(sources.parse(path).frame.boundary_year) == {2019}
    nameless = tmp_path / "gebieden.csv"
    shutil.copy(path, nameless)
    with pytest.raises(SourceError, match="cannot tell the boundary year"):
        sources.parse(nameless)
