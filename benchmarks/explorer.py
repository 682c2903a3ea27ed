"""The explorer of a built edition in headless Chromium: the site's size, the largest file a page
loads, and the time from opening an explorer page to a drawn map.

    python -m benchmarks.explorer EDITION_FOLDER [--runs N] [--indicator ID ...]

EDITION_FOLDER is a built edition (e.g. `out/2024` after `techpact build --sources <sample>`). For
each indicator (default: every explorer page of the edition) the page is opened `--runs` times in a
fresh browser page (the browser itself is started once) and the time from navigation to the first
drawn map (`TPX.rendered`, set when Vega-Embed has drawn it) is measured; prints the median and the
slowest page, and per page the bytes it loaded and its largest file. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path


def site_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def measure(folder: Path, indicators: list[str], runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        for indicator in indicators:
            url = (folder / "verken" / f"{indicator}.html").as_uri()
            times, loaded = [], {}
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                files: dict[str, int] = {}
                page.on("requestfinished", lambda r, files=files: files.__setitem__(r.url, 0))
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_function("window.TPX && TPX.rendered >= 1", timeout=60_000)
                times.append(time.perf_counter() - start)
                loaded = {
                    u: (folder / u[len(folder.as_uri()) + 1 :]).stat().st_size for u in files if u.startswith("file:")
                }
                page.close()
            largest = max(loaded.items(), key=lambda x: x[1])
            out.append(
                {
                    "indicator": indicator,
                    "median_s": statistics.median(times),
                    "max_s": max(times),
                    "bytes_loaded": sum(loaded.values()),
                    "largest_file": largest[0].rsplit("/", 2)[-2] + "/" + largest[0].rsplit("/", 1)[-1],
                    "largest_bytes": largest[1],
                }
            )
        browser.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--indicator", action="append")
    args = parser.parse_args(argv)
    folder = args.edition.resolve()
    total, count = site_size(folder)
    data = sorted((folder / "explorer" / "data").glob("*.js"), key=lambda p: p.stat().st_size)
    print(f"site: {total / 1e6:.1f} MB in {count} files")
    print(f"explorer data: {len(data)} files, largest {data[-1].name} {data[-1].stat().st_size / 1e3:.0f} kB")
    print(f"runtime: explorer/vega.js {(folder / 'explorer' / 'vega.js').stat().st_size / 1e3:.0f} kB")
    indicators = args.indicator or sorted(p.stem for p in (folder / "verken").glob("*.html"))
    results = measure(folder, indicators, args.runs)
    print(f"{'indicator':45} {'median s':>9} {'max s':>7} {'loaded kB':>10}  largest file")
    for r in results:
        print(
            f"{r['indicator']:45} {r['median_s']:9.2f} {r['max_s']:7.2f} {r['bytes_loaded'] / 1e3:10.0f}"
            f"  {r['largest_file']} ({r['largest_bytes'] / 1e3:.0f} kB)"
        )
    medians = [r["median_s"] for r in results]
    worst = max(results, key=lambda r: r["bytes_loaded"])
    print(
        f"open -> map drawn: median {statistics.median(medians):.2f} s, slowest page {max(medians):.2f} s "
        f"(target < 1 s); most bytes loaded by one page: {worst['bytes_loaded'] / 1e6:.2f} MB ({worst['indicator']})"
    )


if __name__ == "__main__":
    main()
