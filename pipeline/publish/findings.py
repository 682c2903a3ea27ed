"""Key findings written from the data: sentences chosen and phrased by rules on the indicator
tables. Every number in a sentence is a value of the table, a difference of two of its values, or a
period; nothing is typed by hand (tests/test_publish_report.py checks each number).

Rules, per indicator in catalogue order (national, the indicator's first definition, both sexes):
* change: the latest value against the previous period (a rise, a fall, or unchanged);
* gap: for shares, the difference between women and men in the latest period;
* target: a Pact target (reference/indicators/targets.csv, when present) met or not yet met.
Shares come before counts; at most MAX_FINDINGS sentences.
"""

from __future__ import annotations

import pandas as pd

from pipeline.publish import formatting
from pipeline.publish.report import Indicator, breakdown_label, messages

MAX_FINDINGS = 12
UNIT_PRIORITY = {"percent": 0, "ratio": 1, "count": 2}


def _phrase(item: Indicator, breakdown: str, lang: str) -> str:
    t = messages(lang)
    label = breakdown_label(breakdown, t)
    return f"{item.titles[lang]} ({label})" if breakdown else item.titles[lang]


def change_sentence(item: Indicator, breakdown: str, points: list[tuple[str, float | None]], lang: str) -> str | None:
    t = messages(lang)
    known = [(p, v) for p, v in points if v is not None]
    if not known:
        return None
    period, value = known[-1]
    subject = _phrase(item, breakdown, lang)
    text = t["finding_level"].format(subject=subject, value=formatting.value(value, item.unit, lang), period=period)
    if len(known) < 2:
        return text + "."
    prev_period, prev = known[-2]
    diff = value - prev
    decimals = formatting.decimals_for(item.unit)
    amount = formatting.number(abs(diff), lang, decimals)
    unit_word = t["points"] if item.unit == "percent" else ""
    if round(diff, decimals) == 0:
        return text + t["finding_same"].format(prev_period=prev_period) + "."
    key = "finding_up" if diff > 0 else "finding_down"
    return text + t[key].format(amount=amount, unit=unit_word, prev_period=prev_period).replace("  ", " ") + "."


def gap_sentence(item: Indicator, breakdown: str, rows: pd.DataFrame, lang: str) -> str | None:
    t = messages(lang)
    if item.unit != "percent":
        return None
    latest = rows["period"].max()
    now = rows[rows["period"] == latest]
    values = dict(zip(now["sex"], now["value"]))
    women, men = values.get("V"), values.get("M")
    if formatting.missing(women) or formatting.missing(men):
        return None
    gap = abs(float(men) - float(women))
    key = "finding_gap_women_lower" if women < men else "finding_gap_women_higher"
    if round(gap, 1) == 0:
        key = "finding_gap_none"
    return (
        t[key].format(
            subject=_phrase(item, breakdown, lang),
            period=latest,
            women=formatting.percent(women, lang),
            men=formatting.percent(men, lang),
            gap=formatting.number(gap, lang, 1),
        )
        + "."
    )


def target_status(targets: pd.DataFrame | None, indicators: list[Indicator], lang: str) -> list[dict]:
    """Progress on the Pact targets: per target row, the latest matching national value and whether
    the target is met (`direction` at_least, the default, or at_most)."""
    if targets is None or targets.empty:
        return []
    t = messages(lang)
    by_id = {i.id: i for i in indicators}
    out = []
    for target in targets.to_dict("records"):
        item = by_id.get(target.get("indicator_id"))
        if item is None:
            continue
        rows = item.national
        for column in ("definition", "breakdown", "sex", "region_code"):
            if column in target and str(target[column]) != "" and column in rows:
                rows = rows[rows[column] == str(target[column])]
        if "sex" not in target or str(target.get("sex", "")) == "":
            rows = rows[rows["sex"] == "T"]
        rows = rows.dropna(subset=["value"]).sort_values("period")
        goal = float(target["target_value"])
        direction = str(target.get("direction") or "at_least")
        latest = rows.iloc[-1] if not rows.empty else None
        met = (
            None
            if latest is None
            else (latest["value"] >= goal if direction == "at_least" else latest["value"] <= goal)
        )
        label = str(target.get(f"label_{lang}") or "") or _phrase(item, str(target.get("breakdown", "")), lang)
        out.append(
            {
                "label": label,
                "indicator": item.titles[lang],
                "target_year": str(target.get("target_year", "")),
                "target": formatting.value(goal, item.unit, lang),
                "latest": formatting.value_against(None if latest is None else latest["value"], goal, item.unit, lang),
                "period": "" if latest is None else latest["period"],
                "met": met,
                "status": t["target_unknown"] if met is None else (t["target_met"] if met else t["target_not_met"]),
            }
        )
    return out


def key_findings(indicators: list[Indicator], lang: str, targets: list[dict] | None = None) -> list[str]:
    t = messages(lang)
    sentences: list[str] = []
    ordered = sorted(indicators, key=lambda i: UNIT_PRIORITY.get(i.unit, 9))  # stable: catalogue order within a unit
    for item in ordered:
        for series in item.series:
            if series.definition != item.primary_definition:
                continue
            for sentence in (
                change_sentence(item, series.breakdown, series.points("T"), lang),
                gap_sentence(item, series.breakdown, series.rows, lang),
            ):
                if sentence:
                    sentences.append(sentence)
    on_targets = []
    for target in targets or []:
        if target["met"] is not None:
            key = "finding_target_met" if target["met"] else "finding_target_not_met"
            on_targets.append(t[key].format(**target) + ".")
    return (on_targets + sentences)[:MAX_FINDINGS]
