"""The subject-access archive: a zip with ``data.json`` (everything, per table), one CSV per table
and ``manifest.json`` (rows per table and each member's SHA-256). Pure: no I/O, no clock."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

#: Fixed member timestamps keep the archive of the same data byte-identical.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as CSV with a header: every key of any row, in first-seen order."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(columns))
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def build_archive(
    tables: Mapping[str, Sequence[Mapping[str, Any]]], customer_id: str, generated_at: datetime
) -> bytes:
    """The zip archive of one customer's data (see the module docstring)."""
    members: dict[str, bytes] = {
        "data.json": json.dumps(
            {
                "customer_id": customer_id,
                "generated_at": generated_at.isoformat(),
                "tables": tables,
            },
            ensure_ascii=False,
            indent=1,
            sort_keys=True,
        ).encode()
    }
    for name in sorted(tables):
        members[f"{name}.csv"] = table_csv(tables[name]).encode()
    manifest = {
        "customer_id": customer_id,
        "generated_at": generated_at.isoformat(),
        "rows": {name: len(tables[name]) for name in sorted(tables)},
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    members["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
