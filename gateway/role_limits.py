"""Operation limits and rates per caller class, and the parser of their ``GATEWAY_LIMITS`` text.

:mod:`gateway.settings` reads the environment and hands the text to :func:`parse_limits`;
:mod:`gateway.limits` enforces the resulting :class:`RoleLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class RoleLimits:
    """What one caller class may send (checked before execution) and how often."""

    body_bytes: int = 262_144
    tokens: int = 10_000
    depth: int = 12
    aliases: int = 50
    root_fields: int = 20
    cost: int = 20_000
    concurrency: int = 4
    rate_per_second: float = 20.0
    burst: int = 100
    introspection: bool = True


#: Anonymous callers get the tightest limits (they can see nothing anyway).
ANON_LIMITS = RoleLimits(
    body_bytes=16_384,
    tokens=1_000,
    depth=6,
    aliases=10,
    root_fields=5,
    cost=2_000,
    concurrency=2,
    rate_per_second=2.0,
    burst=20,
    introspection=True,
)

_LIMIT_FIELDS = {
    "body_bytes": int,
    "tokens": int,
    "depth": int,
    "aliases": int,
    "root_fields": int,
    "cost": int,
    "concurrency": int,
    "rate_per_second": float,
    "burst": int,
    "introspection": bool,
}


def parse_limits(raw: str, *, production: bool = False) -> dict[str, RoleLimits]:
    """``GATEWAY_LIMITS`` → limits per caller class (``anon``, ``default``, app roles);
    ``production``: anonymous introspection off unless ``anon.introspection=1`` says otherwise."""
    overrides: dict[str, dict[str, object]] = {}
    if production:
        overrides["anon"] = {"introspection": False}
    for item in raw.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        who, dot, name = key.strip().partition(".")
        kind = _LIMIT_FIELDS.get(name)
        if not sep or not dot or not who or kind is None:
            raise ValueError(
                f"GATEWAY_LIMITS item must be class.name=value with name one of "
                f"{', '.join(_LIMIT_FIELDS)}; got {item.strip()!r}"
            )
        try:
            parsed: object = (
                value.strip() in {"1", "true", "on"} if kind is bool else kind(value.strip())
            )
        except ValueError as exc:
            raise ValueError(f"GATEWAY_LIMITS {key.strip()} must be a number") from exc
        if kind is not bool and not parsed > 0:  # type: ignore[operator]
            raise ValueError(f"GATEWAY_LIMITS {key.strip()} must be positive")
        overrides.setdefault(who, {})[name] = parsed
    out = {
        "anon": replace(ANON_LIMITS, **overrides.pop("anon", {})),  # type: ignore[arg-type]
        "default": replace(RoleLimits(), **overrides.pop("default", {})),  # type: ignore[arg-type]
    }
    for who, changes in overrides.items():
        out[who] = replace(out["default"], **changes)  # type: ignore[arg-type]
    return out
