"""Build the STEM classification tables in `reference/stem/` (CSV + `.meta.toml` sidecars).

Two definitions, per level: the Dutch one (bètatechniek; `nl_*` tables) and the international one
(ISCED-F 2013 broad fields 05, 06, 07; `isced_*` tables), plus the ISCED-F code list itself and two
labour-market tables. The official Dutch lists (Sminia for hbo/wo, SBB for mbo, CBS for the labour
market) are not public: the `nl_*` tables and the ISCED-F assignments are the project's best effort,
built from the published rules, and an official list replaces a table file for file.

Inputs (read only, never copied; default `../shared/realdata` beside the repo, `--source-dir`):
* `duo-ho-mbo-2019-tekkieworden/`: DUO hbo/wo first-year and diploma files (every CROHO code in
  them is classified, name from the first-year file) and the mbo participants excerpt (every crebo);
* `duo-vo-examens-2019-2024/`: DUO exam file (INSPECTIECODE / OPLEIDINGSNAAM of vo programmes);
* `isced-f-2013/`: ISCED-F 2013 hierarchy (2-, 3- and 4-digit codes are official; the 6-digit
  keyword numbers are not and are ignored).
Rules and curated lists live in this script as commented data: ISCED-F name rules, sector and domain
defaults and per-code overrides; the Dutch additions and exclusions for hbo/wo; havo/vwo profiles
and vmbo profiles; mbo qualifications from the 2015 qualification structure (Regeling vaststelling
kwalificatiedossiers 2015, Bijlage 1) that cover the domains missing from DUO's excerpt, and the
named mbo exceptions; the technical ISCED-F fields; BRC 2014 classes and groups.

Checks (any failure: nothing is written, exit status 1): every CROHO code of every real ho file is
classified under both definitions at its level; every vo programme of the exam file and codes 50-69
are present with DUO's names; every crebo of the mbo excerpt is present, at least 150, every domain
covered; no duplicate codes; rows sorted; is_stem only true/false and consistent with the ISCED-F
broad field; every ISCED-F code official and narrow/broad consistent; clusters from the allowed set
(empty for non-STEM rows); the metadata parses, has id/version/status/source as strings and
declares exactly the CSV's columns in order.

Usage
-----
    .venv/bin/python tools/build_stem_tables.py            # build, write, print counts and the bridge check
    .venv/bin/python tools/build_stem_tables.py --check    # build and compare with the files; write nothing

Output is sorted by code, UTF-8, '\\n' line endings, without timestamps: a rerun is byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE_DIR = ROOT.parent / "shared" / "realdata"
DEFAULT_OUT_DIR = ROOT / "reference" / "stem"

VERSION = "2026.1"

HO_DIR = "duo-ho-mbo-2019-tekkieworden"
HO_FILES = [  # (file, level, kind); the first-year files come first: their names win
    ("hbo_inscriptions_2019.csv", "hbo", "first-years"),
    ("wo_inscriptions_2019.csv", "wo", "first-years"),
    ("hbo_gediplomeerden_2019.csv", "hbo", "diplomas"),
    ("wo_gediplomeerden_2019.csv", "wo", "diplomas"),
]
MBO_FILE = f"{HO_DIR}/mbo_inscriptions_2019.csv"
VO_FILE = "duo-vo-examens-2019-2024/examenkandidaten-en-geslaagden-2019-2024.csv"
ISCED_FILE = "isced-f-2013/isced_f_2013_hierarchy_generated.tsv"

STEM_BROAD = {"05", "06", "07"}


class BuildError(Exception):
    pass


def read_duo_csv(path: Path) -> list[dict[str, str]]:
    """Read a `;`-separated DUO file as text; strip padding; keep rows as DUO wrote them."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items()})
    return rows


# ---------------------------------------------------------------------------------------------
# ISCED-F 2013 fields
# ---------------------------------------------------------------------------------------------

# Labels in the source file that are cut short or misspelt; the official UNESCO-UIS wording is used.
ISCED_NAME_FIXES = {
    "0021": "Literacy and numeracy",
    "9999": "Field unknown",
}


@dataclass(frozen=True)
class IscedField:
    code: str
    level: str  # broad | narrow | detailed
    name: str
    parent: str


def load_isced(source: Path) -> dict[str, IscedField]:
    fields: dict[str, IscedField] = {}
    with (source / ISCED_FILE).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        for row in reader:
            code = row["code"].strip()
            if len(code) not in (2, 3, 4) or not code.isdigit():
                continue  # the root '0' and the unofficial 6-digit keyword numbers
            level = {2: "broad", 3: "narrow", 4: "detailed"}[len(code)]
            name = ISCED_NAME_FIXES.get(code, row["label"].strip())
            parent = row["parent"].strip() if len(code) > 2 else ""
            fields[code] = IscedField(code, level, name, parent)
    for f in fields.values():
        if f.parent and (f.parent not in fields or not f.code.startswith(f.parent)):
            raise BuildError(f"ISCED-F code {f.code}: parent {f.parent} missing or inconsistent")
    return fields


def isced_rows(fields: dict[str, IscedField]) -> list[dict[str, str]]:
    return [
        {
            "code": f.code,
            "field_level": f.level,
            "name": f.name,
            "parent": f.parent,
            "is_stem": fmt_bool(f.code[:2] in STEM_BROAD),
        }
        for f in sorted(fields.values(), key=lambda f: f.code)
    ]


# ---------------------------------------------------------------------------------------------
# Higher education programmes (CROHO codes seen in the DUO files)
# ---------------------------------------------------------------------------------------------


