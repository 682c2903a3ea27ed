"""Reading a delivery file as text: encoding, delimiter, blank and footer lines, truncation.

Everything here is format-agnostic; the family parsers (`duo_ho`, ...) interpret columns.
The frame keeps every value as text plus `source_line`, the physical line of the row in the file.

Large regular files take a vectorised path (`_read_fast`: regular expressions over the whole text
and Arrow's CSV reader instead of a Python step per line) that gives exactly the frame and skipped
lines of the line loop; a file it cannot read that way (a malformed row, unusual quoting) is read
by the line loop, which names the problems.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.problems import SourceError, SourceProblem, problem

SOURCE_LINE = "source_line"
FAST_PATH_LINES = 200  # files with more data lines than this take the vectorised path


@dataclass
class TextTable:
    path: Path
    encoding: str
    delimiter: str
    header: list[str]
    frame: pd.DataFrame  # all columns str, plus SOURCE_LINE
    skipped_lines: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def decode(path: Path, data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), falling back to latin-1 as older DUO files use."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _is_cp1252(data) else data.decode("latin-1"), "latin-1"


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def sniff_text(path: Path, data: bytes) -> str:
    """Refuse what is not a delimited text file (empty, HTML error page, binary)."""
    refuse_non_text(path, data)
    text, _ = decode(path, data)
    return text


def refuse_non_text(path: Path, data: bytes) -> None:
    """The checks of `sniff_text` without decoding: empty, HTML/XML page, binary."""
    head = data[:2048].lstrip().lower()
    if not data or data.isspace():
        raise SourceError([problem(path, None, None, "file is empty")])
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise SourceError([problem(path, 1, None, "file is an HTML/XML page, not a CSV delivery (a failed download?)")])
    if b"\x00" in data[:4096]:
        raise SourceError([problem(path, None, None, "file is binary, not a delimited text file")])


def header_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def split_header(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def is_blank(line: str, delimiter: str) -> bool:
    """A blank trailer line: empty, only delimiters, or a lone empty quoted field (`""`)."""
    stripped = line.strip().replace(delimiter, "").replace('"', "").strip()
    return stripped == ""


def read_text_table(
    path: Path,
    *,
    data: bytes | None = None,
    delimiter: str = ";",
    footer_prefixes: tuple[str, ...] = (),
    fast: bool | None = None,
) -> TextTable:
    """Read a delimited delivery into a text frame, with physical line numbers.

    Blank lines and footer lines (starting with one of `footer_prefixes`) are skipped and
    recorded; a line with the wrong number of fields is a problem (truncated or malformed file).
    `fast` allows the vectorised path (default: for files with more than FAST_PATH_LINES lines);
    the line loop reads what that path leaves (anything irregular) and the small files.
    """
    data = path.read_bytes() if data is None else data
    refuse_non_text(path, data)
    text, encoding = decode(path, data)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise SourceError([problem(path, None, None, "file is empty")])
    head = lines[first]
    if delimiter not in head:
        other = next((d for d in (",", "\t", "|") if d in head), None)
        hint = f" (found {other!r}: wrong delimiter?)" if other else ""
        raise SourceError([problem(path, first + 1, None, f"header has no {delimiter!r} delimiter{hint}")])
    header = split_header(head, delimiter)
    _refuse_oversize_fields(path, lines, first, header, delimiter)
    if fast is None:
        fast = len(lines) - first - 1 > FAST_PATH_LINES
    read = _read_fast(lines, first, header, delimiter, footer_prefixes) if fast else None
    frame, line_numbers, skipped = read or _read_loop(path, lines, first, header, delimiter, footer_prefixes)
    frame[SOURCE_LINE] = line_numbers
    return TextTable(
        path=path, encoding=encoding, delimiter=delimiter, header=header, frame=frame, skipped_lines=skipped
    )


MAX_FIELD_CHARS = 4000  # no DUO, CBS or UWV field comes near this; a longer one is a broken file


def _refuse_oversize_fields(path: Path, lines: list[str], first: int, header: list[str], delimiter: str) -> None:
    """A field longer than MAX_FIELD_CHARS is a problem naming file, row and column (a line is only
    split when it is that long at all, so regular files cost one length per line)."""
    if max(map(len, lines[first:]), default=0) <= MAX_FIELD_CHARS:  # the common case, at C speed
        return
    problems: list[SourceProblem] = []
    for index in range(first, len(lines)):
        if len(lines[index]) <= MAX_FIELD_CHARS:
            continue
        fields = lines[index].split(delimiter)  # (csv.reader refuses fields over 128 KiB)
        for position, value in enumerate(fields):
            if len(value) > MAX_FIELD_CHARS:
                column = header[position] if position < len(header) else None
                problems.append(
                    problem(path, index + 1, column, f"field of {len(value)} characters (at most {MAX_FIELD_CHARS})")
                )
        if len(problems) >= 20:
            break
    if problems:
        raise SourceError(problems)


def _read_loop(
    path: Path, lines: list[str], first: int, header: list[str], delimiter: str, footer_prefixes: tuple[str, ...]
) -> tuple[pd.DataFrame, list[int], list[int]]:
    """The line loop: every line after the header is skipped (blank, footer), kept, or a problem;
    the kept lines are parsed by pandas' CSV parser."""
    n_fields = len(header)
    problems: list[SourceProblem] = []
    keep: list[str] = []
    line_numbers: list[int] = []
    skipped: list[int] = []
    for index in range(first + 1, len(lines)):
        line = lines[index]
        number = index + 1
        if is_blank(line, delimiter) or (footer_prefixes and line.lstrip('"').startswith(footer_prefixes)):
            skipped.append(number)
            continue
        if line.count(delimiter) != n_fields - 1:
            fields = next(csv.reader([line], delimiter=delimiter))
            if len(fields) != n_fields:
                kind = "truncated row" if len(fields) < n_fields else "row with extra fields"
                problems.append(
                    problem(
                        path,
                        number,
                        header[min(len(fields), n_fields) - 1] if fields else None,
                        f"{kind}: {len(fields)} fields, header has {n_fields}",
                    )
                )
                continue
        keep.append(line)
        line_numbers.append(number)
    if problems:
        raise SourceError(problems)
    if not keep:
        raise SourceError([problem(path, first + 1, None, "file has a header but no data rows")])

    frame = pd.read_csv(
        io.StringIO("\n".join(keep)),
        sep=delimiter,
        header=None,
        names=header,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        engine="c",
        quotechar='"',
    )
    return frame, line_numbers, skipped


