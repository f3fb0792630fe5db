"""Vectorised encoder of Postgres' binary ``COPY`` format from numpy columns.

A :class:`Frame` is a table's worth of columns (numpy arrays, all of one length). :func:`encode`
turns rows ``[start, stop)`` of a frame into one binary COPY payload (header, tuples, trailer)
without a per-row Python loop: every field is a 4-byte big-endian length followed by its bytes,
so row offsets are a cumulative sum and each column is written with one scatter.

Supported kinds (``CopyColumn.kind``) and what ``CopyColumn.values`` holds:

``int2``/``int4``/``int8``/``bool``
    integers (bool as 0/1).
``float8``
    floats.
``timestamptz``
    int64 microseconds since the Unix epoch (UTC).
``date``
    int32 days since the Unix epoch.
``time``
    int64 microseconds since midnight.
``uuid``
    ``(n, 16)`` uint8, the 16 bytes of each UUID.
``numeric``
    int64 value scaled by ``10**scale`` (``scale`` ≤ 4); sent as a fixed-width numeric that the
    server normalises (leading/trailing zero digit groups are stripped by ``numeric_recv``).
``text``
    codes into ``CopyColumn.payloads`` (already-encoded field bytes, e.g. UTF-8 text or a binary
    ``text[]``); used for templated and categorical text.

``CopyColumn.null`` (optional bool mask) marks SQL NULLs; for ``text`` a negative code is NULL too.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)
#: 2000-01-01 (Postgres epoch) in Unix microseconds and days.
_PG_EPOCH_US = 946_684_800_000_000
_PG_EPOCH_DAYS = 10_957
#: int part of a fixed-width numeric: this many base-10000 digit groups (< 10^16).
_NUMERIC_INT_GROUPS = 4

_FIXED_DTYPES: dict[str, str] = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "bool": "u1",
    "float8": ">f8",
    "timestamptz": ">i8",
    "date": ">i4",
    "time": ">i8",
}


@dataclass(frozen=True)
class CopyColumn:
    """One column of a :class:`Frame` (see the module docstring for ``kind``/``values``)."""

    name: str
    kind: str
    values: NDArray[np.generic]
    null: NDArray[np.bool_] | None = None
    payloads: tuple[bytes, ...] = ()
    scale: int = 0


@dataclass(frozen=True)
class Frame:
    """Columns of one table, in the order they are copied."""

    table: str
    columns: tuple[CopyColumn, ...]
    schema: str = "public"
    rows: int = field(init=False)

    def __post_init__(self) -> None:
        lengths = {len(c.values) for c in self.columns}
        if len(lengths) != 1:
            raise ValueError(f"{self.table}: columns of different lengths {sorted(lengths)}")
        object.__setattr__(self, "rows", lengths.pop())

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def text_payloads(values: Sequence[str]) -> tuple[bytes, ...]:
    """UTF-8 payloads for a ``text`` column's code table."""
    return tuple(v.encode("utf-8") for v in values)


def text_col(name: str, values: Sequence[str | None]) -> CopyColumn:
    """A ``text`` column from Python strings (None = NULL), for small tables."""
    table = sorted({v for v in values if v is not None})
    index = {v: i for i, v in enumerate(table)}
    codes = np.array([-1 if v is None else index[v] for v in values], dtype=np.int64)
    return CopyColumn(name, "text", codes, payloads=text_payloads(table))


def payload_col(name: str, payloads: Sequence[bytes]) -> CopyColumn:
    """A column whose every row has its own pre-encoded payload (jsonb, arrays)."""
    return CopyColumn(
        name, "text", np.arange(len(payloads), dtype=np.int64), payloads=tuple(payloads)
    )


def jsonb_payload(value: object) -> bytes:
    """Binary ``jsonb``: version byte 1 then the JSON text."""
    return b"\x01" + json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")


def int2_array_payload(items: Sequence[int]) -> bytes:
    """The binary representation of a one-dimensional ``smallint[]`` (oid 21 elements)."""
    parts = [struct.pack(">iiiii", 1, 0, 21, len(items), 1)]
    parts.extend(struct.pack(">ih", 2, v) for v in items)
    return b"".join(parts)


def text_array_payload(items: Sequence[str]) -> bytes:
    """The binary representation of a one-dimensional ``text[]`` (oid 25 elements)."""
    if not items:
        return struct.pack(">iii", 0, 0, 25)
    parts = [struct.pack(">iiiii", 1, 0, 25, len(items), 1)]
    for item in items:
        raw = item.encode("utf-8")
        parts.append(struct.pack(">i", len(raw)) + raw)
    return b"".join(parts)


