"""Data downloads of an edition: every indicator in one long layout as CSV, XLSX and JSON, and a
data dictionary generated from the Pandera contract (schemas.indicators.Indicators).

Text cells that a spreadsheet would read as a formula (starting with '=', '+', '-', '@', tab or
carriage return) are prefixed with a single quote in all three formats, so opening a download
never runs anything. Numbers stay numbers. The files are deterministic (sorted rows, no clock).
The publication step calls `write(folder, indicators, catalogue)`.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd

from schemas.indicators import COLUMNS, Indicators

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASENAME = "indicators"
LEGEND = "flag_legend"  # the legend of flags and symbols (reference/indicators/flags.csv)
TITLE_COLUMNS = ["title_nl", "title_en"]


def safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def legend() -> pd.DataFrame:
    """The legend as published (text made safe like every download)."""
    from pipeline import reference

    return reference.load("indicators/flags.csv").frame.map(safe_text)


def symbols(indicators: pd.DataFrame) -> pd.Series:
    """Per cell the legend's symbols, as the PDF and the site print them: those of its flags, '-'
    for a count of nobody and '.' for a cell without a figure that is not suppressed."""
    from pipeline import reference

    table = reference.load("indicators/flags.csv").frame
    symbol = dict(zip(table["flag"], table["symbol"]))
    flags = indicators["flag"].fillna("").astype(str)
    text = {f: "".join(symbol[x] for x in f.split(";") if x) for f in pd.unique(flags)}
    out = flags.map(text)
    value = indicators["value"]
    suppressed = flags.str.contains("suppressed", regex=False)
    out = out.where(~(value.isna() & ~suppressed), symbol["not_available"] + out)
    nil = (indicators["unit"] == "count") & (value == 0)
    return out.where(~nil, symbol["nil"] + out)


def download_frame(indicators: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The published layout: the indicator columns with the cells' symbols after the flags, plus the
    catalogue's titles, text made safe."""
    titles = catalogue.set_index("indicator_id")[TITLE_COLUMNS]
    frame = indicators[COLUMNS].copy()
    frame.insert(COLUMNS.index("flag") + 1, "symbol", symbols(frame))
    frame = frame.join(titles, on="indicator_id")
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            unsafe = {value: safe_text(value) for value in pd.unique(frame[column]) if safe_text(value) is not value}
            if unsafe:  # judged once per distinct value: the columns repeat a few texts over many rows
                frame[column] = frame[column].replace(unsafe)
    return frame


def dictionary() -> pd.DataFrame:
    schema = Indicators.to_schema()
    rows = [
        {
            "column": name,
            "type": str(column.dtype),
            "nullable": bool(column.nullable),
            "description": column.description or "",
        }
        for name, column in schema.columns.items()
    ]
    at = next(i for i, row in enumerate(rows) if row["column"] == "flag") + 1
    rows.insert(
        at,
        {
            "column": "symbol",
            "type": "str",
            "nullable": False,
            "description": f"the symbols of the cell's flags, as in the legend ({LEGEND}.csv)",
        },
    )
    rows += [
        {"column": "title_nl", "type": "str", "nullable": False, "description": "indicator title in Dutch (catalogue)"},
        {
            "column": "title_en",
            "type": "str",
            "nullable": False,
            "description": "indicator title in English (catalogue)",
        },
    ]
    return pd.DataFrame(rows)


WORKBOOK = f"{BASENAME}.xlsx"