@dataclass
class Programme:
    code: str
    level: str
    name: str
    sectors: Counter = field(default_factory=Counter)  # CROHO sector -> first-years 2015-2019 (+1 per row)
    files: set = field(default_factory=set)

    @property
    def sector(self) -> str:
        """The sector that carries most first-years (ties: alphabetical)."""
        return sorted(self.sectors.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    @property
    def bare_name(self) -> str:
        return re.sub(r"^(Ad|B|M) ", "", self.name)


def load_programmes(source: Path) -> dict[str, Programme]:
    programmes: dict[str, Programme] = {}
    for file, level, kind in HO_FILES:
        rows = read_duo_csv(source / HO_DIR / file)
        years = [c for c in rows[0] if c.isdigit()] if rows else []
        for row in rows:
            code = row.get("OPLEIDINGSCODE ACTUEEL", "")
            if not code:
                continue  # DUO's blank separator lines ("")
            name, sector = row["OPLEIDINGSNAAM ACTUEEL"], row["CROHO ONDERDEEL"]
            weight = 1 + (sum(int(row[y] or 0) for y in years) if kind == "first-years" else 0)
            prog = programmes.get(code)
            if prog is None:
                prog = programmes[code] = Programme(code, level, name)
            elif prog.level != level:
                raise BuildError(f"CROHO code {code} occurs both as {prog.level} and {level}")
            prog.sectors[sector] += weight
            prog.files.add(file)
    return programmes


# ISCED-F 2013 for hbo/wo programmes: keyword rules on the programme name (without the Ad/B/M
# prefix, lower case), first match wins. A rule can be limited to a level and/or CROHO sectors.
# Placement follows the UNESCO-UIS detailed field descriptions (2015), e.g. econometrics in 0311,
# actuarial science in 0542, laboratory technology in 0711, public administration in 0413,
# town planning in 0731, optometry in 0915, biotechnology and forensic science in 0512.
# (pattern, detailed field, what the rule recognises, levels, sectors)
HO_ISCED_RULES: list[tuple[str, str, str, tuple | None, tuple | None]] = [
    # --- education -------------------------------------------------------------------------
    (
        r"leraar basisonderwijs|teacher education for primary|primair onderwijs",
        "0113",
        "primary-school teacher training",
        None,
        None,
    ),
    (r"kind en educatie|pedagogisch educatief", "0112", "early-childhood educator", None, None),
    (
        r"^(opleiding tot )?leraar|^docent |expertdocent|teacher education|^educatie|educatieve master|science education|"
        r"kunsteducatie|kunstonderwijs|onderwijsondersteuner|mens- en maatschappijonderwijs|lichamelijke opvoeding|"
        r"bewegingsonderwijs",
        "0114",
        "teacher training in a subject",
        None,
        None,
    ),
    (r"psychopatholog", "0313", "psychology", None, None),
    (
        r"onderwijskunde|onderwijswetenschap|educational|learning|leren en innoveren|toetsdeskundig|passend meesterschap|"
        r"eigentijds leren|talentontwikkeling|deaf studies|communicatief gehandicapten|education and child|"
        r"child development and education|pedagogy and education|pedagogische wetenschappen|^pedagogiek$",
        "0111",
        "education science",
        None,
        None,
    ),
    # --- health --------------------------------------------------------------------------------
    (
        r"medisch beeldvormende|radiotherap|technical medicine|klinische technologie|zorg en technologie|medische hulpverlening",
        "0914",
        "medical diagnostic and treatment technology",
        None,
        None,
    ),
    (r"tandheelkunde|mondzorg", "0911", "dental studies", None, None),
    (r"diergeneeskunde", "0841", "veterinary medicine", None, None),
    (
        r"medische informatiekunde|medical informatics|health informatics",
        "0688",
        "medical informatics (interdisciplinary ICT)",
        None,
        None,
    ),
    (
        r"biomedische technologie|biomedical engineering|medical engineering",
        "0719",
        "biomedical engineering",
        None,
        None,
    ),
    (r"biomedical technology and physics|medische natuurwetenschappen", "0533", "medical physics", None, None),
    (
        r"farmaceutische wetenschappen|pharmaceutical sciences|drug discovery|molecular medicine|molecular mechanisms",
        "0512",
        "pharmaceutical / molecular biomedical science",
        None,
        None,
    ),
    (r"^farmacie$|farmakunde", "0916", "pharmacy", None, None),
    (
        r"geneeskunde|arts - klinisch|physician assistant|clinical research|cardiovascular|oncology",
        "0912",
        "medicine",
        None,
        None,
    ),
    (r"verpleegkund|nursing|verloskunde|critical care", "0913", "nursing and midwifery", None, None),
    (
        r"fysiotherap|oefentherap|ergotherap|logopedie|podotherap|huidtherap|psychomotori|vaktherap|speltherap|muziektherap|"
        r"music therapy|arts therapies|beweegzorg|neurorevalidatie|occupational therapy|physiotherapy|optometrie|orthoptie|"
        r"dietetiek|voeding en gezondheid|nutrition and health",
        "0915",
        "therapy, rehabilitation, optometry or nutrition",
        None,
        None,
    ),
    (
        r"management in de zorg|zorgmanagement|health economics|healthcare policy|governance and leadership in european public health|"
        r"health food innovation",
        "0413",
        "health-care management",
        None,
        None,
    ),
    (r"medische psychologie|gezondheidszorgpsychologie|mental health", "0313", "psychology", None, None),
    (r"biomedical sciences|biomedische wetenschappen|infection and immunity", "0511", "biomedical science", None, None),
    (
        r"epidemiolog|public health|global health|health sciences|gezondheidswetenschap|health education|gezondheid en leven|"
        r"gezondheid en maatschappij|vitality|work, health|gerontologie|gezondheidsinnovatie|healthy ageing|"
        r"innovatie in zorg|health care and social|bewegingswetenschap|human movement|klinische gezondheid",
        "0919",
        "health sciences",
        None,
        None,
    ),
    (r"sportkunde|sport sciences|sport, gezondheid|sport- en beweeginnovatie", "1014", "sports", None, None),
    (r"philosophy, politics|politics, psychology", "0388", "philosophy, politics and economics", None, None),
    (r"recht|law|legal|juridisch|notarieel|togamaster|forensica|aansprakelijkheid", "0421", "law", None, None),
    (r"communicatie en life|communication, health", "0321", "science communication", None, None),
    (r"multimedia design", "0211", "interactive media design", None, None),
    (r"geo-information|geomatics|geo media|spatial engineering", "0532", "geo-information science", None, None),
    (r"sustainability science, policy", "0314", "sustainability policy and society", None, None),
    (r"maritiem officier", "1041", "ship's officer (seamanship)", None, None),
    # --- ICT -----------------------------------------------------------------------------------
    (
        r"business it|business information technology|business information systems|ict in business|information management|"
        r"informatiekunde|information science|information studies|bio-informatica|bioinformatic|data science|data-driven|"
        r"creative technology",
        "0688",
        "informatics combined with another field",
        None,
        None,
    ),
    (
        r"cybersecurity|security and network|it service management|ict service management|ict-beheer",
        "0612",
        "network and systems administration",
        None,
        None,
    ),
    (
        r"computer engineering|embedded|industriele automatisering|smart industry|systems and control|smart systems|mechatronica",
        "0714",
        "electronics and automation",
        None,
        None,
    ),
    (r"^ad-ict$|^ict$", "0610", "ICT, specialisation not known", None, None),
    (
        r"informatica|computer science|computing science|software|hbo-ict|game technolog|serious gaming|artificial intelligence|"
        r"kunstmatige intelligentie|knowledge engineering|mediatechnology|human-machine|interaction technology|"
        r"internet|lifestyle informatics|distributed computer|^ict ",
        "0613",
        "software and computer science",
        None,
        None,
    ),
    # --- engineering ---------------------------------------------------------------------------
    (
        r"molecular science and technology|chemische technologie|chemical engineering|scheikundige technologie",
        "0711",
        "chemical engineering",
        None,
        None,
    ),
    (
        r"watermanagement|water technolog|watertechnologie|land- en watermanagement|land and water management|land- and water|industrial ecology|"
        r"urban environmental management",
        "0712",
        "water and environmental technology",
        None,
        None,
    ),
    (
        r"energietechniek|energy technology|renewable energy|energy for society|installatietechniek|elektrotechniek$|"
        r"^elektrotechniek|electrical engineering",
        "0713",
        "electrical and energy engineering",
        None,
        None,
    ),
    (r"werktuigbouw|mechanical engineering|maintenance & mechanics", "0715", "mechanical engineering", None, None),
    (
        r"luchtvaart|aerospace|aviation|automotive|maritieme techniek|marine technology|ocean technology|marine shipping|"
        r"offshore and dredging",
        "0716",
        "vehicles, ships and aircraft",
        None,
        None,
    ),
    (r"nanotechnolog", "0719", "nanotechnology", None, None),
    (
        r"food technology|voedingsmiddelentechnolog|food innovation|food commerce & technology|food quality|food safety",
        "0721",
        "food science and technology",
        None,
        None,
    ),
    (r"materials science|biobased materials", "0722", "materials", None, None),
    (r"textile", "0723", "textiles", None, None),
    (r"interieurarchitectuur|interior architecture|interieurvormgever", "0212", "interior design", None, None),
    (r"geografie|geography", "0314", "geography (social)", None, None),
    (
        r"planolog|spatial planning|planning|architect|urbanism|stedenbouw|ruimtelijke ontwikkeling|area development|"
        r"metropolitan analysis|management van de leefomgeving|omgevingskunde|landscape and environment",
        "0731",
        "architecture and town planning",
        None,
        None,
    ),
    (r"^bouwkunde$", "0731", "architecture (university faculty of architecture)", ("wo",), None),
    (
        r"bouwkunde|bouwtechnisch|built environment|civiele techniek|civil engineering|construction management|"
        r"integraal bouwmanagement|river delta",
        "0732",
        "building and civil engineering",
        None,
        None,
    ),
    (
        r"industrial design|industrieel ontwerpen|industrieel product|product design|design for interaction|advanced technology|"
        r"technology and liberal arts|technische bedrijfskunde|industrial engineering|operations management and logistics|"
        r"technische bestuurskunde|engineering and policy|complex systems engineering|transport, infrastructure|"
        r"logistics engineering|agrotechnologie|biosystems engineering|mens en techniek|projectleider techniek|engineering",
        "0788",
        "engineering combined with another field",
        None,
        None,
    ),
    # --- natural sciences and mathematics ---------------------------------------------------------
    (r"econometr", "0311", "econometrics", None, None),
    (r"actuari|statistic", "0542", "statistics and actuarial science", None, None),
    (
        r"wiskunde|mathemat|stochastics|^logic$|operations research|business analytics|computational science",
        "0541",
        "mathematics",
        None,
        None,
    ),
    (
        r"natuurkunde|physics|sterrenkunde|astronom|nanoscience|nuclear fusion",
        "0533",
        "physics and astronomy",
        None,
        None,
    ),
    (r"scheikunde|chemistry|chemische wetenschappen|^chemie$", "0531", "chemistry", None, None),
    (
        r"biotechnolog|molecular|moleculaire|biomolecular|life science and technology|nanobiolog|forensi[sc].*(onderzoek|science)|"
        r"forensisch laboratorium|biobased sciences",
        "0512",
        "biochemistry, biotechnology or forensic science",
        None,
        None,
    ),
    (
        r"aardwetenschap|earth science|geoscien|hydrology|soil, water|climate|meteorolog|geographical sciences|aarde en economie|"
        r"earth and environment",
        "0532",
        "earth sciences and geo-information",
        None,
        None,
    ),
    (
        r"environmental science|milieu-natuurwetenschap|milieukunde|energy and environmental|governance of sustainability|"
        r"sustainability science|future planet|environment and resource",
        "0521",
        "environmental sciences",
        None,
        None,
    ),
    (r"bos- en natuurbeheer", "0821", "forestry (applied)", ("hbo",), None),
    (r"bos- en natuurbeheer|forest and nature|kust en zee", "0522", "nature conservation", None, None),
    (r"aquaculture", "0831", "fisheries and aquaculture", None, None),
    (
        r"animal sciences|plant(en)?wetenschap|plant sciences|veehouderij|melkvee|dairy|diermanagement|agribusiness|agrarisch|"
        r"organic agriculture|bodembeheer|akkerbouw",
        "0811",
        "crop and livestock production",
        None,
        None,
    ),
    (r"tuinbouw|tuin- en landschap", "0812", "horticulture", None, None),
    (
        r"biolog|life sciences|levenswetenschap|ecology|evolution|biosciences|neuroscien|biological",
        "0511",
        "biology",
        None,
        None,
    ),
    (
        r"^science|beta-gamma|science, business|natuurwetenschap en innovatie|natuurwetenschappen en bedrijf|science and innovation|"
        r"applied science",
        "0588",
        "natural sciences combined with another field",
        None,
        None,
    ),
    # --- social sciences, business, law ----------------------------------------------------------
    (
        r"psycholog|behavioural|gedragswetenschap|individual differences|human decision|cognitive|cognition|genes in behaviour|"
        r"human-technology",
        "0313",
        "psychology and cognitive science",
        None,
        None,
    ),
    (r"accountan|accounting|fiscal|fiscale|tax", "0411", "accounting and taxation", None, None),
    (r"financ|bancair|bank", "0412", "finance, banking and insurance", None, None),
    (r"marketing|commerci|sales|creative business|trend research", "0414", "marketing and sales", None, None),
    (r"officemanagement", "0415", "office work", None, None),
    (r"retail|winkel", "0416", "retail", None, None),
    (r"hotel", "1013", "hotel management", None, None),
    (r"tourism|toerisme|leisure|vrijetijd|events|eventmanag", "1015", "tourism and leisure", None, None),
    (r"veiligheidskunde", "1032", "safety and security services", None, None),
    (r"econom", "0311", "economics", None, None),
    (r"journalist", "0321", "journalism", None, None),
    (
        r"communicati|communication|media strategy|media innovation|contentcreator|creative media professional",
        "0321",
        "communication and media",
        None,
        None,
    ),
    (r"informatiedienstverlening|erfgoed|heritage", "0322", "information, heritage and museum studies", None, None),
    (
        r"bestuur|public administration|management publieke|organisatiewetenschap|organization studies|personeelwetenschap|"
        r"human resource|bedrijfskunde|business|management|ondernem|entrepreneurship|strategy|strategic|logisti|supply chain|"
        r"vastgoed|real estate|facilit|accountmanagement|innovation|consulting|change",
        "0413",
        "management and administration",
        None,
        None,
    ),
    (r"filosof|philosoph|zorgethiek", "0223", "philosophy and ethics", None, None),
    (r"talen en culturen|taal en cultuur", "0232", "languages and cultures", None, None),
    (
        r"politic|politiek|international relations|internationale betrekkingen|international studies|european|europese|"
        r"security|crisis|conflict|public policy|public affairs|global responsibility|philosophy, politics",
        "0312",
        "political science",
        None,
        None,
    ),
    (
        r"social work|sociaal werk|sociaal-juridische|maatschappelijk|community development|ervaringsdeskundig|welzijn|"
        r"health & social|pastoraal|sociaal financiele",
        "0923",
        "social work",
        None,
        None,
    ),
    (r"jeugd", "0922", "youth services", None, None),
    (
        r"innovatiewetenschap|innovation sciences",
        "0319",
        "innovation studies (social science of technology)",
        None,
        None,
    ),
    (r"consumentenwetenschap", "0413", "business and consumer studies", None, None),
    (
        r"forensisch sociale|milieu-maatschappij|societ|social and cultural science|spatial sciences",
        "0314",
        "social sciences",
        None,
        None,
    ),
    (
        r"sociolog|antropolog|anthropolog|sociale wetenschap|social science|population|migration|development|ontwikkelingsstud|"
        r"ontwikkelingssoc|geografie|geography|criminol|criminaliteit|victimolog|urban studies|culture, organization|"
        r"asian studies|digital society|society",
        "0314",
        "sociology, geography and cultural studies",
        None,
        None,
    ),
    # --- arts and humanities --------------------------------------------------------------------
    (r"conservering en restauratie|arts & crafts", "0214", "handicrafts and conservation", None, None),
    (
        r"animatie|film|televisie|type and media|technische productie|digital design|multimedia|game|online content",
        "0211",
        "audio-visual techniques and media production",
        None,
        None,
    ),
    (r"vormgeving|design|fashion", "0212", "design", None, None),
    (r"beeldende kunst|fine art", "0213", "fine arts", None, None),
    (
        r"muziek|music|opera|dans|theater|theatre|circus|choreograf|sonologie|performing|dirigent",
        "0215",
        "music and performing arts",
        None,
        None,
    ),
    (r"theolog|religie|predikant|godsdienst|humanistiek|verdieping", "0221", "religion and theology", None, None),
    (r"geschiedenis|history|historical|oudheid|archeolog|archaeolog", "0222", "history and archaeology", None, None),
    (r"vertaal|schrijftolk|tolk", "0231", "language acquisition, translation and interpreting", None, None),
    (
        r"taal|talen|language|linguist|letterkunde|literatu|neerlandistiek|nederlandkunde|studies|multilingualism|"
        r"islam en arabisch",
        "0232",
        "languages, literature and area studies",
        None,
        None,
    ),
    (
        r"kunst|cultuur|culture|media|humanities|interdisciplinary arts|creativ|crossover",
        "0288",
        "arts and humanities combined",
        None,
        None,
    ),
    (r"liberal arts", "0288", "liberal arts and sciences", None, None),
]

# When no rule matches: the CROHO sector's usual field.
HO_ISCED_SECTOR_DEFAULTS = {
    "techniek": "0788",
    "natuur": "0588",
    "landbouw en natuurlijke omgeving": "0888",
    "gezondheidszorg": "0919",
    "economie": "0413",
    "recht": "0421",
    "gedrag en maatschappij": "0319",
    "taal en cultuur": "0288",
    "onderwijs": "0111",
    "sectoroverstijgend": "0388",
}

# Per-code decisions that the rules above would get wrong: code -> (field, reason)
HO_ISCED_OVERRIDES: dict[str, tuple[str, str]] = {
    "30036": ("0211", "override: game and media design and production (computer game production sits in 0211)"),
    "34951": ("0413", "override: arts management, not economics"),
    "80115": ("0413", "override: logistics management (0413), not economics"),
    "60121": ("0313", "override: clinical and cognitive neuroscience is psychology-based"),
    "60803": ("0413", "override: management and policy in the life sciences"),
    "60453": ("0413", "override: business-school master in information management (business, not ICT)"),
    "55822": ("0288", "override: media, art, design and architecture as a humanities programme"),
}


def classify_ho_isced(prog: Programme, fields: dict[str, IscedField]) -> tuple[str, str]:
    if prog.code in HO_ISCED_OVERRIDES:
        return HO_ISCED_OVERRIDES[prog.code]
    name = prog.bare_name.lower()
    for pattern, code, label, levels, sectors in HO_ISCED_RULES:
        if levels and prog.level not in levels:
            continue
        if sectors and not set(prog.sectors) & set(sectors):
            continue
        if re.search(pattern, name):
            return code, f"name rule: {label} ({fields[code].name})"
    code = HO_ISCED_SECTOR_DEFAULTS[prog.sector]
    return code, f"no name rule matched: default for CROHO sector {prog.sector} ({fields[code].name})"


# ---------------------------------------------------------------------------------------------
# Dutch definition (bètatechniek) for hbo/wo, after the published Sminia rules:
#   1. every programme registered under CROHO sector natuur or techniek counts (for a code that
#      DUO shows under two sectors at different institutions: if either is natuur or techniek);
#   2. elsewhere a programme counts if more than half of its content is science or technology:
#      a. the named additions below (teacher training in science subjects, science-based
#         agriculture and nutrition, health technology, econometrics), whose ISCED-F field lies
#         outside 05-07, each with its reason;
#      b. programmes whose main field (the ISCED-F field above) is in 05, 06 or 07, except the
#         named exclusions (spatial planning and architecture taught as design/policy);
#   3. per-code overrides win over everything.
# ---------------------------------------------------------------------------------------------

NL_STEM_SECTORS = ("natuur", "techniek")
NL_HO_SOURCE = "project best effort after the Sminia rules (CROHO sector natuur/techniek plus programmes with more than half science/technology); programmes from DUO open data 2019"
ISCED_HO_SOURCE = "project best effort: ISCED-F 2013 detailed field by name rules (UNESCO-UIS field descriptions 2015); programmes from DUO open data 2019"

TEACHER_SUBJECTS = [  # (pattern in the name, subject in the reason)
    (r"wiskunde en natuurwetenschappen|betawetenschappen|science education", "science subjects"),
    (r"wiskunde", "mathematics"),
    (r"natuurkunde", "physics"),
    (r"scheikunde", "chemistry"),
    (r"biologie", "biology"),
    (r"informatica", "computer science"),
    (r"mens en technologie", "technology (Mens en Technologie)"),
    (r"technisch beroepsonderwijs", "technical vocational subjects"),
    (r"tweede graad in techniek|^onderwijsondersteuner techniek$", "technology"),
]

NL_HO_ADDITIONS = [  # (pattern, sectors, cluster, reason) for programmes outside natuur/techniek
    (
        r"animal sciences|plant(en)?wetenschap|plant sciences|voeding en gezondheid|nutrition and health|aquaculture",
        ("landbouw en natuurlijke omgeving",),
        "landbouw en voedsel",
        "university life-science programme in agriculture or nutrition: more than half biology and chemistry",
    ),
    (
        r"medisch beeldvormende|radiotherap",
        ("gezondheidszorg",),
        "gezondheidstechniek",
        "medical imaging and radiotherapy technology: more than half physics and technology",
    ),
    (
        r"klinische technologie|technical medicine",
        ("gezondheidszorg",),
        "gezondheidstechniek",
        "technical medicine: more than half engineering and physics",
    ),
    (
        r"zorg en technologie",
        ("gezondheidszorg",),
        "gezondheidstechniek",
        "care technology: the programme is built around technical systems in care",
    ),
    (r"econometr", ("economie",), "natuur", "econometrics: more than half mathematics and statistics"),
]

NL_HO_EXCLUSIONS = [  # (pattern, reason): ISCED-F field in 05-07 but not counted
    (
        r"planolog|planning|architect|stedenbouw|urbanism|leefomgeving|omgevingskunde|landscape and environment|area development",
        "spatial planning or architectural design outside CROHO techniek: ISCED-F puts it in 0731, but the programme is "
        "design- or policy-led, not more than half technology",
    ),
]

NL_HO_OVERRIDES: dict[str, tuple[bool, str, str]] = {}  # code -> (is_stem, cluster, reason)

CLUSTER_BY_BROAD = {"05": "natuur", "06": "ICT", "07": "techniek"}


def classify_ho_nl(prog: Programme, isced: str, fields: dict[str, IscedField]) -> tuple[bool, str, str]:
    if prog.code in NL_HO_OVERRIDES:
        return NL_HO_OVERRIDES[prog.code]
    name = prog.bare_name.lower()
    stem_sectors = [s for s in sorted(prog.sectors, key=lambda s: (-prog.sectors[s], s)) if s in NL_STEM_SECTORS]
    if stem_sectors:
        sector = stem_sectors[0]
        others = sorted(set(prog.sectors) - {sector})
        also = f" (DUO also shows it under {' and '.join(others)})" if others else ""
        cluster = "ICT" if isced[:2] == "06" else "lerarenopleiding beta" if isced == "0114" else sector
        return True, cluster, f"CROHO sector {sector}{also}: every programme in natuur and techniek counts"
    sectors = set(prog.sectors)
    if isced == "0114":
        for pattern, subject in TEACHER_SUBJECTS:
            if re.search(pattern, name):
                return (
                    True,
                    "lerarenopleiding beta",
                    f"teacher training in {subject}: more than half of the content is the subject itself",
                )
        return False, "", f"teacher training outside science and technology (CROHO sector {prog.sector})"
    for pattern, allowed, cluster, reason in NL_HO_ADDITIONS:
        if sectors & set(allowed) and re.search(pattern, name):
            return True, cluster, reason
    broad = isced[:2]
    if broad in STEM_BROAD:
        for pattern, reason in NL_HO_EXCLUSIONS:
            if re.search(pattern, name):
                return False, "", reason
        if prog.sector == "landbouw en natuurlijke omgeving" and broad != "06":
            cluster = "landbouw en voedsel"
        else:
            cluster = CLUSTER_BY_BROAD[broad]
        return (
            True,
            cluster,
            (
                f"CROHO sector {prog.sector}, but the main field is ISCED-F {isced} ({fields[isced].name}): "
                f"more than half science/technology"
            ),
        )
    return (
        False,
        "",
        (f"CROHO sector {prog.sector}; main field ISCED-F {isced} ({fields[isced].name}) is not science or technology"),
    )


HO_NL_COLUMNS = [
    "code",
    "name",
    "level",
    "croho_sector",
    "is_stem",
    "cluster",
    "reason",
    "source",
    "valid_from",
    "valid_to",
]
HO_ISCED_COLUMNS = [
    "code",
    "name",
    "level",
    "isced_f_detailed",
    "isced_f_narrow",
    "isced_f_broad",
    "is_stem",
    "reason",
    "source",
    "valid_from",
    "valid_to",
]


def ho_tables(programmes: dict[str, Programme], fields: dict[str, IscedField]) -> tuple[list[dict], list[dict]]:
    nl_rows, isced_rows_ = [], []
    for prog in sorted(programmes.values(), key=lambda p: p.code):
        isced, isced_reason = classify_ho_isced(prog, fields)
        is_stem, cluster, reason = classify_ho_nl(prog, isced, fields)
        nl_rows.append(
            {
                "code": prog.code,
                "name": prog.name,
                "level": prog.level,
                "croho_sector": prog.sector,
                "is_stem": fmt_bool(is_stem),
                "cluster": cluster,
                "reason": reason,
                "source": NL_HO_SOURCE,
                "valid_from": "2000",
                "valid_to": "",
            }
        )
        isced_rows_.append(isced_row(prog.code, prog.name, {"level": prog.level}, isced, isced_reason, ISCED_HO_SOURCE))
    return nl_rows, isced_rows_


def isced_row(
    code: str, name: str, extra: dict, isced: str, reason: str, source: str, valid_from: str = "2000"
) -> dict:
    return {
        "code": code,
        "name": name,
        **extra,
        "isced_f_detailed": isced,
        "isced_f_narrow": isced[:3],
        "isced_f_broad": isced[:2],
        "is_stem": fmt_bool(isced[:2] in STEM_BROAD),
        "reason": reason,
        "source": source,
        "valid_from": valid_from,
        "valid_to": "",
    }


# ---------------------------------------------------------------------------------------------
# Secondary education (vo): havo/vwo profiles and vmbo programmes
# ---------------------------------------------------------------------------------------------
# havo/vwo profile codes (INSPECTIECODE) and names as DUO writes OPLEIDINGSNAAM in the exam files
# (DUO's exam files). HAVO 55 and 56 are not in the excerpt of the exam file:
# they are filled in by analogy with VWO 65 and 66 and marked as such.
HAVO_VWO_PROFILES = [  # (code, level, profile part of the name, confirmed)
    ("50", "havo", "N&T", True),
    ("51", "havo", "N&G", True),
    ("52", "havo", "E&M", True),
    ("53", "havo", "C&M", True),
    ("54", "havo", "N&T / N&G", True),
    ("55", "havo", "N&T / E&M", False),
    ("56", "havo", "N&T / C&M", False),
    ("57", "havo", "N&G / C&M", True),
    ("58", "havo", "N&G / E&M", True),
    ("59", "havo", "E&M / C&M", True),
    ("60", "vwo", "N&T", True),
    ("61", "vwo", "N&G", True),
    ("62", "vwo", "E&M", True),
    ("63", "vwo", "C&M", True),
    ("64", "vwo", "N&T / N&G", True),
    ("65", "vwo", "N&T / E&M", True),
    ("66", "vwo", "N&T / C&M", True),
    ("67", "vwo", "N&G / C&M", True),
    ("68", "vwo", "N&G / E&M", True),
    ("69", "vwo", "E&M / C&M", True),
]
PROFILE_NAMES = {
    "N&T": "Natuur en Techniek",
    "N&G": "Natuur en Gezondheid",
    "E&M": "Economie en Maatschappij",
    "C&M": "Cultuur en Maatschappij",
}

# vmbo profiles of the 2016 reform. DUO's exam file reports vmbo only by the old sectors, so these
# rows carry project codes (VMBO-<abbreviation>), for sources that report the profile.
VMBO_PROFILES = [  # (project code, name, technical, ISCED-F field, reason for the field)
    (
        "VMBO-BWI",
        "VMBO - Bouwen, wonen en interieur (BWI)",
        True,
        "0732",
        "building trades, carpentry and interior work",
    ),
    (
        "VMBO-PIE",
        "VMBO - Produceren, installeren en energie (PIE)",
        True,
        "0715",
        "metalwork and installation, with electrical work",
    ),
    ("VMBO-MT", "VMBO - Mobiliteit en transport (M&T)", True, "0716", "motor vehicles and bicycles, with transport"),
    ("VMBO-MVI", "VMBO - Media, vormgeving en ICT (MVI)", True, "0211", "media production and design, with some ICT"),
    ("VMBO-MaT", "VMBO - Maritiem en techniek (MaT)", True, "0716", "ships and maritime engineering"),
    ("VMBO-ZW", "VMBO - Zorg en welzijn (Z&W)", False, "0988", "care, welfare and health combined"),
    ("VMBO-EO", "VMBO - Economie en ondernemen (E&O)", False, "0488", "business, retail and administration combined"),
    ("VMBO-HBR", "VMBO - Horeca, bakkerij en recreatie (HBR)", False, "1013", "hospitality and catering"),
    ("VMBO-GR", "VMBO - Groen", False, "0888", "agriculture, horticulture and nature combined"),
    (
        "VMBO-DP",
        "VMBO - Dienstverlening en producten (D&P)",
        False,
        "0099",
        "broad profile across services, products and ICT",
    ),
]
VMBO_SECTOR_ISCED = {
    "techniek": "0788",
    "zorg en welzijn": "0988",
    "zorg & welzijn": "0988",
    "economie": "0488",
    "landbouw": "0888",
}
VO_COLUMNS_NL = ["code", "name", "level", "is_stem", "cluster", "reason", "source", "valid_from", "valid_to"]
VO_COLUMNS_ISCED = [
    "code",
    "name",
    "level",
    "isced_f_detailed",
    "isced_f_narrow",
    "isced_f_broad",
    "is_stem",
    "reason",
    "source",
    "valid_from",
    "valid_to",
]
VO_SOURCE_DUO = "DUO examenkandidaten en geslaagden 2019-2024 (INSPECTIECODE, OPLEIDINGSNAAM); project rule"
VO_SOURCE_PROFILE = "project code for the vmbo profile (Wet profielen vmbo, since 2016); project rule"


def load_vo_programmes(source: Path) -> list[tuple[str, str, str]]:
    rows = read_duo_csv(source / VO_FILE)
    return sorted(
        {(r["ONDERWIJSTYPE VO"], r["INSPECTIECODE"], r["OPLEIDINGSNAAM"]) for r in rows if r.get("INSPECTIECODE")}
    )


def vo_tables(vo_seen: list[tuple[str, str, str]]) -> tuple[list[dict], list[dict]]:
    nl, isc = [], []
    expected = {
        code: (level, f"{level.upper()} - {profile}", confirmed)
        for code, level, profile, confirmed in HAVO_VWO_PROFILES
    }
    for kind, code, name in vo_seen:
        wrong = code not in expected or expected[code][1] != name or expected[code][0] != kind.lower()
        if kind in ("HAVO", "VWO") and wrong:
            raise BuildError(f"exam file: {kind} {code} {name!r} differs from the profile list in this script")
    for code, (level, name, confirmed) in sorted(expected.items()):
        parts = name.split(" - ", 1)[1].split(" / ")
        n_profile = [p for p in parts if p.startswith("N&")]
        spelled = " / ".join(PROFILE_NAMES[p] for p in parts)
        note = "" if confirmed else " Code and name inferred by analogy with the VWO code (not yet seen in DUO files)."
        if n_profile:
            reason = f"{spelled}: contains the N-profile {' and '.join(n_profile)}.{note}"
        else:
            reason = f"{spelled}: no N-profile.{note}"
        nl.append(
            {
                "code": code,
                "name": name,
                "level": level,
                "is_stem": fmt_bool(bool(n_profile)),
                "cluster": "N-profiel" if n_profile else "",
                "reason": reason,
                "source": VO_SOURCE_DUO,
                "valid_from": "1998",
                "valid_to": "",
            }
        )
        isc.append(
            isced_row(
                code,
                name,
                {"level": level},
                "0011",
                "general upper-secondary programme: ISCED-F 0011 (generic programmes), whatever the profile",
                VO_SOURCE_DUO,
                "1998",
            )
        )
    for kind, code, name in vo_seen:
        if kind != "VMBO":
            continue
        track, sector = re.match(r"VMBO (\w+) - (.+)$", name).groups()
        stem = sector == "techniek"
        reason = (
            "vmbo sector techniek: the technical sector counts"
            if stem
            else f"vmbo sector {sector}: outside the technical sector"
        )
        nl.append(
            {
                "code": code,
                "name": name,
                "level": "vmbo",
                "is_stem": fmt_bool(stem),
                "cluster": "techniek" if stem else "",
                "reason": reason,
                "source": VO_SOURCE_DUO,
                "valid_from": "1999",
                "valid_to": "",
            }
        )
        if track == "T":
            isced, ireason = (
                "0011",
                "theoretical track (TL): general education; the sector only names the exam subjects",
            )
        else:
            isced = VMBO_SECTOR_ISCED[sector]
            ireason = f"pre-vocational track ({track}) in sector {sector}: the sector's vocational field, combined"
        isc.append(isced_row(code, name, {"level": "vmbo"}, isced, ireason, VO_SOURCE_DUO, "1999"))
    for code, name, technical, isced, why in VMBO_PROFILES:
        reason = (
            "technical vmbo profile (one of BWI, PIE, M&T, MVI, MaT); project code, DUO's exam file has no profile code"
            if technical
            else "non-technical vmbo profile; project code, DUO's exam file has no profile code"
        )
        nl.append(
            {
                "code": code,
                "name": name,
                "level": "vmbo",
                "is_stem": fmt_bool(technical),
                "cluster": "techniek" if technical else "",
                "reason": reason,
                "source": VO_SOURCE_PROFILE,
                "valid_from": "2016",
                "valid_to": "",
            }
        )
        isc.append(
            isced_row(
                code,
                name,
                {"level": "vmbo"},
                isced,
                f"vocational field of the profile: {why}; Eurostat does not report lower-secondary programmes by field",
                VO_SOURCE_PROFILE,
                "2016",
            )
        )
    nl.sort(key=lambda r: r["code"])
    isc.sort(key=lambda r: r["code"])
    return nl, isc


# ---------------------------------------------------------------------------------------------
# mbo qualifications (crebo)
# ---------------------------------------------------------------------------------------------
# Qualifications beyond DUO's excerpt, so that every DOMEIN is covered: crebo, name and domain are
# taken from the Regeling vaststelling kwalificatiedossiers 2015 (Staatscourant; Bijlage 1, the
# qualification structure valid from 1 August 2015). The regulation has no MBO SECTOR: for domains
# present in DUO's file the sector is the one DUO writes for that domain's 25xxx codes; for
# "Ambacht, laboratorium en gezondheidstechniek" (techniek) and "Voedsel, natuur en leefomgeving"
# (groen) it is assigned by the project.
MBO_EXTRA_BY_DOMAIN: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("Ambacht, laboratorium en gezondheidstechniek", "techniek"): [
        ("25044", "Allround laborant"),
        ("25045", "Biologisch medisch analist"),
        ("25046", "Chemisch-fysisch analist"),
        ("25047", "Audicien"),
        ("25048", "Behoudsmedewerker"),
        ("25049", "Glazenier"),
        ("25050", "Keramist"),
        ("25051", "Ontwerpend Leer- en Textielverwerker"),
        ("25052", "Ontwerpend Meubelmaker"),
        ("25053", "Medewerker Steriele Medische Hulpmiddelen"),
        ("25054", "Allround Medewerker Optiek"),
        ("25055", "Opticien"),
        ("25056", "Verkoopmedewerker Optiek"),
        ("25057", "Leestenmaker"),
        ("25058", "Orthopedisch Schoentechnicus"),
        ("25059", "Schoentechnisch Voorzieningenmaker"),
        ("25060", "Pianotechnicus"),
        ("25061", "Maatschoenmaker"),
        ("25062", "Schoenhersteller 2"),
        ("25063", "Schoenhersteller 3"),
        ("25064", "Zadel- en tuigenmaker"),
        ("25065", "Tandtechnicus Kroon- en Brugwerk"),
        ("25066", "Tandtechnicus Prothese"),
        ("25067", "Tandtechnisch Medewerker Basistechnieken"),
        ("25068", "Technisch Oogheelkundig Assistent"),
        ("25069", "Basisgoudsmid"),
        ("25070", "Goudsmid"),
        ("25071", "Zilversmid"),
        ("25072", "Juwelier"),
        ("25073", "Medewerker Juwelier"),
        ("25074", "Orthopedisch Technicus"),
        ("25075", "Orthopedisch Technisch Medewerker"),
        ("25076", "Medewerker Uurwerktechniek"),
        ("25077", "Uurwerktechnicus"),
    ],
    ("Voedsel, natuur en leefomgeving", "groen"): [
        ("25429", "Medewerker agrarisch loonwerk"),
        ("25430", "Medewerker agrohandel en logistiek"),
        ("25431", "Medewerker teelt"),
        ("25432", "Medewerker veehouderij"),
        ("25433", "Vakbekwaam medewerker agrarisch loonwerk"),
        ("25434", "Vakbekwaam medewerker agrohandel en logistiek"),
        ("25435", "Vakbekwaam medewerker teelt"),
        ("25436", "Vakbekwaam medewerker veehouderij"),
        ("25437", "Vakexpert agrarisch loonwerk"),
        ("25438", "Vakexpert agrohandel en logistiek"),
        ("25439", "Vakexpert biologisch-dynamische landbouw"),
        ("25440", "Vakexpert teelt en groene technologie"),
        ("25441", "Vakexpert veehouderij"),
        ("25442", "Bedrijfsleider/ondernemer bloem, groen en styling"),
        ("25443", "Medewerker bloem, groen en styling"),
        ("25444", "Vakbekwaam medewerker bloem, groen en styling"),
        ("25445", "Vakexpert bloem, groen en styling"),
        ("25446", "Bedrijfsleider dierverzorging"),
        ("25447", "Dierenartsassistent paraveterinair"),
        ("25448", "Medewerker dierverzorging"),
        ("25449", "Proefdierverzorger"),
        ("25450", "Vakbekwaam medewerker dierverzorging"),
        ("25451", "Medewerker groen en cultuurtechniek"),
        ("25452", "Medewerker hovenier"),
        ("25453", "Medewerker natuur, water en recreatie"),
        ("25454", "Opzichter/uitvoerder groene ruimte"),
        ("25455", "Vakbekwaam hovenier"),
        ("25456", "Vakbekwaam medewerker groen en cultuurtechniek"),
        ("25457", "Vakbekwaam medewerker natuur, water en recreatie"),
        ("25458", "Milieu-inspecteur"),
        ("25459", "Milieu-onderzoeker"),
        ("25460", "Medewerker voeding en technologie"),
        ("25461", "Vakbekwaam medewerker voeding en technologie"),
        ("25462", "Vakexpert voeding en kwaliteit"),
        ("25463", "Vakexpert voeding en technologie"),
        ("25464", "Vakexpert voeding en voorlichting"),
        ("25465", "Specialist vruchtbaarheid en voortplanting"),
        ("25466", "Specialist proefdierverzorging"),
        ("25467", "Hoefsmid"),
        ("25468", "Bedrijfsleider paardensport en -houderij"),
        ("25469", "Instructeur paardensport en -houderij"),
        ("25470", "Vakbekwaam medewerker paardensport en -houderij"),
        ("25501", "Verkoopspecialist groene detailhandel"),
        ("25502", "Manager retail"),
        ("25503", "Verkoper"),
    ],
    ("Techniek en procesindustrie", "techniek"): [
        ("25262", "Technicus elektrotechnische industriële installaties en systemen"),
        ("25263", "Technicus elektrotechnische installaties woning en utiliteit"),
        ("25265", "Technicus human technology"),
        ("25280", "Airco/warmtepompmonteur"),
        ("25281", "Eerste monteur koude- en klimaatsystemen"),
        ("25301", "Researchinstrumentmaker"),
        ("25303", "Operator C"),
        ("25312", "Tekenaar constructeur"),
        ("25323", "Technicus avionica"),
        ("25324", "Technicus mechanica"),
        ("25334", "Medewerker Operationele techniek"),
        ("25335", "Mechanisch operator A"),
        ("25337", "Procesoperator A"),
        ("25338", "Procesoperator B"),
        ("25340", "Eerste monteur mechatronica"),
        ("25344", "Technicus mechatronica systemen"),
        ("25345", "Allround operationeel technicus"),
        ("25350", "Monteur werktuigkundige installaties"),
    ],
    ("Informatie en communicatietechnologie", "economie"): [("25188", "Gamedeveloper")],
    ("Media en vormgeving", "techniek"): [
        ("25193", "Allround medewerker AV-productie"),
        ("25194", "AV-specialist"),
        ("25195", "Fotograaf"),
        ("25197", "Allround DTP-er"),
        ("25198", "Medewerker DTP"),
        ("25208", "Drukker"),
        ("25212", "Ruimtelijk vormgever"),
        ("25215", "Signspecialist"),
    ],
    ("Mobiliteit en voertuigen", "techniek"): [
        ("25219", "Serviceadviseur Mobiliteitsbranche"),
        ("25239", "Verkoopadviseur Mobiliteitsbranche"),
        ("25247", "Technicus mobiele werktuigen"),
        ("25248", "Technisch Specialist Bedrijfsauto's"),
    ],
    ("Transport, scheepvaart en logistiek", "techniek"): [
        ("25358", "Baggermeester"),
        ("25364", "Chauffeur wegvervoer"),
        ("25374", "scheeps- en jachtbouwkundige"),
        ("25379", "Manager Transport en Logistiek"),
        ("25384", "Machinist railvervoer"),
        ("25389", "Planner wegtransport"),
    ],
    ("Bouw en infra", "techniek"): [
        ("25091", "Allround vakman gww"),
        ("25105", "Middenkaderfunctionaris Infra"),
        ("25106", "Middenkaderfunctionaris Landmeetkunde"),
        ("25119", "Uitvoerder bouw/infra"),
    ],
    ("Afbouw, hout en onderhoud", "techniek"): [
        ("25017", "Allround meubelmaker/(scheeps)interieurbouwer"),
        ("25023", "Allround vakkracht onderhoud- en klussenbedrijf"),
        ("25034", "Schoonmaker in verschillende omgevingen"),
        ("25038", "Stukadoor"),
    ],
    ("Handel en ondernemerschap", "economie"): [
        ("25158", "Interieuradviseur"),
        ("25160", "Leidinggevende team/afdeling/project"),
        ("25161", "Technisch Leidinggevende"),
    ],
    ("Toerisme en recreatie", "economie"): [
        ("25355", "Allround medewerker watersportindustrie"),
        ("25356", "Medewerker watersportindustrie"),
        ("25357", "Meewerkend voorman watersportindustrie"),
    ],
    ("Zorg en welzijn", "zorg en welzijn"): [("25490", "Tandartsassistent")],
    ("Uiterlijke verzorging", "zorg en welzijn"): [("25402", "Allround Grimeur"), ("25405", "Medisch Pedicure")],
    ("niet toebedeeld aan Opleidingsdomeinen", "combinatie van sectoren"): [
        ("25256", "Assistent procestechniek"),
        ("25258", "Assistent plant of (groene) leefomgeving"),
        ("25259", "Assistent logistiek"),
        ("25260", "Assistent horeca, voeding of voedingsindustrie"),
        ("25261", "Assistent verkoop/retail"),
    ],
}
MBO_SECTOR_ASSIGNED = {"Ambacht, laboratorium en gezondheidstechniek", "Voedsel, natuur en leefomgeving"}

