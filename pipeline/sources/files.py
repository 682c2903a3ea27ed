"""Reading a delivery file as text: encoding, delimiter, blank and footer lines, truncation.

Everything here is format-agnostic; the family parsers (`duo_ho`, ...) interpret columns.
The frame keeps every value as text plus `source_line`, the physical line of the row in the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.problems import SourceError, SourceProblem, problem

SOURCE_LINE = "source_line"


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
    head = data[:2048].lstrip().lower()
    if not data.strip():
        raise SourceError([problem(path, None, None, "file is empty")])
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")):
        raise SourceError([problem(path, 1, None, "file is an HTML/XML page, not a CSV delivery (a failed download?)")])
    if b"\x00" in data[:4096]:
        raise SourceError([problem(path, None, None, "file is binary, not a delimited text file")])
    text, encoding = decode(path, data)
    return text if encoding else text


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
) -> TextTable:
    """Read a delimited delivery into a text frame, with physical line numbers.

    Blank lines and footer lines (starting with one of `footer_prefixes`) are skipped and
    recorded; a line with the wrong number of fields is a problem (truncated or malformed file).
    """
    data = path.read_bytes() if data is None else data
    sniff_text(path, data)
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
                problems.append(problem(path, number, header[min(len(fields), n_fields) - 1] if fields else None,
                                        f"{kind}: {len(fields)} fields, header has {n_fields}"))
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
    frame[SOURCE_LINE] = line_numbers
    return TextTable(path=path, encoding=encoding, delimiter=delimiter, header=header, frame=frame, skipped_lines=skipped)
