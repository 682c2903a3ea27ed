"""The XLSX download as an accessible statistical workbook, written with XlsxWriter.

The layout follows the spreadsheet conventions of the UK Government Analysis Function (as in its
`aftables`/`gptables` packages): a cover sheet first, a contents sheet that links every sheet, a
notes sheet, then one table per sheet. Every sheet has its title in cell A1; a table sheet has two
lines about the table (Dutch, English) below it and the table itself from row `HEADER_ROW`: one
header row, frozen, with a filter, no merged cells, no empty rows or columns inside it (no Excel
"table" object: XlsxWriter writes those only in its default mode, which holds every cell in
memory; here each row leaves memory once written). Numbers are stored as numbers with a number
format; a missing value is an empty cell; text is always text (never a formula, a link or a number).

The file is deterministic: XlsxWriter writes its zip entries with a fixed date, and the document
properties carry the edition's publication date, not the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

HEADER_ROW = 4  # 1-based row of a table sheet's header: title (1), Dutch line (2), English line (3)
MAX_WIDTH = 60  # characters: wider text wraps in the cover and notes, and is cut off in view in a table
WIDTH_SAMPLE = 2000  # rows a column's width is judged on (the widest of them, spread over the table)
INTEGER_FORMAT = "0"  # years and codes: no thousands separator
WHOLE_FORMAT = "#,##0"
FRACTION_FORMAT = "#,##0.0##"  # the stored value keeps its full precision


@dataclass(frozen=True)
class Table:
    """One table sheet: `sheet` is its name (and the name of the Excel table on it)."""

    sheet: str
    title: str
    line_nl: str
    line_en: str
    frame: pd.DataFrame
    link_column: str | None = None  # a column whose cells name a sheet of the workbook: written as links
    wrap: bool = False  # text wider than MAX_WIDTH wraps (short tables of sentences), else it is cut off in view


@dataclass(frozen=True)
class Cover:
    """The cover sheet, Dutch in column A and English in column B: the title, an optional warning
    (the synthetic-sample mark) and sections of a heading and its text."""

    title: tuple[str, str]
    sections: list[tuple[tuple[str, str], tuple[str, str]]]
    warning: tuple[str, str] | None = None
    sheet: str = "cover"


@dataclass(frozen=True)
class Properties:
    title: str
    subject: str
    author: str
    created: datetime
    keywords: str = ""
    comments: str = ""


def write(path: Path, cover: Cover, tables: list[Table], properties: Properties) -> None:
    """Write the workbook: `cover` first, then `tables` in order (the contents and notes sheets
    are tables like the others, built by the caller)."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": True,  # rows are written in order and leave memory as soon as they are written
        },
    )
    try:
        book.set_properties(
            {
                "title": properties.title,
                "subject": properties.subject,
                "author": properties.author,
                "company": properties.author,
                "keywords": properties.keywords,
                "comments": properties.comments,
                "created": properties.created,
            }
        )
        styles = _Styles(book)
        _cover(book, cover, styles)
        for table in tables:
            _table(book, table, styles, sheets={cover.sheet, *(t.sheet for t in tables)})
    finally:
        book.close()


class _Styles:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "Arial", "font_size": 11, "valign": "top"}
        self.title = book.add_format({**base, "bold": True, "font_size": 15})
        self.heading = book.add_format({**base, "bold": True, "font_size": 12})
        self.warning = book.add_format({**base, "bold": True, "font_color": "#A40000", "text_wrap": True})
        self.text = book.add_format(base)
        self.wrap = book.add_format({**base, "text_wrap": True})
        self.header = book.add_format({**base, "bold": True, "text_wrap": True, "bottom": 1})
        self.link = book.add_format({**base, "font_color": "#0000EE", "underline": 1})
        self.integer = book.add_format({**base, "num_format": INTEGER_FORMAT})
        self.whole = book.add_format({**base, "num_format": WHOLE_FORMAT})
        self.fraction = book.add_format({**base, "num_format": FRACTION_FORMAT})


def _cover(book: xlsxwriter.Workbook, cover: Cover, styles: _Styles) -> None:
    sheet = book.add_worksheet(cover.sheet)
    sheet.set_column(0, 1, MAX_WIDTH + 20)
    row = 0
    for col, text in enumerate(cover.title):
        sheet.write_string(row, col, text, styles.title)
    if cover.warning:
        row += 1
        for col, text in enumerate(cover.warning):
            sheet.write_string(row, col, text, styles.warning)
    for heading, text in cover.sections:  # row by row (constant-memory mode): heading, then its text
        row += 2  # one empty row between sections, none inside one
        for col in (0, 1):
            sheet.write_string(row, col, heading[col], styles.heading)
        for col in (0, 1):
            sheet.write_string(row + 1, col, text[col], styles.wrap)
        row += 1
    sheet.activate()


