"""DUO 1cijferHO decode tables (`Dec_*` files, here as `value,label` CSV): codes and their labels.

They are not counts but the vocabularies behind DUO's higher-education files (CROHO sector,
study form, diploma type, ...). Recognised so that a folder of DUO material validates as a whole;
no core table is built from them. A value must be unique and non-empty within its table.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.problems import SourceError, problem
from pipeline.sources import Delivery, SourceFormat, register
from pipeline.sources.files import SOURCE_LINE, read_text_table

COLUMNS = ["value", "label"]


def parse_labels(path: Path) -> Delivery:
    table = read_text_table(path, delimiter=",")
    if table.header != COLUMNS:
        raise SourceError(
            [problem(path, 1, None, f"a decode table has the columns value,label, not {','.join(table.header)}")]
        )
    frame = table.frame
    problems = [
        problem(path, int(line), "value", "empty value")
        for line, v in zip(frame[SOURCE_LINE], frame["value"])
        if not v.strip()
    ]
    duplicated = frame["value"].duplicated()
    problems += [
        problem(path, int(line), "value", f"value {v!r} occurs twice")
        for line, v in zip(frame.loc[duplicated, SOURCE_LINE], frame.loc[duplicated, "value"])
    ]
    if problems:
        raise SourceError(problems)
    frame = frame.assign(source_file=path.name)
    return Delivery(
        path=path,
        family="duo_1cijferho_labels",
        generation="value,label",
        frame=frame,
        encoding=table.encoding,
        skipped_lines=tuple(table.skipped_lines),
    )


register(
    SourceFormat(
        family="duo_1cijferho_labels",
        generation="value,label",
        description="DUO 1cijferHO decode table (code -> label), no counts",
        signature=lambda header, name: header == COLUMNS,
        parse=parse_labels,
        columns=(),
    )
)
