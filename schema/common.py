"""Enums and small helpers shared by the domain schema modules."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import strawberry

from resolvers.errors import UserInputError

if TYPE_CHECKING:
    from strawberry.types import Info as _Info

    from resolvers.context import RequestContext

    Info = _Info[RequestContext, None]
else:
    from strawberry.types import Info


@strawberry.enum(description="Lifecycle state of a ticket.")
class TicketStatus(Enum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


@strawberry.enum(description="Urgency of a ticket.")
class Priority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


@strawberry.enum(description="Contact channel.")
class Channel(Enum):
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    SOCIAL = "social"


@strawberry.enum(description="VIP tier of a client (regular clients have none).")
class VipTier(Enum):
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"
    DIAMOND = "diamond"


@strawberry.enum(description="Application role carried in the JWT's app_role claim.")
class AppRole(Enum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    MANAGER = "manager"
    EXECUTIVE = "executive"
    ANALYST = "analyst"
    ADMIN = "admin"
    DPO = "dpo"


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = "asc"
    DESC = "desc"


E = TypeVar("E", bound=Enum)


def parse_uuid(raw: object, name: str) -> UUID:
    """A UUID argument, or a :class:`UserInputError` naming the argument."""
    try:
        return UUID(str(raw))
    except ValueError as exc:
        raise UserInputError(f"{name} is not a valid id", field=name) from exc


def parse_int_id(raw: object, name: str) -> int:
    """An integer id argument, or a :class:`UserInputError` naming the argument."""
    try:
        return int(str(raw))
    except ValueError as exc:
        raise UserInputError(f"{name} is not a valid id", field=name) from exc


def enum_or_none(cls: type[E], value: Any) -> E | None:
    """The enum member for a database value, or None for NULL."""
    return None if value is None else cls(value)


def values(items: list[E] | None) -> list[Any] | None:
    """Database values of a list of enum members (None stays None)."""
    return None if items is None else [i.value for i in items]


__all__ = [
    "AppRole",
    "Channel",
    "Info",
    "Priority",
    "SortDirection",
    "TicketStatus",
    "VipTier",
    "enum_or_none",
    "parse_int_id",
    "parse_uuid",
    "values",
]
