"""Number and date formatting, in one place per language (Dutch and English conventions)."""

from __future__ import annotations

import math

LANGUAGES = ("nl", "en")
MISSING = "–"

MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number(value: float | int | None, lang: str = "nl", decimals: int = 0) -> str:
    """12345.6 -> '12.346' (nl) / '12,346' (en); None/NaN -> '–'."""
    if missing(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "").replace("-", "")) == 0:
        text = text[1:]  # no '-0,0'
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value: float | None, lang: str = "nl", decimals: int = 1) -> str:
    if missing(value):
        return MISSING
    return f"{number(value, lang, decimals)}%"


def decimals_for(unit: str) -> int:
    return {"percent": 1, "ratio": 2}.get(unit, 0)


def value(value: float | None, unit: str, lang: str = "nl", decimals: int | None = None) -> str:
    decimals = decimals_for(unit) if decimals is None else decimals
    if unit == "percent":
        return percent(value, lang, decimals)
    return number(value, lang, decimals)


MAX_DECIMALS_NEAR_TARGET = 4


def value_against(figure: float | None, target: float | None, unit: str, lang: str = "nl") -> str:
    """`figure` as `value()` writes it, with as many more decimals (up to MAX_DECIMALS_NEAR_TARGET)
    as it takes not to read as equal to `target` when it is not: 19.98 against a 20% target is
    '19,98%', not '20,0%' (which beside 'not met' would contradict itself)."""
    decimals = decimals_for(unit)
    if missing(figure) or missing(target) or float(figure) == float(target):
        return value(figure, unit, lang)
    while decimals < MAX_DECIMALS_NEAR_TARGET and value(figure, unit, lang, decimals) == value(
        target, unit, lang, decimals
    ):
        decimals += 1
    return value(figure, unit, lang, decimals)


def change(diff: float | None, unit: str, lang: str = "nl") -> str:
    """A signed change in the unit's terms: '+1,2 pp' / '−340' (percentages change in points)."""
    if missing(diff):
        return MISSING
    text = number(abs(diff), lang, decimals_for(unit))
    sign = "+" if round(diff, decimals_for(unit)) > 0 else ("−" if round(diff, decimals_for(unit)) < 0 else "±")
    suffix = {"percent": " pp" if lang == "en" else " %-punt"}.get(unit, "")
    return f"{sign}{text}{suffix}"


def date(day, lang: str = "nl") -> str:
    """A calendar date as readers write it: '1 juni 2024' / '1 June 2024'."""
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"