# The domains of the 2016 qualification structure (and DUO's value for Entree). SBB's former
# technical domains, as DUO writes DOMEIN, with the cluster used in the table:
MBO_TECH_DOMAINS = {
    "Afbouw, hout en onderhoud": "bouw",
    "Bouw en infra": "bouw",
    "Techniek en procesindustrie": "techniek",
    "Ambacht, laboratorium en gezondheidstechniek": "laboratorium en gezondheidstechniek",
    "Informatie en communicatietechnologie": "ICT",
    "Media en vormgeving": "media en vormgeving",
    "Mobiliteit en voertuigen": "mobiliteit en transport",
    "Transport, scheepvaart en logistiek": "mobiliteit en transport",
}
MBO_OTHER_DOMAINS = {
    "Economie en administratie",
    "Handel en ondernemerschap",
    "Horeca en bakkerij",
    "Toerisme en recreatie",
    "Uiterlijke verzorging",
    "Veiligheid en sport",
    "Voedsel, natuur en leefomgeving",
    "Zorg en welzijn",
    "niet toebedeeld aan Opleidingsdomeinen",
}
MBO_SECTORS = {"techniek", "economie", "zorg en welzijn", "groen", "combinatie van sectoren"}

# Named exceptions outside the technical domains: crebo -> (cluster, reason)
NL_MBO_EXCEPTIONS = {
    "25460": ("voedseltechnologie", "food technology: process operation and food science in the food industry"),
    "25461": ("voedseltechnologie", "food technology: process operation and food science in the food industry"),
    "25463": ("voedseltechnologie", "food technology: process technology and product development in the food industry"),
    "25462": ("voedseltechnologie", "food quality: laboratory analysis and process control in the food industry"),
    "25459": (
        "laboratorium en gezondheidstechniek",
        "environmental research: sampling, measurement and laboratory analysis",
    ),
    "25440": ("techniek", "cultivation and greenhouse technology: climate control, mechanisation and automation"),
    "25161": ("techniek", "technical supervisor: builds on a technical trade qualification and leads technical work"),
    "25250": ("bouw", "entry-level profile wholly in building and maintenance trades"),
    "25253": ("techniek", "entry-level profile wholly in installation and metal construction"),
    "25255": ("mobiliteit en transport", "entry-level profile wholly in vehicle maintenance"),
    "25256": ("techniek", "entry-level profile wholly in process technology"),
    "25254": (
        "mobiliteit en transport",
        "entry-level profile in logistics, the field of the technical domain Transport, scheepvaart en logistiek",
    ),
    "25259": (
        "mobiliteit en transport",
        "entry-level profile in logistics, the field of the technical domain Transport, scheepvaart en logistiek",
    ),
}

