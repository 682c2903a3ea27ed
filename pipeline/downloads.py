"""Data downloads of an edition: every indicator in one long layout as CSV, XLSX and JSON, and a
data dictionary generated from the Pandera contract (schemas.indicators.Indicators).

Text cells that a spreadsheet would read as a formula (starting with '=', '+', '-', '@', tab or
carriage return) are prefixed with a single quote in all three formats, so opening a download
never runs anything. Numbers stay numbers. The files are deterministic (sorted rows, no clock).
The publication step calls `write(folder, indicators, catalogue)`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from schemas.indicators import COLUMNS, Indicators

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASENAME = "indicators"
TITLE_COLUMNS = ["title_nl", "title_en"]


def safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def download_frame(indicators: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The published layout: the indicator columns plus the catalogue's titles, text made safe."""
    titles = catalogue.set_index("indicator_id")[TITLE_COLUMNS]
    frame = indicators[COLUMNS].join(titles, on="indicator_id")
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(safe_text)
    return frame


def dictionary() -> pd.DataFrame:
    schema = Indicators.to_schema()
    rows = [{"column": name, "type": str(column.dtype), "nullable": bool(column.nullable),
             "description": column.description or ""} for name, column in schema.columns.items()]
    rows += [{"column": "title_nl", "type": "str", "nullable": False, "description": "indicator title in Dutch (catalogue)"},
             {"column": "title_en", "type": "str", "nullable": False, "description": "indicator title in English (catalogue)"}]
    return pd.DataFrame(rows)


def write(folder: Path, indicators: pd.DataFrame, catalogue: pd.DataFrame) -> list[Path]:
    """Write indicators.{csv,xlsx,json} and data_dictionary.{csv,json} into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = download_frame(indicators, catalogue)
    csv_path = folder / f"{BASENAME}.csv"
    frame.to_csv(csv_path, index=False, lineterminator="\n", float_format="%.15g")
    json_path = folder / f"{BASENAME}.json"
    records = json.loads(frame.astype(object).where(frame.notna(), None).to_json(orient="records", double_precision=10))
    json_path.write_text(json.dumps(records, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    xlsx_path = folder / f"{BASENAME}.xlsx"
    _write_xlsx(xlsx_path, frame, dictionary())
    dictionary_csv = folder / "data_dictionary.csv"
    dictionary().to_csv(dictionary_csv, index=False, lineterminator="\n")
    dictionary_json = folder / "data_dictionary.json"
    dictionary_json.write_text(json.dumps(dictionary().to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
    return [csv_path, xlsx_path, json_path, dictionary_csv, dictionary_json]


def _write_xlsx(path: Path, frame: pd.DataFrame, dictionary_frame: pd.DataFrame) -> None:
    """XLSX with openpyxl, every text cell written as a string (never a formula), fixed timestamps."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "indicators"
    for name, table in (("indicators", frame), ("dictionary", dictionary_frame)):
        ws = sheet if name == "indicators" else book.create_sheet(name)
        ws.append(list(table.columns))
        for row in table.itertuples(index=False):
            values = []
            for v in row:
                if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
                    values.append(None)
                elif hasattr(v, "item"):
                    values.append(v.item())
                else:
                    values.append(v)
            ws.append(values)
        for cells in ws.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a string, never a formula
    fixed = datetime(2000, 1, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    book.save(path)
    _normalise_zip(path)


def _normalise_zip(path: Path) -> None:
    """openpyxl stamps the zip entries and docProps/core.xml with the clock: rewrite them fixed so
    two builds give byte-identical files."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2000-01-01T00:00:00Z\g<3>", data)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, data)
