"""Acknowledging and resolving alerts: read-write transactions under the caller's rights.

The gateway provides a :class:`resolvers.port.WriteSessions` in the request context (attribute
``writes``): a read-write transaction with the caller's role and claims set as for reads,
committed when the block ends normally and rolled back when it raises. Row level security
decides who may change an alert (policy ``support_alerts_update``: managers, admins,
executives, and the lead of the alert's team or of its agent's team); the resolver only turns
"nothing was updated" into a message that says why. Any error leaves the alert unchanged.

Transitions: acknowledge ``open → acknowledged``; resolve ``open | acknowledged → resolved``.
"""

from __future__ import annotations

import sql
from resolvers.context import RequestContext
from resolvers.errors import UserInputError
from resolvers.port import Row, Session, WriteSessions
from resolvers.privacy import audit_admin, writes_of

#: Who the update policy lets change alerts (for the error message).
WHO_MAY = "managers, admins, executives, and the team lead of the alert's team"


_ACTIONS = {
    "acknowledge": ("alert_acknowledge", frozenset({"open"}), "acknowledged"),
    "resolve": ("alert_resolve", frozenset({"open", "acknowledged"}), "resolved"),
}


async def change_alert(writes: WriteSessions, alert_id: int, action: str) -> Row:
    """Apply ``action`` (acknowledge or resolve) to alert ``alert_id``; the updated row.

    Raises :class:`UserInputError` (nothing changed) when the alert does not exist or is not
    visible to the caller, is not in a state the action applies to, or the caller may not change
    it.
    """
    query, allowed_from, verb = _ACTIONS[action]
    async with writes.write_session() as session:
        before = await _visible(session, alert_id)
        _check_state(before, alert_id, allowed_from, verb)
        row = await session.fetchrow(sql.load(query), alert_id)
        if row is not None:
            return row
        # Not updated: either someone changed it meanwhile, or the policy refused the caller.
        _check_state(await _visible(session, alert_id), alert_id, allowed_from, verb)
        raise UserInputError(
            f"you may not change alert {alert_id}: only {WHO_MAY} may {action} it", field="id"
        )


async def alert_action(ctx: RequestContext, alert_id: int, action: str) -> Row:
    """The ``acknowledgeAlert`` / ``resolveAlert`` mutations: :func:`change_alert` in the
    request's read-write transaction, then an ``admin`` audit event (who, role, the alert, the
    request id) through the request's batched audit writer."""
    row = await change_alert(writes_of(ctx), alert_id, action)
    audit_admin(ctx, f"alert.{action}", alert_id, status=row["status"])
    return row


async def _visible(session: Session, alert_id: int) -> Row:
    rows = await session.fetch(sql.load("alerts_by_ids"), [alert_id])
    if not rows:
        raise UserInputError(
            f"alert {alert_id} does not exist or is not visible to you", field="id"
        )
    return rows[0]


def _check_state(row: Row, alert_id: int, allowed_from: frozenset[str], verb: str) -> None:
    status = str(row["status"])
    if status not in allowed_from:
        raise UserInputError(
            f"alert {alert_id} is {status}; only {' or '.join(sorted(allowed_from))} alerts "
            f"can be {verb}",
            field="id",
        )