# ISCED-F for mbo: name rules (lower case), optionally per domain, then the domain default.
MBO_ISCED_RULES: list[tuple[str, str, str, tuple | None]] = [
    (r"^entree$|arbeidsmarktgekwalificeerd", "0417", "entry programme, profile not known: work skills", None),
    (r"assistent bouwen", "0732", "entry profile building and maintenance", None),
    (r"assistent installatie", "0788", "entry profile installation and construction technology", None),
    (r"assistent mobiliteit", "0716", "entry profile vehicle maintenance", None),
    (r"assistent procestechniek", "0711", "entry profile process technology", None),
    (r"assistent logistiek", "1041", "entry profile logistics", None),
    (r"assistent horeca", "1013", "entry profile hospitality", None),
    (r"assistent verkoop", "0416", "entry profile retail", None),
    (r"assistent dienstverlening", "0988", "entry profile care and services", None),
    (r"assistent plant", "0812", "entry profile horticulture", None),
    (r"technisch leidinggevende|leidinggevende team", "0413", "supervision and management", None),
    (r"technicus engineering", "0788", "engineering technician", None),
    (r"meubel|hout|interieurbouw", "0722", "woodworking and furniture making", None),
    (r"ondernemer horeca", "1013", "hospitality management", None),
    (r"bakker|banket|brood|patissi", "0721", "bakery (food processing)", None),
    (r"paard", "0811", "horse husbandry", None),
    (r"frontoffice|^reizen", "1015", "travel and front office", None),
    (r"agrohandel", "0416", "agricultural wholesale", None),
    (r"logistiek (medewerker|teamleider|supervisor)", "1041", "logistics operations", None),
    (r"juridisch", "0421", "legal services", None),
    (r"secreta|receptie|office|management assistant|managementassistent", "0415", "secretarial and office work", None),
    (r"biologisch medisch analist", "0914", "medical laboratory technology", None),
    (r"analist|laborant", "0711", "laboratory technology", None),
    (
        r"audicien|optiek|opticien|orthopedisch|steriele medische|oogheelkundig",
        "0914",
        "medical and optical technology",
        None,
    ),
    (r"tandtechn|tandartsassistent", "0911", "dental technology and assisting", None),
    (r"uurwerk|fiets|tweewieler", "0715", "watchmaking and bicycle repair (mechanics)", None),
    (
        r"goudsmid|zilversmid|juwelier|glazenier|keramist|ontwerpend|pianotechn|behoudsmedewerker",
        "0214",
        "handicrafts",
        None,
    ),
    (r"schoen|zadel|leesten|mode|maatkleding|kleding", "0723", "clothing, footwear and leather", None),
    (
        r"stylist|interieuradvi|kleur- en interieur|ruimtelijk vormgever|productpresentatie|decorbouw",
        "0212",
        "design",
        None,
    ),
    (r"mediaredactie", "0321", "media editing", None),
    (
        r"av-|fotogra|dtp|mediavormgev|printmedia|drukker|nabewerker|mediamanager|podium|evenemententechn|sign|game artist|mediamaker",
        "0211",
        "audio-visual techniques and media production",
        None,
    ),
    (r"applicatie|software|gamedeveloper", "0613", "software development", None),
    (r"ict|netwerk", "0612", "ICT support and administration", None),
    (
        r"elektrotechn|installeren|laagspanning|middenspanning|koude|klimaat|airco|energie",
        "0713",
        "electrical, energy and climate installations",
        None,
    ),
    (r"mechatronica|human technology|data", "0714", "electronics and automation", None),
    (r"operator|procestechn", "0711", "process operation", None),
    (
        r"vliegtuig|avionica|technicus mechanica|scheeps|jachtbouw|watersportindustrie",
        "0716",
        "aircraft, ships and boats",
        None,
    ),
    (
        r"metaal|lasser|plaatwerk|constructiewerk|verspan|pijpenbewerk|gereedschap|instrumentmaker|fijnmechan|werktuigbouw|"
        r"tekenaar constructeur|operationele techniek|operationeel technicus|onderhoudsmonteur|service apparatuur",
        "0715",
        "mechanics and metal trades",
        ("Techniek en procesindustrie",),
    ),
    (
        r"isolatie|werktuigkundige installaties|monteur woning|monteur utiliteit|dakbedekking",
        "0732",
        "building services installation",
        None,
    ),
    (r"landmeet|verkeer en stedenbouw", "0731", "surveying and town planning", None),
    (r"schoonma|glazenwass|vloeronderhoud|objectleider", "1011", "cleaning services", None),
    (r"afval|openbare ruimte|milieustraat", "1021", "waste and public-space services", None),
    (r"verkoop|verkoper|retail|winkel|filiaal|handel|ondernemer detailhandel", "0416", "wholesale and retail", None),
    (r"aftersales|serviceadviseur", "0413", "after-sales management", ("Mobiliteit en voertuigen",)),
    (r"manager transport en logistiek", "0413", "logistics management", None),
    (r"administra|boekhoud|financ|accountant", "0411", "accounting and bookkeeping", None),
    (r"human resource|intercedent", "0413", "human resources", None),
    (r"marketing|communicatie", "0414", "marketing and communication", None),
    (r"bancair|\bbank\b|bank-|verzekering", "0412", "banking and insurance", None),
    (r"commercieel|accountmanager|contactcenter|internationale handel|groothandel", "0416", "sales", None),
    (r"evenementen", "1015", "events", None),
    (r"bibliothe", "0322", "library work", None),
    (r"beveilig|toezicht|handhaver", "1032", "security services", None),
    (r"grondoptreden|onderofficier", "1031", "military", None),
    (r"(^|[\s(,])sport|beweg", "1014", "sports", None),
    (r"verpleeg|verzorgende", "0913", "nursing", None),
    (r"zorghulp|helpende", "0921", "care assistance", None),
    (r"apothekers", "0916", "pharmacy assistance", None),
    (r"doktersassistent", "0914", "medical assisting", None),
    (r"pedagog|kinderopvang", "0922", "child care", None),
    (r"onderwijsassistent|praktijkopleider|instructeur mbo", "0119", "education support and training", None),
    (r"artiest|acteur|danser|musical|muzikant", "0215", "performing arts", None),
    (r"pedicure", "0915", "foot care (therapy)", None),
    (r"kapper|schoonheid|grimeur|salon", "1012", "hair and beauty", None),
    (r"voeding en technologie|voeding en kwaliteit|vers", "0721", "food processing", None),
    (r"voeding en voorlichting", "0915", "nutrition", None),
    (r"milieu-onderzoek", "0521", "environmental science", None),
    (r"milieu-inspect", "0712", "environmental protection", None),
    (r"dierenarts", "0841", "veterinary assisting", None),
    (r"hovenier|groen en cultuur|groene ruimte|bloem", "0812", "horticulture and landscape gardening", None),
    (r"natuur, water", "0522", "nature management", None),
    (
        r"teelt|veehouderij|agrarisch|agrohandel|biologisch-dynamisch|vruchtbaarheid|paard|dierverzorg|proefdier|hoefsmid",
        "0811",
        "crop and livestock production",
        None,
    ),
    (
        r"maatschappelijk|begeleider|ggz|sociaal|dienstverlener|zorg",
        "0923",
        "social care and social work",
        ("Zorg en welzijn",),
    ),
    (r"facilit|dienstverlening", "1011", "facility and domestic services", None),
]
MBO_ISCED_DOMAIN_DEFAULTS = {
    "Afbouw, hout en onderhoud": "0732",
    "Bouw en infra": "0732",
    "Techniek en procesindustrie": "0788",
    "Ambacht, laboratorium en gezondheidstechniek": "0214",
    "Media en vormgeving": "0211",
    "Informatie en communicatietechnologie": "0610",
    "Mobiliteit en voertuigen": "0716",
    "Transport, scheepvaart en logistiek": "1041",
    "Handel en ondernemerschap": "0416",
    "Economie en administratie": "0419",
    "Horeca en bakkerij": "1013",
    "Toerisme en recreatie": "1015",
    "Uiterlijke verzorging": "1012",
    "Veiligheid en sport": "1032",
    "Zorg en welzijn": "0988",
    "Voedsel, natuur en leefomgeving": "0888",
    "niet toebedeeld aan Opleidingsdomeinen": "0417",
}

