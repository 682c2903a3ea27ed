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


def write(folder: Path, indicators: pd.DataFrame, catalogue: pd.DataFrame) -> list[Path]:
    """Write indicators.{csv,xlsx,json} and data_dictionary.{csv,json} into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = download_frame(indicators, catalogue)
    csv_path = folder / f"{BASENAME}.csv"
    frame.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.15g")
    json_path = folder / f"{BASENAME}.json"
    records = json.loads(frame.astype(object).where(frame.notna(), None).to_json(orient="records", double_precision=10))
    json_path.write_text(_records_json(records) + "\n", encoding="utf-8")
    xlsx_path = folder / f"{BASENAME}.xlsx"
    _write_xlsx(xlsx_path, frame, dictionary())
    dictionary_csv = folder / "data_dictionary.csv"
    dictionary().to_csv(dictionary_csv, index=False, lineterminator="\n")
    dictionary_json = folder / "data_dictionary.json"
    dictionary_json.write_text(
        json.dumps(dictionary().to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    legend_csv = folder / f"{LEGEND}.csv"
    legend().to_csv(legend_csv, index=False, lineterminator="\n")
    return [csv_path, xlsx_path, json_path, dictionary_csv, dictionary_json, legend_csv]


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


def _write_xlsx(path: Path, frame: pd.DataFrame, dictionary_frame: pd.DataFrame) -> None:
    """XLSX with every text cell a shared string (never a formula), fixed timestamps (pipeline.xlsx)."""
    from pipeline import xlsx

    xlsx.write(path, {"indicators": frame, "dictionary": dictionary_frame, "legend": legend()})


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
