"""`techpact verify EDITION_DIR`: recompute every hash the edition's manifest names.

Outputs are looked up in the edition folder, inputs (by their `path`, relative to the landing root)
under the sources folder, reference files (tables, boundaries) where this checkout reads them (with
TECHPACT_REFERENCE_OVERRIDES); the reference parameters and the code version are compared with the
checkout's. Any difference – a changed byte, a missing file, a file the manifest does not name, a
parameter or code that is not the one the edition was built with – is reported; the command exits
1 when there is one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.sources.files import sha256_file

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Finding:
    kind: str  # output | input | reference | code | release
    path: str
    problem: str  # changed | missing | not in manifest | ...
    expected: str = ""
    actual: str = ""

    def line(self) -> str:
        detail = f" (manifest {self.expected[:16]}…, file {self.actual[:16]}…)" if self.expected and self.actual else ""
        return f"{self.kind} {self.path}: {self.problem}{detail}"


def load_manifest(edition_dir: Path) -> dict:
    path = edition_dir / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{edition_dir} has no {MANIFEST}: not an edition folder")
    return json.loads(path.read_text(encoding="utf-8"))


def verify(edition_dir: Path, sources: Path | None = None, check_inputs: bool = True) -> tuple[list[Finding], int]:
    """Findings (empty when everything matches) and the number of files checked."""
    edition_dir = Path(edition_dir)
    manifest = load_manifest(edition_dir)
    findings: list[Finding] = []
    checked = 0
    named = {MANIFEST}
    for output in manifest.get("outputs", []):
        named.add(output["path"])
        path = edition_dir / output["path"]
        checked += 1
        if not path.is_file():
            findings.append(Finding("output", output["path"], "missing", output["sha256"]))
            continue
        actual = sha256_file(path)
        if actual != output["sha256"]:
            findings.append(Finding("output", output["path"], "changed", output["sha256"], actual))
    for path in sorted(p for p in edition_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(edition_dir).as_posix()
        if relative not in named:
            findings.append(Finding("output", relative, "not in manifest"))
    if check_inputs:
        if sources is None or not Path(sources).is_dir():
            findings.append(
                Finding(
                    "input",
                    str(sources),
                    "sources folder not found: inputs cannot be verified (pass --sources, or --outputs-only)",
                )
            )
        else:
            for item in manifest.get("inputs", []):
                relative = item.get("path") or item["file"]
                candidates = [
                    Path(sources) / relative,
                    Path(sources) / manifest["edition"] / item["file"],
                    Path(sources) / item["file"],
                ]
                path = next((c for c in candidates if c.is_file()), None)
                checked += 1
                if path is None:
                    findings.append(Finding("input", relative, "missing", item["sha256"]))
                    continue
                actual = sha256_file(path)
                if actual != item["sha256"]:
                    findings.append(Finding("input", relative, "changed", item["sha256"], actual))
    reference_findings, reference_checked = verify_reference(manifest)
    return findings + reference_findings, checked + reference_checked


def verify_reference(manifest: dict) -> tuple[list[Finding], int]:
    """Every reference file the manifest lists against the one this checkout (and its overrides,
    TECHPACT_REFERENCE_OVERRIDES) would read, the reference parameters against their table, and the
    code version against the checkout's code: a rebuild from this checkout gives the same edition
    only when they all match."""
    from pipeline import provenance, reference

    findings: list[Finding] = []
    listed = manifest.get("reference_tables", [])
    for item in listed:
        relative = item.get("path", "")
        path = reference.table_path(relative)
        if not relative or not path.is_file():
            findings.append(Finding("reference", relative or item["id"], "missing", item.get("sha256", "")))
            continue
        actual = sha256_file(path)
        if actual != item.get("sha256"):
            findings.append(Finding("reference", relative, "changed", item.get("sha256", ""), actual))
    current = {entry["path"] for entry in reference.inventory()}
    for relative in sorted(current - {item.get("path") for item in listed}):
        findings.append(Finding("reference", relative, "not in manifest"))
    recorded = manifest.get("reference_parameters")
    if recorded is not None:
        frame = reference.load("indicators/parameters.csv").frame
        now = dict(zip(frame["parameter"], frame["value"]))
        for name in sorted(set(recorded) | set(now)):
            if recorded.get(name) != now.get(name):
                findings.append(
                    Finding("reference", f"parameter {name}", f"manifest {recorded.get(name)!r}, now {now.get(name)!r}")
                )
    code = manifest.get("code", {})
    checked = len(listed) + 1
    if code.get("tree_sha256") and code["tree_sha256"] != provenance.tree_sha256():
        findings.append(
            Finding("code", "tree_sha256", "the checkout's code differs", code["tree_sha256"], provenance.tree_sha256())
        )
    return findings, checked


def verify_release(edition_dir: Path, warehouse_url: str, required: bool = False) -> list[Finding]:
    """The edition folder against the release its warehouse committed: the folder `out/<edition>`
    links to must be the recorded release, and the manifest's sha256 the one recorded at the commit
    (a manifest edited and re-hashed afterwards no longer matches). Without a record in that warehouse
    there is nothing to compare: a finding only when `required` (the operator named the warehouse)."""
    from pipeline.publish import release as releasing

    edition_dir = Path(edition_dir)
    edition = str(load_manifest(edition_dir).get("edition", edition_dir.name))
    try:
        record = releasing.release_record(warehouse_url, edition)
    except Exception as error:  # e.g. an unreachable server: say so, never with the URL's password
        from pipeline.preflight import mask_secret

        if not required:
            return []
        return [Finding("release", edition, f"the warehouse cannot be read: {mask_secret(str(error), warehouse_url)}")]
    if record is None:
        return [Finding("release", edition, "the warehouse holds no release of this edition")] if required else []
    findings = []
    shown = Path(os.readlink(edition_dir)).name if edition_dir.is_symlink() else edition_dir.resolve().name
    if shown != record["release"]:
        findings.append(
            Finding(
                "release",
                edition,
                f"link/warehouse mismatch: the folder is release {shown}, the warehouse committed {record['release']}",
            )
        )
    recorded = record.get("manifest_sha256")
    actual = sha256_file(edition_dir / MANIFEST)
    if not recorded:
        findings.append(Finding("release", MANIFEST, "the warehouse recorded no manifest hash for this release"))
    elif actual != recorded:
        findings.append(
            Finding("release", MANIFEST, "differs from the manifest the warehouse recorded at commit", recorded, actual)
        )
    return findings


def main(
    edition_dir: Path,
    sources: Path | None,
    check_inputs: bool = True,
    warehouse_url: str | None = None,
    warehouse_required: bool = False,
) -> int:
    try:
        findings, checked = verify(edition_dir, sources, check_inputs)
        if warehouse_url:
            findings += verify_release(edition_dir, warehouse_url, warehouse_required)
    except (FileNotFoundError, json.JSONDecodeError, KeyError) as error:
        print(f"cannot verify {edition_dir}: {error}")
        return 2
    for finding in findings:
        print(finding.line())
    if findings:
        print(f"{edition_dir}: {len(findings)} difference(s) from the manifest ({checked} files checked)")
        return 1
    print(f"{edition_dir}: all {checked} files match the manifest")
    return 0
