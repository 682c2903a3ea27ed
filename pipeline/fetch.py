"""`techpact fetch`: download an edition's public source files into a landing folder (optional step).

Online, the product fetches what is public itself: CBS StatLine tables through the OData v3 API
and DUO's open-data files, as listed per edition in reference/fetch/addresses.csv. Offline it works
from the landing folder as it is; nothing else in the pipeline touches the network.

A CBS table is saved as one JSON bundle (the landing layout of pipeline/sources/cbs_odata.py):
TableInfos, DataProperties, every dimension endpoint named in DataProperties, and TypedDataSet,
following `odata.nextLink` until the last page. Every download is checked before it is saved (not
empty, not an HTML error page, JSON where JSON is expected), written to a temporary name and moved
into place, so a failed fetch never leaves a half-written delivery in the landing folder.

The network is reached through an `Opener` (url -> bytes); tests inject one that answers from
saved responses.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline import reference

ODATA_BASE = "https://opendata.cbs.nl/ODataApi/odata"
DIMENSION_TYPES = ("Dimension", "TimeDimension", "GeoDimension")
MAX_PAGES = 1000
TIMEOUT_S = 60
USER_AGENT = "techpact-monitor-pipeline (+https://www.techniekpact.nl)"

Opener = Callable[[str], bytes]


class FetchError(Exception):
    """A download failed or returned something that is not the expected file."""


@dataclass(frozen=True)
class Download:
    edition: str
    family: str
    kind: str
    address: str
    file_name: str


def urllib_opener(url: str) -> bytes:
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, text/csv, */*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(
            f"{url}: cannot connect ({getattr(error, 'reason', error)}); offline? put the files in the "
            "landing folder yourself"
        ) from None


def downloads(edition: str) -> list[Download]:
    table = reference.load("fetch/addresses.csv").frame
    rows = table[table["edition"] == str(edition)]
    if rows.empty:
        known = ", ".join(sorted(set(table["edition"])))
        raise FetchError(
            f"no download addresses for edition {edition} in reference/fetch/addresses.csv (editions: {known})"
        )
    return [Download(r.edition, r.family, r.kind, r.address, r.file_name) for r in rows.itertuples(index=False)]


def _check_payload(url: str, data: bytes) -> None:
    head = data[:512].lstrip().lower()
    if not data.strip():
        raise FetchError(f"{url}: empty response")
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise FetchError(f"{url}: the server answered with an HTML/XML page, not the file (error or login page?)")


def get_json(url: str, opener: Opener) -> dict:
    data = opener(url)
    _check_payload(url, data)
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError(f"{url}: not valid JSON ({error})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("value"), list):
        raise FetchError(f"{url}: not an OData response (no 'value' list)")
    return obj


def endpoint_url(table: str, endpoint: str, base: str = ODATA_BASE) -> str:
    return f"{base}/{table}/{endpoint}?$format=json"


def get_paged(url: str, opener: Opener) -> dict:
    """One endpoint with all its pages joined: follows `odata.nextLink` until there is none."""
    first = get_json(url, opener)
    values = list(first["value"])
    next_link, pages = first.get("odata.nextLink"), 1
    while next_link:
        pages += 1
        if pages > MAX_PAGES:
            raise FetchError(f"{url}: more than {MAX_PAGES} pages; stopping")
        page = get_json(next_link, opener)
        values.extend(page["value"])
        next_link = page.get("odata.nextLink")
    out = {key: value for key, value in first.items() if key != "odata.nextLink"}
    out["value"] = values
    return out


def fetch_odata_table(table: str, opener: Opener, base: str = ODATA_BASE) -> dict:
    """The table as a landing bundle: TableInfos, DataProperties, its dimensions, TypedDataSet."""
    bundle = {
        "TableInfos": get_paged(endpoint_url(table, "TableInfos", base), opener),
        "DataProperties": get_paged(endpoint_url(table, "DataProperties", base), opener),
    }
    identifier = (
        str(bundle["TableInfos"]["value"][0].get("Identifier", "")).strip() if bundle["TableInfos"]["value"] else ""
    )
    if identifier and identifier != table:
        raise FetchError(f"asked for CBS table {table}, got {identifier}")
    for prop in bundle["DataProperties"]["value"]:
        if prop.get("Type") in DIMENSION_TYPES:
            key = str(prop["Key"]).strip()
            bundle[key] = get_paged(endpoint_url(table, key, base), opener)
    bundle["TypedDataSet"] = get_paged(endpoint_url(table, "TypedDataSet", base), opener)
    return bundle


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


def fetch_edition(
    edition: str,
    to: Path,
    opener: Opener = urllib_opener,
    base: str = ODATA_BASE,
    log: Callable[[str], None] = lambda text: None,
) -> list[Path]:
    """Download every address of the edition into `to`; raises FetchError naming every failure,
    after trying all (files that did download are kept: each is complete and checked)."""
    written, failures = [], []
    for item in downloads(edition):
        target = to / item.file_name
        try:
            if item.kind == "odata":
                data = json.dumps(fetch_odata_table(item.address, opener, base), ensure_ascii=False).encode("utf-8")
            elif item.kind == "file":
                data = opener(item.address)
                _check_payload(item.address, data)
            else:
                raise FetchError(f"unknown kind {item.kind!r} in reference/fetch/addresses.csv")
        except FetchError as error:
            failures.append(f"{item.family} ({item.address}): {error}")
            log(f"FAILED {item.file_name}: {error}")
            continue
        _write_atomic(target, data)
        written.append(target)
        log(f"ok     {target} ({len(data):,} bytes)")
    if failures:
        raise FetchError(
            f"{len(failures)} of {len(failures) + len(written)} downloads failed:\n  - " + "\n  - ".join(failures)
        )
    return written


def main(edition: str, to: Path, opener: Opener = urllib_opener) -> int:
    try:
        paths = fetch_edition(edition, to, opener, log=lambda text: print(text, file=sys.stderr))
    except FetchError as error:
        print(f"fetch failed: {error}", file=sys.stderr)
        return 1
    print(f"{len(paths)} files of edition {edition} in {to}")
    return 0
