"""The content of an edition, built from the indicator catalogue and the long indicator table.

Nothing here knows a particular indicator: strands, indicators, their series (definition x
breakdown x sex), regional levels and flags all come from the data, so a new indicator in the
catalogue or a new regional level in the table appears in the PDF and on the site without a
template change. Texts come from the message catalogue (report_templates/messages.toml) and every
number goes through pipeline.publish.formatting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from pipeline.publish import formatting
from pipeline.settings import TEMPLATE_DIR

STRANDS = ("Kiezen", "Leren", "Werken")
DEFINITION_ORDER = ("nl", "isced", "none")
SEX_ORDER = ("T", "V", "M")
LEVEL_ORDER = ("landsdeel", "techniekpact", "province", "corop", "arbeidsmarktregio", "municipality")
FLAG_ORDER = ("masked", "suppressed", "provisional", "break", "estimate")
MAX_CHART_SERIES = 6  # lines a chart can tell apart by colour and dash (pipeline.publish.charts.PALETTE)


@cache
def _catalogue_texts() -> dict[str, dict[str, str]]:
    return tomllib.loads((TEMPLATE_DIR / "messages.toml").read_text(encoding="utf-8"))


@cache
def legend() -> pd.DataFrame:
    """The legend of flags (reference/indicators/flags.csv): symbol, label and note per flag and
    language, the notes completed with the parameter they name."""
    from pipeline import disclosure, reference

    table = reference.load("indicators/flags.csv").frame.set_index("flag")
    share = disclosure.parameters().masked_material_share
    for lang in formatting.LANGUAGES:
        text = formatting.percent(100 * share, lang, decimals=0 if (100 * share).is_integer() else 1)
        table["note_" + lang] = table["note_" + lang].str.replace("{material_share}", text, regex=False)
    return table


def messages(lang: str) -> dict[str, str]:
    """The message catalogue of `lang`, with every flag's label (`flag_<f>`), note (`flag_<f>_note`)
    and symbol (`flag_symbol_<f>`) from the legend."""
    texts = dict(_catalogue_texts()[lang])
    for flag, row in legend().iterrows():
        texts["flag_" + flag] = row["label_" + lang]
        texts["flag_" + flag + "_note"] = row["note_" + lang]
        texts["flag_symbol_" + flag] = row["symbol"]
    return texts


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def breakdown_label(breakdown: str, t: dict[str, str]) -> str:
    """'level=hbo;teacher_group=vocational_technical' -> 'hbo, (technisch) beroepsonderwijs': each
    value by its text `value_<key>_<value>` in the message catalogue where it has one, else as it is;
    '' -> the word for 'all'."""
    if not breakdown:
        return t["all"]
    parts = [part.split("=", 1) for part in breakdown.split(";")]
    return ", ".join(t.get(f"value_{key}_{value}", value) for key, value in parts)


def is_margin(breakdown: str) -> bool:
    """The total ('') or a breakdown by one variable ('level=2'). Crosses of several variables
    ('level=2;learning_path=BBL') are published in the downloads (CSV, XLSX) only: the report and
    the site show the margins, which keeps them short and their charts readable."""
    return ";" not in breakdown


def breakdown_keys(breakdown: str) -> tuple[str, ...]:
    """'level=2;learning_path=BBL' -> ('level', 'learning_path'); '' -> ()."""
    return tuple(part.split("=", 1)[0] for part in breakdown.split(";")) if breakdown else ()


def flags_of(cell: str) -> list[str]:
    return [f for f in str(cell or "").split(";") if f]


@dataclass
class Series:
    """One line of an indicator: a definition and a breakdown, national, every period, by sex."""

    definition: str
    breakdown: str
    rows: pd.DataFrame  # national rows of this definition and breakdown, all sexes

    def label(self, t: dict[str, str], show_definition: bool) -> str:
        return series_label(self.definition, self.breakdown, t, show_definition)

    def points(self, sex: str = "T") -> list[tuple[str, float | None]]:
        rows = self.rows[self.rows["sex"] == sex].sort_values("period")
        return [(p, None if formatting.missing(v) else float(v)) for p, v in zip(rows["period"], rows["value"])]


def series_label(definition: str, breakdown: str, t: dict[str, str], show_definition: bool) -> str:
    """The name of a series: its breakdown, and its definition where an indicator has two."""
    text = breakdown_label(breakdown, t)
    if show_definition and definition != "none":
        text += f" ({t['definition_short_' + definition]})"
    return text


@dataclass
class Indicator:
    id: str
    strand: str
    unit: str
    titles: dict[str, str]
    notes: dict[str, str]
    has_denominator: bool
    rows: pd.DataFrame  # every row of the indicator
    source_families: str = ""
    series: list[Series] = field(default_factory=list)

    @property
    def national(self) -> pd.DataFrame:
        return self.rows[self.rows["region_level"] == "national"]

    definitions: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)  # breakdown variables of the margins, catalogue order
    crosses: list[tuple[str, ...]] = field(default_factory=list)  # crossed variables, in the downloads only
    # (level, code) -> (definition, breakdown) -> sex -> [(period, value, flag, region_name)] by period
    regional_totals: dict[str, pd.DataFrame] = field(default_factory=dict)  # level -> both sexes, primary definition
    region_series: dict[tuple[str, str], dict[tuple[str, str], dict[str, list[tuple]]]] = field(default_factory=dict)
    national_values: dict[tuple[str, str, str, str], float | None] = field(default_factory=dict)
    national_flags: dict[tuple[str, str, str, str], list[str]] = field(default_factory=dict)

    @property
    def primary_definition(self) -> str:
        return self.definitions[0]

    @property
    def latest_period(self) -> str:
        return max(self.rows["period"])


def indicators_of(table: pd.DataFrame, catalogue: pd.DataFrame) -> list[Indicator]:
    """Every catalogue indicator that has rows, in catalogue order; rows of ids the catalogue does
    not know are an error (never silently left out of the edition)."""
    unknown = sorted(set(table["indicator_id"]) - set(catalogue["indicator_id"]))
    if unknown:
        raise ValueError(
            f"indicator table holds ids the catalogue does not know: {', '.join(unknown)} "
            "(reference/indicators/catalogue.csv)"
        )
    # Python strings instead of Arrow-backed ones: the report walks these rows value by value, and
    # each value read from an Arrow column is converted on the way (a third of the report's time)
    table = table.astype({c: object for c in table.columns if isinstance(table[c].dtype, pd.StringDtype)})
    out = []
    for entry in catalogue.itertuples(index=False):
        rows = table[table["indicator_id"] == entry.indicator_id]
        if rows.empty:
            continue
        item = Indicator(
            id=entry.indicator_id,
            strand=entry.strand,
            unit=entry.unit,
            titles={"nl": entry.title_nl, "en": entry.title_en},
            notes={"nl": entry.note_nl, "en": entry.note_en},
            has_denominator=bool(str(entry.denominator).strip()),
            rows=rows,
            source_families=str(getattr(entry, "source_families", "") or ""),
        )
        breakdowns = set(rows["breakdown"].unique())
        rows = rows[rows["breakdown"].map(is_margin)] if any(not is_margin(b) for b in breakdowns) else rows
        item.rows = rows
        order = [k.strip() for k in str(getattr(entry, "breakdowns", "") or "").split(";") if k.strip()]
        keys = {k for b in breakdowns if is_margin(b) for k in breakdown_keys(b)}
        item.dimensions = [k for k in order if k in keys] + sorted(keys - set(order))
        item.crosses = sorted({breakdown_keys(b) for b in breakdowns if not is_margin(b)})
        present = set(rows["definition"].unique())
        item.definitions = [d for d in DEFINITION_ORDER if d in present] + sorted(present - set(DEFINITION_ORDER))
        national = item.national
        item.national_values = {
            (r.definition, r.breakdown, r.sex, r.period): (None if formatting.missing(r.value) else float(r.value))
            for r in national.itertuples(index=False)
        }
        item.national_flags = {
            (r.definition, r.breakdown, r.sex, r.period): flags_of(r.flag) for r in national.itertuples(index=False)
        }
        regional = rows[rows["region_level"] != "national"]
        item.region_series = _region_series(regional)
        totals = regional[(regional["sex"] == "T") & (regional["definition"] == item.primary_definition)]
        # dict(iter(...)): dict() of a GroupBy itself would take its `keys` attribute for a mapping
        item.regional_totals = dict(iter(totals.groupby("region_level", sort=False)))
        for definition in item.definitions:
            for breakdown in sorted(national.loc[national["definition"] == definition, "breakdown"].unique()):
                sel = national[(national["definition"] == definition) & (national["breakdown"] == breakdown)]
                item.series.append(Series(definition, breakdown, sel))
        out.append(item)
    return out


def chart_series(item: Indicator) -> list[Series]:
    """The lines of an indicator's chart: the total and the margins of its first breakdown variable
    (e.g. mbo levels; the learning paths are in the tables), of the primary definition only when
    both definitions do not fit the palette."""
    first = item.dimensions[0] if item.dimensions else None
    chosen = [s for s in item.series if breakdown_keys(s.breakdown) in ((), (first,))]
    if len(chosen) > MAX_CHART_SERIES:
        chosen = [s for s in chosen if s.definition == item.primary_definition]
    return chosen[:MAX_CHART_SERIES]


def cross_note(item: Indicator, t: dict[str, str]) -> str:
    """The sentence that says where the crossed tables of an indicator are ('' when it has none)."""
    if not item.crosses:
        return ""
    names = "; ".join(" × ".join(t.get("dimension_" + k, k) for k in keys) for keys in item.crosses)
    return t["cross_tables_note"].format(dimensions=names)


def _region_series(regional: pd.DataFrame) -> dict:
    """Every regional row in plain tuples, nested by region, series and sex (sorted by period): the
    site's region pages read it hundreds of times, which pandas selections made the slowest part of
    the publication."""
    out: dict = {}
    columns = [
        "region_level",
        "region_code",
        "definition",
        "breakdown",
        "sex",
        "period",
        "value",
        "flag",
        "region_name",
    ]
    for level, code, definition, breakdown, sex, period, value, flag, name in regional[columns].itertuples(
        index=False, name=None
    ):
        out.setdefault((level, code), {}).setdefault((definition, breakdown), {}).setdefault(sex, []).append(
            (period, value, flag, name)
        )
    for per_series in out.values():
        for per_sex in per_series.values():
            for sex, points in per_sex.items():
                per_sex[sex] = sorted(points, key=lambda point: point[0])
    return out


def base_period(periods: list[str], base_year: int | None) -> str:
    """The base year of the edition when the series reaches back to it, else its first period."""
    if base_year is not None:
        at = [p for p in periods if p[:4] == str(base_year)]
        if at:
            return at[0]
    return periods[0]


def year_earlier(period: str) -> str:
    """The same period a year earlier: '2023' -> '2022', '2023-Q4' -> '2022-Q4' ('' when the period
    does not start with a year)."""
    if not period[:4].isdigit():
        return ""
    return f"{int(period[:4]) - 1:04d}{period[4:]}"


def change_row(rows: pd.DataFrame, base_year: int | None) -> dict:
    """Latest value, change on the same period a year earlier (a quarter is compared with the same
    quarter of the previous year, never with the quarter before) and since the base period, of one
    sex's rows. Without the period a year earlier the change is missing."""
    rows = rows.sort_values("period")
    periods = list(rows["period"])
    values = dict(zip(rows["period"], rows["value"]))
    last = periods[-1]
    prev = year_earlier(last) if year_earlier(last) in values else None
    base = base_period(periods, base_year)
    latest = values[last]

    def diff(other):
        if other is None or other == last or formatting.missing(latest) or formatting.missing(values[other]):
            return None
        return float(latest) - float(values[other])

    return {
        "period": last,
        "value": latest,
        "prev_period": prev,
        "change_prev": diff(prev),
        "base_period": base,
        "change_base": diff(base),
        "flags": flags_of(rows.iloc[-1]["flag"]),
    }


