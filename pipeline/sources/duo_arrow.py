"""The Arrow-native path of the DUO parsers: a regular wide file read by Arrow's CSV reader, trimmed,
its counts parsed, unpivoted and pre-checked against the raw contract with Arrow's compute kernels,
and turned into the pandas frame once.

This path only ever answers "here is the frame": it gives up (None) wherever the file is not plainly
regular – a blank, footer or malformed line, quoting other than every field or none, a line break
Python's `splitlines` sees and Arrow does not, a count that is not digits or `<5`, a value the
contract's pre-check cannot pass – and the parser then takes its usual path (`files.read_text_table`,
`duo_common`, Pandera), which names file, row, column and problem. Where it answers, the frame is
the one the usual path gives (same values, dtypes and order; tests/test_duo_arrow.py compares both
on every generation and on broken files).

This module registers no format.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.api.internals import create_dataframe_from_blocks

from pipeline import reference
from pipeline.problems import SourceError
from pipeline.sources.duo_common import check_columns
from pipeline.sources.files import MAX_FIELD_CHARS, decode, is_blank, split_header

ENABLED = True  # tests switch it off to compare with the usual path
STRING = pd.StringDtype("pyarrow", na_value=np.nan)  # the dtype of every text column of a raw frame
THREADS_FROM = 4 << 20  # Arrow's reader uses threads for files larger than this (bytes)

# characters Python's str.splitlines breaks lines at and Arrow's reader does not (UTF-8): the ASCII
# ones, and the others by their last byte (searching one byte is fast) and then in full
_ASCII_LINE_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
_OTHER_LINE_BREAKS = {b"\x85": b"\xc2\x85", b"\xa8": b"\xe2\x80\xa8", b"\xa9": b"\xe2\x80\xa9"}


def _other_line_breaks(body: bytes, ascii: bool) -> bool:
    """Whether UTF-8 text (`ascii`: all of it ASCII) has a line break Python's `str.splitlines` sees
    and Arrow's reader does not."""
    if any(mark in body for mark in _ASCII_LINE_BREAKS):
        return True
    return not ascii and any(last in body and mark in body for last, mark in _OTHER_LINE_BREAKS.items())


@dataclass
class WideFile:
    path: Path
    encoding: str
    header: list[str]
    columns: dict[str, pa.Array]  # the text of every field, by header name (quotes removed)
    lines: np.ndarray  # physical line of each row (the header is line 1)
    skipped_lines: tuple[int, ...] = ()  # blank and footer lines
    ascii: bool = False  # the text is ASCII (so ASCII white space is all the white space there is)

    def trimmed(self, name: str) -> pa.Array:
        """A column's text without surrounding white space (what pandas' `str.strip` does)."""
        column = self.columns[name]
        return pc.ascii_trim_whitespace(column) if self.ascii else trim(column)

    def trimmed_coded(self, name: str) -> Coded:
        """`trimmed(name)` with its distinct values and a code per row: the column is dictionary-encoded
        and its few distinct values trimmed (not every row's)."""
        column = self.columns[name]
        if column.null_count:  # not from the reader (it gives no nulls); encoded as it is
            column = self.trimmed(name)
            encoded = pc.dictionary_encode(column)
            return column, encoded.dictionary, encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)
        encoded = pc.dictionary_encode(column)
        distinct, indices = encoded.dictionary, encoded.indices
        stripped = pc.ascii_trim_whitespace(distinct) if self.ascii else trim(distinct)
        if stripped.equals(distinct):  # nothing to trim
            return column, distinct, indices.to_numpy().astype(np.int64), len(distinct)
        again = pc.dictionary_encode(stripped)  # values equal once trimmed share a code
        codes = again.indices.to_numpy().astype(np.int64)[indices.to_numpy()]
        return stripped.take(indices), again.dictionary, codes, len(again.dictionary)


# a text column with its distinct values: (the column, its distinct values, the code of each row into
# them, how many there are)
Coded = tuple[pa.Array, pa.Array, np.ndarray, int]


