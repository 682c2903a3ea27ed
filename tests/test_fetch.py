"""`techpact fetch` against saved responses: an injected opener answers instead of the network."""

from __future__ import annotations

import json

import pytest

from pipeline import fetch, sources
from pipeline.sample.cbs import bundle, pad

BASE = "https://opendata.cbs.nl/ODataApi/odata"


def employment_responses(pages: int = 3) -> dict[str, bytes]:
    """What the CBS OData v3 API answers for a small 85276NED, with TypedDataSet split over pages."""
    saved = bundle(
        "85276NED",
        "Werkzame beroepsbevolking; beroep",
        {
            "Geslacht": [{"Key": pad("T001038"), "Title": "Totaal mannen en vrouwen"}],
            "Persoonskenmerken": [{"Key": pad("T009002"), "Title": "Totaal personen"}],
            "Beroep": [
                {"Key": pad("T001206"), "Title": "Totaal"},
                {"Key": pad("1070000"), "Title": "07 Technische beroepen"},
            ],
            "Perioden": [{"Key": f"{y}JJ00", "Title": str(y), "Status": "Definitief"} for y in (2019, 2020, 2021)],
        },
        [
            {
                "Type": "Topic",
                "Key": "WerkzameBeroepsbevolking_1",
                "Title": "Werkzame beroepsbevolking",
                "Unit": "x 1 000",
            }
        ],
        [
            {
                "Geslacht": pad("T001038"),
                "Persoonskenmerken": pad("T009002"),
                "Beroep": pad(b),
                "Perioden": f"{y}JJ00",
                "WerkzameBeroepsbevolking_1": v,
            }
            for y in (2019, 2020, 2021)
            for b, v in (("T001206", 8900.0), ("1070000", 1164.0))
        ],
    )
    answers = {}
    for endpoint, body in saved.items():
        url = f"{BASE}/85276NED/{endpoint}?$format=json"
        if endpoint != "TypedDataSet":
            answers[url] = json.dumps(body).encode()
            continue
        records = body["value"]
        size = -(-len(records) // pages)
        for page in range(pages):
            page_url = url if page == 0 else f"{BASE}/85276NED/TypedDataSet?$format=json&$skip={page * size}"
            part = {"odata.metadata": body["odata.metadata"], "value": records[page * size : (page + 1) * size]}
            if page < pages - 1:
                part["odata.nextLink"] = f"{BASE}/85276NED/TypedDataSet?$format=json&$skip={(page + 1) * size}"
            answers[page_url] = json.dumps(part).encode()
    return answers


class SavedResponses:
    def __init__(self, answers: dict[str, bytes]):
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if url not in self.answers:
            raise fetch.FetchError(f"{url}: HTTP 404 Not Found")
        return self.answers[url]


def test_odata_table_follows_next_links_into_a_bundle_the_parser_reads(tmp_path):
    opener = SavedResponses(employment_responses(pages=3))
    saved = fetch.fetch_odata_table("85276NED", opener)
    assert len(saved["TypedDataSet"]["value"]) == 6
    assert "odata.nextLink" not in saved["TypedDataSet"]
    assert sum("TypedDataSet" in url for url in opener.asked) == 3
    assert {"Geslacht", "Persoonskenmerken", "Beroep", "Perioden"} <= set(saved)
    path = tmp_path / "85276NED.json"
    path.write_text(json.dumps(saved), encoding="utf-8")
    frame = sources.parse(path).frame
    assert frame.groupby("occupation_code")["count"].sum().to_dict() == {"07": 3 * 1_164_000, "T": 3 * 8_900_000}


def test_fetch_edition_writes_every_listed_file(tmp_path, monkeypatch):
    answers = employment_responses()
    monkeypatch.setattr(
        fetch,
        "downloads",
        lambda edition: [
            fetch.Download(edition, "cbs_employment", "odata", "85276NED", "85276NED.json"),
            fetch.Download(edition, "duo_ho_first_years", "file", "https://example.org/03b-hbo.csv", "03b-hbo.csv"),
        ],
    )
    answers["https://example.org/03b-hbo.csv"] = b"PROVINCIE;GEMEENTENUMMER\r\n"
    written = fetch.fetch_edition("2024", tmp_path, SavedResponses(answers))
    assert [p.name for p in written] == ["85276NED.json", "03b-hbo.csv"]
    assert sources.detect(tmp_path / "85276NED.json").family == "cbs_employment"
    assert not list(tmp_path.glob(".*.part"))


def test_a_failed_or_html_download_is_reported_and_not_saved(tmp_path, monkeypatch):
    answers = employment_responses()
    answers["https://example.org/page.csv"] = b"<!DOCTYPE html><html><body>Onderhoud</body></html>"
    monkeypatch.setattr(
        fetch,
        "downloads",
        lambda edition: [
            fetch.Download(edition, "cbs_employment", "odata", "85276NED", "85276NED.json"),
            fetch.Download(edition, "duo", "file", "https://example.org/page.csv", "page.csv"),
            fetch.Download(edition, "duo", "file", "https://example.org/missing.csv", "missing.csv"),
        ],
    )
    with pytest.raises(fetch.FetchError) as caught:
        fetch.fetch_edition("2024", tmp_path, SavedResponses(answers))
    text = str(caught.value)
    assert "2 of 3 downloads failed" in text and "HTML" in text and "404" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["85276NED.json"]


def test_truncated_odata_page_is_an_error():
    answers = employment_responses()
    url = f"{BASE}/85276NED/DataProperties?$format=json"
    answers[url] = answers[url][:50]
    with pytest.raises(fetch.FetchError, match="not valid JSON"):
        fetch.fetch_odata_table("85276NED", SavedResponses(answers))


def test_addresses_per_edition_come_from_the_reference_table():
    items = fetch.downloads("2019")
    odata = {d.family: d.address for d in items if d.kind == "odata"}
    assert odata == {"cbs_employment": "85276NED", "cbs_vacancies": "80472NED", "cbs_regions": "84378NED"}
    with pytest.raises(fetch.FetchError, match="no download addresses for edition 1990"):
        fetch.downloads("1990")


def test_cli_fetch_exits_1_when_offline(tmp_path, monkeypatch, capsys):
    from pipeline import cli

    def offline(url: str) -> bytes:
        raise fetch.FetchError(f"{url}: cannot connect (offline)")

    monkeypatch.setattr(fetch, "urllib_opener", offline)
    monkeypatch.setattr(fetch.main, "__defaults__", (offline,))
    code = cli.main(["fetch", "--edition", "2024", "--to", str(tmp_path / "landing")])
    assert code == 1
    assert "fetch failed" in capsys.readouterr().err
    assert not (tmp_path / "landing").exists() or not any((tmp_path / "landing").iterdir())