def sex_label(sex: str, t: dict[str, str]) -> str:
    return {"T": t["total"], "M": t["men"], "V": t["women"]}[sex]


def flag_text(flags: list[str], t: dict[str, str]) -> str:
    """The flags of a cell as the legend prints them: symbol and label."""
    return ", ".join(f"{t['flag_symbol_' + f]} {t['flag_' + f]}" for f in flags)


def shown(value, flag: str, unit: str, lang: str, t: dict[str, str]) -> str:
    """A cell's value as printed: the legend's symbol in its place when it is suppressed."""
    if "suppressed" in flags_of(flag):
        return t["flag_symbol_suppressed"]
    return formatting.value(value, unit, lang)


def flag_note(flag: str, t: dict[str, str]) -> str:
    """A flag's line of the legend: symbol and note."""
    return f"{t['flag_symbol_' + flag]} {t['flag_' + flag + '_note']}"


def indicator_content(item: Indicator, lang: str, base_year: int | None, prefix: str = "") -> dict:
    """What the PDF and the site show for one indicator: chart, key figures, short tables."""
    t = messages(lang)

    def fmt(v) -> str:
        return formatting.value(v, item.unit, lang)

    show_def = len(item.definitions) > 1
    title = item.titles[lang]
    key_rows, tables, flags_seen = [], [], set()
    for s in item.series:
        label = s.label(t, show_def)
        for sex in SEX_ORDER:
            rows = s.rows[s.rows["sex"] == sex]
            if rows.empty:
                continue
            c = change_row(rows, base_year)
            flags_seen.update(c["flags"])
            key_rows.append(
                {
                    "label": label,
                    "sex": sex_label(sex, t),
                    "period": c["period"],
                    "value": fmt(c["value"]),
                    "change_prev": formatting.change(c["change_prev"], item.unit, lang),
                    "prev_period": c["prev_period"] or formatting.MISSING,
                    "change_base": formatting.change(c["change_base"], item.unit, lang),
                    "base_period": c["base_period"],
                    "flags": flag_text(c["flags"], t),
                }
            )
        sexes = [x for x in SEX_ORDER if x in set(s.rows["sex"])]
        header = (
            [t["year"]]
            + ([t["numerator"], t["denominator"]] if item.has_denominator else [])
            + [sex_label(x, t) for x in sexes]
            + [t["flags"]]
        )
        body = []
        per_period: dict[str, list[tuple]] = {}
        for record in zip(
            s.rows["sex"], s.rows["value"], s.rows["numerator"], s.rows["denominator"], s.rows["flag"], s.rows["period"]
        ):
            per_period.setdefault(record[-1], []).append(record)
        main_sex = "T" if "T" in sexes else sexes[0]
        for period in sorted(per_period):
            per = per_period[period]
            total = next(r for r in per if r[0] == main_sex)
            by_sex = {r[0]: r[1] for r in per}
            cell_flags = sorted({f for r in per for f in flags_of(r[4])}, key=_flag_key)
            flags_seen.update(cell_flags)
            body.append(
                [period]
                + (
                    [formatting.number(total[2], lang), formatting.number(total[3], lang)]
                    if item.has_denominator
                    else []
                )
                + [fmt(by_sex.get(x)) for x in sexes]
                + [flag_text(cell_flags, t)]
            )
        caption = f"{title} – {breakdown_label(s.breakdown, t)}"
        if s.definition != "none":
            caption += f" – {t['definition_' + s.definition]}"
        tables.append({"caption": caption, "header": header, "rows": body})
    return {
        "id": item.id,
        "title": title,
        "note": item.notes[lang],
        "unit": item.unit,
        "strand": item.strand,
        "unit_label": t["unit_" + item.unit],
        "chart_svg": "",  # drawn by pipeline.publish.content (charts, captions and sentences from the data)
        "key_rows": key_rows,
        "tables": tables,
        "flags": [{"flag": f, "text": flag_note(f, t)} for f in sorted(flags_seen, key=_flag_key)],
        "levels": [lv for lv in LEVEL_ORDER if lv in set(item.rows["region_level"])],
        "cross_note": cross_note(item, t),
    }


