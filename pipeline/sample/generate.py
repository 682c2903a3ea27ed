"""Writes the embedded sample: every family's deliveries for every sample edition.

Each module in this package with a `write(edition, folder, seed) -> list[Path]` function writes one
source family's files of one edition; this driver calls them all, in module order.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pipeline.sample as package
from pipeline import editions
from pipeline.settings import SAMPLE_DIR

SAMPLE_EDITIONS = (2019, 2020, 2021, 2022, 2023, 2024)
DEFAULT_SEED = 2013


def writers() -> list[tuple[str, Callable]]:
    found = []
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in ("generate", "common"):
            continue
        loaded = importlib.import_module(f"{package.__name__}.{module.name}")
        if callable(getattr(loaded, "write", None)):
            found.append((module.name, loaded.write))
    return found


def generate(out: Path = SAMPLE_DIR, seed: int = DEFAULT_SEED, sample_editions: Iterable[int] = SAMPLE_EDITIONS) -> list[Path]:
    """Write the sample deliveries of every edition into `out/<edition>/`; returns the files written."""
    if out.exists():
        shutil.rmtree(out)
    written = []
    for number in sample_editions:
        edition = editions.get(number)
        folder = out / edition.key
        folder.mkdir(parents=True, exist_ok=True)
        for _, write in writers():
            written += write(edition, folder, seed)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the embedded sample deliveries.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for path in generate(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