def write(
    folder: Path, indicators: pd.DataFrame, catalogue: pd.DataFrame, synthetic: bool = False, workbook: bool = True
) -> list[Path]:
    """Write indicators.{csv,xlsx,json} and data_dictionary.{csv,json} into `folder`; `synthetic`: the
    edition is built from the embedded synthetic sample (the workbook's cover says so); `workbook=False`
    leaves the workbook to `workbook_of` (the publication writes it in its renderer process)."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = download_frame(indicators, catalogue)
    csv_path = folder / f"{BASENAME}.csv"
    frame.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.15g")
    json_path = folder / f"{BASENAME}.json"
    records = json.loads(frame.astype(object).where(frame.notna(), None).to_json(orient="records", double_precision=10))
    json_path.write_text(_records_json(records) + "\n", encoding="utf-8")
    xlsx_path = folder / WORKBOOK
    described = dictionary()
    if workbook:
        write_workbook(xlsx_path, frame, described, catalogue, synthetic)
    dictionary_csv = folder / "data_dictionary.csv"
    described.to_csv(dictionary_csv, index=False, lineterminator="\n")
    dictionary_json = folder / "data_dictionary.json"
    dictionary_json.write_text(
        json.dumps(described.to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    legend_csv = folder / f"{LEGEND}.csv"
    legend().to_csv(legend_csv, index=False, lineterminator="\n")
    return [csv_path, *([xlsx_path] if workbook else []), json_path, dictionary_csv, dictionary_json, legend_csv]


def workbook_of(path: Path, indicators: pd.DataFrame, catalogue: pd.DataFrame, synthetic: bool = False) -> None:
    """The workbook `write` writes, alone, at `path`."""
    write_workbook(path, download_frame(indicators, catalogue), dictionary(), catalogue, synthetic)


def _records_json(records: list[dict]) -> str:
    """`json.dumps(records, ensure_ascii=False, indent=0)`, written with the C encoder one record at a
    time (an indent makes json use its pure-Python encoder: seconds on the indicator table)."""
    if not records:
        return "[]"
    items = []
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",\n", ": "))
        items.append("{\n" + text[1:-1] + "\n}" if record else "{}")
    return "[\n" + ",\n".join(items) + "\n]"


# --- the XLSX workbook: cover, contents, notes, the indicators and the dictionary ---------------------

LANGUAGES = ("nl", "en")
# per column of the indicator table: its codes and the message that explains each (the notes sheet)
CODE_MESSAGES = {
    "flag": lambda code: f"flag_{code}_note",
    "sex": {"T": "total", "M": "men", "V": "women"}.get,
    "definition": lambda code: "workbook_definition_none" if code == "none" else f"definition_{code}",
    "unit": lambda code: f"unit_{code}",
    "region_level": lambda code: f"level_{code}",
}
EMPTY_MESSAGES = {
    "flag": "workbook_empty_flag",
    "breakdown": "workbook_empty_breakdown",
    "numerator, denominator, value, value_low, value_high": "workbook_empty_value",
}


def _texts() -> dict[str, dict[str, str]]:
    from pipeline.publish import report

    return {lang: report.messages(lang) for lang in LANGUAGES}


def _both(texts: dict[str, dict[str, str]], key: str, **values: str) -> tuple[str, str]:
    return tuple(texts[lang][key].format(**values) for lang in LANGUAGES)


def _sources(frame: pd.DataFrame, catalogue: pd.DataFrame, texts: dict[str, dict[str, str]]) -> tuple[str, str]:
    """The sources of the published indicators, one a line, as the report names them."""
    published = catalogue[catalogue["indicator_id"].isin(frame["indicator_id"].unique())]
    families = sorted({f for entry in published["source_families"] for f in entry.split(";") if f})
    return tuple("\n".join(texts[lang].get(f"source_{f}", f) for f in families) for lang in LANGUAGES)


def notes_frame(frame: pd.DataFrame, texts: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The notes sheet: every code that occurs in the table's coded columns, and what an empty cell
    means, in both languages."""
    rows = []
    for column, key_of in CODE_MESSAGES.items():
        codes = pd.unique(frame[column].dropna())
        if column == "flag":
            codes = {part for code in codes for part in str(code).split(";") if part}
        for code in sorted(str(c) for c in codes if c != ""):
            key = key_of(code)
            if key is None or key not in texts["nl"]:
                raise ValueError(f"the notes of the workbook have no text for {column} = {code!r} (messages.toml)")
            rows.append((column, code, *_both(texts, key)))
    for column, key in EMPTY_MESSAGES.items():
        rows.append((column, "", *_both(texts, key)))
    return pd.DataFrame(rows, columns=["kolom / column", "code", "betekenis", "meaning"]).astype("str")


