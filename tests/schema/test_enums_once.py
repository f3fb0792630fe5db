"""Enums are defined once: no two enum classes of ours list the same members (names and values).

A GraphQL enum that mirrors a resolver's enum is the resolver's class exposed with
``strawberry.enum(..., name=...)`` (``DriverGroupBy`` is ``resolvers.insights.DriverGrouping``),
never a second copy of its member list."""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
from collections import defaultdict

PACKAGES = ("schema", "resolvers", "analytics", "gateway", "synthetic")


def test_no_two_enums_list_the_same_members() -> None:
    by_members: defaultdict[frozenset[tuple[str, object]], set[str]] = defaultdict(set)
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, enum.Enum)
                    and value.__module__ == module.__name__
                    and len(value) > 0
                ):
                    members = frozenset((k, m.value) for k, m in value.__members__.items())
                    by_members[members].add(f"{value.__module__}.{value.__qualname__}")
    copies = sorted(sorted(names) for names in by_members.values() if len(names) > 1)
    assert not copies, f"define each enum once and expose it with strawberry.enum: {copies}"
    assert any("resolvers.insights.DriverGrouping" in n for n in by_members.values())