MBO_NL_COLUMNS = [
    "code",
    "name",
    "domain",
    "mbo_sector",
    "is_stem",
    "cluster",
    "reason",
    "source",
    "valid_from",
    "valid_to",
]
MBO_ISCED_COLUMNS = [
    "code",
    "name",
    "domain",
    "isced_f_detailed",
    "isced_f_narrow",
    "isced_f_broad",
    "is_stem",
    "reason",
    "source",
    "valid_from",
    "valid_to",
]
MBO_SOURCE_DUO = "DUO deelnemers mbo per instelling 2015-2019 (crebo, name, MBO SECTOR, DOMEIN)"
MBO_SOURCE_REG = "Regeling vaststelling kwalificatiedossiers 2015, Bijlage 1 (crebo, name, domain)"


@dataclass(frozen=True)
class Qualification:
    code: str
    name: str
    domain: str
    sector: str
    source: str


def load_qualifications(source: Path) -> dict[str, Qualification]:
    quals: dict[str, Qualification] = {}
    for row in read_duo_csv(source / MBO_FILE):
        code = row["KWALIFICATIE CODE"]
        if not code:
            continue
        q = Qualification(code, row["KWALIFICATIE NAAM"], row["DOMEIN"], row["MBO SECTOR"], MBO_SOURCE_DUO)
        if code in quals and quals[code] != q:
            raise BuildError(f"mbo file: crebo {code} has two descriptions: {quals[code]} / {q}")
        quals[code] = q
    for (domain, sector), items in MBO_EXTRA_BY_DOMAIN.items():
        how = (
            "mbo_sector assigned by the project (domain not in DUO's excerpt)"
            if domain in MBO_SECTOR_ASSIGNED
            else "mbo_sector as DUO writes it for this domain's 25xxx codes"
        )
        for code, name in items:
            if code in quals:
                if quals[code].domain != domain:
                    raise BuildError(f"crebo {code}: DUO domain {quals[code].domain!r} differs from {domain!r}")
                continue  # DUO's own description wins
            quals[code] = Qualification(code, name, domain, sector, f"{MBO_SOURCE_REG}; {how}")
    return quals


def classify_mbo_isced(q: Qualification, fields: dict[str, IscedField]) -> tuple[str, str]:
    name = q.name.lower()
    for pattern, code, label, domains in MBO_ISCED_RULES:
        if domains and q.domain not in domains:
            continue
        if re.search(pattern, name):
            return code, f"name rule: {label} ({fields[code].name})"
    code = MBO_ISCED_DOMAIN_DEFAULTS[q.domain]
    return code, f"no name rule matched: default for domain {q.domain} ({fields[code].name})"