def write_workbook(
    path: Path, frame: pd.DataFrame, dictionary_frame: pd.DataFrame, catalogue: pd.DataFrame, synthetic: bool = False
) -> None:
    """indicators.xlsx as an accessible statistical workbook (pipeline.xlsx): cover, contents, notes,
    the indicator table and the data dictionary, dated with the edition's publication date."""
    from pipeline import xlsx
    from pipeline.publish import formatting
    from pipeline.publish.edition import published_date

    editions = sorted(frame["edition"].unique())
    if len(editions) != 1:
        raise ValueError(f"the workbook holds one edition; the indicator table holds {editions or 'none'}")
    edition = str(editions[0])
    published = published_date(edition)
    t = _texts()
    title = _both(t, "workbook_title", edition=edition)
    edition_text = tuple(
        t[lang]["subtitle"].format(edition=edition)
        + ". "
        + t[lang]["published_on"].format(date=formatting.date(published, lang))
        for lang in LANGUAGES
    )
    cover = xlsx.Cover(
        title=title,
        warning=_both(t, "sample_mark") if synthetic else None,
        sections=[
            (_both(t, "workbook_about"), _both(t, "workbook_about_text")),
            (_both(t, "workbook_edition"), edition_text),
            (_both(t, "sources"), _sources(frame, catalogue, t)),
            (_both(t, "download_licence"), _both(t, "download_licence_data")),
            (_both(t, "colophon_contact"), _both(t, "contact")),
            (_both(t, "contents"), _both(t, "workbook_contents_text")),
            (_both(t, "workbook_notes"), _both(t, "workbook_notes_text")),
        ],
    )

    def table(sheet: str, key: str, line: str, data: pd.DataFrame, **options) -> xlsx.Table:
        nl, en = _both(t, key)
        heading = nl if nl == en else f"{nl} / {en}"
        return xlsx.Table(sheet, heading, *_both(t, line), data, **options)

    sheets = [
        ("notes", "workbook_notes", "workbook_notes_line", notes_frame(frame, t)),
        ("indicators", "workbook_indicators", "workbook_indicators_line", frame),
        ("dictionary", "workbook_dictionary", "download_data_dictionary", dictionary_frame),
        ("legend", "legend", "workbook_legend_line", legend()),
    ]
    described = [(cover.sheet, *_both(t, "workbook_sheet_cover"))]
    described += [(sheet, *_both(t, line)) for sheet, _, line, _ in sheets]
    contents = pd.DataFrame(described, columns=["werkblad / sheet", "inhoud", "contents"]).astype("str")
    tables = [
        table("contents", "contents", "workbook_contents_line", contents, link_column="werkblad / sheet", wrap=True)
    ]
    # the sentences of the notes, the contents and the dictionary wrap; the indicator rows stay one line high
    tables += [table(sheet, key, line, data, wrap=sheet != "indicators") for sheet, key, line, data in sheets]
    properties = xlsx.Properties(
        title=title[1],
        subject=title[0],
        author=t["nl"]["publisher"],
        created=published.replace(tzinfo=None),
        keywords="Techniekpact; STEM; bètatechniek",
        comments=" / ".join(_both(t, "sample_mark")) if synthetic else "",
    )
    xlsx.write(path, cover, tables, properties)


# --- Frictionless Data Package (datapackage.json) over the edition's CSV files ----------------------

DATAPACKAGE = "datapackage.json"
LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
FRICTIONLESS_TYPES = {"str": "string", "float64": "number", "int64": "integer", "bool": "boolean"}


def _models() -> dict[str, type]:
    """CSV file stem -> the Pandera model that describes its columns."""
    from schemas import classification

    return {
        BASENAME: Indicators,
        "stem_bridge": classification.Bridge,
        "definition_changes": classification.DefinitionChanges,
        "definition_comparison": classification.DefinitionComparison,
    }


def _frictionless_type(dtype: str) -> str:
    for key, value in FRICTIONLESS_TYPES.items():
        if dtype.startswith(key):
            return value
    return "string"


def table_schema(stem: str, header: list[str]) -> dict:
    """The Table Schema of a CSV file: every column of its header, typed and described from the
    Pandera model of the table (the data dictionary for the indicators)."""
    described: dict[str, tuple[str, str, bool]] = {}
    if stem == BASENAME:
        for row in dictionary().itertuples(index=False):
            described[row.column] = (row.type, row.description, row.nullable)
    elif stem == "data_dictionary":
        described = {
            "column": ("str", "column of indicators.csv", False),
            "type": ("str", "its type in the Pandera contract (schemas.indicators.Indicators)", False),
            "nullable": ("bool", "whether the column may be empty", False),
            "description": ("str", "what the column holds", False),
        }
    elif stem == LEGEND:
        from pipeline import reference

        meta = reference.table_path("indicators/flags.csv").with_suffix(".meta.toml")
        columns = tomllib.loads(meta.read_text(encoding="utf-8"))["columns"]
        described = {name: ("str", text, False) for name, text in columns.items()}
    elif stem in _models():
        for name, column in _models()[stem].to_schema().columns.items():
            described[name] = (str(column.dtype), column.description or "", bool(column.nullable))
    missing = [c for c in header if c not in described]
    if missing:
        raise ValueError(f"{stem}.csv: no description of column(s) {', '.join(missing)} in its Pandera model")
    fields = []
    for name in header:
        dtype, description, nullable = described[name]
        field = {"name": name, "type": _frictionless_type(dtype), "description": description}
        if not nullable and field["type"] != "string":  # an empty text is a value ('' = no breakdown)
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def write_datapackage(folder: Path, name: str, title: str) -> Path:
    """`datapackage.json` (Frictionless Tabular Data Package) over every CSV file of `folder`: per
    file its path, size, sha256, rows, and a Table Schema (written with plain json)."""
    import csv
    import hashlib

    resources = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            header = next(reader, [])
            rows = sum(1 for _ in reader)
        data = path.read_bytes()
        resources.append(
            {
                "name": path.stem.replace("_", "-"),
                "path": path.name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "rows": rows,
                "licenses": [LICENCE],
                "schema": table_schema(path.stem, header),
            }
        )
    package = {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "licenses": [LICENCE],
        "resources": resources,
    }
    target = folder / DATAPACKAGE
    target.write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target
