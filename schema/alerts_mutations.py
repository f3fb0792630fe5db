"""Alert mutations: acknowledge and resolve, under the caller's rights (see
``resolvers.alert_actions``). Bad input or missing rights give a clear error and change nothing."""

from __future__ import annotations

import strawberry

from resolvers.alert_actions import alert_action
from schema.alerts import Alert
from schema.common import Info, parse_int_id


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(
        description="Acknowledge an open alert (managers, admins, executives, and the lead of "
        "the alert's team). Returns the alert as changed."
    )
    async def acknowledge_alert(self, info: Info, id: strawberry.ID) -> Alert:
        row = await alert_action(info.context, parse_int_id(id, "id"), "acknowledge")
        return Alert.from_row(row)

    @strawberry.mutation(
        description="Resolve an open or acknowledged alert (same rights as acknowledging). "
        "Returns the alert as changed."
    )
    async def resolve_alert(self, info: Info, id: strawberry.ID) -> Alert:
        row = await alert_action(info.context, parse_int_id(id, "id"), "resolve")
        return Alert.from_row(row)
