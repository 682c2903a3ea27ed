"""Problems found in a delivery, reported with file, row and column.

A problem's `row` is the physical line number in the file (the header is line 1), so an analyst
can open the file at that line. Parsers collect problems and raise one `SourceError` holding all of
them, so a single run reports everything that is wrong with a delivery instead of the first thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

MAX_REPORTED = 50


@dataclass(frozen=True)
class SourceProblem:
    file: str
    row: int | None
    column: str | None
    problem: str
    check: str | None = None  # the table contract's check that failed (None: the file could not be read as such)

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        return f"{where}: {self.problem}"

    def as_dict(self) -> dict:
        return asdict(self)


class SourceError(Exception):
    """One or more problems make a delivery unusable; nothing downstream may run on it."""

    def __init__(self, problems: list[SourceProblem]):
        if not problems:
            raise ValueError("SourceError needs at least one problem")
        self.problems = problems
        super().__init__(self.summary())

    def summary(self) -> str:
        shown = self.problems[:MAX_REPORTED]
        lines = [f"{len(self.problems)} problem(s) in the source deliveries:"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)


def problem(path: Path | str, row: int | None, column: str | None, text: str) -> SourceProblem:
    return SourceProblem(file=str(path), row=row, column=column, problem=text)
