"""`techpact explain CELL`: where one published figure comes from.

A cell is named by the ids of the downloads (indicators.csv), joined by '/':

    indicator_id/definition/period/region_code/sex/breakdown      e.g.
    ho_first_years_stem_share/nl/2023/NL01/T/level=hbo

The explanation gives the value, numerator and denominator and their flags; the input files of the
indicator's source families with their sha256 (from the edition manifest); the rows of the stored
core tables (warehouse, with `source_file`/`source_line`) that make up the numerator and the
denominator – their count, their summed counts (compared with the published numerator and
denominator) and a sample; the versions of the definition and region tables; the disclosure rule
that applied; and the run and code version that produced the edition.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from pipeline import warehouse

KEY = ("indicator_id", "definition", "period", "region_code", "sex", "breakdown")
SAMPLE_ROWS = 5
# region level -> column of a core table holding that level's code
REGION_COLUMNS = {
    "municipality": "municipality_code",
    "province": "province_code",
    "corop": "corop_code",
    "arbeidsmarktregio": "arbeidsmarktregio_code",
    "landsdeel": "landsdeel_code",
    "techniekpact": "techniekpact_region_code",
}
RULE_COLUMNS = ("disclosure_rule", "suppression_rule", "rule")


def cell_id(row: pd.Series | dict) -> str:
    return "/".join(str(row[k]) if pd.notna(row[k]) else "" for k in KEY)


def parse_cell(text: str) -> dict[str, str]:
    parts = text.strip().split("/", len(KEY) - 1)
    if len(parts) != len(KEY):
        raise ValueError(f"cell {text!r}: expected {'/'.join(KEY)} (breakdown may be empty)")
    return dict(zip(KEY, parts))


@dataclass
class RowSet:
    table: str
    rows: int
    count_low: float
    count_high: float
    sample: pd.DataFrame = field(repr=False)

    @property
    def midpoint(self) -> float:
        return (self.count_low + self.count_high) / 2


@dataclass
class Explanation:
    cell: str
    edition: str
    figure: dict
    inputs: list[dict]
    reference_tables: list[dict]
    disclosure_rule: str
    code_version: str
    run: dict
    numerator_rows: list[RowSet]
    denominator_rows: list[RowSet]
    notes: list[str]

    def text(self) -> str:
        f = self.figure
        lines = [
            f"cell {self.cell} (edition {self.edition})",
            f"  value        {f['value']} {f['unit']}  (low {f['value_low']}, high {f['value_high']})",
            f"  numerator    {f['numerator']}",
            f"  denominator  {f['denominator']}",
            f"  flag         {f['flag'] or '-'}",
            f"  disclosure   {self.disclosure_rule}",
            "inputs:",
        ]
        lines += [
            f"  {i.get('path') or i['file']}  sha256 {i['sha256']}  rows {i.get('rows', '')}" for i in self.inputs
        ] or ["  (none named)"]
        lines.append("reference tables:")
        lines += [
            f"  {t['id']} version {t.get('version', '')} ({t.get('status', '')}) "
            f"sha256 {str(t.get('sha256', ''))[:16]}…"
            for t in self.reference_tables
        ]
        for label, sets, published in (
            ("numerator", self.numerator_rows, f["numerator"]),
            ("denominator", self.denominator_rows, f["denominator"]),
        ):
            for rs in sets:
                lines.append(
                    f"{label} rows: {rs.rows} rows of {rs.table}, counts sum to {rs.midpoint:g} "
                    f"(bounds {rs.count_low:g}-{rs.count_high:g}; published {published})"
                )
                if not rs.sample.empty:
                    lines += ["    " + line for line in rs.sample.to_string(index=False).splitlines()]
        lines.append(
            f"produced by run {self.run.get('run_id', 'unknown')} (release {self.run.get('release', 'unknown')}), "
            f"code {self.code_version}"
        )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def _read_indicators(edition_dir: Path) -> pd.DataFrame:
    return pd.read_csv(edition_dir / "indicators.csv", dtype=str, keep_default_na=False)


def find_figure(indicators: pd.DataFrame, cell: dict[str, str]) -> pd.Series:
    rows = indicators
    for key, value in cell.items():
        rows = rows[rows[key].fillna("") == value]
    if len(rows) != 1:
        near = indicators[(indicators["indicator_id"] == cell["indicator_id"])]
        hint = "; e.g. " + ", ".join(cell_id(r) for _, r in near.head(3).iterrows()) if len(near) else ""
        raise LookupError(f"no published figure {'/'.join(cell.values())} ({len(rows)} matches){hint}")
    return rows.iloc[0]


def _num(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def _source_tables(url: str, files: set[str]) -> list[str]:
    """Warehouse tables with source lineage (`source_file`) holding rows of the given files, core first."""
    eng = warehouse.engine(url)
    try:
        inspector = sa.inspect(eng)
        names = [
            n
            for n in inspector.get_table_names()
            if "source_file" in {c["name"] for c in inspector.get_columns(n)} and not n.startswith("raw_")
        ]
    finally:
        eng.dispose()
    return sorted(names, key=lambda n: (not n.endswith("_classified"), n))


def contributing_rows(table: pd.DataFrame, figure: pd.Series, stem_only: bool) -> tuple[pd.DataFrame, list[str]]:
    """Rows of one stored core table behind the figure (denominator rows, or numerator rows with `stem_only`)."""
    notes = []
    rows = table
    period = figure["period"]
    if "year" in rows.columns and period.isdigit():
        rows = rows[rows["year"].astype(int) == int(period)]
    elif "period" in rows.columns:
        rows = rows[rows["period"].astype(str) == period]
    if figure["sex"] != "T" and "sex" in rows.columns:
        rows = rows[rows["sex"] == figure["sex"]]
    for pair in filter(None, figure["breakdown"].split(";")):
        key, _, value = pair.partition("=")
        if key in rows.columns:
            rows = rows[rows[key].astype(str) == value]
        else:
            notes.append(f"breakdown {key} is not a column of the stored table; rows not narrowed by it")
    level = figure["region_level"]
    if level != "national":
        column = REGION_COLUMNS.get(level)
        if column and column in rows.columns:
            rows = rows[rows[column] == figure["region_code"]]
        else:
            notes.append(f"the stored table has no {level} code column; rows not narrowed to {figure['region_code']}")
    if stem_only:
        flag = f"stem_{figure['definition']}"
        if flag in rows.columns:
            rows = rows[rows[flag].astype(str).str.lower().isin(["true", "1"])]
        else:
            notes.append(f"no {flag} column; numerator rows not narrowed by the definition")
    return rows, notes


def _rowset(name: str, rows: pd.DataFrame) -> RowSet:
    low = (
        float(rows["count_low"].sum())
        if "count_low" in rows
        else float(rows.get("count", pd.Series(dtype=float)).sum())
    )
    high = float(rows["count_high"].sum()) if "count_high" in rows else low
    shown = [
        c
        for c in ("source_file", "source_line", "year", "sex", "municipality_code", "programme_code", "count", "masked")
        if c in rows.columns
    ]
    sample = rows.sort_values(["source_file", "source_line"]).head(SAMPLE_ROWS)[shown] if shown else rows.head(0)
    return RowSet(name, len(rows), low, high, sample.reset_index(drop=True))


def explain(cell_text: str, edition_dir: Path, warehouse_url: str) -> Explanation:
    edition_dir = Path(edition_dir)
    cell = parse_cell(cell_text)
    figure = find_figure(_read_indicators(edition_dir), cell)
    manifest = json.loads((edition_dir / "manifest.json").read_text(encoding="utf-8"))
    edition = manifest["edition"]
    catalogue = pd.read_csv(
        Path(__file__).resolve().parent.parent / "reference" / "indicators" / "catalogue.csv",
        dtype=str,
        keep_default_na=False,
    ).set_index("indicator_id")
    families = (
        set(catalogue.loc[figure["indicator_id"], "source_families"].split(";"))
        if figure["indicator_id"] in catalogue.index
        else set()
    )
    inputs = [i for i in manifest["inputs"] if not families or i.get("family") in families]
    files = {i["file"] for i in inputs}
    definition = figure["definition"]
    tables = [
        t
        for t in manifest["reference_tables"]
        if t["id"].startswith(f"stem.{definition}_")
        or t["id"].startswith("regions.")
        or t["id"].startswith("indicators.")
        or t["id"].startswith("disclosure.")
    ]
    rule = next((figure[c] for c in RULE_COLUMNS if c in figure.index and figure[c]), "")
    if not rule:
        rule = f"none recorded (flag: {figure['flag'] or 'none'})"
    run = _release_record(warehouse_url, edition)
    numerator_sets, denominator_sets, notes = [], [], []
    for name in _source_tables(warehouse_url, files):
        table = warehouse.read_table(warehouse_url, name, edition)
        table = table[table["source_file"].isin(files)]
        if table.empty:
            continue
        num, n1 = contributing_rows(table, figure, stem_only=bool(definition in ("nl", "isced")))
        den, n2 = contributing_rows(table, figure, stem_only=False)
        numerator_sets.append(_rowset(name, num))
        if figure["denominator"] not in ("", None):
            denominator_sets.append(_rowset(name, den))
        notes += [f"{name}: {n}" for n in dict.fromkeys(n1 + n2)]
        break  # the most derived table (classified) is enough: it holds the same rows as its parents
    return Explanation(
        cell=cell_id(figure),
        edition=edition,
        figure={
            k: figure[k]
            for k in (
                "value",
                "value_low",
                "value_high",
                "numerator",
                "denominator",
                "unit",
                "flag",
                "region_level",
                "region_name",
            )
        },
        inputs=inputs,
        reference_tables=tables,
        disclosure_rule=rule,
        code_version=manifest.get("code", {}).get("version", "unknown"),
        run=run,
        numerator_rows=numerator_sets,
        denominator_rows=denominator_sets,
        notes=notes,
    )


def _release_record(url: str, edition: str) -> dict:
    from pipeline.publish.release import RELEASE_TABLE

    try:
        frame = warehouse.read_table(url, RELEASE_TABLE, edition)
    except Exception:
        return {}
    return frame.iloc[0].to_dict() if len(frame) else {}


def main(cell_text: str, edition_dir: Path, warehouse_url: str, as_json: bool = False) -> int:
    try:
        result = explain(cell_text, edition_dir, warehouse_url)
    except (ValueError, LookupError, FileNotFoundError) as error:
        print(f"cannot explain {cell_text}: {error}")
        return 1
    if as_json:
        data = {
            **{k: v for k, v in result.__dict__.items() if k not in ("numerator_rows", "denominator_rows")},
            "numerator_rows": [
                {
                    "table": r.table,
                    "rows": r.rows,
                    "count_low": r.count_low,
                    "count_high": r.count_high,
                    "sample": r.sample.astype(str).to_dict("records"),
                }
                for r in result.numerator_rows
            ],
            "denominator_rows": [
                {
                    "table": r.table,
                    "rows": r.rows,
                    "count_low": r.count_low,
                    "count_high": r.count_high,
                    "sample": r.sample.astype(str).to_dict("records"),
                }
                for r in result.denominator_rows
            ],
        }
        print(json.dumps(data, indent=1, default=str))
    else:
        print(result.text())
    return 0
