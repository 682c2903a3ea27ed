"""A small, fast XLSX (SpreadsheetML) writer for the data downloads.

Writing every cell through openpyxl's object model costs tens of seconds for the indicator table;
here each sheet is written as one XML stream, column by column. Text cells are shared strings
(`t="s"`), so a text cell is always a string and never a formula; numbers are numbers; missing
values are empty cells. The file is deterministic: strings are numbered in order of first
appearance, zip entries carry a fixed date and the document properties a fixed time.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

FIXED_TIME = "2000-01-01T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# characters XML 1.0 does not allow (a spreadsheet cannot hold them either)
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def ref(self, text: str) -> int:
        self.count += 1
        found = self.index.get(text)
        if found is None:
            if ILLEGAL.search(text):
                raise ValueError(f"text cell {text!r} holds a control character a spreadsheet cannot store")
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in self.index)
        return f'{HEAD}<sst xmlns="{MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'


def _number(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be stored in a spreadsheet cell")
    return repr(float(value))


def _column_cells(values: Sequence, letter: str, strings: _Strings) -> list[str]:
    """The XML of every cell of one column (rows 2..n+1); '' for an empty cell. Cell by cell: the
    path of columns that mix types (see `_typed_column_cells` for the common ones)."""
    out = []
    for row, value in enumerate(values, start=2):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out.append("")
        elif isinstance(value, str):
            out.append(f'<c r="{letter}{row}" t="s"><v>{strings.ref(value)}</v></c>')
        elif isinstance(value, bool | np.bool_):
            out.append(f'<c r="{letter}{row}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | np.integer):
            out.append(f'<c r="{letter}{row}"><v>{int(value)}</v></c>')
        elif isinstance(value, float | np.floating):
            out.append(f'<c r="{letter}{row}"><v>{_number(float(value))}</v></c>')
        else:
            raise TypeError(f"cell value {value!r} ({type(value).__name__}) has no spreadsheet type")
    return out


def _typed_column_cells(column: pd.Series, letter: str, strings: _Strings, rows: np.ndarray) -> np.ndarray | None:
    """The same cells as `_column_cells` for a column of one type (text, bool, integer or float),
    written per distinct value instead of per cell; None for any other column. `rows` holds the
    text '2"', '3"', ... of the column's rows."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        attribute = ' t="s"'
    elif pd.api.types.is_bool_dtype(dtype):
        attribute = ' t="b"'
    elif pd.api.types.is_integer_dtype(dtype):
        attribute = ""
    elif pd.api.types.is_float_dtype(dtype):
        values = column.to_numpy("float64", na_value=np.nan)
        if ((values == 0) & np.signbit(values)).any():
            return None  # -0.0 and 0.0 are one distinct value but not one cell text: cell by cell
        attribute = ""
    else:
        return None
    codes, distinct = pd.factorize(column, sort=False)  # distinct values in order of first appearance
    if attribute == ' t="s"':
        text = [f"{strings.ref(value)}" for value in distinct]  # numbered in the order the cells use them
        strings.count += int((codes >= 0).sum()) - len(distinct)
    elif attribute == ' t="b"':
        text = [f"{int(value)}" for value in distinct]
    elif pd.api.types.is_float_dtype(dtype):
        text = [_number(value) for value in distinct.tolist()]
    else:
        text = [f"{int(value)}" for value in distinct]
    tails = np.array([f"{attribute}><v>{value}</v></c>" for value in text] + [""], dtype=object)
    cells = f'<c r="{letter}' + rows + tails[codes]  # code -1 (missing) picks the last tail
    cells[codes < 0] = ""
    return cells


def _sheet(frame: pd.DataFrame, strings: _Strings) -> str:
    letters = [column_letter(i) for i in range(len(frame.columns))]
    header = "".join(
        f'<c r="{letter}1" t="s"><v>{strings.ref(str(name))}</v></c>' for letter, name in zip(letters, frame.columns)
    )
    columns = []
    row_refs = np.array([f'{row}"' for row in range(2, len(frame) + 2)], dtype=object)
    for letter, name in zip(letters, frame.columns):
        cells = _typed_column_cells(frame[name], letter, strings, row_refs)
        columns.append(
            cells if cells is not None else _column_cells(frame[name].astype(object).tolist(), letter, strings)
        )
    rows = [f'<row r="{n}">{"".join(cells)}</row>' for n, cells in enumerate(zip(*columns), start=2)]
    last = f"{letters[-1]}{len(frame) + 1}" if letters else "A1"
    return (
        f'{HEAD}<worksheet xmlns="{MAIN}"><dimension ref="A1:{last}"/><sheetData>'
        f'<row r="1">{header}</row>{"".join(rows)}</sheetData></worksheet>'
    )


STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def write(path: Path, sheets: dict[str, pd.DataFrame], creator: str = "Techniekpact Monitor") -> None:
    """Write `sheets` (name -> frame, in order) as one workbook at `path`."""
    strings = _Strings()
    parts = {f"xl/worksheets/sheet{i}.xml": _sheet(frame, strings) for i, frame in enumerate(sheets.values(), start=1)}
    n = len(sheets)
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{ML}.worksheet+xml"/>' for name in parts)
    content_types = (
        f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ML}.sheet.main+xml"/>{overrides}'
        f'<Override PartName="/xl/styles.xml" ContentType="{ML}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ML}.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    package_rels = (
        f'{HEAD}<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
    )
    core = (
        f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{escape(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_TIME}</dcterms:modified></cp:coreProperties>'
    )
    app = (
        f'{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>{escape(creator)}</Application></Properties>"
    )
    names = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    workbook = f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{names}</sheets></workbook>'
    workbook_rels = (
        f'{HEAD}<Relationships xmlns="{PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
        + f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        + "</Relationships>"
    )
    entries = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": package_rels,
        "docProps/app.xml": app,
        "docProps/core.xml": core,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": STYLES,
        **parts,
        "xl/sharedStrings.xml": strings.xml(),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, text in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, text.encode("utf-8"))
