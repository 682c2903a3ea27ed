"""`techpact diff EDITION_A EDITION_B`: every published figure that changed, with its cause.

Figures are matched on the download ids (indicator, definition, period, region, sex, breakdown).
Each difference gets one cause, tested in this order:

- new period        the figure's period is not in edition A for that indicator (or no longer in B:
                    "period dropped")
- suppression change the figure is suppressed (flag `suppressed`, or no value) in one edition only
- definition change the numerator changed and the STEM table of the figure's definition changed
                    (version or sha256 in the manifests)
- boundary change   a regional figure changed and a region table (regions.*) or the boundary year changed
- source revision   numerator or denominator changed and the input files of the indicator's source
                    families differ (sha256 in the manifests)
- code change       anything else that changed while the code version differs (e.g. a new rounding)
- unexplained       changed with the same inputs, tables and code (should not happen: reproducible)

`changes(a, b)` returns the table (one row per changed figure); `summary(table)` counts per cause
and indicator, for the report chapter.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.explain import KEY

CAUSES = (
    "new period",
    "period dropped",
    "suppression change",
    "definition change",
    "boundary change",
    "source revision",
    "code change",
    "unexplained",
)
COLUMNS = [
    *KEY,
    "region_level",
    "cause",
    "value_a",
    "value_b",
    "numerator_a",
    "numerator_b",
    "denominator_a",
    "denominator_b",
    "flag_a",
    "flag_b",
]
TOLERANCE = 1e-9


def _load(edition_dir: Path) -> tuple[pd.DataFrame, dict]:
    edition_dir = Path(edition_dir)
    frame = pd.read_csv(edition_dir / "indicators.csv", dtype=str, keep_default_na=False)
    manifest = json.loads((edition_dir / "manifest.json").read_text(encoding="utf-8"))
    return frame, manifest


def _tables(manifest: dict) -> dict[str, tuple[str, str]]:
    return {
        t["id"]: (str(t.get("version", "")), str(t.get("sha256", ""))) for t in manifest.get("reference_tables", [])
    }


def _family_inputs(manifest: dict) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for item in manifest.get("inputs", []):
        out.setdefault(item.get("family", ""), set()).add((item["file"], item["sha256"]))
    return out


def _families() -> dict[str, set[str]]:
    from pipeline import reference

    catalogue = reference.load("indicators/catalogue.csv").frame
    return {r.indicator_id: set(str(r.source_families).split(";")) for r in catalogue.itertuples()}


def _number(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", np.nan), errors="coerce")


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    both_null = a.isna() & b.isna()
    return ~both_null & ((a - b).abs().gt(TOLERANCE) | (a.isna() != b.isna()))


def _suppressed(flag: pd.Series, value: pd.Series) -> pd.Series:
    return flag.str.contains("suppressed", regex=False) | value.isna()


def changes(edition_a: Path, edition_b: Path) -> pd.DataFrame:
    """One row per figure that differs between the two editions, with its classified cause."""
    a, manifest_a = _load(edition_a)
    b, manifest_b = _load(edition_b)
    merged = a.merge(b, on=list(KEY), how="outer", suffixes=("_a", "_b"), indicator=True)
    for column in ("value", "numerator", "denominator"):
        for side in ("a", "b"):
            merged[f"{column}_{side}"] = _number(merged[f"{column}_{side}"])
    for side in ("a", "b"):
        merged[f"flag_{side}"] = merged[f"flag_{side}"].fillna("")
    merged["region_level"] = merged["region_level_b"].fillna(merged["region_level_a"])
    for column in ("value", "numerator", "denominator"):  # once for all rows, not per row in cause()
        merged[f"{column}_changed"] = _differs(merged[f"{column}_a"], merged[f"{column}_b"])

    periods_a = a.groupby("indicator_id")["period"].agg(set).to_dict()
    periods_b = b.groupby("indicator_id")["period"].agg(set).to_dict()
    tables_a, tables_b = _tables(manifest_a), _tables(manifest_b)
    changed_tables = {t for t in set(tables_a) | set(tables_b) if tables_a.get(t) != tables_b.get(t)}
    inputs_a, inputs_b = _family_inputs(manifest_a), _family_inputs(manifest_b)
    families = _families()
    code_changed = manifest_a.get("code", {}).get("version") != manifest_b.get("code", {}).get("version")
    # the regional figures of each edition are mapped to that edition's boundary year
    boundary_changed = (
        "boundary_year" in a.columns
        and "boundary_year" in b.columns
        and set(a["boundary_year"].dropna().astype(str)) != set(b["boundary_year"].dropna().astype(str))
    )

    def cause(row) -> str | None:
        if row["_merge"] == "right_only":
            return "new period" if row["period"] not in periods_a.get(row["indicator_id"], set()) else "code change"
        if row["_merge"] == "left_only":
            return "period dropped" if row["period"] not in periods_b.get(row["indicator_id"], set()) else "code change"
        value_changed, num_changed, den_changed = (
            row["value_changed"],
            row["numerator_changed"],
            row["denominator_changed"],
        )
        supp_a = "suppressed" in row["flag_a"] or pd.isna(row["value_a"])
        supp_b = "suppressed" in row["flag_b"] or pd.isna(row["value_b"])
        if not (value_changed or num_changed or den_changed or row["flag_a"] != row["flag_b"]):
            return None
        measured = value_changed or num_changed or den_changed
        if supp_a != supp_b or (not measured and "suppressed" in row["flag_a"] + row["flag_b"]):
            return "suppression change"
        if num_changed and any(t.startswith(f"stem.{row['definition']}_") for t in changed_tables):
            return "definition change"
        if (
            row["region_level"] != "national"
            and measured
            and (boundary_changed or any(t.startswith("regions.") for t in changed_tables))
        ):
            return "boundary change"
        fams = families.get(row["indicator_id"], set(inputs_a) | set(inputs_b))
        flag_only = not measured and row["flag_a"] != row["flag_b"]
        if (num_changed or den_changed or flag_only) and any(inputs_a.get(f) != inputs_b.get(f) for f in fams):
            return "source revision"  # new deliveries: revised counts, or a changed status flag (e.g. provisional)
        if code_changed:
            return "code change"
        return "unexplained"

    merged["cause"] = merged.apply(cause, axis=1)
    out = merged[merged["cause"].notna()][COLUMNS]
    return out.sort_values(list(KEY), kind="stable").reset_index(drop=True)


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Changed figures per indicator and cause (the report chapter's overview table)."""
    if table.empty:
        return pd.DataFrame(columns=["indicator_id", "cause", "figures"])
    return (
        table.groupby(["indicator_id", "cause"])
        .size()
        .rename("figures")
        .reset_index()
        .sort_values(["indicator_id", "cause"])
        .reset_index(drop=True)
    )


def chapter(edition_a: Path, edition_b: Path) -> dict:
    """What a report chapter 'changes since the previous edition' needs: both editions, the summary
    and the full table (rendering is the report's business)."""
    table = changes(edition_a, edition_b)
    _, ma = _load(edition_a)
    _, mb = _load(edition_b)
    return {"edition_a": ma["edition"], "edition_b": mb["edition"], "summary": summary(table), "changes": table}


def main(edition_a: Path, edition_b: Path, csv_out: Path | None = None) -> int:
    try:
        table = changes(edition_a, edition_b)
    except (FileNotFoundError, KeyError) as error:
        print(f"cannot compare: {error}")
        return 2
    if csv_out:
        table.to_csv(csv_out, index=False, lineterminator="\n")
    if table.empty:
        print(f"no published figure differs between {edition_a} and {edition_b}")
        return 0
    print(summary(table).to_string(index=False))
    print()
    with pd.option_context("display.max_rows", 200, "display.width", 200):
        print(
            table.drop(columns=["numerator_a", "numerator_b", "denominator_a", "denominator_b"]).to_string(index=False)
        )
    print(f"\n{len(table)} figure(s) differ")
    return 0
