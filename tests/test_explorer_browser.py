"""The explorer of the sample edition in real headless Chromium (Debian's `chromium`, driven by
Playwright; no browser is downloaded): controls change what map and table show, and they show the
values of indicators.csv for that selection (a suppressed cell as suppressed); a click on a
municipality opens its page; a bookmarked URL restores the view; the download is the selection;
at 390 px nothing overflows; no console error, no failed request, nothing outside the edition.

Skips where no Chromium is installed; in CI (`CI=true`) a missing browser fails. Screenshots go to
test-artifacts/ (explorer-national-map.png, explorer-municipality-page.png, explorer-phone.png)."""

from __future__ import annotations

import math
import os
import shutil

import pandas as pd
import pytest

from pipeline.publish.report import messages
from pipeline.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
PHONE = 390


@pytest.fixture(scope="module")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (scripts/system-deps.sh installs it with CI=true)")
        pytest.skip("no Chromium found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def edition(sample_build):
    return sample_build.edition_dir.resolve()


@pytest.fixture(scope="module")
def table(edition) -> pd.DataFrame:
    frame = pd.read_csv(edition / "indicators.csv", dtype=str, keep_default_na=False)
    return frame


class Watched:
    """A page whose console errors, failed requests and requests outside the edition are recorded."""

    def __init__(self, context, edition):
        self.page = context.new_page()
        self.problems: list[str] = []
        inside = edition.as_uri() + "/"
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))

        def request(r):
            if not (r.url.startswith(inside) or r.url.startswith(("data:", "blob:"))):
                self.problems.append(f"outside the edition: {r.url}")

        self.page.on("request", request)

    def open(self, url: str, rendered: int = 1):
        self.page.goto(url)
        self.wait(rendered)

    def wait(self, rendered: int):
        self.page.wait_for_function(f"window.TPX && TPX.rendered >= {rendered}", timeout=30_000)

    def choose(self, control: str, value: str):
        before = self.page.evaluate("TPX.rendered")
        self.page.select_option(f"#tpx-{control}", value)
        self.wait(before + 1)


def _selection(table: pd.DataFrame) -> dict:
    """A selection with both definitions, women, a regional level with values and a suppressed
    cell, in a period that is not the page's default (the latest) — found in the table, not typed."""
    regional = table[(table["region_level"] == "province") & (table["sex"] == "V") & (table["definition"] == "isced")]
    for key, rows in regional.groupby(["indicator_id", "period", "breakdown"], sort=True):
        indicator = table[table["indicator_id"] == key[0]]
        latest = max(indicator.loc[indicator["region_level"] == "province", "period"])
        if key[1] == latest or "-Q" in key[1]:
            continue
        if (rows["flag"].str.contains("suppressed") & (rows["value"] == "")).any() and (rows["value"] != "").sum() > 2:
            return {"indicator": key[0], "period": key[1], "breakdown": key[2], "definition": "isced", "sex": "V"}
    pytest.fail("the sample has no provincial selection with a suppressed cell")


def _expected(table, sel, level):
    return table[
        (table["indicator_id"] == sel["indicator"])
        & (table["period"] == sel["period"])
        & (table["definition"] == sel["definition"])
        & (table["sex"] == sel["sex"])
        & (table["breakdown"] == sel["breakdown"])
        & (table["region_level"] == level)
    ]


TABLE_ROWS = """Array.from(document.querySelectorAll('#tpx-table tbody tr')).map(tr => ({
  code: tr.dataset.code, name: tr.querySelector('th').textContent,
  value: tr.cells[2].dataset.value, text: tr.cells[2].textContent}))"""
MAP_ITEMS = (
    """Array.from(document.querySelectorAll('#tpx-map svg path[aria-label]')).map(p => p.getAttribute('aria-label'))"""
)


def _same(shown: str | None, want: str) -> bool:
    if want == "":
        return not shown
    return shown is not None and math.isclose(float(shown), float(want), rel_tol=1e-9)


def _check_view(watched, table, sel, level, lang="nl"):
    t = messages(lang)
    expected = _expected(table, sel, level)
    assert not expected.empty
    shown = watched.page.evaluate(TABLE_ROWS)
    assert sorted(r["code"] for r in shown) == sorted(expected["region_code"])
    by_code = expected.set_index("region_code")
    suppressed = 0
    for row in shown:
        want = by_code.loc[row["code"]]
        assert row["name"] == want["region_name"]
        if want["value"] == "":
            assert row["value"] == ""
            if "suppressed" in want["flag"]:
                assert row["text"] == t["flag_suppressed"], row
                suppressed += 1
            else:
                assert row["text"] == t["no_data"], row
        else:
            assert math.isclose(float(row["value"]), float(want["value"]), rel_tol=1e-9), row
    ranked = [float(r["value"]) for r in shown if r["value"]]
    assert ranked == sorted(ranked, reverse=True)
    # the map: every area the figures were mapped to, labelled with name and value (or its status)
    labels = watched.page.evaluate(MAP_ITEMS)
    for row in shown:
        found = [x for x in labels if f"{t['region']}: {row['name']};" in x]
        assert found, (row["name"], labels[:3])
        assert any(row["text"] in x for x in found), (row, found[:2])
    return suppressed


