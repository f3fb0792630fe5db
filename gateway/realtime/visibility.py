"""Who may see a change: decided in the database, for every subscriber at once.

Row level security gives a user's rows as a function of three facts about them: their
application role (``app.app_role()``), their agent row (``app.current_agent_id()``) and their
team (``app.current_team_id()``). A subscriber's :class:`ViewerIdentity` is those three facts,
resolved once per websocket connection by the same helper functions, under the subscriber's own
role and claims (:func:`resolve_identity`).

Subscribers with the same identity see the same rows, so the hub groups them into *viewer
classes* (:class:`ViewerClasses`): a class id per distinct identity. For a batch of changes,
:func:`decide` runs ONE statement (``rt_visibility``) that evaluates, for every change and every
class, the functions the policies themselves call:

* tickets and interactions: ``app.ticket_visible_to`` (the ``support_tickets`` policy);
* alerts: ``app.alert_visible_to`` (the ``support_alerts`` policy);
* queue metrics: ``app.is_staff`` (the ``support_queue_metrics`` policy);

once with the row's team/agent after the change (``visible_after``) and once with the values
before it (``visible_before``; updates and deletes). So a delete reaches only viewers who could
see the deleted ticket, and a ticket moved to another team reaches its old viewers as a removal.

The same statement returns each change's payload once, read as the hub (the database owner):
the ticket as the change left it (from the log's jsonb, typed by ``jsonb_populate_record``),
the alert, or the queue bucket. None of these columns is personal data (customer contacts and
message bodies live in other tables), so no per-role masking applies; nested fields a subscriber
asks for (customer, interactions, ...) are read under the subscriber's own rights.

The statement count per batch is one, whatever the number of subscribers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

import sql
from gateway.auth import Principal
from gateway.db import Database
from gateway.realtime.changes import Change

#: Tables whose changes carry a payload subscribers may receive.
WATCHED_TABLES = frozenset(
    {"support_tickets", "support_interactions", "support_queue_metrics", "support_alerts"}
)


@dataclass(frozen=True, slots=True)
class ViewerIdentity:
    """What row level security knows about a user: app role, own agent row, team."""

    app_role: str
    agent_id: UUID | None
    team_id: UUID | None


async def resolve_identity(db: Database, principal: Principal) -> ViewerIdentity:
    """The principal's identity as the policies see it (one read-only transaction)."""
    session = db.session(principal)
    try:
        row = await session.fetchrow(sql.load("rt_viewer_identity"))
    finally:
        await session.close()
    assert row is not None
    return ViewerIdentity(str(row["app_role"] or ""), row["agent_id"], row["team_id"])


class ViewerClasses:
    """Distinct identities of the current subscribers, each with a small integer id."""

    def __init__(self) -> None:
        self._ids: dict[ViewerIdentity, int] = {}
        self._identity: dict[int, ViewerIdentity] = {}
        self._refs: dict[int, int] = {}
        self._next = 1

    def acquire(self, identity: ViewerIdentity) -> int:
        """The class id of ``identity`` (one more subscriber holds it)."""
        cid = self._ids.get(identity)
        if cid is None:
            cid = self._next
            self._next += 1
            self._ids[identity] = cid
            self._identity[cid] = identity
            self._refs[cid] = 0
        self._refs[cid] += 1
        return cid

    def release(self, cid: int) -> None:
        """One subscriber of class ``cid`` left; the class goes when its last one does."""
        left = self._refs.get(cid, 0) - 1
        if left > 0:
            self._refs[cid] = left
            return
        identity = self._identity.pop(cid, None)
        self._refs.pop(cid, None)
        if identity is not None:
            self._ids.pop(identity, None)

    def __len__(self) -> int:
        return len(self._identity)

    def items(self) -> list[tuple[int, ViewerIdentity]]:
        return sorted(self._identity.items())


@dataclass(frozen=True, slots=True)
class Decision:
    """Who may see one change (class ids) and its payload rows."""

    change: Change
    visible_after: frozenset[int]
    visible_before: frozenset[int]
    ticket: Mapping[str, Any] | None
    alert: Mapping[str, Any] | None
    queue_metric: Mapping[str, Any] | None


def _arrays(classes: Iterable[tuple[int, ViewerIdentity]]) -> list[list[Any]]:
    ids: list[int] = []
    roles: list[str] = []
    agents: list[UUID | None] = []
    teams: list[UUID | None] = []
    for cid, ident in classes:
        ids.append(cid)
        roles.append(ident.app_role)
        agents.append(ident.agent_id)
        teams.append(ident.team_id)
    return [ids, roles, agents, teams]


def _change_arrays(changes: Sequence[Change]) -> list[list[Any]]:
    return [
        [c.seq for c in changes],
        [c.table for c in changes],
        [c.op for c in changes],
        [c.ticket_id for c in changes],
        [c.team_id for c in changes],
        [c.agent_id for c in changes],
        [c.old_team_id for c in changes],
        [c.old_agent_id for c in changes],
        [c.new_row_json for c in changes],
    ]


async def decide(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy,
    changes: Sequence[Change],
    classes: Iterable[tuple[int, ViewerIdentity]],
) -> list[Decision]:
    """Visibility and payload of each change for every class, in one statement (seq order)."""
    relevant = [c for c in changes if c.table in WATCHED_TABLES]
    if not relevant:
        return []
    rows = await conn.fetch(sql.load("rt_visibility"), *_arrays(classes), *_change_arrays(relevant))
    by_seq = {c.seq: c for c in relevant}
    return [
        Decision(
            change=by_seq[r["seq"]],
            visible_after=frozenset(r["visible_after"]),
            visible_before=frozenset(r["visible_before"]),
            ticket=r["ticket"],
            alert=r["alert"],
            queue_metric=r["queue_metric"],
        )
        for r in rows
    ]
