"""Seeded randomness: one numpy Generator per named stream, and deterministic UUIDs.

Each generator draws from its own stream derived from ``(seed, name)``, so the data of one
component does not shift when another component changes how many numbers it draws. All randomness
of the seeder comes from here.
"""

from __future__ import annotations

import uuid
import zlib

import numpy as np
from numpy.typing import NDArray

U8 = NDArray[np.uint8]
I64 = NDArray[np.int64]
F64 = NDArray[np.float64]
B = NDArray[np.bool_]


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` for ``seed`` (same inputs, same numbers)."""
    entropy = [seed % 2**63, zlib.crc32(name.encode("utf-8"))]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def uuid_bytes(rng: np.random.Generator, n: int) -> U8:
    """``n`` random version-4 UUIDs as an ``(n, 16)`` uint8 matrix."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw


def as_uuid(row: U8) -> uuid.UUID:
    """One row of :func:`uuid_bytes` as a :class:`uuid.UUID`."""
    return uuid.UUID(bytes=bytes(row.tolist()))


def pick(rng: np.random.Generator, probs: F64, n: int) -> I64:
    """``n`` draws of indices with probabilities ``probs`` (normalised here)."""
    p = np.asarray(probs, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def pick_rows(rng: np.random.Generator, probs: F64) -> I64:
    """One index per row of the ``(n, k)`` probability matrix ``probs`` (rows normalised here)."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs)) * cum[:, -1]
    result: I64 = np.minimum((u[:, None] > cum).sum(axis=1), probs.shape[1] - 1).astype(np.int64)
    return result


def lognormal(rng: np.random.Generator, median: F64 | float, sigma: float, n: int) -> F64:
    """Lognormal draws with the given median(s) and log-space spread."""
    return np.asarray(median, dtype=np.float64) * np.exp(sigma * rng.standard_normal(n))
