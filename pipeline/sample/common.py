"""Helpers shared by the sample writers."""

from __future__ import annotations

import hashlib


def unit(seed: int, *parts: object) -> float:
    """A deterministic number in [0, 1) from the seed and the parts (stable across runs and machines)."""
    digest = hashlib.sha256("|".join(map(str, (seed, *parts))).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
