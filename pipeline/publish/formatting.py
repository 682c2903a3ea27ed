"""Number and date formatting, in one place per language (Dutch and English conventions)."""

from __future__ import annotations

import math

LANGUAGES = ("nl", "en")


def number(value: float | int | None, lang: str = "nl", decimals: int = 0) -> str:
    """12345.6 -> '12.346' (nl) / '12,346' (en); None/NaN -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(value: float | None, lang: str = "nl", decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value, lang, decimals)}%"


def value(value: float | None, unit: str, lang: str = "nl") -> str:
    if unit == "percent":
        return percent(value, lang)
    if unit == "ratio":
        return number(value, lang, 2)
    return number(value, lang, 0)
