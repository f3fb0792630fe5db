"""Privacy and data governance: the audit log, subject-access export, erasure and consent
(admin and dpo roles; see ``resolvers.privacy``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from resolvers import privacy
from resolvers.errors import UserInputError
from resolvers.port import Row
from schema.common import Info, parse_uuid
from schema.pagination import Connection, Edge, PageInfo


@strawberry.enum(description="What an audit event records.")
class AuditAction(Enum):
    PERSONAL_DATA_READ = "personal_data_read"
    AUTH_FAILURE = "auth_failure"
    EXPORT = "export"
    EXPORT_DOWNLOAD = "export_download"
    ERASE = "erase"
    REFUSED = "refused"
    CONSENT_CHANGE = "consent_change"
    RETENTION_RUN = "retention_run"
    ADMIN = "admin"


@strawberry.type(description="One event of the append-only audit log.")
class AuditEntry:
    id: strawberry.ID
    occurred_at: datetime
    action: AuditAction
    actor_user_id: strawberry.ID | None = strawberry.field(
        description="The caller (null for authentication failures and database-side jobs)."
    )
    actor_role: str | None = strawberry.field(description="The caller's application role.")
    operation: str | None = strawberry.field(description="The GraphQL operation name, if any.")
    request_id: str | None
    customer_id: strawberry.ID | None = strawberry.field(
        description="The data subject, when the event concerns exactly one customer."
    )
    subject_count: int | None = strawberry.field(
        description="How many customers' personal data the event concerns."
    )
    details: JSON

    @classmethod
    def from_row(cls, r: Row) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(r["id"])),
            occurred_at=r["occurred_at"],
            action=AuditAction(r["action"]),
            actor_user_id=_id(r["actor_user_id"]),
            actor_role=r["actor_role"],
            operation=r["operation"],
            request_id=r["request_id"],
            customer_id=_id(r["customer_id"]),
            subject_count=r["subject_count"],
            details=cast(JSON, privacy.details_of(r)),
        )


def _id(value: Any) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.input(description="Which audit events to list (all conditions must hold).")
class AuditLogFilter:
    actions: list[AuditAction] | None = None
    customer_id: strawberry.ID | None = None
    actor_user_id: strawberry.ID | None = None
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Occurred at or after (inclusive)."
    )
    to: datetime | None = strawberry.field(default=None, description="Occurred before.")


def _filter(f: AuditLogFilter | None) -> privacy.AuditFilter:
    if f is None:
        return privacy.AuditFilter()
    return privacy.AuditFilter(
        actions=[a.value for a in f.actions] if f.actions else None,
        customer_id=parse_uuid(f.customer_id, "filter.customerId") if f.customer_id else None,
        actor_user_id=parse_uuid(f.actor_user_id, "filter.actorUserId")
        if f.actor_user_id
        else None,
        start=f.from_,
        end=f.to,
    )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        description="The audit log, newest first (admin and dpo only): reads of personal data, "
        "privacy and admin actions, authentication failures."
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditLogFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        page = await privacy.audit_log(info.context, _filter(filter), first, after)
        edges = [
            Edge(cursor=c, node=AuditEntry.from_row(r))
            for c, r in zip(page.cursors, page.rows, strict=True)
        ]

        async def no_count() -> int:
            raise UserInputError("totalCount is not available on auditLog")

        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            _count=no_count,
        )


@strawberry.type(description="A table's share of a subject-access export.")
class ExportedTable:
    table: str
    rows: int


@strawberry.type(
    description="A subject-access archive (zip: data.json, one CSV per table, manifest.json) "
    "waiting at a short-lived link."
)
class CustomerDataExport:
    customer_id: strawberry.ID
    download_path: str = strawberry.field(
        description="GET this path on the gateway (no token needed: the link is the credential)."
    )
    expires_at: datetime
    sha256: str = strawberry.field(description="SHA-256 of the archive.")
    size_bytes: int
    tables: list[ExportedTable]


@strawberry.type(description="What an erasure did (counts per table and action).")
class ErasureOutcome:
    customer_id: strawberry.ID
    already_erased: bool = strawberry.field(
        description="True when the customer had been erased before: nothing was changed."
    )
    actions: list[ExportedTable] = strawberry.field(
        description="Rows changed, as 'table.column redacted' or 'table deleted'."
    )


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Subject access (admin and dpo): everything held about one customer as a "
        "zip archive behind a short-lived download link. Audited."
    )
    async def export_customer_data(
        self, info: Info, customer_id: strawberry.ID
    ) -> CustomerDataExport:
        cid = parse_uuid(customer_id, "customerId")
        result = await privacy.export_customer_data(info.context, cid)
        return CustomerDataExport(
            customer_id=strawberry.ID(str(cid)),
            download_path=result.path,
            expires_at=result.expires_at,
            sha256=result.sha256,
            size_bytes=result.size_bytes,
            tables=[ExportedTable(table=t, rows=n) for t, n in result.rows.items()],
        )

    @strawberry.mutation(
        description="Erasure (admin and dpo): the customer's personal data is deleted or "
        "irreversibly redacted in every table, in one transaction; tickets stay as anonymous "
        "records so counts and KPIs are unchanged. Idempotent; audited with the reason."
    )
    async def erase_customer(
        self, info: Info, customer_id: strawberry.ID, reason: str
    ) -> ErasureOutcome:
        cid = parse_uuid(customer_id, "customerId")
        result = await privacy.erase_customer(info.context, cid, reason)
        return ErasureOutcome(
            customer_id=strawberry.ID(str(cid)),
            already_erased=result.already_erased,
            actions=[ExportedTable(table=t, rows=n) for t, n in result.done.items()],
        )


@strawberry.type(description="A customer's consent flags.")
class CustomerConsent:
    marketing: bool = strawberry.field(
        description="Marketing-type outputs (upsell candidates) may include them."
    )
    profiling: bool = strawberry.field(
        description="They do not object to profiling: churn and satisfaction-risk models may "
        "score them (database column consent_analytics)."
    )
    surveys: bool = strawberry.field(description="Satisfaction surveys may be sent to them.")


@strawberry.input(description="Consent to record; a null flag stays as it is.")
class ConsentInput:
    marketing: bool | None = None
    profiling: bool | None = None
    surveys: bool | None = None


@strawberry.type
class ConsentMutation:
    @strawberry.mutation(
        description="Record a customer's consent (admin and dpo). Every change of a consent "
        "flag is audited with its before and after values."
    )
    async def set_customer_consent(
        self, info: Info, customer_id: strawberry.ID, consent: ConsentInput
    ) -> CustomerConsent:
        cid = parse_uuid(customer_id, "customerId")
        result = await privacy.set_consent(
            info.context,
            cid,
            marketing=consent.marketing,
            analytics=consent.profiling,
            surveys=consent.surveys,
        )
        return CustomerConsent(
            marketing=result.marketing, profiling=result.analytics, surveys=result.surveys
        )
