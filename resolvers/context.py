"""What every resolver receives as ``info.context``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from resolvers.loaders import Loaders
from resolvers.port import Session


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: their Postgres role, application role and user id (None for anon)."""

    user_id: UUID | None
    role: str
    app_role: str | None


@dataclass
class RequestContext:
    """Per-operation state: the viewer, their database session and fresh DataLoaders."""

    viewer: Caller
    session: Session
    org_timezone: str = "Europe/Paris"
    kpi_targets: Mapping[str, float] = field(default_factory=dict)
    #: The request's clock: every "now"-relative window of one operation uses this instant, so
    #: fields of many objects share one DataLoader batch and agree with each other.
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    request: Any = None
    response: Any = None
    #: privacy: grouped figures over fewer customers are suppressed for analysts; the lifetime
    #: of subject-access download links.
    k_anonymity: int = 5
    export_ttl_seconds: int = 600
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session)

    def renew_for_event(self) -> None:
        """Fresh loaders (and, when the session supports it, a renewed session) for the next
        event of a subscription: nested fields read current data, no cache carried over, and
        statement counts start again for each event."""
        renewed = getattr(self.session, "renewed", None)
        if callable(renewed):
            self.session = renewed()
        self.loaders = Loaders(self.session)