def trimmed_columns(wide: WideFile, columns: dict[str, str], model) -> tuple[dict[str, pa.Array], dict[str, Coded]]:
    """The trimmed text of these columns (DUO's name -> ours), and for those the model checks or keys
    on (`schemas.fast.model_plan`) their distinct values and codes (`WideFile.trimmed_coded`), for
    `long_frame`."""
    from schemas.fast import model_plan

    encode = model_plan(model).encode
    fixed: dict[str, pa.Array] = {}
    coded: dict[str, Coded] = {}
    for duo, ours in columns.items():
        if ours in encode:
            coded[ours] = wide.trimmed_coded(duo)
            fixed[ours] = coded[ours][0]
        else:
            fixed[ours] = wide.trimmed(duo)
    return fixed, coded


def read_wide(path: Path, *, delimiter: str = ";", footer_prefixes: tuple[str, ...] = ()) -> WideFile | None:
    """The file's fields as Arrow text columns, or None where `files.read_text_table` could read it
    otherwise: the header is not the first line, a line is blank, a footer or has another number of
    fields, quoting is not uniform, or the text has a line break Arrow does not split at."""
    if not ENABLED:
        return None
    data = path.read_bytes()
    if not data or b"\x00" in data:
        return None
    ascii = data.isascii()
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            body, encoding = data[3:], "utf-8-sig"
            body.decode("utf-8")
            ascii = body.isascii()
        else:
            try:
                if not ascii:
                    data.decode("utf-8")
                body, encoding = data, "utf-8"
            except UnicodeDecodeError:
                text, encoding = decode(path, data)
                body = text.encode("utf-8")
                ascii = body.isascii()
    except UnicodeDecodeError:
        return None
    if _other_line_breaks(body, ascii):
        return None
    if re.search(rb"[^\n]{%d}" % (MAX_FIELD_CHARS + 1), body):  # a line that long: the usual path names the field
        return None
    end = body.find(b"\n")
    if end < 0:
        return None
    head = body[: end - 1] if body[end - 1 : end] == b"\r" else body[:end]
    if b"\r" in head:
        return None
    head_text = head.decode("utf-8")
    if not head_text.strip() or delimiter not in head_text:
        return None
    header = split_header(head_text, delimiter)
    if len(set(header)) != len(header):
        return None
    names = [f"f{j}" for j in range(len(header))]
    table, invalid = _read_fields(body, names, delimiter, threads=len(body) > THREADS_FROM)
    if table is not None and any(number is None for number, _ in invalid):  # threads do not number rows
        table, invalid = _read_fields(body, names, delimiter, threads=False)
    if table is None:
        return None

    def skipped(line: str) -> bool:  # what the usual path skips: a blank or footer line
        return is_blank(line, delimiter) or bool(footer_prefixes and line.lstrip('"').startswith(footer_prefixes))

    if not all(skipped(text) for _, text in invalid):  # a line with another number of fields
        return None
    # physical line of each parsed row: rows are lines (no quoting), less the lines Arrow left out
    lines = np.arange(2, table.num_rows + len(invalid) + 2, dtype=np.int64)
    skip = sorted(number for number, _ in invalid)
    if skip:
        lines = np.delete(lines, np.array(skip, dtype=np.int64) - 2)
    # blank or footer lines with the header's number of fields: a blank line's first field is empty
    # but for white space and quotes; a footer's starts with a footer word
    fields = [c.chunk(0) if c.num_chunks == 1 else c.combine_chunks() for c in table.columns]
    first = fields[0]
    candidate = pc.equal((pc.ascii_trim if ascii else pc.utf8_trim)(first, characters=' \t"'), "")
    for prefix in footer_prefixes:
        candidate = pc.or_(candidate, pc.starts_with(pc.utf8_ltrim(first, characters='"'), pattern=prefix))
    if candidate.true_count:
        rows = np.flatnonzero(candidate.to_numpy(zero_copy_only=False))
        records = table.take(rows).to_pylist()
        drop = [row for row, record in zip(rows, records) if skipped(delimiter.join(record[n] for n in names))]
        if drop:
            keep = np.ones(table.num_rows, dtype=bool)
            keep[drop] = False
            kept = table.num_rows - len(drop)
            # blank lines ending the file (the usual case) are cut off without a copy
            fields = [f.slice(0, kept) if drop[0] == kept else f.filter(keep) for f in fields]
            skip = sorted(skip + lines[drop].tolist())
            lines = lines[keep]
    if len(lines) == 0:
        return None
    columns = {}
    quoted = body.find(b'"', end) >= 0 and any(pc.match_substring(f, '"').true_count for f in fields)
    for name, column in zip(header, fields):
        if quoted:  # every field "quoted", no other quote: the text between the quotes
            uniform = pc.and_(
                pc.and_(pc.starts_with(column, pattern='"'), pc.ends_with(column, pattern='"')),
                pc.equal(pc.count_substring(column, pattern='"'), 2),
            )
            if uniform.false_count or uniform.null_count:
                return None
            column = pc.utf8_slice_codeunits(column, 1, -1)
        columns[name] = column
    return WideFile(
        path=path,
        encoding=encoding,
        header=header,
        columns=columns,
        lines=lines,
        skipped_lines=tuple(skip),
        ascii=ascii,
    )


