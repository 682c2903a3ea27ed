"""The HTML site in headless Chromium (Debian's `chromium`): every page loads without console
errors, failed or external requests, has one h1 and a lang, every internal link resolves, tables
sort in the browser; a screenshot of the overview is kept in test-artifacts/.

Skips with a reason where no browser is installed; in CI (`CI=true`) a missing browser fails."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from pipeline.settings import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (scripts/system-deps.sh installs it with CI=true)")
        pytest.skip("no Chromium found (apt-get install chromium); the site is then checked without a browser only")
    from cdp import Browser

    session = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield session
    session.close()


PAGE_FACTS = """JSON.stringify({
  h1: document.querySelectorAll('h1').length,
  lang: document.documentElement.getAttribute('lang'),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  images: Array.from(document.querySelectorAll('svg[role=img]')).filter(s => !s.querySelector('title')).length
})"""


def test_every_page_loads_cleanly_and_links_resolve(browser, synthetic_edition):
    import json

    from cdp import problems

    pages = sorted(synthetic_edition.rglob("*.html"))
    assert len(pages) > 200
    for page in pages:
        name = page.relative_to(synthetic_edition).as_posix()
        events = browser.open(page.as_uri())
        assert problems(events) == [], name
        facts = json.loads(browser.evaluate(PAGE_FACTS))
        assert facts["h1"] == 1, name
        assert facts["lang"] == ("en" if name.startswith("en/") else "nl"), name
        assert facts["images"] == 0, name
        for link in facts["links"]:
            parts = urlsplit(link)
            assert parts.scheme == "file", (name, link)
            assert Path(unquote(parts.path)).is_file(), (name, link)


def test_tables_sort_in_the_browser_and_overview_screenshot(browser, synthetic_edition):
    events = browser.open((synthetic_edition / "indicator" / "ho_first_years_stem_share.html").as_uri())
    from cdp import problems

    assert problems(events) == []
    first_rows = browser.evaluate("""(() => {
      const table = Array.from(document.querySelectorAll('table.sortable')).find(t => t.classList.contains('regions'));
      const button = table.querySelectorAll('thead th button')[1];
      button.click();
      const up = Array.from(table.tBodies[0].rows).map(r => parseFloat(r.cells[1].dataset.sort));
      button.click();
      const down = Array.from(table.tBodies[0].rows).map(r => parseFloat(r.cells[1].dataset.sort));
      return JSON.stringify({up, down, sort: table.querySelectorAll('thead th')[1].getAttribute('aria-sort')});
    })()""")
    import json

    result = json.loads(first_rows)
    assert result["up"] == sorted(result["up"]) and result["down"] == sorted(result["down"], reverse=True)
    assert result["sort"] == "descending"
    filtered = browser.evaluate("""(() => {
      const input = document.querySelector('input[type=search]');
      input.value = 'noord';
      input.dispatchEvent(new Event('input'));
      const table = input.parentNode.nextElementSibling;
      const rows = Array.from(table.tBodies[0].rows);
      return JSON.stringify({shown: rows.filter(r => !r.hidden).map(r => r.cells[0].textContent.trim()),
                             hidden: rows.filter(r => r.hidden).length});
    })()""")
    filtered = json.loads(filtered)
    assert filtered["shown"] and all("noord" in name.lower() for name in filtered["shown"]) and filtered["hidden"] > 0
    browser.open((synthetic_edition / "index.html").as_uri())
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "site-overview.png"
    browser.screenshot(shot)
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
