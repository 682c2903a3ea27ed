"""Writes the embedded sample: every family's deliveries for every sample edition.

Each module in this package with a `write(edition, folder, seed) -> list[Path]` function writes one
source family's files of one edition; this driver calls them all, in module order. Writers that take
a `scale` (the DUO families) get the scale factor; the others write the same files at any scale
(see pipeline/sample/common.py for what a scaled sample is).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pipeline.sample as package
from pipeline import editions
from pipeline.settings import SAMPLE_DIR

SAMPLE_EDITIONS = (2019, 2020, 2021, 2022, 2023, 2024)
DEFAULT_SEED = 2013
# left in every edition folder: the publication marks an edition built from it as synthetic sample data
# (pipeline/publish/content.py; a dot file, so it is no delivery)
MARKER = ".techpact-sample"


def writers() -> list[tuple[str, Callable]]:
    found = []
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in ("generate", "common"):
            continue
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        if callable(getattr(loaded, "write", None)):
            found.append((module.name, loaded.write))
    return found


def generate(
    out: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED, sample_editions: Iterable[int] = SAMPLE_EDITIONS, scale: int = 1
) -> list[Path]:
    """Write the sample deliveries of every edition into `out/<edition>/`; returns the files written.

    At `scale` S > 1 the DUO families have S times the institutions, locations and students, and each
    edition's folder holds ten years of DUO data (pipeline/sample/common.py)."""
    if scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, not {scale}")
    if out.exists():
        shutil.rmtree(out)
    written = []
    for number in sample_editions:
        edition = editions.get(number)
        folder = out / edition.key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text(
            f"synthetic sample deliveries written by pipeline.sample.generate (seed {seed}, scale {scale}): "
            "not official figures\n",
            encoding="utf-8",
        )
        for _, write in writers():
            scaled = scale != 1 and "scale" in inspect.signature(write).parameters
            written += write(edition, folder, seed, scale=scale) if scaled else write(edition, folder, seed)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the embedded sample deliveries.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--scale", type=int, default=1, help="scale factor of the DUO families (default 1: the embedded sample)"
    )
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed, scale=args.scale):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
