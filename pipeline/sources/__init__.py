"""Recognising and parsing source deliveries (the raw stage).

A delivery is recognised by its header (and, where DUO publishes identical headers for different
files, by the words DUO puts in its file names). Each `SourceFormat` names the family, the format
generation and the parser; `detect` picks the one format whose signature matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.problems import SourceError, problem
from pipeline.sources.files import decode, header_line, sniff_text, split_header

DELIVERY_SUFFIXES = {".csv", ".txt", ".json", ".xlsx"}


@dataclass(frozen=True)
class Delivery:
    """One recognised file: which family and generation, and the parsed raw frame."""

    path: Path
    family: str
    generation: str
    frame: pd.DataFrame
    encoding: str
    skipped_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class SourceFormat:
    family: str
    generation: str
    description: str
    signature: Callable[[list[str], str], bool]  # (header, lower-case file name) -> matches
    parse: Callable[[Path], Delivery]
    columns: tuple[str, ...] = ()  # the fixed columns, to explain a near miss (renamed/missing column)
    # formats that are not delimited text (JSON, XLSX) are recognised by their content instead of a
    # header line: `recognise(path)` returns True when the file is one of them (or raises SourceError
    # when it is plainly meant to be one but is broken, e.g. truncated JSON)
    recognise: Callable[[Path], bool] | None = None


_FORMATS: list[SourceFormat] = []


def register(fmt: SourceFormat) -> SourceFormat:
    _FORMATS.append(fmt)
    return fmt


def formats() -> list[SourceFormat]:
    _load_parsers()
    return list(_FORMATS)


_LOADED: list[bool] = []


def _load_parsers() -> None:
    """Import every parser module of this package (once): importing one registers its formats."""
    import importlib
    import pkgutil

    if _LOADED:
        return
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_") and module.name != "files":
            importlib.import_module(f"{__name__}.{module.name}")
    _LOADED.append(True)


def read_header(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        data = handle.read(1 << 16)
    sniff_text(path, data)
    text, _ = decode(path, data)
    line = header_line(text)
    delimiter = ";" if ";" in line else ("," if "," in line else "\t")
    return split_header(line, delimiter)


def detect(path: Path) -> SourceFormat:
    """The one format whose signature matches the file's header; a clear error otherwise."""
    by_content = [fmt for fmt in formats() if fmt.recognise is not None and fmt.recognise(path)]
    if len(by_content) == 1:
        return by_content[0]
    if by_content:
        names = ", ".join(f"{m.family} {m.generation}" for m in by_content)
        raise SourceError([problem(path, None, None, f"content matches several formats ({names})")])
    header = read_header(path)
    name = path.name.lower()
    matches = [fmt for fmt in formats() if fmt.signature(header, name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        near = _near_miss(header)
        if near is not None:
            missing = [c for c in near.columns if c not in header]
            raise SourceError(
                [
                    problem(path, 1, c, f"required column of {near.family} ({near.generation}) is missing or renamed")
                    for c in missing
                ]
                or [
                    problem(
                        path,
                        1,
                        None,
                        f"looks like {near.family} ({near.generation}) but does not match its layout or file naming",
                    )
                ]
            )
        shown = ";".join(header[:8]) + (";..." if len(header) > 8 else "")
        raise SourceError([problem(path, 1, None, f"not a recognised delivery (header: {shown})")])
    names = ", ".join(f"{m.family} {m.generation}" for m in matches)
    raise SourceError([problem(path, 1, None, f"header matches several formats ({names})")])


def _near_miss(header: list[str]) -> SourceFormat | None:
    """The format sharing most fixed columns with the header, if it shares at least 70% of them."""
    best, best_score = None, 0.0
    for fmt in formats():
        if fmt.columns:
            score = len(set(fmt.columns) & set(header)) / len(fmt.columns)
            if score > best_score:
                best, best_score = fmt, score
    return best if best_score >= 0.7 else None


def delivery_files(folder: Path) -> list[Path]:
    """Delivery files in a landing folder (not recursive), sorted by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in DELIVERY_SUFFIXES and not p.name.startswith(".")
    )


def parse(path: Path) -> Delivery:
    return detect(path).parse(path)


def parse_all(paths: Iterable[Path]) -> list[Delivery]:
    """Parse every file, collecting the problems of all files before failing."""
    deliveries, problems = [], []
    for path in paths:
        try:
            deliveries.append(parse(path))
        except SourceError as error:
            problems.extend(error.problems)
    if problems:
        raise SourceError(problems)
    return deliveries