def _numeric_matrix(values: NDArray[np.generic], scale: int) -> NDArray[np.uint8]:
    if not 0 <= scale <= 4:
        raise ValueError("numeric scale must be between 0 and 4")
    q = values.astype(np.int64)
    mag = np.abs(q)
    int_part = mag // (10**scale)
    frac = (mag % (10**scale)) * (10 ** (4 - scale))
    n = len(q)
    g = _NUMERIC_INT_GROUPS
    words = np.empty((n, 4 + g + 1), dtype=">i2")
    words[:, 0] = g + 1
    words[:, 1] = g - 1
    words[:, 2] = np.where(q < 0, 0x4000, 0)
    words[:, 3] = scale
    for i in range(g):
        words[:, 4 + i] = (int_part // (10_000 ** (g - 1 - i))) % 10_000
    words[:, 4 + g] = frac
    return words.view(np.uint8).reshape(n, 2 * words.shape[1])


def _fixed_matrix(col: CopyColumn, lo: int, hi: int) -> NDArray[np.uint8]:
    """The data bytes of rows [lo, hi) of a fixed-width column as an (n, width) matrix."""
    v = col.values[lo:hi]
    n = hi - lo
    if col.kind == "uuid":
        return np.ascontiguousarray(v, dtype=np.uint8).reshape(n, 16)
    if col.kind == "numeric":
        return _numeric_matrix(v, col.scale)
    if col.kind == "timestamptz":
        v = v.astype(np.int64) - _PG_EPOCH_US
    elif col.kind == "date":
        v = v.astype(np.int64) - _PG_EPOCH_DAYS
    arr = np.ascontiguousarray(v.astype(_FIXED_DTYPES[col.kind]))
    return arr.view(np.uint8).reshape(n, arr.dtype.itemsize)


def _be32(values: NDArray[np.int64]) -> NDArray[np.uint8]:
    return values.astype(">i4").view(np.uint8).reshape(-1, 4)


def _scatter_rows(out: NDArray[np.uint8], pos: NDArray[np.int64], block: NDArray[np.uint8]) -> None:
    """out[pos[i] + j] = block[i, j] for every row i and column j."""
    if len(pos):
        out[pos[:, None] + np.arange(block.shape[1])] = block


def encode(
    frame: Frame,
    start: int = 0,
    stop: int | None = None,
    *,
    header: bool = True,
    trailer: bool = True,
) -> bytes:
    """Binary COPY data of rows ``[start, stop)`` of ``frame``.

    One COPY is the header, the tuples and the trailer: pass ``header``/``trailer`` False for
    chunks in the middle of a streamed COPY.
    """
    hi = frame.rows if stop is None else min(stop, frame.rows)
    n = max(hi - start, 0)
    ncols = len(frame.columns)
    data_len: list[NDArray[np.int64]] = []
    for col in frame.columns:
        if col.kind == "text":
            codes = col.values[start:hi].astype(np.int64)
            plen = np.array([len(p) for p in col.payloads] + [0], dtype=np.int64)
            lens = np.where(codes < 0, -1, plen[codes])
        else:
            width = 16 if col.kind == "uuid" else _fixed_width(col)
            lens = np.full(n, width, dtype=np.int64)
        if col.null is not None:
            lens = np.where(col.null[start:hi], -1, lens)
        data_len.append(lens)
    row_len = 2 + sum(4 + np.maximum(lens, 0) for lens in data_len)
    row_len = np.asarray(row_len, dtype=np.int64).reshape(n)
    offsets = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(row_len[:-1], out=offsets[1:])
    body = int(row_len.sum())
    head = _HEADER if header else b""
    tail = _TRAILER if trailer else b""
    out = np.empty(len(head) + body + len(tail), dtype=np.uint8)
    out[: len(head)] = np.frombuffer(head, dtype=np.uint8)
    out[len(head) + body :] = np.frombuffer(tail, dtype=np.uint8)
    pos = offsets + len(head)
    out[pos] = (ncols >> 8) & 0xFF
    out[pos + 1] = ncols & 0xFF
    pos = pos + 2
    for col, lens in zip(frame.columns, data_len, strict=True):
        _scatter_rows(out, pos, _be32(lens))
        present = lens >= 0
        all_present = bool(present.all())
        if col.kind == "text":
            _write_text(out, pos + 4, col, start, hi, lens, present)
        else:
            matrix = _fixed_matrix(col, start, hi)
            if all_present:
                _scatter_rows(out, pos + 4, matrix)
            else:
                _scatter_rows(out, pos[present] + 4, matrix[present])
        pos = pos + 4 + np.maximum(lens, 0)
    return out.tobytes()


def _fixed_width(col: CopyColumn) -> int:
    if col.kind == "numeric":
        return 8 + 2 * (_NUMERIC_INT_GROUPS + 1)
    return int(np.dtype(_FIXED_DTYPES[col.kind]).itemsize)


def _write_text(
    out: NDArray[np.uint8],
    pos: NDArray[np.int64],
    col: CopyColumn,
    lo: int,
    hi: int,
    lens: NDArray[np.int64],
    present: NDArray[np.bool_],
) -> None:
    """Copy each row's payload bytes to its position (one gather/scatter for the column)."""
    codes = col.values[lo:hi].astype(np.int64)[present]
    dst_start = pos[present]
    sizes = lens[present]
    total = int(sizes.sum())
    if total == 0:
        return
    blob = np.frombuffer(b"".join(col.payloads), dtype=np.uint8)
    plen = np.array([len(p) for p in col.payloads], dtype=np.int64)
    poff = np.zeros(len(plen), dtype=np.int64)
    np.cumsum(plen[:-1], out=poff[1:])
    # within-field byte index: 0..size-1 for each row, built without a loop.
    first = np.zeros(len(sizes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=first[1:])
    within = np.arange(total, dtype=np.int64) - np.repeat(first, sizes)
    out[np.repeat(dst_start, sizes) + within] = blob[np.repeat(poff[codes], sizes) + within]