def test_explorer_selection_map_table_bookmark_and_download(chromium, edition, table, tmp_path):
    sel = _selection(table)
    context = chromium.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    watched = Watched(context, edition)
    page_url = (edition / "verken" / f"{sel['indicator']}.html").as_uri()
    watched.open(page_url)
    for control in ("period", "definition", "sex", "breakdown"):
        watched.choose(control, sel[control])
    watched.choose("level", "province")
    assert _check_view(watched, table, sel, "province") >= 1
    national = _expected(table, sel, "national")
    shown_national = watched.page.get_attribute("#tpx-national", "data-value")
    assert _same(shown_national, national["value"].iat[0] if not national.empty else "")
    # the download is exactly the rows of the table, as in indicators.csv
    with watched.page.expect_download() as info:
        watched.page.click("#tpx-download")
    path = tmp_path / "selection.csv"
    info.value.save_as(path)
    got = pd.read_csv(path, dtype=str, keep_default_na=False)
    want = _expected(table, sel, "province")
    columns = ["region_code", "region_name", "value", "numerator", "denominator", "flag", "unit", "period"]
    got_rows = got[columns].sort_values("region_code").reset_index(drop=True)
    want_rows = want[columns].sort_values("region_code").reset_index(drop=True)
    for column in ("value", "numerator", "denominator"):
        a = pd.to_numeric(got_rows[column]).to_numpy()
        b = pd.to_numeric(want_rows[column]).to_numpy()
        assert ((a == b) | (pd.isna(a) & pd.isna(b))).all(), column
    text_columns = ["region_code", "region_name", "flag", "unit", "period"]
    assert got_rows[text_columns].equals(want_rows[text_columns])
    # bookmark: the URL holds the view; a fresh page at that URL shows the same
    bookmarked = watched.page.url
    assert "level=province" in bookmarked and f"period={sel['period']}" in bookmarked
    table_before = watched.page.evaluate(TABLE_ROWS)
    again = Watched(context, edition)
    again.open(bookmarked)
    assert again.page.evaluate(TABLE_ROWS) == table_before
    for control in ("period", "definition", "sex", "breakdown", "level"):
        assert again.page.input_value(f"#tpx-{control}") == (sel.get(control) or "province")
    # the national map of this indicator, for a reader to look at
    ARTIFACTS.mkdir(exist_ok=True)
    watched.page.screenshot(path=ARTIFACTS / "explorer-national-map.png", full_page=True)
    # municipalities: a click on an area opens its page
    watched.choose("level", "municipality")
    municipal = _expected(table, sel, "municipality")
    if municipal.empty:  # this indicator has no municipal figures: take one that has
        watched.page.goto((edition / "verken" / "havo_vwo_exam_n_profile_share.html").as_uri() + "#level=municipality")
        watched.wait(1)
    target = watched.page.evaluate(
        """(() => { const rows = Array.from(document.querySelectorAll('#tpx-table tbody tr'))
             .filter(tr => tr.querySelector('th a'));
           return rows.length ? rows[0].querySelector('th').textContent : null; })()"""
    )
    assert target
    label = messages("nl")["region"]
    area = watched.page.locator(f'#tpx-map svg path[aria-label*="{label}: {target};"]').last
    area.click()
    watched.page.wait_for_load_state("load")
    assert "/regio/municipality-" in watched.page.url
    assert watched.page.text_content("h1") == target
    watched.page.wait_for_function("document.body.dataset.chartsDrawn !== undefined", timeout=30_000)
    watched.page.screenshot(path=ARTIFACTS / "explorer-municipality-page.png", full_page=True)
    assert watched.problems == [] and again.problems == []
    context.close()


OVERFLOW = """(() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p).overflowX;
      if (s === 'auto' || s === 'scroll' || s === 'hidden') return p;
    }
    return null;
  };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 1) continue;
    const box = scrolls(el);
    if (box && box.getBoundingClientRect().right <= width + 1) continue;
    bad.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + (el.textContent || '').slice(0, 40));
  }
  return {scroll: document.documentElement.scrollWidth, width, bad: bad.slice(0, 10)};
})()"""


def test_explorer_and_region_pages_fit_a_phone(chromium, edition, table):
    context = chromium.new_context(viewport={"width": PHONE, "height": 844})
    watched = Watched(context, edition)
    municipality = sorted(set(table.loc[table["region_level"] == "municipality", "region_code"]))[0]
    pages = [
        ((edition / "verken" / "havo_vwo_exam_n_profile_share.html").as_uri() + "#level=municipality", True),
        ((edition / "en" / "verken" / "ho_first_years_stem_share.html").as_uri(), True),
        ((edition / "regio" / f"municipality-{municipality.lower()}.html").as_uri(), False),
        ((edition / "downloads.html").as_uri(), False),
        ((edition / "indicator" / "ho_first_years_stem_share.html").as_uri(), False),
    ]
    for url, explorer in pages:
        if explorer:
            watched.open(url)
        else:
            watched.page.goto(url)
            watched.page.wait_for_load_state("load")
        result = watched.page.evaluate(OVERFLOW)
        assert result["scroll"] <= PHONE and result["bad"] == [], (url, result)
        if explorer and "havo" in url:
            watched.page.screenshot(path=ARTIFACTS / "explorer-phone.png", full_page=True)
        # every control has a label
        unlabelled = watched.page.evaluate(
            "Array.from(document.querySelectorAll('select, input')).filter(e => !e.labels || !e.labels.length).length"
        )
        assert unlabelled == 0, url
        assert watched.page.get_attribute("html", "lang") == ("en" if "/en/" in url else "nl")
    assert watched.problems == []
    context.close()
