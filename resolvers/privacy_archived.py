"""A customer's data in the retention archives (``ARCHIVE_DIR/<table>/<YYYY-MM>/*.csv.gz`` with a
``manifest.json``, written by :mod:`gateway.privacy.retention` and listed in
``public.privacy_archives``).

* The subject-access export adds the archived rows about the customer: interactions of their
  tickets, those interactions' message bodies, change-log rows of their tickets and audit rows
  naming them (tables ``archived_<table>``).
* Erasure rewrites the files, in the erasure's transaction (before it commits; a failed commit
  leaves the archive erased, never the reverse): the bodies of the customer's interactions and
  the change-log rows of their tickets are dropped, their full name (as words), email and phone
  are replaced by ``[redacted]`` in every remaining cell (other customers' bodies and change-log
  copies), as the database does for live rows. Interaction rows (no text) and audit rows (ids
  only) stay, as they do in the database. Each rewritten file's SHA-256 and row count go into
  its manifest, and the manifest's new SHA-256 and row count into ``privacy_archives``.

The files are PostgreSQL CSV (``COPY ... csv header``): an unquoted empty field is NULL, a quoted
one the empty string; :func:`parse_csv` and :func:`format_csv` keep that distinction. File work
runs in a thread (``asyncio.to_thread``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import sql

Field = str | None
log = logging.getLogger(__name__)


class Fetches(Protocol):
    """What these functions need of a session (a request's :class:`resolvers.port.Session`, or
    the CLI's asyncpg connection)."""

    async def fetchval(self, query: str, *args: Any) -> Any: ...


REDACTED = "[redacted]"
_QUOTE_NEEDED = re.compile(r'[",\r\n]|^$|^\s|\s$')


def parse_csv(text: str) -> list[list[Field]]:
    """Records of PostgreSQL CSV text (unquoted empty field: None)."""
    records: list[list[Field]] = []
    record: list[Field] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j, parts = i + 1, []
            while True:
                k = text.index('"', j)
                parts.append(text[j:k])
                if k + 1 < n and text[k + 1] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            record.append("".join(parts))
        else:
            k = i
            while k < n and text[k] not in ",\n":
                k += 1
            value = text[i:k].removesuffix("\r")
            record.append(value if value else None)
            i = k
        if i >= n or text[i] == "\n":
            records.append(record)
            record = []
        i += 1
    return records


def format_csv(records: Iterable[Sequence[Field]]) -> str:
    """PostgreSQL CSV text of records (None: an unquoted empty field)."""
    lines = []
    for record in records:
        cells = []
        for value in record:
            if value is None:
                cells.append("")
            elif _QUOTE_NEEDED.search(value):
                cells.append('"' + value.replace('"', '""') + '"')
            else:
                cells.append(value)
        lines.append(",".join(cells) + "\n")
    return "".join(lines)


def mention_pattern(
    full_name: str | None, email: str | None, phone: str | None
) -> re.Pattern[str] | None:
    """The customer's full name (as words, any spacing), email and phone, case-insensitive,
    longest first (app.mention_pattern's rule, in Python's dialect)."""
    terms: list[str] = []
    name = (full_name or "").strip()
    if len(name) >= 3:
        terms.append(r"\b" + r"\s+".join(re.escape(p) for p in name.split()) + r"\b")
    if email:
        terms.append(re.escape(email))
    if phone and len(phone) >= 6:
        terms.append(re.escape(phone))
    if not terms:
        return None
    return re.compile("|".join(sorted(terms, key=len, reverse=True)), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Subject:
    customer_id: str
    tickets: frozenset[str]
    pattern: re.Pattern[str] | None
    manifests: tuple[str, ...]

    @classmethod
    def of(cls, customer_id: UUID, raw: Mapping[str, Any]) -> Subject:
        return cls(
            customer_id=str(customer_id),
            tickets=frozenset(str(t) for t in raw["tickets"]),
            pattern=mention_pattern(raw["full_name"], raw["email"], raw["phone"]),
            manifests=tuple(str(a["manifest"]) for a in raw["archives"]),
        )


def _read(path: Path) -> list[list[Field]]:
    return parse_csv(gzip.decompress(path.read_bytes()).decode())


def _write(path: Path, records: Sequence[Sequence[Field]]) -> str:
    """Write gzip CSV to ``path`` through a temporary file; its SHA-256."""
    data = gzip.compress(format_csv(records).encode(), mtime=0)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def _about(table: str, header: list[Field], subject: Subject, interactions: set[str]) -> Any:
    """A predicate: is this record of ``table`` about the subject?"""
    col = {name: i for i, name in enumerate(header) if name is not None}
    if table == "support_interaction_bodies":
        return lambda r: r[col["interaction_id"]] in interactions
    if table == "privacy_audit_log":
        return lambda r: r[col["customer_id"]] == subject.customer_id
    if "ticket_id" in col:
        return lambda r: r[col["ticket_id"]] in subject.tickets
    return lambda r: False


def _folder_files(manifest_path: Path) -> tuple[dict[str, Any], list[str]]:
    manifest = json.loads(manifest_path.read_bytes())
    # interactions before their bodies (the bodies are found through the interaction ids)
    names = sorted(manifest["files"], key=lambda n: n != "support_interactions.csv.gz")
    return manifest, names


def _archives(subject: Subject) -> Iterator[tuple[Path, dict[str, Any], list[str]]]:
    """Each archive found on disk: its manifest's path, the manifest, its files in order."""
    for manifest_file in subject.manifests:
        path = Path(manifest_file)
        if path.exists():
            manifest, names = _folder_files(path)
            yield path, manifest, names


def missing_archives(subject: Subject) -> list[str]:
    """Manifests listed in ``privacy_archives`` but not on this machine's disk."""
    return [m for m in subject.manifests if not Path(m).exists()]


def archived_rows(subject: Subject) -> dict[str, list[dict[str, Field]]]:
    """Every archived row about the subject, per ``archived_<table>`` (blocking: run in a
    thread)."""
    out: dict[str, list[dict[str, Field]]] = {}
    for path, _, names in _archives(subject):
        interactions: set[str] = set()
        for name in names:
            table = name.removesuffix(".csv.gz")
            header, *records = _read(path.parent / name)
            about = _about(table, header, subject, interactions)
            rows = [dict(zip(map(str, header), r, strict=True)) for r in records if about(r)]
            if table == "support_interactions":
                interactions = {str(r["id"]) for r in rows}
            if rows:
                out.setdefault(f"archived_{table}", []).extend(rows)
    return out


def erase_archived(subject: Subject) -> list[tuple[str, str, int]]:
    """Rewrite the archive files without the subject's data; (manifest, its new SHA-256, the
    archived table's row count) of each rewritten archive (blocking: run in a thread)."""
    resealed = []
    for path, manifest, names in _archives(subject):
        interactions: set[str] = set()
        changed = False
        for name in names:
            table = name.removesuffix(".csv.gz")
            header, *records = _read(path.parent / name)
            about = _about(table, header, subject, interactions)
            if table == "support_interactions":
                col = header.index("id")
                interactions = {str(r[col]) for r in records if about(r)}
            kept = records
            if table in ("support_interaction_bodies", "support_change_log"):
                kept = [r for r in records if not about(r)]
            if subject.pattern is not None:
                pattern = subject.pattern
                kept = [[v if v is None else pattern.sub(REDACTED, v) for v in r] for r in kept]
            if kept != records:
                manifest["files"][name] = {
                    "rows": len(kept),
                    "sha256": _write(path.parent / name, [header, *kept]),
                }
                changed = True
        if changed:
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            rows = int(manifest["files"][f"{manifest['table']}.csv.gz"]["rows"])
            resealed.append((str(path), hashlib.sha256(data).hexdigest(), rows))
    return resealed


async def subject_of(session: Fetches, customer_id: UUID) -> Subject:
    """The customer's tickets, identifiers and the archives (before an erasure removes them)."""
    raw = await session.fetchval(sql.load("privacy_archive_subject"), customer_id)
    return Subject.of(customer_id, json.loads(raw) if isinstance(raw, str) else raw)


async def export_archived(session: Fetches, customer_id: UUID) -> dict[str, list[dict[str, Field]]]:
    """The subject-access export's archived rows (see the module docstring)."""
    subject = await subject_of(session, customer_id)
    return await asyncio.to_thread(archived_rows, subject)


async def erase_from_archives(session: Fetches, subject: Subject) -> dict[str, int]:
    """Rewrite the archives without the subject and reseal them; how many archives changed
    (``archives rewritten``) and, when some listed archive is not on this machine's disk (moved
    away: it was not searched), how many (``archives not found``)."""
    resealed = await asyncio.to_thread(erase_archived, subject)
    missing = await asyncio.to_thread(missing_archives, subject)
    for manifest, digest, rows in resealed:
        await session.fetchval(
            sql.load("privacy_reseal_archive"), UUID(subject.customer_id), manifest, digest, rows
        )
    done = {"archives rewritten": len(resealed)} if resealed else {}
    if missing:
        log.warning("erasure: %d archive(s) not found on disk, not rewritten", len(missing))
        done["archives not found"] = len(missing)
    return done
