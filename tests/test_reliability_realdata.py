"""DUO's spellings of places and municipalities in its real files (issue 16): a province suffix that
tells namesakes apart (`HENGELO OV`, `EDE GLD`, `BERGEN NH`), its own abbreviations (`NUENEN CA`), names
without accents or apostrophes (`SUDWEST-FRYSLAN`, `S GRAVENHAGE`). DUO's register of every vo location
(../shared/realdata, whole) gives each place and municipality name beside its municipality code: every
name must resolve to that code (a place to the code it has today, after the mergers since)."""

from __future__ import annotations

import csv
import re

import pytest

from pipeline import reference
from pipeline.sources import duo_common

REGISTER = "duo-vo-leerlingen-examencijfers-2019/alle-vestigingen-vo.csv"


@pytest.fixture(scope="module")
def register(realdata) -> list[dict]:
    with open(realdata / REGISTER, encoding="latin-1", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def successors() -> dict[str, str]:
    """Municipality code -> the code it is part of today (reference/regions/municipal_mergers.csv)."""
    mergers = reference.load("regions/municipal_mergers.csv").frame.sort_values("effective_year")
    after = dict(zip(mergers["old_code"], mergers["new_code"]))

    def last(code: str) -> str:
        seen = set()
        while code in after and code not in seen:
            seen.add(code)
            code = after[code]
        return code

    return {code: last(code) for code in after}


def test_every_municipality_name_of_the_register_resolves_to_its_code(register):
    code, boundary = duo_common.municipality_code(2019)
    assert boundary == 2019
    pairs = sorted({(row["GEMEENTENAAM"], "GM" + row["GEMEENTENUMMER"]) for row in register})
    assert len(pairs) > 290
    wrong = [(name, want, code(name)) for name, want in pairs if code(name)[0] != want]
    assert wrong == []
    # the spellings this test is about are among them
    names = {name for name, _ in pairs}
    assert {"NUENEN CA", "BERGEN NH", "SUDWEST-FRYSLAN", "S GRAVENHAGE", "S HERTOGENBOSCH"} <= names


def test_every_place_name_of_the_register_resolves_to_its_municipality(register):
    code = duo_common.place_code()
    today = successors()
    pairs = sorted({(row["PLAATSNAAM"], "GM" + row["GEMEENTENUMMER"]) for row in register})
    wrong = []
    for name, want in pairs:
        got, why = code(name)
        if got not in (want, today.get(want)):
            wrong.append((name, want, got, why))
    assert wrong == []
    suffixed = [name for name, _ in pairs if re.search(r" (GN|FR|OV|GLD|UT|NH|ZH|NB|LB)$", name)]
    assert len(suffixed) >= 20 and {"HENGELO OV", "EDE GLD", "VELP GLD", "VELP NB"} <= set(suffixed)


@pytest.mark.parametrize(
    "name,why",
    [
        ("HENGELO ZL", "unknown place"),  # no Hengelo in Zeeland: never the nearest namesake
        ("VELP", "lies in several municipalities"),  # still ambiguous without its suffix
        ("NERGENSDORP GLD", "unknown place"),
    ],
)
def test_a_place_that_is_not_one_municipality_stays_a_problem(name, why):
    got, message = duo_common.place_code()(name)
    assert got == "" and why in message


def test_a_suffix_of_the_wrong_province_is_no_municipality():
    code, _ = duo_common.municipality_code(2019)
    assert code("BERGEN NH")[0] == "GM0373" and code("BERGEN LB")[0] == "GM0893"
    assert code("BERGEN ZH")[0] == "" and "unknown municipality" in code("BERGEN ZH")[1]
