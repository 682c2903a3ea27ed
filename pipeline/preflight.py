"""Checks before any stage runs (`techpact build`, `refresh`, `backfill`; `techpact validate` runs the
landing-folder checks too): what would otherwise fail after the whole pipeline ran, or not fail at all.

- the output folder can be written;
- the warehouse answers (its URL shown with the password masked);
- no delivery repeats another (same content under two names: "file X repeats file Y"), and no
  expected delivery comes twice (same family and period: two hbo first-year files of one edition);
- every delivery the edition needs (reference/editions/deliveries.csv) is there, unless the operator
  allowed its family to be missing (`--allow-missing FAMILY`): then the gap is stated in the manifest
  and the report.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import reference, sources
from pipeline.problems import SourceError
from pipeline.sources.files import sha256_file

DELIVERIES = "editions/deliveries.csv"


@dataclass(frozen=True)
class Expected:
    delivery: str
    family: str
    name_word: str
    expected_name: str

    def matches(self, name: str, family: str) -> bool:
        words = re.split(r"[^0-9a-z]+", name.lower())
        return family == self.family and (not self.name_word or self.name_word in words)

    def describe(self) -> str:
        return f"{self.delivery} (family {self.family}, file name like {self.expected_name})"


def expected_deliveries(edition: str) -> list[Expected]:
    table = reference.load(DELIVERIES).frame
    rows = []
    for row in table.itertuples(index=False):
        if int(row.first_edition) <= int(edition) and (not row.last_edition or int(edition) <= int(row.last_edition)):
            rows.append(Expected(row.delivery, row.family, row.name_word, row.expected_name))
    return rows


def known_families() -> set[str]:
    return set(reference.load(DELIVERIES).frame["family"])


@dataclass(frozen=True)
class Inventory:
    """The landing folder of one edition: each recognised file's family, and the unrecognised files."""

    families: dict[Path, str]
    unreadable: list[str]


def inventory(files: list[Path]) -> Inventory:
    families: dict[Path, str] = {}
    unreadable: list[str] = []
    for path in files:
        try:
            families[path] = sources.detect(path).family
        except (SourceError, OSError) as error:
            unreadable.append(str(error).splitlines()[0] if str(error) else path.name)
    return Inventory(families, unreadable)


def duplicate_problems(files: list[Path], families: dict[Path, str], edition: str) -> list[str]:
    """A file whose content another file has ("file X repeats file Y"), and an expected delivery met by
    two files (the same family and period twice)."""
    problems: list[str] = []
    first_of: dict[str, Path] = {}
    repeated: set[Path] = set()
    for path in sorted(files):
        digest = sha256_file(path)
        if digest in first_of:
            problems.append(
                f"file {path.name} repeats file {first_of[digest].name} (same content, sha256 {digest[:12]})"
            )
            repeated.add(path)
        else:
            first_of[digest] = path
    for expected in expected_deliveries(edition):
        matching = [p.name for p, f in sorted(families.items()) if p not in repeated and expected.matches(p.name, f)]
        if len(matching) > 1:
            problems.append(
                f"{' and '.join(matching)} are each the delivery {expected.describe()} of edition {edition}: "
                "one family and period twice (keep one)"
            )
    return problems


def missing_deliveries(families: dict[Path, str], edition: str) -> list[Expected]:
    return [e for e in expected_deliveries(edition) if not any(e.matches(p.name, f) for p, f in families.items())]


def landing_problems(files: list[Path], edition: str, allow_missing: tuple[str, ...] = ()) -> list[str]:
    """Duplicate and missing deliveries of one edition's landing files."""
    unknown = sorted(set(allow_missing) - known_families())
    problems = [f"--allow-missing {name}: not a source family of {DELIVERIES}" for name in unknown]
    found = inventory(files)
    problems += duplicate_problems(files, found.families, edition)
    if found.unreadable:  # an unrecognised file may be the "missing" one: the build names its problem
        return problems
    for expected in missing_deliveries(found.families, edition):
        if expected.family not in allow_missing:
            problems.append(
                f"missing delivery {expected.describe()}: edition {edition} needs it "
                f"(or pass --allow-missing {expected.family} to publish without it, the gap stated)"
            )
    return problems


def gaps(files: list[Path], edition: str, allow_missing: tuple[str, ...]) -> list[dict]:
    """The deliveries an edition is published without (allowed by the operator), for the manifest."""
    found = inventory(files)
    return [
        {"delivery": e.delivery, "family": e.family, "expected_name": e.expected_name}
        for e in missing_deliveries(found.families, edition)
        if e.family in allow_missing
    ]


def output_problems(out: Path) -> list[str]:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".preflight-"):
            pass
    except OSError as error:
        return [f"output folder {out} cannot be written: {error.strerror or error}"]
    return []


def warehouse_problems(url: str) -> list[str]:
    import sqlalchemy as sa

    from pipeline import warehouse
    from pipeline.settings import mask_url

    shown = mask_url(url)
    try:
        kind = sa.engine.make_url(url).get_backend_name()
        if kind == "sqlite":
            database = sa.engine.make_url(url).database
            if database and database != ":memory:":
                folder = Path(database).expanduser().absolute().parent
                folder.mkdir(parents=True, exist_ok=True)
                if not os.access(folder, os.W_OK):
                    return [f"warehouse {shown}: folder {folder} cannot be written"]
        eng = warehouse.engine(url) if kind == "sqlite" else sa.create_engine(url, connect_args={"connect_timeout": 10})
        try:
            with eng.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        finally:
            eng.dispose()
    except Exception as error:  # any driver's error: the message, never the URL's password
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [f"warehouse {shown} is not reachable: {mask_secret(text, url)}"]
    return []


def mask_secret(text: str, url: str) -> str:
    """`text` with the password of the database URL `url` masked wherever it appears."""
    import sqlalchemy as sa

    try:
        password = sa.engine.make_url(url).password
    except Exception:  # not a URL: nothing to mask
        return text
    return text.replace(str(password), "***") if password else text


def run(out: Path, url: str, files: list[Path], edition: str, allow_missing: tuple[str, ...] = ()) -> list[str]:
    """Every pre-flight problem of a build of `edition` (empty: go)."""
    return output_problems(out) + warehouse_problems(url) + landing_problems(files, edition, allow_missing)