def read_checked(
    path: Path,
    expected: list[str],
    variable: Callable[[list[str]], list[str]],
    *,
    footer_prefixes: tuple[str, ...] = (),
) -> WideFile | None:
    """`read_wide`, for a file whose columns `duo_common.check_columns` accepts (every expected
    column, in DUO's order, and no other than `variable(header)`); None otherwise."""
    wide = read_wide(path, footer_prefixes=footer_prefixes)
    if wide is None:
        return None
    try:
        check_columns(path, wide.header, expected, variable(wide.header))
    except SourceError:
        return None
    return wide


def _read_fields(body: bytes, names: list[str], delimiter: str, *, threads: bool):
    """(every line after the header split at the delimiter, as text columns; the (line number, text)
    of each line with another number of fields, left out), or (None, []) where Arrow cannot read it.
    `body` must be valid UTF-8 (it is not checked again).
    Without threads the text is read as one block, so each column comes as one piece (not one per
    block of Arrow's default 1 MiB, to be put together after)."""
    invalid: list[tuple[int | None, str]] = []
    block = {} if threads else {"block_size": max(len(body) + 1, 1 << 20)}
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=threads, **block),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
                invalid_row_handler=lambda row: invalid.append((row.number, row.text)) or "skip",
            ),
            # the body is valid UTF-8 already (ASCII, decoded by `read_wide`, or re-encoded from its encoding)
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.large_string() for n in names},
                check_utf8=False,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None, []
    return table, invalid


def trim(column: pa.Array) -> pa.Array:
    """Text without surrounding white space (what pandas' `str.strip` does to Arrow text)."""
    return pc.utf8_trim_whitespace(column)


