"""Benchmark of the publication stage: rendering the PDF edition of the sample in each language
(content with its Vega-Lite charts and maps, then WeasyPrint) and the whole edition (PDFs nl/en,
site) from the sample's indicator table.

    .venv/bin/python -m benchmarks.publish [--edition 2024] [--repeat 3]

Builds the sample edition once through the pipeline (to get its indicator table), then times the
rendering only. Prints one line per measurement and writes benchmarks/results/publish.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd


def _sample_indicators(work: Path, edition: str) -> tuple[pd.DataFrame, dict]:
    import os

    from pipeline import cli
    from pipeline.sample.generate import generate

    sample = work / "sample"
    generate(sample)
    os.environ["TECHPACT_HOME"] = str(work / "home")
    os.environ["DAGSTER_HOME"] = str(work / "home" / "dagster")
    code = cli.main(
        [
            "build",
            "--sources",
            str(sample),
            "--out",
            str(work / "out"),
            "--edition",
            edition,
            "--warehouse",
            f"sqlite:///{work / 'w.sqlite'}",
        ]
    )
    if code != 0:
        raise SystemExit("the sample build failed")
    table = pd.read_parquet(next((work / "home" / "storage").rglob(f"indicators/{edition}.parquet")))
    manifest = json.loads((work / "out" / edition / "manifest.json").read_text(encoding="utf-8"))
    return table, manifest


def main(argv: list[str] | None = None) -> int:
    from pipeline.indicators import catalogue
    from pipeline.publish import content
    from pipeline.publish import edition as edition_outputs

    parser = argparse.ArgumentParser()
    parser.add_argument("--edition", default="2024")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        table, manifest = _sample_indicators(work, args.edition)
        env = edition_outputs._environment()
        css = (edition_outputs.TEMPLATE_DIR / "print.css").read_text(encoding="utf-8")
        for lang in ("nl", "en"):  # the PDF of each language: its content (charts included) and layout
            times = []
            for run in range(args.repeat):
                start = time.perf_counter()
                ctx = content.build(
                    table, catalogue(), manifest, args.edition, lang, edition_outputs.published_date(args.edition)
                )
                html = env.get_template("edition.pdf.html.j2").render(**ctx, _ctx=ctx, css=css)
                edition_outputs.write_pdf(html, work / f"national-{lang}-{run}.pdf", args.edition)
                times.append(time.perf_counter() - start)
            results[f"pdf_{lang}_seconds"] = round(statistics.median(times), 2)
        start = time.perf_counter()
        edition_outputs.render(work / "stage", args.edition, table, catalogue(), manifest, ("nl", "en"))
        results["edition_nl_en_seconds"] = round(time.perf_counter() - start, 2)
    for key, value in results.items():
        print(f"{key}: {value}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "publish.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