def mbo_tables(quals: dict[str, Qualification], fields: dict[str, IscedField]) -> tuple[list[dict], list[dict]]:
    nl, isc = [], []
    for q in sorted(quals.values(), key=lambda q: q.code):
        if q.domain not in MBO_TECH_DOMAINS and q.domain not in MBO_OTHER_DOMAINS:
            raise BuildError(f"crebo {q.code}: unknown DOMEIN {q.domain!r}")
        if q.sector not in MBO_SECTORS:
            raise BuildError(f"crebo {q.code}: unknown MBO SECTOR {q.sector!r}")
        if q.domain in MBO_TECH_DOMAINS:
            stem, cluster = True, MBO_TECH_DOMAINS[q.domain]
            reason = f"domain {q.domain}: one of SBB's former technical domains"
        elif q.code in NL_MBO_EXCEPTIONS:
            stem, (cluster, why) = True, NL_MBO_EXCEPTIONS[q.code]
            reason = f"named exception in domain {q.domain}: {why}"
        else:
            stem, cluster, reason = False, "", f"domain {q.domain} is not a technical domain and no exception applies"
        nl.append(
            {
                "code": q.code,
                "name": q.name,
                "domain": q.domain,
                "mbo_sector": q.sector,
                "is_stem": fmt_bool(stem),
                "cluster": cluster,
                "reason": reason,
                "source": f"{q.source}; project best effort after SBB's rules",
                "valid_from": "2000",
                "valid_to": "",
            }
        )
        isced, ireason = classify_mbo_isced(q, fields)
        isc.append(isced_row(q.code, q.name, {"domain": q.domain}, isced, ireason, f"{q.source}; project best effort"))
    return nl, isc


# ---------------------------------------------------------------------------------------------
# Labour market
# ---------------------------------------------------------------------------------------------
# Technically educated: CBS counts 25 ISCED-F 2013 fields selected by the Ministry of Economic
# Affairs with stakeholders; the list is not public. Our selection: every detailed field in 05,
# 06 and 07 that trains for technical or science work, plus medical technology (0914); and, for
# the record, the borderline fields we decided to leave out (is_stem false). A field that is not
# listed is not technical.
TECH_FIELDS = [  # (code, technical, reason)
    ("0511", True, "biology: laboratory and life-science work"),
    ("0512", True, "biochemistry and biotechnology: laboratory and process work"),
    ("0521", True, "environmental sciences: measurement and analysis"),
    ("0531", True, "chemistry"),
    ("0532", True, "earth sciences and geo-information"),
    ("0533", True, "physics"),
    ("0541", True, "mathematics"),
    ("0542", True, "statistics"),
    ("0612", True, "database and network administration"),
    ("0613", True, "software development"),
    ("0688", True, "ICT combined with another field (e.g. business informatics)"),
    ("0711", True, "chemical and process engineering, laboratory technology"),
    ("0712", True, "environmental protection technology"),
    ("0713", True, "electricity and energy"),
    ("0714", True, "electronics and automation"),
    ("0715", True, "mechanics and metal trades"),
    ("0716", True, "motor vehicles, ships and aircraft"),
    ("0719", True, "engineering n.e.c. (e.g. nanotechnology, biomedical engineering)"),
    ("0721", True, "food processing technology"),
    ("0722", True, "materials: wood, glass, paper, plastics"),
    ("0723", True, "textile and clothing technology"),
    ("0724", True, "mining and extraction"),
    ("0731", True, "architecture and town planning"),
    ("0732", True, "building and civil engineering"),
    ("0788", True, "engineering combined with another field"),
    ("0914", True, "medical diagnostic and treatment technology (health technology)"),
    ("0114", False, "teacher training counts as education, even for science subjects"),
    ("0211", False, "audio-visual and media production is creative rather than technical work"),
    ("0212", False, "fashion, interior and industrial design is artistic design"),
    ("0522", False, "natural environments and wildlife is nature management rather than technical work"),
    ("0611", False, "computer use teaches user skills only"),
    ("0811", False, "crop and livestock production is agriculture"),
    ("0812", False, "horticulture is agriculture"),
    ("1041", False, "transport services train to operate vehicles and run logistics, not technical work"),
]
TECH_FIELD_CLUSTER = {"05": "natuur", "06": "ICT", "07": "techniek", "09": "gezondheidstechniek"}

# BRC 2014 (Beroepenindeling ROA-CBS 2014): the 13 occupation classes and 114 occupation groups.
# CBS's StatLine table 85276NED labels the Beroep dimension with these codes ("07 Technische
# beroepen", "0711 Biologen en natuurwetenschappers").
BRC_CLASSES = {
    "01": "Pedagogische beroepen",
    "02": "Creatieve en taalkundige beroepen",
    "03": "Commerciële beroepen",
    "04": "Bedrijfseconomische en administratieve beroepen",
    "05": "Managers",
    "06": "Openbaar bestuur, veiligheid en juridische beroepen",
    "07": "Technische beroepen",
    "08": "ICT beroepen",
    "09": "Agrarische beroepen",
    "10": "Zorg en welzijn beroepen",
    "11": "Dienstverlenende beroepen",
    "12": "Transport en logistiek beroepen",
    "13": "Overig",
}
BRC_GROUPS = {
    "0111": "Docenten hoger onderwijs en hoogleraren",
    "0112": "Docenten beroepsgerichte vakken secundair onderwijs",
    "0113": "Docenten algemene vakken secundair onderwijs",
    "0114": "Leerkrachten basisonderwijs",
    "0115": "Onderwijskundigen en overige docenten",
    "0121": "Sportinstructeurs",
    "0131": "Leidsters kinderopvang en onderwijsassistenten",
    "0211": "Bibliothecarissen en conservatoren",
    "0212": "Auteurs en taalkundigen",
    "0213": "Journalisten",
    "0214": "Beeldend kunstenaars",
    "0215": "Uitvoerend kunstenaars",
    "0221": "Grafisch vormgevers en productontwerpers",
    "0222": "Fotografen en interieurontwerpers",
    "0311": "Adviseurs marketing, public relations en sales",
    "0321": "Vertegenwoordigers en inkopers",
    "0331": "Winkeliers en teamleiders detailhandel",
    "0332": "Verkoopmedewerkers detailhandel",
    "0333": "Kassamedewerkers",
    "0334": "Callcentermedewerkers outbound en overige verkopers",
    "0411": "Accountants",
    "0412": "Financieel specialisten en economen",
    "0413": "Bedrijfskundigen en organisatieadviseurs",
    "0414": "Beleidsadviseurs",
    "0415": "Specialisten personeels- en loopbaanontwikkeling",
    "0421": "Boekhouders",
    "0422": "Zakelijke dienstverleners",
    "0423": "Directiesecretaresses",
    "0431": "Administratief medewerkers",
    "0432": "Secretaresses",
    "0433": "Receptionisten en telefonisten",
    "0434": "Boekhoudkundig medewerkers",
    "0435": "Transportplanners en logistiek medewerkers",
    "0511": "Algemeen directeuren",
    "0521": "Managers zakelijke en administratieve dienstverlening",
    "0522": "Managers verkoop en marketing",
    "0531": "Managers productie",
    "0532": "Managers logistiek",
    "0533": "Managers ICT",
    "0534": "Managers zorginstellingen",
    "0535": "Managers onderwijs",
    "0536": "Managers gespecialiseerde dienstverlening n.e.g.",
    "0541": "Managers horeca",
    "0542": "Managers detail- en groothandel",
    "0543": "Managers commerciële en persoonlijke dienstverlening n.e.g.",
    "0551": "Managers z.n.d.",
    "0611": "Overheidsbestuurders",
    "0612": "Overheidsambtenaren",
    "0621": "Juristen",
    "0631": "Politie-inspecteurs",
    "0632": "Politie en brandweer",
    "0633": "Beveiligingspersoneel",
    "0634": "Militaire beroepen",
    "0711": "Biologen en natuurwetenschappers",
    "0712": "Ingenieurs (geen elektrotechniek)",
    "0713": "Elektrotechnisch ingenieurs",
    "0714": "Architecten",
    "0721": "Technici bouwkunde en natuur",
    "0722": "Productieleiders industrie en bouw",
    "0723": "Procesoperators",
    "0731": "Bouwarbeiders ruwbouw",
    "0732": "Timmerlieden",
    "0733": "Bouwarbeiders afbouw",
    "0734": "Loodgieters en pijpfitters",
    "0735": "Schilders en metaalspuiters",
    "0741": "Metaalbewerkers en constructiewerkers",
    "0742": "Lassers en plaatwerkers",
    "0743": "Automonteurs",
    "0744": "Machinemonteurs",
    "0751": "Slagers",
    "0752": "Bakkers",
    "0753": "Productcontroleurs",
    "0754": "Meubelmakers, kleermakers en stoffeerders",
    "0755": "Medewerkers drukkerij en kunstnijverheid",
    "0761": "Elektriciens en elektronicamonteurs",
    "0771": "Productiemachinebedieners",
    "0772": "Assemblagemedewerkers",
    "0781": "Hulpkrachten bouw en industrie",
    "0811": "Software- en applicatieontwikkelaars",
    "0812": "Databank- en netwerkspecialisten",
    "0821": "Gebruikersondersteuning ICT",
    "0822": "Radio- en televisietechnici",
    "0911": "Land- en bosbouwers",
    "0912": "Hoveniers, tuinders en kwekers",
    "0913": "Veetelers",
    "0921": "Hulpkrachten landbouw",
    "1011": "Artsen",
    "1012": "Gespecialiseerd verpleegkundigen",
    "1013": "Fysiotherapeuten",
    "1021": "Maatschappelijk werkers",
    "1022": "Psychologen en sociologen",
    "1031": "Laboranten",
    "1032": "Apothekersassistenten",
    "1033": "Verpleegkundigen (mbo)",
    "1034": "Medisch praktijkassistenten",
    "1035": "Medisch vakspecialisten",
    "1041": "Sociaal werkers, groeps- en woonbegeleiders",
    "1051": "Verzorgenden",
    "1111": "Reisbegeleiders",
    "1112": "Koks",
    "1113": "Kelners en barpersoneel",
    "1114": "Kappers en schoonheidsspecialisten",
    "1115": "Conciërges en teamleiders schoonmaak",
    "1116": "Verleners van overige persoonlijke diensten",
    "1121": "Schoonmakers",
    "1122": "Keukenhulpen",
    "1211": "Dekofficieren en piloten",
    "1212": "Chauffeurs auto's, taxi's en bestelwagens",
    "1213": "Buschauffeurs en trambestuurders",
    "1214": "Vrachtwagenchauffeurs",
    "1215": "Bedieners mobiele machines",
    "1221": "Laders, lossers en vakkenvullers",
    "1222": "Vuilnisophalers en dagbladenbezorgers",
    "1311": "Overig",
}
# Occupation groups outside classes 07 and 08 counted as technical: code -> (cluster, reason)
TECH_OCCUPATION_EXTRA = {
    "0531": ("overig technisch", "production managers lead technical work in industry and construction"),
    "0533": ("ICT", "ICT managers: management of ICT functions"),
    "1031": ("overig technisch", "laboratory technicians: technical laboratory work"),
}
CRAFT_SEGMENTS = ("073", "074", "075", "076", "077", "078")  # construction, metal, food, craft, electrical, production
LABOUR_FIELDS_COLUMNS = ["code", "name", "is_stem", "cluster", "reason", "source", "valid_from", "valid_to"]
OCCUPATION_COLUMNS = ["code", "name", "brc_class", "is_stem", "cluster", "reason", "source", "valid_from", "valid_to"]
FIELDS_SOURCE = (
    "project best effort after CBS's definition of technically educated (25 ISCED-F 2013 fields, list not public)"
)
OCCUPATION_SOURCE = (
    "BRC 2014 classes and groups (codes and names as in CBS StatLine 85276NED); project best effort after "
    "CBS's definition of technical occupations (list not public)"
)


def labour_tables(fields: dict[str, IscedField]) -> tuple[list[dict], list[dict]]:
    frows = []
    for code, technical, why in TECH_FIELDS:
        if fields.get(code) is None or fields[code].level != "detailed":
            raise BuildError(f"technical fields: {code} is not an official detailed ISCED-F code")
        cluster = TECH_FIELD_CLUSTER[code[:2]] if technical else ""
        reason = f"technical education: {why}" if technical else f"left out: {why}"
        frows.append(
            {
                "code": code,
                "name": fields[code].name,
                "is_stem": fmt_bool(technical),
                "cluster": cluster,
                "reason": reason,
                "source": FIELDS_SOURCE,
                "valid_from": "2013",
                "valid_to": "",
            }
        )
    orows = []
    for code, name in BRC_CLASSES.items():
        if code == "07":
            stem, cluster, reason = (
                True,
                "overig technisch",
                ("class 07 as a whole (its groups are split into technisch ambachtelijk and overig technisch)"),
            )
        elif code == "08":
            stem, cluster, reason = True, "ICT", "class 08 ICT occupations as a whole"
        else:
            extra = [g for g in TECH_OCCUPATION_EXTRA if g[:2] == code]
            stem, cluster = False, ""
            reason = "occupation class outside technical and ICT occupations" + (
                f" (its groups {', '.join(extra)} are counted one by one)" if extra else ""
            )
        orows.append(
            {
                "code": code,
                "name": name,
                "brc_class": code,
                "is_stem": fmt_bool(stem),
                "cluster": cluster,
                "reason": reason,
                "source": OCCUPATION_SOURCE,
                "valid_from": "2013",
                "valid_to": "",
            }
        )
    for code, name in BRC_GROUPS.items():
        cls = code[:2]
        if cls == "07":
            craft = code[:3] in CRAFT_SEGMENTS
            stem, cluster = True, "technisch ambachtelijk" if craft else "overig technisch"
            reason = (
                "class 07 Technische beroepen: technical trade, production or construction work"
                if craft
                else "class 07 Technische beroepen: engineering, science and technician work"
            )
        elif cls == "08":
            stem, cluster, reason = True, "ICT", "class 08 ICT beroepen"
        elif code in TECH_OCCUPATION_EXTRA:
            stem, (cluster, why) = True, TECH_OCCUPATION_EXTRA[code]
            reason = f"outside classes 07/08 but counted: {why}"
        else:
            stem, cluster, reason = False, "", f"class {cls} {BRC_CLASSES[cls]}: not a technical occupation"
        orows.append(
            {
                "code": code,
                "name": name,
                "brc_class": cls,
                "is_stem": fmt_bool(stem),
                "cluster": cluster,
                "reason": reason,
                "source": OCCUPATION_SOURCE,
                "valid_from": "2013",
                "valid_to": "",
            }
        )
    frows.sort(key=lambda r: r["code"])
    orows.sort(key=lambda r: r["code"])
    return frows, orows