def _flag_key(flag: str) -> tuple[int, str]:
    return (FLAG_ORDER.index(flag) if flag in FLAG_ORDER else len(FLAG_ORDER), flag)


# --- regions --------------------------------------------------------------------------------------


def region_levels(table: pd.DataFrame) -> list[str]:
    present = set(table["region_level"]) - {"national"}
    return [lv for lv in LEVEL_ORDER if lv in present] + sorted(present - set(LEVEL_ORDER))


def regions_of(table: pd.DataFrame, level: str) -> list[tuple[str, str]]:
    rows = table[table["region_level"] == level][["region_code", "region_name"]].drop_duplicates("region_code")
    return sorted(zip(rows["region_code"], rows["region_name"]))


def region_page_name(level: str, code: str) -> str:
    return f"regio/{level}-{slug(code)}.html"


def regional_comparison(item: Indicator, level: str, lang: str) -> list[dict]:
    """Per breakdown of the primary definition (total of both sexes, latest period): a table of
    every region of the level with the national value beside it (the site's regional tables; the
    PDF maps a few of them, see pipeline.publish.content)."""
    t = messages(lang)
    rows = item.regional_totals.get(level)
    if rows is None or rows.empty:
        return []
    period = max(rows["period"])
    rows = rows[rows["period"] == period]
    out = []
    for breakdown in sorted(set(rows["breakdown"])):
        sel = rows[rows["breakdown"] == breakdown].sort_values("region_name")
        nat_value = item.national_values.get((item.primary_definition, breakdown, "T", period))
        title = f"{item.titles[lang]} – {breakdown_label(breakdown, t)} – {t['level_' + level]}, {period}"
        out.append(
            {
                "title": title,
                "svg": "",
                "period": period,
                "level": level,
                "breakdown": breakdown,
                "series": breakdown_label(breakdown, t),
                "national": formatting.value(nat_value, item.unit, lang),
                "rows": [
                    {
                        "code": r.region_code,
                        "name": r.region_name,
                        "page": region_page_name(level, r.region_code),
                        "value": shown(r.value, r.flag, item.unit, lang, t),
                        "sort": "" if formatting.missing(r.value) else f"{float(r.value):.6f}",
                        "diff": formatting.change(
                            None
                            if formatting.missing(r.value) or formatting.missing(nat_value)
                            else float(r.value) - float(nat_value),
                            item.unit,
                            lang,
                        ),
                        "flags": flag_text(flags_of(r.flag), t),
                    }
                    for r in sel.itertuples()
                ],
            }
        )
    return out


def region_figures(indicators: list[Indicator], level: str, code: str, lang: str) -> list[dict]:
    """A region's figures against the national ones: per indicator, per series and sex, latest period."""
    t = messages(lang)
    out = []
    for item in indicators:
        groups = item.region_series.get((level, code))
        if not groups:
            continue
        show_def = len(item.definitions) > 1
        body = []
        for (definition, breakdown), per_sex in sorted(groups.items()):
            label = series_label(definition, breakdown, t, show_def)
            for sex in SEX_ORDER:
                if sex not in per_sex:
                    continue
                period, value, flag, _ = per_sex[sex][-1]
                nat_value = item.national_values.get((definition, breakdown, sex, period))
                body.append(
                    {
                        "label": label,
                        "sex": sex_label(sex, t),
                        "period": period,
                        "value": shown(value, flag, item.unit, lang, t),
                        "national": formatting.value(nat_value, item.unit, lang),
                        "flags": flag_text(flags_of(flag), t),
                    }
                )
        out.append({"id": item.id, "title": item.titles[lang], "rows": body, "chart_svg": ""})
    return out
