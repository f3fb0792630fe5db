"""Alert mutations: acknowledge and resolve, under the caller's rights (see
``resolvers.alert_actions``). Bad input or missing rights give a clear error and change nothing."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.alert_actions import change_alert
from resolvers.errors import UserInputError
from resolvers.port import WriteSessions
from schema.alerts import Alert
from schema.common import Info, parse_int_id


def _writes(info: Info) -> WriteSessions:
    writes = getattr(info.context, "writes", None)
    if writes is None:
        raise UserInputError("mutations are served over HTTP POST at /graphql")
    return cast(WriteSessions, writes)


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(
        description="Acknowledge an open alert (managers, admins, executives, and the lead of "
        "the alert's team). Returns the alert as changed."
    )
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> Alert:
        row = await change_alert(_writes(info), parse_int_id(id, "id"), "acknowledge")
        return Alert.from_row(row)

    @strawberry.mutation(
        description="Resolve an open or acknowledged alert (same rights as acknowledging). "
        "Returns the alert as changed."
    )
    async def resolve_alert(self, info: Info, id: strawberry.ID) -> Alert:
        row = await change_alert(_writes(info), parse_int_id(id, "id"), "resolve")
        return Alert.from_row(row)
