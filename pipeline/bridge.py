"""The bridge between the Dutch STEM definition (bètatechniek) and ISCED-F 05/06/07.

For every classified core table with a bridge population (`pipeline.classify.PLAN`: hbo/wo
first-years, diplomas, mbo entrants, ...), per edition, level, year and sex (M, V and T):

| component    | group_kind    | group                         | meaning                                        |
|--------------|---------------|-------------------------------|------------------------------------------------|
| all          | ''            | ''                            | everyone in the table                          |
| nl_total     | ''            | ''                            | STEM under the Dutch definition                |
| isced_total  | ''            | ''                            | STEM under ISCED-F 05/06/07                    |
| both         | ''            | ''                            | STEM under both                                |
| added        | ''            | ''                            | Dutch STEM, not ISCED STEM (what NL adds)      |
| added        | cluster_nl    | Dutch cluster                 | ... split by the Dutch cluster                 |
| left_out     | ''            | ''                            | ISCED STEM, not Dutch STEM (what NL leaves out)|
| left_out     | isced_f_broad | ISCED-F broad field (05/06/07)| ... split by the ISCED-F broad field           |
| unclassified | definition    | nl or isced                   | in codes that definition does not know (only   |
|              |               |                               | with --allow-unclassified; rows only if any)   |

It reconciles exactly, on the count and on both bounds of masked counts, per year and sex:
`nl_total = isced_total + added - left_out`, and the groups of `added` / `left_out` add up to
their totals (`reconcile`; a blocking asset check). A code unknown to one definition (only with
`--allow-unclassified`) is not STEM under that definition here; its rows land in `added` or
`left_out` with group 'unclassified', so the identity still holds and the gap is visible.
Counts: `count` is the whole number the indicators publish (the sum of the rows' point values,
`disclosure.point_value`: a masked source count 1..4 counts as 2), `count_low`/`count_high` are
the bounds (masked counts as 1..4); all three reconcile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline import disclosure, reference
from pipeline.classify import Classification
from schemas import enforce
from schemas.classification import COMPONENTS, UNCLASSIFIED, Bridge

COLUMNS = list(Bridge.to_schema().columns)
KEYS = ["level", "year", "sex"]


def _labels() -> dict[str, str]:
    """Labels of ISCED-F codes from the ISCED-F code list, when the project ships one."""
    for path in ("stem/isced_f_fields.csv", "labour/isced_f_fields.csv"):
        try:
            table = reference.load(path).frame
        except reference.ReferenceError:
            continue
        return dict(zip(table["code"], table["name"]))
    return {}


def _cells(
    frame: pd.DataFrame,
    mask: np.ndarray,
    component: str,
    group_kind: str = "",
    group: pd.Series | None = None,
    code_column: str = "",
) -> pd.DataFrame:
    part = frame.loc[mask]
    keys = KEYS + (["group"] if group is not None else [])
    if group is not None:
        part = part.assign(group=group[mask].to_numpy())
    with_total = pd.concat([part, part.assign(sex="T")], ignore_index=True)
    sums = with_total.groupby(keys, sort=True, as_index=False).agg(
        count=("count", "sum"),
        count_low=("count_low", "sum"),
        count_high=("count_high", "sum"),
        programmes=(code_column, "nunique"),
    )
    sums["component"] = component
    sums["group_kind"] = group_kind
    if group is None:
        sums["group"] = ""
    return sums


def bridge(classified: pd.DataFrame, row: Classification, edition: str) -> pd.DataFrame:
    """The bridge of one classified core table (all its levels and years)."""
    level = (
        classified[row.level_column] if row.level_column else pd.Series(row.level or row.core, index=classified.index)
    )
    total_rows = classified[row.code_column].astype(str).isin(row.total_codes).to_numpy()
    frame = pd.DataFrame(
        {
            "level": level.to_numpy(),
            "year": classified["year"].to_numpy(),
            "sex": classified["sex"].to_numpy(),
            "count_low": classified["count_low"].to_numpy(),
            "count_high": classified["count_high"].to_numpy(),
            "count": disclosure.point_value(classified["count_low"], classified["count_high"]),
            row.code_column: classified[row.code_column].to_numpy(),
        }
    )[~total_rows].reset_index(drop=True)
    flags = classified.loc[~total_rows].reset_index(drop=True)
    nl = flags["stem_nl"].fillna(False).to_numpy(dtype=bool)
    isced = flags["stem_isced"].fillna(False).to_numpy(dtype=bool)
    isced_group = flags["isced_f"].where(flags["isced_f"] == UNCLASSIFIED, flags["isced_f"].str[:2])
    # a Dutch-STEM row whose ISCED field is unknown is 'added' for want of evidence: say so in its group
    added_group = flags["cluster_nl"].where(flags["stem_isced"].notna(), UNCLASSIFIED)
    left_group = isced_group.where(flags["stem_nl"].notna(), UNCLASSIFIED)
    everyone = np.ones(len(frame), dtype=bool)
    parts = [
        _cells(frame, everyone, "all", code_column=row.code_column),
        _cells(frame, nl, "nl_total", code_column=row.code_column),
        _cells(frame, isced, "isced_total", code_column=row.code_column),
        _cells(frame, nl & isced, "both", code_column=row.code_column),
        _cells(frame, nl & ~isced, "added", code_column=row.code_column),
        _cells(frame, nl & ~isced, "added", "cluster_nl", added_group, code_column=row.code_column),
        _cells(frame, isced & ~nl, "left_out", code_column=row.code_column),
        _cells(frame, isced & ~nl, "left_out", "isced_f_broad", left_group, code_column=row.code_column),
    ]
    for definition in ("nl", "isced"):
        unknown = flags[f"stem_{definition}"].isna().to_numpy()
        if unknown.any():
            parts.append(
                _cells(
                    frame,
                    unknown,
                    "unclassified",
                    "definition",
                    pd.Series(definition, index=flags.index),
                    code_column=row.code_column,
                )
            )
    out = pd.concat(parts, ignore_index=True)
    # every (level, year, sex) gets every total component, with 0 where nobody is in it
    grid = out.loc[out["component"] == "all", KEYS].drop_duplicates()
    totals = pd.concat(
        [
            grid.assign(component=c, group_kind="", group="")
            for c in ("nl_total", "isced_total", "both", "added", "left_out")
        ],
        ignore_index=True,
    )
    out = totals.merge(out, on=KEYS + ["component", "group_kind", "group"], how="left").pipe(
        lambda t: pd.concat([out[out["component"] == "all"], t, out[out["group_kind"] != ""]], ignore_index=True)
    )
    for column in ("count", "count_low", "count_high", "programmes"):
        out[column] = out[column].fillna(0).astype(np.int64)
    labels = _labels()
    out["group_label"] = [
        labels.get(g, g) if kind == "isced_f_broad" else g for kind, g in zip(out["group_kind"], out["group"])
    ]
    out["count"] = out["count"].astype("Int64")
    out["edition"] = edition
    out["population"] = row.population
    order = {c: i for i, c in enumerate(COMPONENTS)}
    out = out.assign(_c=out["component"].map(order), _s=out["sex"].map({"T": 0, "M": 1, "V": 2}))
    out = out.sort_values(["level", "year", "_s", "_c", "group_kind", "group"], kind="stable")
    out = out[COLUMNS].reset_index(drop=True)
    text = [c for c, dtype in Bridge.to_schema().dtypes.items() if "str" in str(dtype)]
    out = out.astype(dict.fromkeys(text, "str"))  # text even where a level had no rows
    return enforce(Bridge, out)


def bridges(classified: dict[str, pd.DataFrame], plan: tuple[Classification, ...], edition: str) -> pd.DataFrame:
    """The bridge of every classified table with a population, in one long table."""
    frames = [bridge(classified[row.asset], row, edition) for row in plan if row.population and row.asset in classified]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(COLUMNS, [str] * 9 + ["Int64", int, int, int])})[
            COLUMNS
        ]
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def reconcile(table: pd.DataFrame) -> list[str]:
    """Every cell where the bridge does not add up (empty = it reconciles exactly)."""
    problems: list[str] = []
    keys = ["edition", "level", "population", "year", "sex"]
    for measure in ("count", "count_low", "count_high"):
        totals = table[table["group_kind"] == ""].pivot_table(
            index=keys, columns="component", values=measure, aggfunc="sum", fill_value=0
        )
        for column in ("nl_total", "isced_total", "added", "left_out", "both", "all"):
            if column not in totals.columns:
                totals[column] = 0
        identity = totals["nl_total"] - (totals["isced_total"] + totals["added"] - totals["left_out"])
        parts = totals["nl_total"] - (totals["both"] + totals["added"])
        for key, gap in identity[identity != 0].items():
            problems.append(f"{measure} {dict(zip(keys, key))}: nl_total - (isced_total + added - left_out) = {gap}")
        for key, gap in parts[parts != 0].items():
            problems.append(f"{measure} {dict(zip(keys, key))}: nl_total - (both + added) = {gap}")
        for component in ("added", "left_out"):
            groups = table[(table["component"] == component) & (table["group_kind"] != "")].groupby(keys)[measure].sum()
            gaps = totals[component].sub(groups, fill_value=0)
            for key, gap in gaps[gaps != 0].items():
                problems.append(f"{measure} {dict(zip(keys, key))}: {component} groups differ from the total by {gap}")
        sexes = totals.reset_index()
        by_sex = (
            sexes[sexes["sex"] != "T"]
            .groupby([k for k in keys if k != "sex"])[["nl_total", "isced_total", "all"]]
            .sum()
        )
        total = sexes[sexes["sex"] == "T"].set_index([k for k in keys if k != "sex"])[
            ["nl_total", "isced_total", "all"]
        ]
        diff = (total - by_sex.reindex(total.index, fill_value=0)).abs().sum(axis=1)
        for key, gap in diff[diff != 0].items():
            problems.append(f"{measure} {key}: T differs from M + V by {gap}")
    return problems