def fmt_bool(value: bool) -> str:
    return "true" if value else "false"


# ---------------------------------------------------------------------------------------------
# Tables, metadata, checks
# ---------------------------------------------------------------------------------------------

REPLACE_NOTE = (
    "An official list replaces this table file for file: a CSV with the same name and columns (and its own "
    "meta file) in the folder named by TECHPACT_REFERENCE_OVERRIDES is used instead."
)
BEST_EFFORT = "This is the project's own best-effort table, not the official list (which is not public). "
LICENCE_PROJECT = "EUPL-1.2 (project rules and judgements); codes and names from DUO open data (CC0)"

COLUMN_TEXT = {
    "code": "code of the classified unit",
    "name": "name as the source writes it",
    "is_stem": "true if the unit counts as STEM under this table's definition (true/false)",
    "cluster": "STEM cluster for STEM rows; empty for non-STEM rows",
    "reason": "one sentence: why the row is (not) STEM, or which rule gave the field",
    "source": "where the facts come from and who decided the classification",
    "valid_from": "first data year (1 October count year) the row applies to",
    "valid_to": "last data year the row applies to; empty = open",
    "isced_f_detailed": "ISCED-F 2013 detailed field (4 digits, official code)",
    "isced_f_narrow": "ISCED-F 2013 narrow field (first 3 digits)",
    "isced_f_broad": "ISCED-F 2013 broad field (first 2 digits); STEM = 05, 06, 07",
}


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[dict]
    meta: dict  # id, title, description, status, source, licence, definition, level
    column_text: dict = field(default_factory=dict)

    def csv(self) -> str:
        return csv_text(self.rows, self.columns)

    def meta_toml(self) -> str:
        lines = [f"id = {toml_str(self.meta['id'])}", f"version = {toml_str(VERSION)}"]
        for key in ("title", "description", "status", "source", "licence", "definition", "level"):
            if key in self.meta:
                lines.append(f"{key} = {toml_str(self.meta[key])}")
        lines += ["", "[columns]"]
        for col in self.columns:
            lines.append(f"{col} = {toml_str(self.column_text.get(col, COLUMN_TEXT.get(col, '')))}")
        return "\n".join(lines) + "\n"


def toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def csv_text(rows: list[dict[str, str]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def build_tables(source: Path) -> tuple[list[Table], dict]:
    fields = load_isced(source)
    programmes = load_programmes(source)
    ho_nl, ho_isced = ho_tables(programmes, fields)
    vo_seen = load_vo_programmes(source)
    vo_nl, vo_isced = vo_tables(vo_seen)
    quals = load_qualifications(source)
    mbo_nl, mbo_isced = mbo_tables(quals, fields)
    tech_fields, occupations = labour_tables(fields)
    isced_desc = (
        "ISCED-F 2013 detailed field per unit, with narrow and broad field; is_stem is true for the broad fields "
        "05, 06 and 07 (the Eurostat/OECD STEM definition). "
    )
    tables = [
        Table(
            "isced_f_fields",
            ["code", "field_level", "name", "parent", "is_stem"],
            isced_rows(fields),
            {
                "id": "stem.isced_f_fields",
                "title": "ISCED-F 2013 fields of education and training (broad, narrow, detailed)",
                "description": (
                    "The official 2-, 3- and 4-digit codes of ISCED-F 2013 with their names and parent codes; "
                    "is_stem marks the broad fields 05, 06 and 07 and everything under them. The 6-digit keyword "
                    "numbers and the root of the source file are not official and are left out; two labels cut short "
                    "in the source file (0021, 9999) carry the official wording."
                ),
                "status": "official",
                "source": (
                    "UNESCO Institute for Statistics, ISCED-F 2013 and its detailed field descriptions (2015); codes "
                    "taken from benabel/archives.lyceum.fr hierarchy_generated.tsv (commit bb5f533)"
                ),
                "licence": "ISCED-F 2013 codes and names by the UNESCO Institute for Statistics, reproduced with attribution",
                "definition": "isced",
                "level": "all",
            },
            {
                "code": "ISCED-F 2013 code (2, 3 or 4 digits)",
                "field_level": "broad | narrow | detailed",
                "name": "official English name",
                "parent": "code one level up; empty for broad fields",
                "is_stem": "true for broad fields 05, 06, 07 and their children",
            },
        ),
        Table(
            "nl_ho_programmes",
            HO_NL_COLUMNS,
            ho_nl,
            {
                "id": "stem.nl_ho_programmes",
                "title": "Dutch STEM definition (bètatechniek) for hbo and wo programmes",
                "description": (
                    BEST_EFFORT + "One row per CROHO programme code in DUO's first-year and diploma files. Rule "
                    "after the Sminia commission: every programme in CROHO sector natuur or techniek counts; "
                    "elsewhere a programme counts when more than half of its content is science or technology "
                    "(teacher training in science subjects, science-based agriculture and food programmes, health "
                    "technology, informatics, econometrics, and programmes whose main ISCED-F field is 05-07 except "
                    "spatial planning and architecture taught as design). " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": NL_HO_SOURCE,
                "licence": LICENCE_PROJECT,
                "definition": "nl",
                "level": "hbo;wo",
            },
            {
                "code": "CROHO programme code (OPLEIDINGSCODE ACTUEEL)",
                "name": "OPLEIDINGSNAAM ACTUEEL as DUO writes it (first-year file wins)",
                "level": "hbo | wo",
                "croho_sector": "CROHO ONDERDEEL as DUO writes it; for codes under two sectors the one with most first-years",
                "cluster": "techniek | natuur | ICT | landbouw en voedsel | lerarenopleiding beta | gezondheidstechniek; empty if not STEM",
            },
        ),
        Table(
            "isced_ho_programmes",
            HO_ISCED_COLUMNS,
            ho_isced,
            {
                "id": "stem.isced_ho_programmes",
                "title": "International STEM definition (ISCED-F 2013 05/06/07) for hbo and wo programmes",
                "description": (
                    BEST_EFFORT + isced_desc + "Fields are assigned by name rules, CROHO sector defaults and per-code "
                    "overrides kept in tools/build_stem_tables.py; reason names the rule. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": ISCED_HO_SOURCE,
                "licence": LICENCE_PROJECT,
                "definition": "isced",
                "level": "hbo;wo",
            },
            {"code": "CROHO programme code", "name": "OPLEIDINGSNAAM ACTUEEL as DUO writes it", "level": "hbo | wo"},
        ),
        Table(
            "nl_vo_profiles",
            VO_COLUMNS_NL,
            vo_nl,
            {
                "id": "stem.nl_vo_profiles",
                "title": "Dutch STEM definition for havo/vwo profiles and vmbo programmes",
                "description": (
                    BEST_EFFORT + "havo/vwo: a profile with N&T and/or N&G (combinations included) is STEM "
                    "(cluster N-profiel). vmbo: the rows of DUO's exam file (old sectors per track) are STEM in "
                    "sector techniek; the 2016 profiles carry project codes VMBO-<abbreviation> and the technical "
                    "ones (BWI, PIE, M&T, MVI, MaT) are STEM. HAVO 55 and 56 are inferred by analogy with VWO 65 and "
                    "66. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": VO_SOURCE_DUO,
                "licence": LICENCE_PROJECT,
                "definition": "nl",
                "level": "havo;vwo;vmbo",
            },
            {
                "code": "INSPECTIECODE as DUO writes it, or a project code VMBO-<profile> for vmbo profiles",
                "name": "OPLEIDINGSNAAM as DUO writes it (project wording for vmbo profiles)",
                "level": "havo | vwo | vmbo",
                "cluster": "N-profiel | techniek; empty if not STEM",
            },
        ),
        Table(
            "isced_vo_profiles",
            VO_COLUMNS_ISCED,
            vo_isced,
            {
                "id": "stem.isced_vo_profiles",
                "title": "ISCED-F 2013 fields for havo/vwo profiles and vmbo programmes",
                "description": (
                    BEST_EFFORT + isced_desc + "General havo/vwo and the vmbo theoretical track are 0011 (generic "
                    "programmes), never STEM; vmbo pre-vocational tracks and profiles get their vocational field. "
                    "Eurostat does not classify lower-secondary programmes as STEM; the fields here serve the bridge "
                    "between definitions. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": VO_SOURCE_DUO,
                "licence": LICENCE_PROJECT,
                "definition": "isced",
                "level": "havo;vwo;vmbo",
            },
            {"code": "INSPECTIECODE or project code VMBO-<profile>", "level": "havo | vwo | vmbo"},
        ),
        Table(
            "nl_mbo_qualifications",
            MBO_NL_COLUMNS,
            mbo_nl,
            {
                "id": "stem.nl_mbo_qualifications",
                "title": "Dutch STEM definition for mbo qualifications (crebo)",
                "description": (
                    BEST_EFFORT + "SBB decides per qualification; its list is not public. Rule used: a qualification "
                    "in one of SBB's former technical domains (Afbouw, hout en onderhoud; Ambacht, laboratorium en "
                    "gezondheidstechniek; Bouw en infra; Informatie en communicatietechnologie; Media en vormgeving; "
                    "Mobiliteit en voertuigen; Techniek en procesindustrie; Transport, scheepvaart en logistiek) is "
                    "STEM, plus named exceptions elsewhere (food technology and environmental research in Voedsel, "
                    "natuur en leefomgeving; Technisch Leidinggevende; technical Entree profiles). Rows: every crebo in "
                    "DUO's participants excerpt plus qualifications from the 2015 qualification structure to cover "
                    "every domain. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": MBO_SOURCE_DUO + "; " + MBO_SOURCE_REG,
                "licence": LICENCE_PROJECT,
                "definition": "nl",
                "level": "mbo",
            },
            {
                "code": "crebo code (KWALIFICATIE CODE)",
                "name": "KWALIFICATIE NAAM as DUO writes it (regulation wording for added rows)",
                "domain": "DOMEIN as DUO writes it",
                "mbo_sector": "MBO SECTOR as DUO writes it (see source for rows the project assigned)",
                "cluster": "bouw | techniek | laboratorium en gezondheidstechniek | ICT | media en vormgeving | mobiliteit en transport | voedseltechnologie; empty if not STEM",
            },
        ),
        Table(
            "isced_mbo_qualifications",
            MBO_ISCED_COLUMNS,
            mbo_isced,
            {
                "id": "stem.isced_mbo_qualifications",
                "title": "International STEM definition (ISCED-F 2013 05/06/07) for mbo qualifications",
                "description": (
                    BEST_EFFORT
                    + isced_desc
                    + "Media and design (021x) and transport services (1041) fall outside STEM. "
                    "Fields by name rules and domain defaults kept in tools/build_stem_tables.py. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": MBO_SOURCE_DUO + "; " + MBO_SOURCE_REG,
                "licence": LICENCE_PROJECT,
                "definition": "isced",
                "level": "mbo",
            },
            {"code": "crebo code (KWALIFICATIE CODE)", "domain": "DOMEIN as DUO writes it"},
        ),
        Table(
            "nl_technical_fields_of_education",
            LABOUR_FIELDS_COLUMNS,
            tech_fields,
            {
                "id": "stem.nl_technical_fields_of_education",
                "title": "ISCED-F 2013 detailed fields counted as technical education",
                "description": (
                    BEST_EFFORT
                    + "CBS counts people with a technical education by 25 ISCED-F 2013 fields chosen by the "
                    "Ministry of Economic Affairs with stakeholders. This table lists our selection (is_stem true) and, "
                    "for the record, borderline fields we left out (is_stem false); a field not listed is not "
                    "technical. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": FIELDS_SOURCE,
                "licence": "EUPL-1.2 (project selection); ISCED-F names by UNESCO-UIS",
                "definition": "nl",
                "level": "labour",
            },
            {
                "code": "ISCED-F 2013 detailed field",
                "name": "official ISCED-F name",
                "cluster": "techniek | natuur | ICT | gezondheidstechniek; empty if not technical",
            },
        ),
        Table(
            "nl_technical_occupations",
            OCCUPATION_COLUMNS,
            occupations,
            {
                "id": "stem.nl_technical_occupations",
                "title": "BRC 2014 occupation classes and groups counted as technical",
                "description": (
                    BEST_EFFORT + "CBS's technical occupations build on BRC 2014 but are broader than class 07 "
                    "Technische beroepen. Here: all of class 07 (split into technisch ambachtelijk and overig "
                    "technisch), all of class 08 ICT, plus production managers, ICT managers and laboratory "
                    "technicians; all 13 classes and 114 groups are listed. Use either class rows or group rows, "
                    "never both. " + REPLACE_NOTE
                ),
                "status": "best-effort",
                "source": OCCUPATION_SOURCE,
                "licence": "EUPL-1.2 (project selection); BRC 2014 codes and names by CBS (CC BY 4.0)",
                "definition": "nl",
                "level": "labour",
            },
            {
                "code": "BRC 2014 code: 2 digits = occupation class, 4 digits = occupation group",
                "name": "BRC 2014 name as CBS writes it",
                "brc_class": "the 2-digit occupation class of the row",
                "cluster": "ICT | technisch ambachtelijk | overig technisch; empty if not STEM",
            },
        ),
    ]
    context = {"fields": fields, "programmes": programmes, "vo_seen": vo_seen, "quals": quals}
    return tables, context


NL_CLUSTERS = {
    "nl_ho_programmes": {
        "techniek",
        "natuur",
        "ICT",
        "landbouw en voedsel",
        "lerarenopleiding beta",
        "gezondheidstechniek",
    },
    "nl_vo_profiles": {"N-profiel", "techniek"},
    "nl_mbo_qualifications": set(MBO_TECH_DOMAINS.values()) | {c for c, _ in NL_MBO_EXCEPTIONS.values()},
    "nl_technical_fields_of_education": {"techniek", "natuur", "ICT", "gezondheidstechniek"},
    "nl_technical_occupations": {"ICT", "technisch ambachtelijk", "overig technisch"},
}


def check(tables: list[Table], context: dict, source: Path) -> list[str]:
    problems: list[str] = []
    fields = context["fields"]
    by_name = {t.name: t for t in tables}
    for t in tables:
        codes = [r["code"] for r in t.rows]
        dupes = sorted(c for c, n in Counter(codes).items() if n > 1)
        if dupes:
            problems.append(f"{t.name}: duplicate codes {dupes[:10]}")
        if codes != sorted(codes):
            problems.append(f"{t.name}: rows not sorted by code")
        for r in t.rows:
            if list(r) != t.columns:
                problems.append(f"{t.name} {r.get('code')}: columns {list(r)} differ from {t.columns}")
                break
            if r["is_stem"] not in ("true", "false"):
                problems.append(f"{t.name} {r['code']}: is_stem {r['is_stem']!r}")
            for col in ("valid_from", "valid_to"):
                if col in r and r[col] and not r[col].isdigit():
                    problems.append(f"{t.name} {r['code']}: {col} {r[col]!r}")
            if "isced_f_detailed" in r:
                d = r["isced_f_detailed"]
                if d not in fields or fields[d].level != "detailed":
                    problems.append(f"{t.name} {r['code']}: {d} is not an official detailed ISCED-F code")
                elif r["isced_f_narrow"] != fields[d].parent or r["isced_f_broad"] != fields[fields[d].parent].parent:
                    problems.append(
                        f"{t.name} {r['code']}: narrow/broad {r['isced_f_narrow']}/{r['isced_f_broad']} do not match {d}"
                    )
                if r["is_stem"] != fmt_bool(r["isced_f_broad"] in STEM_BROAD):
                    problems.append(
                        f"{t.name} {r['code']}: is_stem {r['is_stem']} inconsistent with broad field {r['isced_f_broad']}"
                    )
            if t.name.startswith("isced_f_fields") and (
                r["code"] not in fields or r["is_stem"] != fmt_bool(r["code"][:2] in STEM_BROAD)
            ):
                problems.append(f"{t.name} {r['code']}: not official or is_stem wrong")
            if t.name in NL_CLUSTERS:
                if r["is_stem"] == "true" and r["cluster"] not in NL_CLUSTERS[t.name]:
                    problems.append(f"{t.name} {r['code']}: STEM row with cluster {r['cluster']!r}")
                if r["is_stem"] == "false" and r["cluster"]:
                    problems.append(f"{t.name} {r['code']}: non-STEM row with cluster {r['cluster']!r}")
            if "reason" in r and not r["reason"].strip():
                problems.append(f"{t.name} {r['code']}: empty reason")
        # metadata: parses, has the loader's keys as strings, and declares exactly the CSV's columns in order
        meta = tomllib.loads(t.meta_toml())
        for key in ("id", "version", "status", "source"):
            if not isinstance(meta.get(key), str) or not meta[key]:
                problems.append(f"{t.name}: meta key {key} missing or not a string")
        header = next(csv.reader(io.StringIO(t.csv())))
        if list(meta.get("columns", {})) != header or header != t.columns:
            problems.append(f"{t.name}: meta columns {list(meta.get('columns', {}))} differ from CSV columns {header}")
        if any(not v for v in meta.get("columns", {}).values()):
            problems.append(f"{t.name}: a column has no description")
    # every CROHO code in every real ho file is classified under both definitions, with its level
    for file, level, _ in HO_FILES:
        seen = {
            (r["OPLEIDINGSCODE ACTUEEL"], level)
            for r in read_duo_csv(source / HO_DIR / file)
            if r.get("OPLEIDINGSCODE ACTUEEL")
        }
        for tname in ("nl_ho_programmes", "isced_ho_programmes"):
            known = {(r["code"], r["level"]) for r in by_name[tname].rows}
            missing = sorted(seen - known)
            if missing:
                problems.append(f"{tname}: {len(missing)} codes of {file} not classified, e.g. {missing[:5]}")
    if {r["code"] for r in by_name["nl_ho_programmes"].rows} != {
        r["code"] for r in by_name["isced_ho_programmes"].rows
    }:
        problems.append("nl_ho_programmes and isced_ho_programmes have different codes")
    # vo: every programme of the exam file, with DUO's name
    for tname in ("nl_vo_profiles", "isced_vo_profiles"):
        known = {(r["code"], r["name"]) for r in by_name[tname].rows}
        missing = [(c, n) for _, c, n in context["vo_seen"] if (c, n) not in known]
        if missing:
            problems.append(f"{tname}: exam-file programmes not classified: {missing}")
        if not {str(c) for c in range(50, 70)} <= {r["code"] for r in by_name[tname].rows}:
            problems.append(f"{tname}: havo/vwo profile codes 50-69 incomplete")
    # mbo: every crebo of the excerpt; at least 150; every domain covered
    excerpt = {r["KWALIFICATIE CODE"] for r in read_duo_csv(source / MBO_FILE) if r.get("KWALIFICATIE CODE")}
    for tname in ("nl_mbo_qualifications", "isced_mbo_qualifications"):
        codes = {r["code"] for r in by_name[tname].rows}
        if excerpt - codes:
            problems.append(f"{tname}: crebo codes of the excerpt not classified: {sorted(excerpt - codes)[:10]}")
        if len(codes) < 150:
            problems.append(f"{tname}: only {len(codes)} qualifications")
        domains = {r["domain"] for r in by_name[tname].rows}
        if domains != set(MBO_TECH_DOMAINS) | MBO_OTHER_DOMAINS:
            problems.append(
                f"{tname}: domains not all covered: {sorted((set(MBO_TECH_DOMAINS) | MBO_OTHER_DOMAINS) - domains)}"
            )
    if {r["code"] for r in by_name["nl_mbo_qualifications"].rows} != {
        r["code"] for r in by_name["isced_mbo_qualifications"].rows
    }:
        problems.append("nl and isced mbo tables have different codes")
    n_tech = sum(r["is_stem"] == "true" for r in by_name["nl_technical_fields_of_education"].rows)
    if not 20 <= n_tech <= 30:
        problems.append(f"nl_technical_fields_of_education: {n_tech} technical fields, expected about 25")
    occ = by_name["nl_technical_occupations"].rows
    if sum(len(r["code"]) == 2 for r in occ) != 13 or sum(len(r["code"]) == 4 for r in occ) != 114:
        problems.append("nl_technical_occupations: expected 13 classes and 114 groups")
    return problems


# ---------------------------------------------------------------------------------------------
# Bridge check on the real first-year files
# ---------------------------------------------------------------------------------------------


def bridge(source: Path, tables: list[Table]) -> str:
    by_name = {t.name: t for t in tables}
    nl = {r["code"]: r for r in by_name["nl_ho_programmes"].rows}
    isc = {r["code"]: r for r in by_name["isced_ho_programmes"].rows}
    lines = [
        "Bridge check: first-year enrolments (DUO 03b files, hbo and wo, 2015-2019), STEM under both definitions",
        f"{'level':<6}{'year':>6}{'total':>9}{'nl STEM':>9}{'nl %':>7}{'ISCED':>9}{'ISCED %':>9}{'nl only':>9}{'ISCED only':>11}",
    ]
    diff_nl: Counter = Counter()
    diff_isced: Counter = Counter()
    totals: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for file, level, kind in HO_FILES:
        if kind != "first-years":
            continue
        rows = read_duo_csv(source / HO_DIR / file)
        years = [c for c in rows[0] if c.isdigit()]
        for r in rows:
            code = r.get("OPLEIDINGSCODE ACTUEEL")
            if not code:
                continue
            a, b = nl[code]["is_stem"] == "true", isc[code]["is_stem"] == "true"
            for y in years:
                n = int(r[y] or 0)
                for key in ((level, int(y)), ("hbo+wo", int(y))):
                    t = totals[key]
                    t[0] += n
                    t[1] += n * a
                    t[2] += n * b
                    t[3] += n * (a and not b)
                    t[4] += n * (b and not a)
                if y == "2019":
                    if a and not b:
                        diff_nl[(level, nl[code]["cluster"], isc[code]["isced_f_detailed"])] += n
                    if b and not a:
                        diff_isced[(level, isc[code]["isced_f_detailed"])] += n
    for level, year in sorted(totals, key=lambda k: ({"hbo": 0, "wo": 1, "hbo+wo": 2}[k[0]], k[1])):
        tot, a, b, only_a, only_b = totals[(level, year)]
        lines.append(
            f"{level:<6}{year:>6}{tot:>9}{a:>9}{100 * a / tot:>6.1f}%{b:>9}{100 * b / tot:>8.1f}%{only_a:>9}{only_b:>11}"
        )
    lines.append("2019, counted STEM only under the Dutch table (level, cluster, ISCED-F field): first-years")
    for key, n in sorted(diff_nl.items(), key=lambda kv: (-kv[1], kv[0]))[:15]:
        lines.append(f"  {key[0]:<4} {key[1]:<22} {key[2]}  {n:>6}")
    lines.append("2019, counted STEM only under ISCED (level, ISCED-F field): first-years")
    for key, n in sorted(diff_isced.items(), key=lambda kv: (-kv[1], kv[0]))[:10]:
        lines.append(f"  {key[0]:<4} {key[1]}  {n:>6}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source-dir",
        type=Path,
        default=DEFAULT_SOURCE_DIR,
        help="folder with the real DUO/ISCED files (default: ../shared/realdata beside the repo)",
    )
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR, help="output folder (default: reference/stem)")
    parser.add_argument("--check", action="store_true", help="build and compare with the files on disk; write nothing")
    parser.add_argument("--no-bridge", action="store_true", help="do not print the bridge check")
    args = parser.parse_args(argv)
    try:
        tables, context = build_tables(args.source_dir)
        problems = check(tables, context, args.source_dir)
    except (BuildError, OSError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if problems:
        print(f"{len(problems)} check(s) failed, nothing written:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    outputs = {}
    for t in tables:
        outputs[args.out_dir / f"{t.name}.csv"] = t.csv()
        outputs[args.out_dir / f"{t.name}.meta.toml"] = t.meta_toml()
    if args.check:
        stale = [p for p, text in outputs.items() if not p.exists() or p.read_bytes() != text.encode("utf-8")]
        for p in stale:
            print(f"differs: {p}", file=sys.stderr)
        if stale:
            return 1
    else:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for path, text in outputs.items():
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                path.write_bytes(text.encode("utf-8"))
    for t in tables:
        n_stem = sum(r["is_stem"] == "true" for r in t.rows)
        print(f"{t.name:<36}{len(t.rows):>6} rows{n_stem:>6} STEM")
    if not args.no_bridge:
        print()
        print(bridge(args.source_dir, tables))
    return 0


if __name__ == "__main__":
    sys.exit(main())
