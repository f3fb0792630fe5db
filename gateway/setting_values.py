"""Parsers of single setting values, shared by :mod:`gateway.settings` and its parts.

Each takes the environment as a mapping (never ``os.environ`` itself) and raises
:class:`ValueError` naming the setting and the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping


def number(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number, ``default`` when unset or empty."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


def hours_or_off(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of hours, or 0 for ``off``/``0``."""
    if (env.get(name) or "").strip().lower() in ("off", "0"):
        return 0.0
    return number(env, name, default)


def choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (case-insensitive), the first when unset."""
    raw = (env.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {env.get(name)!r}")
    return raw


def integer(env: Mapping[str, str], name: str, default: int) -> int:
    """An integer, ``default`` when unset or empty."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def name_numbers(raw: str | None, setting: str = "KPI_TARGETS") -> dict[str, float]:
    """``name=number,name=number`` as a dict (``setting`` names it in errors)."""
    out: dict[str, float] = {}
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip()] = float(value)
        except ValueError as exc:
            raise ValueError(f"{setting} item must be name=number, got {item!r}") from exc
    return out


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """on/off (true/false, 1/0, yes/no), ``default`` when unset."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"{name} must be on or off, got {raw!r}")
    return raw in ("on", "true", "1", "yes")
