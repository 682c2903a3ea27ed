"""Sample CBS deliveries: StatLine OData bundles (employment by occupation, vacancies, Gebieden in
Nederland) and the custom XLSX table on unemployment by field of education.

Numbers follow published orders of magnitude: about 8.0 million employed in 2013 growing to 9.6
million in 2023; BRC class 07 (technical occupations) about 1.1-1.2 million with about 9% women,
class 08 (ICT) 370 thousand in 2015 and about 450 thousand in 2019; open vacancies 100 thousand in
2013 rising above 400 thousand in 2022; unemployment of the technically educated about 3% against
about 4% for the whole labour force. Municipalities and region codes are the reference table's.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from pathlib import Path

from pipeline import reference
from pipeline.editions import Edition
from pipeline.sample.common import unit

FIRST_YEAR = 2013
CLASS_SHARES = {  # share of all employed per BRC 2014 class, and share of women in it
    "01": (0.045, 0.72),
    "02": (0.025, 0.50),
    "03": (0.090, 0.48),
    "04": (0.140, 0.62),
    "05": (0.040, 0.30),
    "06": (0.040, 0.40),
    "07": (0.135, 0.09),
    "08": (0.047, 0.16),
    "09": (0.020, 0.22),
    "10": (0.140, 0.83),
    "11": (0.110, 0.56),
    "12": (0.080, 0.20),
    "13": (0.048, 0.45),
}
AGES = {"52052": ("15 tot 25 jaar", 0.15), "53105": ("25 tot 45 jaar", 0.45), "53950": ("45 tot 75 jaar", 0.40)}
SECTORS = [  # SBI 2008 title as CBS writes it, share of open vacancies
    ("T001081", "Alle economische activiteiten", 1.0),
    ("300003", "A Landbouw, bosbouw en visserij", 0.01),
    ("300005", "B-F Nijverheid en energie", 0.18),
    ("300007", "C Industrie", 0.11),
    ("300012", "F Bouwnijverheid", 0.05),
    ("300014", "G-N Commerciële dienstverlening", 0.58),
    ("300019", "J Informatie en communicatie", 0.07),
    ("300022", "M Specialistische zakelijke diensten", 0.09),
    ("300025", "O-U Niet-commerciële dienstverlening", 0.23),
    ("300028", "Q Gezondheids- en welzijnszorg", 0.13),
]
FIELDS = {  # ISCED-F detailed field -> (share of the labour force, share of women, technical)
    "0511": (0.008, 0.55, True),
    "0521": (0.004, 0.45, True),
    "0531": (0.004, 0.40, True),
    "0533": (0.003, 0.30, True),
    "0541": (0.004, 0.35, True),
    "0612": (0.010, 0.30, True),
    "0613": (0.018, 0.20, True),
    "0711": (0.006, 0.35, True),
    "0713": (0.016, 0.06, True),
    "0714": (0.020, 0.08, True),
    "0715": (0.040, 0.05, True),
    "0716": (0.022, 0.06, True),
    "0721": (0.008, 0.35, True),
    "0722": (0.004, 0.20, True),
    "0731": (0.007, 0.35, True),
    "0732": (0.030, 0.08, True),
    "0111": (0.030, 0.75, False),
    "0211": (0.015, 0.55, False),
    "0311": (0.012, 0.50, False),
    "0411": (0.030, 0.48, False),
    "0413": (0.090, 0.45, False),
    "0421": (0.020, 0.60, False),
    "0912": (0.020, 0.65, False),
    "0913": (0.060, 0.88, False),
    "1013": (0.030, 0.45, False),
    "1041": (0.025, 0.25, False),
}
LEVELS = {"Laag": 0.22, "Middelbaar": 0.42, "Hoog": 0.36}
FIELD_LABELS_EXTRA = {"T": "Totaal", "TECHNIEK": "Techniek (25 richtingen)"}


def pad(key: str, width: int = 10) -> str:
    """CBS pads dimension keys with trailing spaces."""
    return key.ljust(width)


def bundle(
    table: str,
    title: str,
    dimensions: dict[str, list[dict]],
    topics: list[dict],
    records: list[dict],
    geo: str | None = None,
    time: str = "Perioden",
) -> dict:
    """A saved OData v3 table in the landing layout (see pipeline/sources/cbs_odata.py)."""
    base = f"https://opendata.cbs.nl/ODataApi/odata/{table}"
    props, position = [], 0
    for key in dimensions:
        kind = "GeoDimension" if key == geo else ("TimeDimension" if key == time else "Dimension")
        props.append(
            {
                "odata.type": f"Cbs.OData.{kind}",
                "ID": position,
                "Position": position,
                "ParentID": None,
                "Type": kind,
                "Key": key,
                "Title": key,
                "Description": None,
            }
        )
        position += 1
    for topic in topics:
        props.append(
            {
                "odata.type": f"Cbs.OData.{topic['Type']}",
                "ID": position,
                "Position": position,
                "Description": None,
                **topic,
            }
        )
        position += 1
    out = {
        "TableInfos": {
            "odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.TableInfos",
            "value": [
                {
                    "ID": 0,
                    "Title": title,
                    "ShortTitle": title[:60],
                    "Identifier": table,
                    "Language": "nl",
                    "Catalog": "CBS",
                    "Frequency": "Perjaar",
                    "Status": "Regulier",
                }
            ],
        },
        "DataProperties": {"odata.metadata": f"{base}/$metadata#Cbs.OData.WebAPI.DataProperties", "value": props},
        "TypedDataSet": {
            "odata.metadata": f"{base}/$metadata#{table}.TypedDataSet",
            "value": [{"ID": i, **r} for i, r in enumerate(records)],
        },
    }
    for key, items in dimensions.items():
        out[key] = {"odata.metadata": f"{base}/$metadata#{table}.{key}", "value": items}
    return out


def write_json(obj: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path


def table_id(edition: Edition, family: str) -> str:
    rows = reference.load("fetch/addresses.csv").frame
    match = rows[(rows["edition"] == edition.key) & (rows["family"] == family)]
    return match["address"].iloc[0]


def periods(last_year: int, quarters: bool = True) -> list[dict]:
    items = []
    for year in range(FIRST_YEAR, last_year + 1):
        status = "Voorlopig" if year == last_year else "Definitief"
        items.append({"Key": f"{year}JJ00", "Title": str(year), "Description": None, "Status": status})
        if quarters:
            for q in range(1, 5):
                items.append(
                    {"Key": f"{year}KW0{q}", "Title": f"{year} {q}e kwartaal", "Description": None, "Status": status}
                )
    return items


def employed_total(year: int) -> float:
    """All employed persons (thousands): about 8,000 in 2013 to 9,600 in 2023."""
    return 8000 + 160 * (year - 2013) - (120 if year == 2020 else 0)


def class_value(seed: int, code: str, year: int) -> float:
    share, _ = CLASS_SHARES[code]
    if code == "08":  # ICT grows fast: 370k in 2015, about 450k in 2019
        return 340 + 21 * (year - 2013)
    if code == "07":
        return 1080 + 14 * (year - 2013)
    return employed_total(year) * share * (0.97 + 0.06 * unit(seed, "cls", code, year))


def employment(edition: Edition, seed: int) -> dict:
    last = edition.labour_last_year
    occupations = reference.load("labour/brc2014_occupations.csv").frame
    classes = occupations[occupations["level"] == "class"]
    # the sample carries the classes and the groups of every class with a group the Dutch STEM table
    # counts as technical (05, 07, 08, 10; 85276NED has all 114 groups)
    stem = reference.load("stem/nl_technical_occupations.csv").frame
    split = sorted(set(stem.loc[(stem["is_stem"] == "true") & (stem["code"].str.len() == 4), "brc_class"]))
    groups = occupations[(occupations["level"] == "group") & occupations["class_code"].isin(split)]
    beroep = [{"Key": pad("T001206"), "Title": "Totaal", "Description": None, "CategoryGroupID": None}]
    beroep += [
        {"Key": pad(f"1{r.code}000"), "Title": f"{r.code} {r.name}", "Description": None, "CategoryGroupID": 1}
        for r in classes.itertuples(index=False)
    ]
    beroep += [
        {"Key": pad(f"2{r.code}"), "Title": f"{r.code} {r.name}", "Description": None, "CategoryGroupID": 2}
        for r in groups.itertuples(index=False)
    ]
    sexes = [
        {"Key": pad("T001038"), "Title": "Totaal mannen en vrouwen"},
        {"Key": pad("3000"), "Title": "Mannen"},
        {"Key": pad("4000"), "Title": "Vrouwen"},
    ]
    chars = [{"Key": pad("T009002"), "Title": "Totaal personen"}] + [
        {"Key": pad(k), "Title": t} for k, (t, _) in AGES.items()
    ]
    perioden = periods(last)
    # the measure's key changed with the 2021 survey redesign; its title did not
    measure = "WerkzameBeroepsbevolking_1" if edition.edition < 2022 else "Werkzamen_2"
    topics = [
        {
            "Type": "Topic",
            "Key": measure,
            "Title": "Werkzame beroepsbevolking",
            "Unit": "x 1 000",
            "Decimals": 0,
            "Datatype": "Double",
            "ParentID": None,
        }
    ]
    if edition.edition >= 2022:
        topics.insert(
            0,
            {
                "Type": "Topic",
                "Key": "Werkzamen_1",
                "Title": "Werkzame beroepsbevolking (oude reeks)",
                "Unit": "x 1 000",
                "Decimals": 0,
                "Datatype": "Double",
                "ParentID": None,
            },
        )
    group_weights = {r.code: 0.3 + unit(seed, "grp", r.code) for r in groups.itertuples(index=False)}
    records = []
    for period in perioden:
        year = int(period["Key"][:4])
        seasonal = 1.0 if period["Key"].endswith("JJ00") else 0.985 + 0.03 * unit(seed, "q", period["Key"])
        values: dict[str, float] = {"T": employed_total(year) * seasonal}
        for code in classes["code"]:
            values[code] = class_value(seed, code, year) * seasonal
        for cls in split:
            members = groups[groups["class_code"] == cls]["code"]
            total_weight = sum(group_weights[c] for c in members)
            for code in members:
                values[code] = values[cls] * group_weights[code] / total_weight
        for occ in beroep:
            title = occ["Title"]
            code = "T" if title == "Totaal" else title.split(" ")[0]
            cls = code[:2] if code != "T" else "T"
            female = 0.465 if cls == "T" else CLASS_SHARES[cls][1] + 0.005 * (year - 2013) * (cls in ("07", "08"))
            for sex in sexes:
                share = (
                    1.0 if sex["Title"].startswith("Totaal") else (female if sex["Title"] == "Vrouwen" else 1 - female)
                )
                for char in chars:
                    age = 1.0 if char["Title"] == "Totaal personen" else AGES[char["Key"].strip()][1]
                    value = round(values[code] * share * age)
                    record = {
                        "Geslacht": sex["Key"],
                        "Persoonskenmerken": char["Key"],
                        "Beroep": occ["Key"],
                        "Perioden": period["Key"],
                        measure: float(value) if value >= 5 else None,
                    }
                    if edition.edition >= 2022:
                        record = {**record, "Werkzamen_1": float(value) if year < 2021 and value >= 5 else None}
                    records.append(record)
    dims = {"Geslacht": sexes, "Persoonskenmerken": chars, "Beroep": beroep, "Perioden": perioden}
    return bundle("85276NED", "Werkzame beroepsbevolking; beroep", dims, topics, records)


def vacancies(edition: Edition, seed: int) -> dict:
    last = edition.labour_last_year
    perioden = [p for p in periods(last) if "KW" in p["Key"]]
    sectors = [
        {"Key": pad(key), "Title": title, "Description": None, "CategoryGroupID": None} for key, title, _ in SECTORS
    ]
    measure = "OpenstaandeVacatures_1" if edition.edition < 2022 else "OpenstaandeVacatures_2"
    topics = [
        {
            "Type": "Topic",
            "Key": measure,
            "Title": "Openstaande vacatures",
            "Unit": "x 1 000",
            "Decimals": 1,
            "Datatype": "Double",
            "ParentID": None,
        }
    ]
    if edition.edition >= 2022:
        topics.insert(
            0,
            {
                "Type": "Topic",
                "Key": "OntstaneVacatures_1",
                "Title": "Ontstane vacatures",
                "Unit": "x 1 000",
                "Decimals": 1,
                "Datatype": "Double",
                "ParentID": None,
            },
        )
    records = []
    for period in perioden:
        year, quarter = int(period["Key"][:4]), int(period["Key"][-1])
        level = {
            2013: 100,
            2014: 110,
            2015: 135,
            2016: 160,
            2017: 205,
            2018: 250,
            2019: 285,
            2020: 215,
            2021: 330,
            2022: 435,
            2023: 410,
        }.get(year, 400) * (0.97 + 0.06 * unit(seed, "vq", year, quarter))
        for key, _title, share in SECTORS:
            value = round(
                level * share * (1 if key == "T001081" else 0.95 + 0.1 * unit(seed, "vs", key, year, quarter)), 1
            )
            record = {"Bedrijfskenmerken": pad(key), "Perioden": period["Key"], measure: value}
            if edition.edition >= 2022:
                record["OntstaneVacatures_1"] = round(value * 1.1, 1)
            records.append(record)
    return bundle(
        table_id(edition, "cbs_vacancies"),
        "Vacatures; SBI 2008, per kwartaal",
        {"Bedrijfskenmerken": sectors, "Perioden": perioden},
        topics,
        records,
    )


def regions(edition: Edition) -> dict:
    year = edition.edition  # Gebieden in Nederland <edition>: the division of 1 January of the publication year
    ref = reference.load("regions/municipalities.csv").frame
    rows = ref[ref["boundary_year"] == str(year)].sort_values("municipality_code")
    groups = [
        ("Codes en namen van gemeenten", "municipality"),
        ("Arbeidsmarktregio's", "arbeidsmarktregio"),
        ("COROP-gebieden", "corop"),
        ("Provincies", "province"),
        ("Landsdelen", "landsdeel"),
    ]
    if edition.edition % 2:  # keys shift between table versions: odd years carry a population topic first
        groups.insert(0, ("Inwoners", None))
    topics, keys, number = [], {}, 1
    base_id = 100
    for index, (group, prefix) in enumerate(groups):
        group_id = base_id + index * 10
        topics.append({"Type": "TopicGroup", "ID": group_id, "Key": "", "Title": group, "ParentID": None})
        if prefix is None:
            topics.append(
                {
                    "Type": "Topic",
                    "ID": group_id + 1,
                    "Key": f"Inwonertal_{number}",
                    "Title": "Inwonertal",
                    "Unit": "aantal",
                    "ParentID": group_id,
                    "Datatype": "Long",
                }
            )
            number += 1
            continue
        for measure in ("Code", "Naam"):
            key = f"{measure}_{number}"
            topics.append(
                {
                    "Type": "Topic",
                    "ID": group_id + 1 + len(keys) % 2,
                    "Key": key,
                    "Title": measure,
                    "Unit": "",
                    "ParentID": group_id,
                    "Datatype": "String",
                }
            )
            keys[(prefix, measure)] = key
            number += 1
    # Topic IDs must be unique: renumber after building
    for position, topic in enumerate(topics):
        if topic["Type"] == "Topic":
            topic["ID"] = 1000 + position
    regio = [
        {"Key": pad(code), "Title": name, "Description": None}
        for code, name in zip(rows["municipality_code"], rows["municipality_name"])
    ]
    records = []
    for r in rows.itertuples(index=False):
        record = {"RegioS": pad(r.municipality_code)}
        if edition.edition % 2:
            record["Inwonertal_1"] = None
        for prefix, code_col, name_col in (
            ("municipality", "municipality_code", "municipality_name"),
            ("arbeidsmarktregio", "arbeidsmarktregio_code", "arbeidsmarktregio_name"),
            ("corop", "corop_code", "corop_name"),
            ("province", "province_code", "province_name"),
            ("landsdeel", "landsdeel_code", "landsdeel_name"),
        ):
            record[keys[(prefix, "Code")]] = pad(getattr(r, code_col))
            record[keys[(prefix, "Naam")]] = getattr(r, name_col).ljust(40)
        records.append(record)
    return bundle(
        table_id(edition, "cbs_regions"),
        f"Gebieden in Nederland {year}",
        {"RegioS": regio},
        topics,
        records,
        geo="RegioS",
        time="",
    )


# --- the custom XLSX table ------------------------------------------------------------------


def unemployment_rows(edition: Edition, seed: int) -> list[list]:
    last = edition.labour_last_year
    labels = reference.load("labour/isced_f_fields.csv").frame.set_index("code")["label"]
    rows = []
    for year in range(last - 4, last + 1):
        all_rate = {
            2014: 7.4,
            2015: 6.9,
            2016: 6.0,
            2017: 4.9,
            2018: 3.8,
            2019: 3.4,
            2020: 3.8,
            2021: 4.2,
            2022: 3.5,
            2023: 3.6,
        }.get(year, 3.8)
        force_total = employed_total(year) / (1 - all_rate / 100)
        cells: dict[tuple[str, str, str], tuple[float, float]] = {}
        for field, (share, female, technical) in FIELDS.items():
            rate = all_rate * (0.72 if technical else 1.05) * (0.9 + 0.2 * unit(seed, "ur", field, year))
            for level, level_share in LEVELS.items():
                level_rate = rate * {"Laag": 1.6, "Middelbaar": 1.0, "Hoog": 0.7}[level]
                for sex, sex_share in (("Mannen", 1 - female), ("Vrouwen", female)):
                    force = force_total * share * level_share * sex_share
                    cells[(field, level, sex)] = (force, force * level_rate / 100)
        totals: dict[tuple[str, str, str], list[float]] = {}
        for (field, level, sex), (force, unemployed) in cells.items():
            technical = FIELDS[field][2]
            for f in (field, "T", *(("TECHNIEK",) if technical else ())):
                for lv in (level, "Totaal"):
                    for sx in (sex, "Totaal"):
                        acc = totals.setdefault((f, lv, sx), [0.0, 0.0])
                        acc[0] += force
                        acc[1] += unemployed
        for (field, level, sex), (force, unemployed) in sorted(totals.items(), key=lambda kv: _order(kv[0])):
            force_k, unemployed_k = round(force), round(unemployed)
            secret = unemployed < 2.0  # CBS does not publish unemployment below about 2 thousand persons
            rate = round(100 * unemployed / force, 1) if force else None
            label = FIELD_LABELS_EXTRA.get(field) or labels.get(field, field)
            rows.append(
                [
                    year,
                    "Totaal" if field == "T" else ("Techniek" if field == "TECHNIEK" else field),
                    label,
                    level,
                    sex,
                    force_k if force_k >= 5 else "x",
                    "x" if secret else unemployed_k,
                    "x" if secret else rate,
                ]
            )
    return rows


def _order(key: tuple[str, str, str]) -> tuple:
    field, level, sex = key
    field_rank = {"T": "0", "TECHNIEK": "1"}.get(field, "2" + field)
    return (
        field_rank,
        ["Totaal", "Laag", "Middelbaar", "Hoog"].index(level),
        ["Totaal", "Mannen", "Vrouwen"].index(sex),
    )


UNEMPLOYMENT_HEADER = [
    "Jaar",
    "Opleidingsrichting",
    "Omschrijving",
    "Onderwijsniveau",
    "Geslacht",
    "Beroepsbevolking",
    "Werkloze beroepsbevolking",
    "Werkloosheidspercentage",
]


def write_unemployment_xlsx(
    rows: list[list], path: Path, *, first: int, last: int, header=UNEMPLOYMENT_HEADER, notes: bool = True
) -> Path:
    """The custom table in CBS's spreadsheet layout (see pipeline/sources/cbs_maatwerk.py), byte-reproducible."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Tabel 1"
    sheet.append(
        [f"Beroepsbevolking en werkloosheid naar opleidingsrichting, onderwijsniveau en geslacht, {first}-{last}"]
    )
    sheet.append(["Maatwerktabel CBS voor het Ministerie van Economische Zaken en Klimaat"])
    sheet.append(["Bron: CBS, Enquête beroepsbevolking (EBB)"])
    sheet.append([])
    sheet.append(header)
    sheet.append([None, "ISCED-F 2013", None, None, None, "x 1 000", "x 1 000", "%"])
    for row in rows:
        sheet.append(row)
    if notes:
        sheet.append([])
        for note in (
            "Verklaring van tekens",
            "x = geheim (te weinig waarnemingen)",
            ". = gegevens ontbreken",
            "Cijfers zijn afgerond; totalen kunnen afwijken van de som van de delen.",
        ):
            sheet.append([note])
    fixed = datetime(last + 1, 3, 1)
    book.properties.created = fixed
    book.properties.modified = fixed
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(last + 1, 3, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the save time; use the delivery date
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>",
                    data,
                )
            target.writestr(info, data)
    return path


def write(edition: Edition, folder: Path, seed: int) -> list[Path]:
    last = edition.labour_last_year
    return [
        write_json(employment(edition, seed), folder / "85276NED.json"),
        write_json(vacancies(edition, seed), folder / f"{table_id(edition, 'cbs_vacancies')}.json"),
        write_json(regions(edition), folder / f"{table_id(edition, 'cbs_regions')}.json"),
        write_unemployment_xlsx(
            unemployment_rows(edition, seed),
            folder / f"cbs-maatwerk-werkloosheid-opleidingsrichting-{last}.xlsx",
            first=last - 4,
            last=last,
        ),
    ]
