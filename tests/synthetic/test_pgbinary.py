"""The binary COPY encoder against a row-by-row reading of PostgreSQL's documented format.

The encoder writes whole columns with numpy scatters; the reader here walks the bytes one field
at a time with :mod:`struct`, following "COPY ... Binary Format" of the PostgreSQL manual and
the send functions of each type (int2/4/8, bool, float8, timestamptz and date relative to
2000-01-01, uuid, numeric as base-10000 digit groups, text as raw bytes). Pure: no database.
"""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from synthetic.pgbinary import (
    CopyColumn,
    Frame,
    encode,
    int2_array_payload,
    jsonb_payload,
    text_array_payload,
    text_col,
)

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def read_numeric(raw: bytes) -> Decimal:
    ndigits, weight, sign, dscale = struct.unpack(">hhHh", raw[:8])
    digits = struct.unpack(f">{ndigits}h", raw[8 : 8 + 2 * ndigits])
    value = sum(Decimal(d) * Decimal(10_000) ** (weight - i) for i, d in enumerate(digits))
    value = value.quantize(Decimal(1).scaleb(-dscale))
    return -value if sign == 0x4000 else value


def read_field(kind: str, raw: bytes) -> Any:
    if kind == "int2":
        return struct.unpack(">h", raw)[0]
    if kind == "int4":
        return struct.unpack(">i", raw)[0]
    if kind == "int8":
        return struct.unpack(">q", raw)[0]
    if kind == "bool":
        return raw == b"\x01"
    if kind == "float8":
        return struct.unpack(">d", raw)[0]
    if kind == "timestamptz":
        return PG_EPOCH + timedelta(microseconds=struct.unpack(">q", raw)[0])
    if kind == "date":
        return date(2000, 1, 1) + timedelta(days=struct.unpack(">i", raw)[0])
    if kind == "time":
        us = struct.unpack(">q", raw)[0]
        return (datetime(2000, 1, 1) + timedelta(microseconds=us)).time()
    if kind == "uuid":
        return uuid.UUID(bytes=raw)
    if kind == "numeric":
        return read_numeric(raw)
    return raw


def read_copy(data: bytes, kinds: list[str]) -> list[list[Any]]:
    """Tuples of a complete binary COPY payload, one field at a time."""
    assert data[:11] == SIGNATURE
    flags, extension = struct.unpack(">ii", data[11:19])
    assert (flags, extension) == (0, 0)
    pos, rows = 19, []
    while True:
        (count,) = struct.unpack(">h", data[pos : pos + 2])
        pos += 2
        if count == -1:
            assert pos == len(data), "bytes after the trailer"
            return rows
        assert count == len(kinds)
        row = []
        for kind in kinds:
            (length,) = struct.unpack(">i", data[pos : pos + 4])
            pos += 4
            if length == -1:
                row.append(None)
                continue
            row.append(read_field(kind, data[pos : pos + length]))
            pos += length
        rows.append(row)


def micros(at: datetime) -> int:
    return (at - UNIX_EPOCH) // timedelta(microseconds=1)


AT = [datetime(2026, 11, 20, 12, 0, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, 59, 5, tzinfo=UTC)]
DAYS = [date(2026, 3, 29), date(1970, 1, 1)]
IDS = [uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF), uuid.UUID(int=1)]


def sample_frame() -> Frame:
    return Frame(
        "sample",
        (
            CopyColumn("a", "int2", np.array([-3, 32_767])),
            CopyColumn("b", "int4", np.array([2_000_000_000, -1]), null=np.array([False, True])),
            CopyColumn("c", "int8", np.array([-(2**62), 7])),
            CopyColumn("d", "bool", np.array([1, 0])),
            CopyColumn("e", "float8", np.array([0.1, -2.5e300])),
            CopyColumn("f", "timestamptz", np.array([micros(t) for t in AT])),
            CopyColumn("g", "date", np.array([(d - date(1970, 1, 1)).days for d in DAYS])),
            CopyColumn("h", "time", np.array([0, (13 * 3600 + 5) * 1_000_000])),
            CopyColumn("i", "uuid", np.array([list(u.bytes) for u in IDS], dtype=np.uint8)),
            CopyColumn("j", "numeric", np.array([123_456_789, -5]), scale=2),
            text_col("k", ["crème", None]),
        ),
    )


EXPECTED = [
    [-3, 2_000_000_000, -(2**62), True, 0.1, AT[0], DAYS[0], time(0, 0), IDS[0],
     Decimal("1234567.89"), "crème".encode()],
    [32_767, None, 7, False, -2.5e300, AT[1], DAYS[1], time(13, 0, 5), IDS[1],
     Decimal("-0.05"), None],
]  # fmt: skip


def test_every_kind_encodes_as_the_manual_describes() -> None:
    frame = sample_frame()
    rows = read_copy(encode(frame), [c.kind for c in frame.columns])
    assert rows == EXPECTED


def test_chunks_concatenate_to_the_whole_copy() -> None:
    frame = sample_frame()
    whole = encode(frame)
    chunked = encode(frame, 0, 1, trailer=False) + encode(frame, 1, None, header=False)
    assert chunked == whole
    assert read_copy(encode(frame, 5), [c.kind for c in frame.columns]) == []


def test_numeric_scales_and_magnitudes() -> None:
    values = [0, 1, -1, 9_999, 10_000, 123_456_789_012, -(10**15) + 1]
    for scale in range(5):
        frame = Frame("n", (CopyColumn("x", "numeric", np.array(values), scale=scale),))
        got = [r[0] for r in read_copy(encode(frame), ["numeric"])]
        assert got == [Decimal(v).scaleb(-scale) for v in values], scale
    with pytest.raises(ValueError, match="scale"):
        encode(Frame("n", (CopyColumn("x", "numeric", np.array([1]), scale=5),)))


def test_payload_helpers() -> None:
    assert jsonb_payload({"b": 1, "a": "é"}) == b'\x01{"a": "\xc3\xa9", "b": 1}'
    # one dimension, no nulls, element oid, length, lower bound 1, then (length, value) pairs
    assert int2_array_payload([3, -1]) == struct.pack(">iiiiiihih", 1, 0, 21, 2, 1, 2, 3, 2, -1)
    assert text_array_payload([]) == struct.pack(">iii", 0, 0, 25)
    assert text_array_payload(["ab"]) == struct.pack(">iiiiii", 1, 0, 25, 1, 1, 2) + b"ab"


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        Frame(
            "t", (CopyColumn("a", "int4", np.array([1])), CopyColumn("b", "int4", np.array([1, 2])))
        )
