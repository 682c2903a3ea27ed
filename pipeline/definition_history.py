"""Version history of the STEM definition tables: what changed between editions, and its effect.

The monitor applies the newest definition to the whole series: every edition classifies every
year of its core tables with the tables as they are now (`pipeline.classify`, validity per year
honoured). When a table changed since the previous edition, users must see that and what it does
to the figures. This module gives the report and the warehouse two tables.

Recording. `reference/stem/definition_history.csv` (a versioned reference table, overridable like
any other) says which version of each definition table each published edition used:

    edition,table_id,table_file,version,sha256,archive
    2024,stem.nl_ho_programmes,nl_ho_programmes.csv,2026.0,<sha256>,stem/archive/nl_ho_programmes-2026.0.csv

`archive` is a frozen copy of that version (CSV + .meta.toml under `reference/stem/archive/`).
`record(edition)` (CLI: `python tools/record_definitions.py EDITION`) archives the current
tables and adds their rows; run it when an edition is published, and commit the result.

`changes(edition)` -> `definition_changes` (schemas.classification.DefinitionChanges), one row per
definition table whose sha256 differs from the one recorded for the latest earlier edition:

| column | meaning |
|---|---|
| edition, table_id, definition | the edition being built, the table (`stem.nl_ho_programmes`), nl / isced |
| previous_edition, old_version, old_sha256 | the latest earlier edition in the history and its table version |
| new_version, new_sha256 | the table used now |
| codes_added, codes_removed, codes_reclassified | numbers of codes (a code = code + level where the table has levels) |
| detail | the codes: `+ code (cluster or field)`, `- code`, `~ code old->new`, separated by `; ` |

`comparison(edition, cores)` -> `definition_comparison` (DefinitionComparison): for every changed
table and every core table it classifies, the STEM count and share per level, population, year
and sex (M, V, T) under the current version (`stem_new`, `share_new`) and under the previous
version (`stem_old`, `share_old`) - the whole series both ways, so the report can show the old
and the new line side by side. Codes the previous version did not know are counted in
`unknown_to_old` (not in `stem_old`). Both tables are empty when nothing changed.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import classify, disclosure, reference
from pipeline.reference import ReferenceTable
from schemas import enforce
from schemas.classification import DefinitionChanges, DefinitionComparison

HISTORY = "stem/definition_history.csv"
HISTORY_COLUMNS = ["edition", "table_id", "table_file", "version", "sha256", "archive"]
CHANGE_COLUMNS = list(DefinitionChanges.to_schema().columns)
COMPARISON_COLUMNS = list(DefinitionComparison.to_schema().columns)
MAX_DETAIL = 200
TRUE = {"true", "1", "yes", "ja"}


class HistoryError(Exception):
    pass


@dataclass(frozen=True)
class Change:
    definition: str
    current: ReferenceTable
    previous: ReferenceTable
    previous_edition: str


def history() -> pd.DataFrame:
    return reference.load(HISTORY).frame


def _archive_path(archive: str) -> Path:
    """The frozen copy named in the history: beside the history file in use (an override folder
    holds the history and its archived copies side by side), else under reference/."""
    here = reference.table_path(HISTORY).parent
    for candidate in (here / Path(archive).name, here.parent / archive, reference.table_path(archive)):
        if candidate.exists():
            return candidate
    raise HistoryError(f"archived definition table {archive} named in {HISTORY} not found")


def _definition(table: ReferenceTable) -> str:
    return "isced" if table.path.name.startswith("isced_") else "nl"


def _previous(edition: str, table: ReferenceTable, recorded: pd.DataFrame) -> pd.Series | None:
    rows = recorded[(recorded["table_id"] == table.id) & (recorded["edition"].astype(int) < int(edition))]
    if rows.empty:
        return None
    return rows.sort_values("edition").iloc[-1]


def changed_tables(edition: str) -> list[Change]:
    """Definition tables whose content differs from the version the latest earlier edition used."""
    recorded = history()
    found = []
    for table in classify.definition_tables():
        previous = _previous(edition, table, recorded)
        if previous is None or previous["sha256"] == table.sha256:
            continue
        old = reference.load(str(_archive_path(previous["archive"])))
        if old.sha256 != previous["sha256"]:
            raise HistoryError(
                f"{old.path}: sha256 {old.sha256} differs from the one recorded for edition "
                f"{previous['edition']} in {HISTORY} ({previous['sha256']}): the archive was altered"
            )
        found.append(Change(_definition(table), table, old, str(previous["edition"])))
    return found


def _by_code(frame: pd.DataFrame, detail: str) -> dict[tuple, tuple]:
    keys = ["code", "level"] if "level" in frame.columns else ["code"]
    values = ["is_stem", detail, "valid_from", "valid_to"]
    ordered = frame.sort_values(keys + ["valid_from"])
    out: dict[tuple, tuple] = {}
    for key, group in ordered.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        out[key] = tuple(
            tuple(str(v).strip().lower() if c == "is_stem" else str(v) for c, v in zip(values, row))
            for row in group[values].itertuples(index=False)
        )
    return out


def _describe(key: tuple, rows: tuple) -> str:
    shown = "/".join(f"{'STEM' if r[0] in TRUE else 'not'} {r[1]}".strip() for r in rows)
    return f"{' '.join(key)} ({shown})"


def changes(edition: str, found: list[Change] | None = None) -> pd.DataFrame:
    """The `definition_changes` table of an edition (empty when no definition table changed)."""
    found = changed_tables(edition) if found is None else found
    rows = []
    for change in found:
        detail = "cluster" if change.definition == "nl" else "isced_f_detailed"
        old, new = _by_code(change.previous.frame, detail), _by_code(change.current.frame, detail)
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        reclassified = sorted(k for k in set(old) & set(new) if old[k] != new[k])
        items = (
            [f"+ {_describe(k, new[k])}" for k in added]
            + [f"- {_describe(k, old[k])}" for k in removed]
            + [f"~ {_describe(k, old[k])} -> {_describe(k, new[k]).split(' (', 1)[1][:-1]}" for k in reclassified]
        )
        text = "; ".join(items[:MAX_DETAIL]) + (
            f"; ... and {len(items) - MAX_DETAIL} more" if len(items) > MAX_DETAIL else ""
        )
        rows.append(
            {
                "edition": edition,
                "table_id": change.current.id,
                "definition": change.definition,
                "previous_edition": change.previous_edition,
                "old_version": change.previous.version,
                "new_version": change.current.version,
                "old_sha256": change.previous.sha256,
                "new_sha256": change.current.sha256,
                "codes_added": len(added),
                "codes_removed": len(removed),
                "codes_reclassified": len(reclassified),
                "detail": text,
            }
        )
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    for column in CHANGE_COLUMNS:
        frame[column] = frame[column].astype(np.int64 if column.startswith("codes_") else str)
    return enforce(DefinitionChanges, frame)


def _stem_counts(classified: pd.DataFrame, flag: str, level: pd.Series) -> pd.DataFrame:
    # the whole persons the indicators publish (a masked count 1..4 as its point value)
    mid = disclosure.point_value(classified["count_low"], classified["count_high"])
    stem = classified[flag]
    frame = pd.DataFrame(
        {
            "level": level.to_numpy(),
            "year": classified["year"].to_numpy(),
            "sex": classified["sex"].to_numpy(),
            "total": mid,
            "stem": np.where(stem.fillna(False).to_numpy(dtype=bool), mid, 0.0),
            "unknown": np.where(stem.isna().to_numpy(), mid, 0.0),
        }
    )
    both = pd.concat([frame, frame.assign(sex="T")], ignore_index=True)
    return both.groupby(["level", "year", "sex"], as_index=False, sort=True)[["total", "stem", "unknown"]].sum()


def comparison(edition: str, cores: dict[str, pd.DataFrame], found: list[Change] | None = None) -> pd.DataFrame:
    """The whole series under the current and the previous version of every changed table."""
    found = changed_tables(edition) if found is None else found
    parts = []
    for change in found:
        for row in classify.plan():
            if row.core not in cores or change.current.path.name not in {Path(p).name for p in row.tables.values()}:
                continue
            core = cores[row.core]
            tables = {d: classify.load_definition(p) for d, p in row.tables.items()}
            new, _ = classify.classify(core, row, tables=tables, allow_unclassified=True)
            old, _ = classify.classify(
                core, row, tables={**tables, change.definition: change.previous}, allow_unclassified=True
            )
            level = core[row.level_column] if row.level_column else pd.Series(row.level or row.core, index=core.index)
            flag = f"stem_{change.definition}"
            a, b = _stem_counts(new, flag, level), _stem_counts(old, flag, level)
            merged = a.merge(b, on=["level", "year", "sex"], suffixes=("_new", "_old"))
            parts.append(
                pd.DataFrame(
                    {
                        "edition": edition,
                        "definition": change.definition,
                        "table_id": change.current.id,
                        "old_version": change.previous.version,
                        "new_version": change.current.version,
                        "level": merged["level"],
                        "population": row.population or row.core,
                        "year": merged["year"].astype(np.int64),
                        "sex": merged["sex"],
                        "stem_new": merged["stem_new"],
                        "stem_old": merged["stem_old"],
                        "total": merged["total_new"],
                        "share_new": (100 * merged["stem_new"] / merged["total_new"]).round(2),
                        "share_old": (100 * merged["stem_old"] / (merged["total_old"] - merged["unknown_old"])).round(
                            2
                        ),
                        "unknown_to_old": merged["unknown_old"],
                    }
                )
            )
    if not parts:
        frame = pd.DataFrame(
            {
                c: pd.Series(
                    dtype=float
                    if c in ("stem_new", "stem_old", "total", "share_new", "share_old", "unknown_to_old")
                    else (np.int64 if c == "year" else str)
                )
                for c in COMPARISON_COLUMNS
            }
        )
    else:
        frame = pd.concat(parts, ignore_index=True)[COMPARISON_COLUMNS]
        frame = frame.replace([np.inf, -np.inf], np.nan)
    return enforce(DefinitionComparison, frame)


def record(edition: str, folder: Path | None = None) -> pd.DataFrame:
    """Archive the current definition tables as the versions `edition` uses, and add them to the
    history (in `folder`, default the repository's reference/). Returns the new history."""
    from pipeline.settings import REFERENCE_DIR

    root = folder or REFERENCE_DIR
    history_path = root / HISTORY
    recorded = (
        pd.read_csv(history_path, dtype=str, keep_default_na=False)
        if history_path.exists()
        else pd.DataFrame(columns=HISTORY_COLUMNS)
    )
    recorded = recorded[recorded["edition"] != edition]
    rows = []
    for table in classify.definition_tables():
        archive = f"stem/archive/{table.path.stem}-{table.version}.csv"
        target = root / archive
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != table.sha256:
            raise HistoryError(f"{target} exists with other content: give the changed table a new version first")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(table.path, target)
        shutil.copyfile(table.path.with_suffix(".meta.toml"), target.with_suffix(".meta.toml"))
        rows.append(
            {
                "edition": edition,
                "table_id": table.id,
                "table_file": table.path.name,
                "version": table.version,
                "sha256": table.sha256,
                "archive": archive,
            }
        )
    out = pd.concat([recorded, pd.DataFrame(rows, columns=HISTORY_COLUMNS)], ignore_index=True)
    out = out.sort_values(["edition", "table_id"], kind="stable").reset_index(drop=True)
    history_path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(history_path, index=False, lineterminator="\n")
    meta = history_path.with_suffix(".meta.toml")
    if not meta.exists():
        shutil.copyfile((REFERENCE_DIR / HISTORY).with_suffix(".meta.toml"), meta)
    return out