def counts(
    columns: list[pa.Array], *, mask: str | None, empty_is_zero: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    """(counts, masked flags) of count columns, one after the other (the order of the long table),
    when every trimmed value is 1-15 ASCII digits (or the masking mark; or empty where empty means
    zero), None otherwise: what `duo_common.parse_counts` gives without a problem. A masked count
    is 0 here (null in the frame)."""
    text = columns[0] if len(columns) == 1 else pa.concat_arrays(columns)
    plain = _plain_counts(text, mask=mask, empty_is_zero=empty_is_zero)
    if plain is not None:
        return plain
    # ASCII white space only: a count padded with other white space is left to the usual path
    text = pc.ascii_trim_whitespace(text)
    masked = pc.equal(text, mask) if mask else None
    if empty_is_zero:
        text = pc.if_else(pc.equal(text, ""), "0", text)
    plain = pc.and_(pc.utf8_is_digit(text), pc.less_equal(pc.binary_length(text), 15))
    if (plain if masked is None else pc.or_(plain, masked)).false_count:
        return None
    try:  # Unicode digits other than 0-9 are not a number to Arrow's cast
        values = pc.cast(text if masked is None else pc.if_else(masked, "0", text), pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return None
    return values, (np.zeros(len(text), dtype=bool) if masked is None else masked.to_numpy(zero_copy_only=False))


def _plain_counts(text: pa.Array, *, mask: str | None, empty_is_zero: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """`counts` of text that needs no trimming: every value 1-15 ASCII digits as it stands (or the
    masking mark, or empty where empty means zero); None otherwise (then `counts` trims and looks again)."""
    if mask is not None and (mask == "" or mask.isdigit()):  # the mark must be neither a count nor empty
        return None
    digits = pc.utf8_is_digit(text)  # false for the empty text and the masking mark
    others = digits.false_count
    masked = empty = None
    if others and mask:
        masked = pc.equal(text, mask)
        others -= masked.true_count
    if others and empty_is_zero:
        empty = pc.equal(text, "")
        others -= empty.true_count
    if others or (len(text) and pc.max(pc.binary_length(text)).as_py() > 15):
        return None
    zero = masked if empty is None else (empty if masked is None else pc.or_(masked, empty))
    try:  # Unicode digits other than 0-9 are not a number to Arrow's cast
        values = pc.cast(text if zero is None else pc.if_else(zero, "0", text), pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return None
    return values, (np.zeros(len(text), dtype=bool) if masked is None else masked.to_numpy(zero_copy_only=False))


def known_municipality_numbers(numbers: pa.Array) -> bool:
    """Whether every 4-digit GEMEENTENUMMER is a code of reference/regions/municipalities.csv (the
    check `duo_common.check_municipality_numbers` reports; other values fail the contract)."""
    from pipeline.sources.duo_common import _known_codes

    known = _known_codes(reference.sha256("regions/municipalities.csv"))
    return all("GM" + v in known for v in pc.unique(numbers).to_pylist() if len(v) == 4 and v.isascii() and v.isdigit())


def codes_by_name(names: pa.Array, code, *, as_text: bool = True) -> pa.Array | np.ndarray | None:
    """The code of each row's name (`code(name)` -> (code, None) or ("", why)), looked up once per
    distinct name, as Arrow text or (as_text False) a NumPy object array; None when a name has no code
    (the usual path reports it)."""
    encoded = pc.dictionary_encode(names)
    found = [code(name) for name in encoded.dictionary.to_pylist()]
    if any(why is not None for _, why in found):
        return None
    if as_text:
        return pa.array([value for value, _ in found], type=pa.large_string()).take(encoded.indices)
    return np.array([value for value, _ in found] or [""], dtype=object)[encoded.indices.to_numpy()]


def integers(column: pa.Array) -> np.ndarray | None:
    """Whole numbers written as 1-18 ASCII digits (trimmed text) as int64; None for anything else."""
    plain = pc.and_(pc.utf8_is_digit(column), pc.less_equal(pc.binary_length(column), 18))
    if plain.false_count or plain.null_count:
        return None
    try:
        return pc.cast(column, pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return None


def _codes(column: pa.Array | np.ndarray) -> tuple[np.ndarray, int] | None:
    """(a dense code per row, the number of distinct values) of a column without nulls; None with nulls."""
    if isinstance(column, np.ndarray):
        if column.dtype == object:
            column = pa.array(column)
        else:
            distinct, inverse = np.unique(column, return_inverse=True)
            return inverse.astype(np.int64, copy=False), len(distinct)
    if column.null_count:
        return None
    encoded = pc.dictionary_encode(column)
    return encoded.indices.to_numpy().astype(np.int64), len(encoded.dictionary)


def unique_codes(codes: list[tuple[np.ndarray, int]]) -> bool:
    """Whether no two rows have the same combination of codes (each (code per row, number of codes))."""
    combined, size = codes[0]
    for column, cardinality in codes[1:]:
        if size * cardinality >= 1 << 62:  # renumber the combinations seen so far (dense again)
            distinct, combined = np.unique(combined, return_inverse=True)
            size = len(distinct)
        combined = combined * cardinality + column
        size *= cardinality
    ordered = np.sort(combined)
    return not bool((ordered[1:] == ordered[:-1]).any())


def distinct_rows(columns: list[pa.Array | np.ndarray]) -> bool:
    """Whether no two rows have the same values in all these columns (nulls: not shown distinct)."""
    codes = [_codes(c) for c in columns]
    return all(c is not None for c in codes) and unique_codes(codes)


def long_frame(
    model,
    fixed: dict[str, pa.Array | np.ndarray],
    parts: list[dict],
    constants: dict[str, str],
    lines: np.ndarray,
    count: np.ndarray,
    masked: np.ndarray,
    coded: dict[str, Coded] | None = None,
) -> pd.DataFrame | None:
    """The long table of a wide file (every fixed column repeated once per part, with the part's
    values) in the model's column order, when `schemas.fast.passes_values` shows it passes the model;
    None otherwise.

    `fixed` holds one value per row: Arrow text, or NumPy (int64, object); `parts` one dict per part
    (a year or sex x year column) of scalars, text or int; `constants` texts every row has; `count`
    and `masked` the long table's counts and masked flags (parts one after the other; the count is
    null where masked); `coded` the distinct values and codes of fixed columns (`trimmed_columns`),
    used where the column is still the one they were made of.

    A text column that is checked or part of the model's key is dictionary-encoded once: its distinct
    values are what the checks see, its codes what the key's uniqueness is tested on. The frame is
    assembled from its column arrays as they are (`pandas.api.internals.create_dataframe_from_blocks`,
    one block per column, as `pd.DataFrame(columns, copy=False)` lays them out). A fixed or constant
    text column repeats its one Arrow array once per part (k pieces of one array, not a copy of it k
    times): the same values, dtype and Parquet bytes (tests/test_duo_arrow.py), as `pd.concat` of
    several files' frames gives pieces too."""
    from schemas.fast import model_plan, passes_values

    n, k = len(lines), len(parts)
    if k == 0 or len(count) != n * k or len(masked) != n * k:
        return None
    plan = model_plan(model)
    part_names = list(parts[0])
    encoded: dict[str, tuple[pa.Array, np.ndarray, int]] = {}  # text column -> (distinct values, codes, how many)
    values: dict[str, tuple[object, object]] = {}
    for name, column in fixed.items():
        if isinstance(column, pa.Array):
            if coded and name in coded and coded[name][0] is column:
                encoded[name] = coded[name][1:]
                values[name] = (STRING, encoded[name][0])
            elif name in plan.encode and not column.null_count:
                dictionary = pc.dictionary_encode(column)
                encoded[name] = (
                    dictionary.dictionary,
                    dictionary.indices.to_numpy().astype(np.int64),
                    len(dictionary.dictionary),
                )
                values[name] = (STRING, encoded[name][0])
            else:
                values[name] = (STRING, column)
        else:
            values[name] = (column.dtype, column)
    for name, text in constants.items():
        values[name] = (STRING, pa.array([text], type=pa.large_string()))
    for name in part_names:
        scalars = [p[name] for p in parts]
        if all(isinstance(v, str) for v in scalars):
            values[name] = (STRING, pa.array(scalars, type=pa.large_string()))
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in scalars):
            values[name] = (np.dtype(np.int64), np.array(scalars, dtype=np.int64))
        else:
            return None
    values["count"] = (pd.Int64Dtype(), pa.array(count, mask=masked) if masked.any() else count)  # nulls where masked
    values["masked"] = (np.dtype(bool), masked)
    values["source_line"] = (np.dtype(np.int64), lines)

    def key_unique(keys: list[str]) -> bool:
        row_keys = [k for k in keys if k in fixed]
        part_keys = [k for k in keys if k in part_names]
        if len(row_keys) + len(part_keys) + len([k for k in keys if k in constants]) != len(keys):
            return False
        if row_keys:
            codes = [encoded[k][1:] if k in encoded else _codes(fixed[k]) for k in row_keys]
            rows_ok = all(c is not None for c in codes) and unique_codes(codes)
        else:
            rows_ok = n == 1
        part_ok = len({tuple(p[k] for k in part_keys) for p in parts}) == k if part_keys else k == 1
        return rows_ok and part_ok

    if not passes_values(model, values, key_unique):
        return None
    blocks = []
    for position, name in enumerate(plan.columns):
        if name in fixed:
            column = fixed[name]
            if isinstance(column, pa.Array):
                array = pd.arrays.ArrowStringArray(pa.chunked_array([column] * k), dtype=STRING)
            else:
                array = np.tile(column, k).reshape(1, -1)
        elif name in constants:
            array = pd.arrays.ArrowStringArray(
                pa.chunked_array([pa.repeat(pa.scalar(constants[name], type=pa.large_string()), n)] * k), dtype=STRING
            )
        elif name == "count":
            array = pd.arrays.IntegerArray(count, masked.copy())
        elif name == "masked":
            array = masked.reshape(1, -1)
        elif name == "source_line":
            array = np.tile(lines, k).reshape(1, -1)
        else:
            kind, scalars = values[name]
            if kind is STRING:
                array = pd.arrays.ArrowStringArray(
                    pa.chunked_array([scalars.take(np.repeat(np.arange(k), n))]), dtype=STRING
                )
            else:
                array = np.repeat(scalars, n).reshape(1, -1)
        blocks.append((array, np.array([position])))
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n * k), columns=pd.Index(plan.columns))