def _table(book: xlsxwriter.Workbook, table: Table, styles: _Styles, sheets: set[str]) -> None:
    frame = table.frame
    if frame.empty or len(frame.columns) == 0:
        raise ValueError(f"sheet {table.sheet}: a table needs at least one row and one column")
    sheet = book.add_worksheet(table.sheet)
    sheet.write_string(0, 0, table.title, styles.title)
    sheet.write_string(1, 0, table.line_nl, styles.text)
    sheet.write_string(2, 0, table.line_en, styles.text)
    first = HEADER_ROW  # 0-based row of the first data row
    last = first + len(frame) - 1
    columns = [_column(sheet, frame[name], table, sheets, styles) for name in frame.columns]
    for col, (name, column) in enumerate(zip(frame.columns, columns)):
        # the header's filter button takes about three characters
        sheet.set_column(col, col, min(MAX_WIDTH, max(column.width, _header_width(str(name)))))
    for col, name in enumerate(frame.columns):
        sheet.write_string(HEADER_ROW - 1, col, str(name), styles.header)
    sheet.autofilter(HEADER_ROW - 1, 0, last, len(frame.columns) - 1)
    # row by row: the workbook is written in constant-memory mode, each row leaves memory when the next begins
    for row in range(len(frame)):
        for col, column in enumerate(columns):
            value = column.values[row]
            if value is not None:
                column.write(first + row, col, value, column.formats[row])
    sheet.freeze_panes(HEADER_ROW, 0)
    # codes and periods are text on purpose ('2024', '0363'): no "number stored as text" marks
    sheet.ignore_errors({"number_stored_as_text": f"A{first + 1}:{xl_rowcol_to_cell(last, len(frame.columns) - 1)}"})


@dataclass
class _Column:
    """How one column is written: the worksheet method, the cell values (None: an empty cell) and
    their formats, and the column's width in characters."""

    write: object
    values: list
    formats: list
    width: int


def _column(sheet, column: pd.Series, table: Table, sheets: set[str], styles: _Styles) -> _Column:
    name, n = column.name, len(column)
    present = column.notna().to_numpy()
    if name == table.link_column:
        targets = column.to_numpy(dtype=object)
        for target in targets[present]:
            if target not in sheets:
                raise ValueError(f"sheet {table.sheet}: link to {target!r}, which is no sheet of the workbook")

        def link(row: int, col: int, target: str, cell_format) -> None:
            sheet.write_url(row, col, f"internal:'{target}'!A1", cell_format, target)

        values = [t if p else None for t, p in zip(targets.tolist(), present)]
        return _Column(link, values, [styles.link] * n, _text_width(column))
    if isinstance(column.dtype, pd.StringDtype) or column.dtype == object:
        values = column.to_numpy(dtype=object)
        for row in np.flatnonzero(present):
            if not isinstance(values[row], str):
                raise TypeError(f"sheet {table.sheet}, column {name}, row {row + 1}: {values[row]!r} in a text column")
        values = [v if p and v != "" else None for v, p in zip(values.tolist(), present)]
        return _Column(
            sheet.write_string, values, [styles.wrap if table.wrap else styles.text] * n, _text_width(column)
        )
    if pd.api.types.is_bool_dtype(column.dtype):
        values = [bool(v) if p else None for v, p in zip(column.to_numpy(dtype=object).tolist(), present)]
        return _Column(sheet.write_boolean, values, [styles.text] * n, 7)
    if pd.api.types.is_integer_dtype(column.dtype):
        values = [int(v) if p else None for v, p in zip(column.to_numpy(dtype=object).tolist(), present)]
        return _Column(sheet.write_number, values, [styles.integer] * n, max(6, len(str(column.max())) + 1))
    if pd.api.types.is_float_dtype(column.dtype):
        numbers = column.to_numpy("float64", na_value=np.nan)
        if np.isinf(numbers).any():
            row = int(np.flatnonzero(np.isinf(numbers))[0])
            raise ValueError(
                f"sheet {table.sheet}, column {name}, row {row + 1}: {numbers[row]} cannot be stored in a cell"
            )
        present = ~np.isnan(numbers)
        whole = present & (numbers == np.round(numbers))
        values = [v if p else None for v, p in zip(numbers.tolist(), present)]
        formats = [styles.whole if w else styles.fraction for w in whole.tolist()]
        largest = float(np.nanmax(np.abs(numbers))) if present.any() else 0.0
        digits = len(f"{largest:,.0f}") + (4 if (present & ~whole).any() else 0)
        return _Column(sheet.write_number, values, formats, max(8, digits + 2))
    raise TypeError(f"sheet {table.sheet}, column {name}: {column.dtype} has no spreadsheet type")


def _text_width(column: pd.Series) -> int:
    values = column.dropna()
    if len(values) > WIDTH_SAMPLE:  # a spread of rows, the same on every build
        values = values.iloc[np.linspace(0, len(values) - 1, WIDTH_SAMPLE).astype(int)]
    return int(values.astype(str).str.len().max() or 0) + 2 if len(values) else 8


def _header_width(name: str) -> int:
    return len(name) + 4