def _read_fast(
    lines: list[str], first: int, header: list[str], delimiter: str, footer_prefixes: tuple[str, ...]
) -> tuple[pd.DataFrame, np.ndarray, list[int]] | None:
    """What `_read_loop` gives, for a regular file, without a Python step per line; None where the
    file is not regular (a line with another number of fields, quoting other than every field or
    none, a NUL character, a repeated column name, no data rows), which the line loop then reads.

    Blank and footer lines are found by regular expressions over the data lines joined by newlines
    (a blank line has no letter or digit, so only lines without one are checked with `is_blank`);
    Arrow's CSV reader splits the fields, where splitting cannot be ambiguous: without any quote,
    or with every field quoted and no other quote (`"a";"b"`)."""
    n_fields = len(header)
    body = lines[first + 1 :]
    joined = "\n".join(body)
    if len(set(header)) != n_fields or "\x00" in joined:
        return None
    skip = sorted(
        set(_starting_lines(body, joined, r"[^0-9A-Za-z\n]*(?=\n|\Z)", lambda line: is_blank(line, delimiter)))
        | (
            set(_starting_lines(body, joined, '"*(?:' + "|".join(map(re.escape, footer_prefixes)) + ")"))
            if footer_prefixes
            else set()
        )
    )
    numbers = np.arange(first + 2, first + 2 + len(body), dtype=np.int64)
    if skip:
        keep = np.ones(len(body), dtype=bool)
        keep[skip] = False
        body = list(itertools.compress(body, keep))
        joined = "\n".join(body)
        numbers = numbers[keep]
    if not body:
        return None
    quoted = '"' in joined
    if quoted and not _quoted_uniformly(body, n_fields, delimiter):
        return None
    names = [f"f{j}" for j in range(n_fields)]  # Arrow's reader wants plain names; the header is set below
    irregular: list[object] = []
    table = pacsv.read_csv(
        io.BytesIO(joined.encode("utf-8")),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"' if quoted else False,
            double_quote=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
            invalid_row_handler=lambda row: irregular.append(row) or "skip",
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.large_string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if irregular or table.num_rows != len(body):
        return None
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    frame = pd.DataFrame(
        {name: pd.arrays.ArrowStringArray(table.column(j), dtype=dtype) for j, name in enumerate(header)}
    )
    return frame, numbers, (first + 2 + np.array(skip, dtype=np.int64)).tolist()


def _starting_lines(lines: list[str], joined: str, pattern: str, confirm=None) -> list[int]:
    """Indexes of the lines (joined by newlines) that start with a match of `pattern` (and satisfy
    `confirm`, if given)."""
    found = [0] if re.match(pattern, joined) else []
    found += [m.start() + 1 for m in re.finditer("\n" + pattern, joined)]
    indexes, index, previous = [], 0, 0
    for position in found:  # increasing: count the newlines between one match and the next
        index += joined.count("\n", previous, position)
        previous = position
        if confirm is None or confirm(lines[index]):
            indexes.append(index)
    return indexes


def _quoted_uniformly(lines: list[str], n_fields: int, delimiter: str) -> bool:
    """Every line quotes each of its `n_fields` fields and has no other quote: `"a";"b";"c"`."""
    array = pa.array(lines, type=pa.large_string())
    uniform = pc.and_(
        pc.and_(pc.starts_with(array, pattern='"'), pc.ends_with(array, pattern='"')),
        pc.and_(
            pc.equal(pc.count_substring(array, pattern='"'), 2 * n_fields),
            pc.equal(pc.count_substring(array, pattern=f'"{delimiter}"'), n_fields - 1),
        ),
    )
    return bool(pc.all(uniform).as_py())
