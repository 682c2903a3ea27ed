"""Sentences written from the data: the cover's headline figures, the key findings per strand and
the targets dashboard.

Which cells are put forward is data (reference/indicators/report_plan.csv); the rules that phrase
them are here:
* level: the latest value of a cell;
* change: the latest value against the same period a year earlier (a quarter against the same
  quarter; the previous period when that is missing): a rise, a fall or no change;
* compare: the latest value of one indicator against another in the same period;
* target: the distance to a Pact target (reference/indicators/targets.csv) and a verdict that the
  data allow ("gehaald"/"niet gehaald" only once the target year's figure exists; before that "op
  koers"/"achter op koers" against the straight path from the base year, as
  pipeline.indicators.progress computes it).

No number is typed by hand: every number in a sentence is a `Fact`, a named cell of the indicator
table (indicator, definition, breakdown, sex, region, period) or the difference of two, together
with the text it is printed as. tests/test_publication.py checks every fact against its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.publish import formatting
from pipeline.publish.report import Indicator, breakdown_label, messages, year_earlier

NATIONAL = ("national", "NL01")


@dataclass(frozen=True)
class Cell:
    """A cell of the indicator table, by its key."""

    indicator_id: str
    definition: str
    breakdown: str
    sex: str
    period: str
    region_level: str = NATIONAL[0]
    region_code: str = NATIONAL[1]


@dataclass(frozen=True)
class Fact:
    """A number in a text: `printed` is `cell`'s value (kind 'value') or the absolute difference
    `cell` - `other` (kind 'difference'), formatted in `unit`."""

    printed: str
    cell: Cell
    unit: str
    other: Cell | None = None
    kind: str = "value"


@dataclass
class Finding:
    strand: str
    text: str
    facts: list[Fact] = field(default_factory=list)
    example: bool = False  # about a target whose value is an example
    references: list[str] = field(default_factory=list)  # numbers printed from targets.csv (value, years)


def _value(item: Indicator, definition: str, breakdown: str, sex: str, period: str) -> float | None:
    return item.national_values.get((definition, breakdown, sex, period))


def _periods(item: Indicator, definition: str, breakdown: str, sex: str = "T") -> list[str]:
    return sorted(
        p for (d, b, s, p), v in item.national_values.items() if d == definition and b == breakdown and s == sex
    )


def subject(item: Indicator, definition: str, breakdown: str, lang: str) -> str:
    """'Aandeel eerstejaars in bètatechniek, hbo (Nederlandse definitie)'."""
    t = messages(lang)
    text = item.titles[lang]
    if breakdown:
        text += f", {breakdown_label(breakdown, t)}"
    if definition in ("nl", "isced"):
        text += f" ({t['definition_word_' + definition]})"
    return text


def _fact(item: Indicator, definition: str, breakdown: str, period: str, lang: str, sex: str = "T") -> Fact | None:
    value = _value(item, definition, breakdown, sex, period)
    if value is None:
        return None
    return Fact(formatting.value(value, item.unit, lang), Cell(item.id, definition, breakdown, sex, period), item.unit)


def latest_period(item: Indicator, definition: str, breakdown: str, sex: str = "T") -> str | None:
    known = [
        p for p in _periods(item, definition, breakdown, sex) if _value(item, definition, breakdown, sex, p) is not None
    ]
    return known[-1] if known else None


def headline(item: Indicator, definition: str, breakdown: str, lang: str) -> dict | None:
    """A cover figure: the latest value, its label and period."""
    period = latest_period(item, definition, breakdown)
    if period is None:
        return None
    fact = _fact(item, definition, breakdown, period, lang)
    t = messages(lang)
    label = item.titles[lang] + (f", {breakdown_label(breakdown, t)}" if breakdown else "")
    return {
        "value": fact.printed,
        "label": label,
        "period": period,
        "definition": t["definition_word_" + definition] if definition in ("nl", "isced") else "",
        "facts": [fact],
        "text": f"{fact.printed} {label} {period}",
    }


def change_finding(item: Indicator, definition: str, breakdown: str, lang: str, strand: str) -> Finding | None:
    t = messages(lang)
    period = latest_period(item, definition, breakdown)
    if period is None:
        return None
    now = _fact(item, definition, breakdown, period, lang)
    text = t["finding_level"].format(
        subject=subject(item, definition, breakdown, lang), value=now.printed, period=period
    )
    known = [
        p
        for p in _periods(item, definition, breakdown)
        if p < period and _value(item, definition, breakdown, "T", p) is not None
    ]
    earlier = year_earlier(period)
    previous = earlier if earlier in known else (known[-1] if known else None)
    if previous is None:
        return Finding(strand, text + ".", [now])
    before = _fact(item, definition, breakdown, previous, lang)
    diff = _value(item, definition, breakdown, "T", period) - _value(item, definition, breakdown, "T", previous)
    decimals = formatting.decimals_for(item.unit)
    amount = formatting.number(abs(diff), lang, decimals)
    change = Fact(amount, now.cell, item.unit, other=before.cell, kind="difference")
    if round(diff, decimals) == 0:
        text += t["finding_same"].format(prev_period=previous, prev_value=before.printed)
        return Finding(strand, text + ".", [now, before])
    key = "finding_up" if diff > 0 else "finding_down"
    unit_word = t["points"] if item.unit == "percent" else ""
    text += t[key].format(amount=amount, unit=unit_word, prev_period=previous, prev_value=before.printed)
    return Finding(strand, text.replace("  ", " ") + ".", [now, change, before])


def compare_finding(
    item: Indicator, other: Indicator, definition: str, breakdown: str, lang: str, strand: str
) -> Finding | None:
    t = messages(lang)
    period = latest_period(item, definition, breakdown)
    if period is None or _value(other, definition, breakdown, "T", period) is None:
        return None
    mine = _fact(item, definition, breakdown, period, lang)
    theirs = _fact(other, definition, breakdown, period, lang)
    diff = _value(item, definition, breakdown, "T", period) - _value(other, definition, breakdown, "T", period)
    amount = formatting.number(abs(diff), lang, formatting.decimals_for(item.unit))
    gap = Fact(amount, mine.cell, item.unit, other=theirs.cell, kind="difference")
    key = "finding_compare_lower" if diff < 0 else "finding_compare_higher"
    text = t[key].format(
        subject=subject(item, definition, breakdown, lang),
        value=mine.printed,
        period=period,
        other=other.titles[lang].lower() if lang == "en" else other.titles[lang][0].lower() + other.titles[lang][1:],
        other_value=theirs.printed,
        amount=amount,
        unit=t["points"] if item.unit == "percent" else "",
    )
    return Finding(strand, text.replace("  ", " ") + ".", [mine, theirs, gap])


def plan_rows(plan: pd.DataFrame, section: str) -> list[dict]:
    return plan[plan["section"] == section].to_dict("records")


def headlines(plan: pd.DataFrame, items: list[Indicator], lang: str) -> list[dict]:
    by_id = {i.id: i for i in items}
    out = []
    for row in plan_rows(plan, "headline"):
        item = by_id.get(row["indicator_id"])
        figure = headline(item, row["definition"], row["breakdown"], lang) if item else None
        if figure:
            out.append(figure)
    return out


def key_findings(plan: pd.DataFrame, items: list[Indicator], lang: str, targets: list[dict]) -> list[Finding]:
    """The findings of the plan in its order, then one per target with data, per strand."""
    by_id = {i.id: i for i in items}
    out: list[Finding] = []
    for row in plan_rows(plan, "finding"):
        item = by_id.get(row["indicator_id"])
        if item is None:
            continue
        if row["rule"] == "change":
            found = change_finding(item, row["definition"], row["breakdown"], lang, row["strand"])
        elif row["rule"] == "compare":
            other = by_id.get(row["other_indicator_id"])
            found = (
                compare_finding(item, other, row["definition"], row["breakdown"], lang, row["strand"])
                if other
                else None
            )
        else:
            raise ValueError(f"reference/indicators/report_plan.csv: unknown finding rule {row['rule']!r}")
        if found:
            out.append(found)
    for target in targets:
        if target["finding"] is not None:
            out.append(target["finding"])
    return out


# --- targets --------------------------------------------------------------------------------------


def target_rows(
    progress: pd.DataFrame,
    targets: pd.DataFrame,
    items: list[Indicator],
    lang: str,
    titles: dict[str, str] | None = None,
) -> list[dict]:
    """The targets dashboard: per target of targets.csv, the base value, the latest value, the value
    on the path in that year, the target, and the verdict in words the data allow."""
    t = messages(lang)
    by_id = {i.id: i for i in items}
    out = []
    for target in targets.to_dict("records"):
        item = by_id.get(target["indicator_id"])
        rows = progress[progress["target_id"] == target["target_id"]].dropna(subset=["value"])
        rows = rows.sort_values("period")
        unit = item.unit if item else "percent"
        title = item.titles[lang] if item else (titles or {}).get(target["indicator_id"], target["indicator_id"])
        label = title + (f", {breakdown_label(target['breakdown'], t)}" if target["breakdown"] else "")
        goal, target_year, base_year = (
            float(target["target_value"]),
            int(target["target_year"]),
            int(target["base_year"]),
        )
        example = target["status"] == "example"
        row = {
            "label": label,
            "strand": target["strand"],
            "definition": t["definition_word_" + target["definition"]]
            if target["definition"] in ("nl", "isced")
            else "",
            "target": formatting.value(goal, unit, lang),
            "target_year": str(target_year),
            "base_year": str(base_year),
            "base": formatting.MISSING,
            "latest": formatting.MISSING,
            "period": formatting.MISSING,
            "path": formatting.MISSING,
            "verdict": t["verdict_no_data"],
            "verdict_key": "no_data",
            "example": example,
            "status_label": t["target_example"] if example else t["target_official"],
            "finding": None,
            "facts": [],
        }
        if item is None or rows.empty:
            out.append(row)
            continue
        last = rows.iloc[-1]
        period = str(last["period"])
        latest = _fact(item, target["definition"], target["breakdown"], period, lang, target["sex"])
        latest = Fact(formatting.value_against(float(last["value"]), goal, unit, lang), latest.cell, unit)
        row.update(latest=latest.printed, period=period, facts=[latest])
        base = _fact(item, target["definition"], target["breakdown"], str(base_year), lang, target["sex"])
        if base is not None:
            row["base"] = base.printed
            row["facts"].append(base)
        at_target = rows[rows["period"].str[:4].astype(int) == target_year]
        if int(period[:4]) >= target_year and not at_target.empty:
            reached = at_target.iloc[-1]["status"] == "reached"
            key = "reached" if reached else "missed"
        elif last["status"] == "unknown":
            key = "no_base"
        else:
            key = "on_track" if last["status"] in ("on_track", "reached") else "off_track"
            row["path"] = formatting.value(float(last["path_value"]), unit, lang)
        row["verdict_key"] = key
        row["verdict"] = t["verdict_" + key].format(base_year=base_year)
        text = t["finding_target"].format(
            kind=t["target_kind_example"] if example else t["target_kind_official"],
            label=label,
            target=row["target"],
            target_year=target_year,
            latest=latest.printed,
            period=period,
            verdict=row["verdict"],
        )
        row["finding"] = Finding(
            target["strand"],
            text.replace("  ", " ") + ".",
            [latest],
            example,
            [row["target"], str(target_year), str(base_year)],
        )
        out.append(row)
    return out


def gap_finding(item: Indicator, definition: str, breakdown: str, lang: str) -> Finding | None:
    """Women against men in the latest period with both (shares only)."""
    if item.unit != "percent":
        return None
    t = messages(lang)
    both = [
        p
        for p in _periods(item, definition, breakdown, "V")
        if _value(item, definition, breakdown, "V", p) is not None
        and _value(item, definition, breakdown, "M", p) is not None
    ]
    if not both:
        return None
    period = both[-1]
    women = _fact(item, definition, breakdown, period, lang, "V")
    men = _fact(item, definition, breakdown, period, lang, "M")
    diff = _value(item, definition, breakdown, "V", period) - _value(item, definition, breakdown, "M", period)
    amount = formatting.number(abs(diff), lang, 1)
    gap = Fact(amount, women.cell, item.unit, other=men.cell, kind="difference")
    key = (
        "finding_gap_none"
        if round(diff, 1) == 0
        else ("finding_gap_women_lower" if diff < 0 else "finding_gap_women_higher")
    )
    text = t[key].format(
        subject=subject(item, definition, breakdown, lang),
        period=period,
        women=women.printed,
        men=men.printed,
        gap=amount,
    )
    return Finding(item.strand, text + ".", [women, men, gap])


def indicator_findings(item: Indicator, breakdown: str, lang: str) -> list[Finding]:
    """Two to four sentences under an indicator's chart: the change of its first series, the gap
    between women and men, and the same figure under the other STEM definition."""
    primary = item.primary_definition
    out = [
        change_finding(item, primary, breakdown, lang, item.strand),
        gap_finding(item, primary, breakdown, lang),
    ]
    t = messages(lang)
    for other in item.definitions[1:]:
        period = latest_period(item, other, breakdown)
        if period is None or other not in ("nl", "isced"):
            continue
        fact = _fact(item, other, breakdown, period, lang)
        text = t["finding_level"].format(
            subject=subject(item, other, breakdown, lang), value=fact.printed, period=period
        )
        out.append(Finding(item.strand, text + ".", [fact]))
    return [f for f in out if f is not None]
