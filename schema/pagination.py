"""Relay connection types shared by every paginated list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import strawberry

from resolvers.pagination import Page

NodeT = TypeVar("NodeT")


@strawberry.type(description="Relay page information.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A node with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of results (Relay cursor connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Items matching the filters across all pages (one extra query).")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        edges = self.edges
        if isinstance(edges, PageEdges):
            return edges.nodes
        return [e.node for e in edges]


class PageEdges(Sequence[Edge[NodeT]]):
    """A page's edges, made when read (``nodes`` reads the nodes without making them), so a
    page asked for as ``nodes`` encodes no cursor."""

    __slots__ = ("_cursors", "nodes")

    def __init__(self, cursors: Sequence[str], nodes: list[NodeT]) -> None:
        if len(cursors) != len(nodes):
            raise ValueError("one cursor per node")
        self._cursors = cursors
        self.nodes = nodes

    def __len__(self) -> int:
        return len(self.nodes)

    @overload
    def __getitem__(self, index: int) -> Edge[NodeT]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Edge[NodeT]]: ...

    def __getitem__(self, index: int | slice) -> Edge[NodeT] | Sequence[Edge[NodeT]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self.nodes)))]
        return Edge(cursor=self._cursors[index], node=self.nodes[index])

    def __iter__(self) -> Iterator[Edge[NodeT]]:
        for i in range(len(self.nodes)):
            yield self[i]


def connection_from_page(
    page: Page[Any],
    nodes: Sequence[NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    """Wrap converted ``nodes`` (one per page row) into a :class:`Connection`."""
    cursors = page.cursors
    edges = PageEdges(cursors, list(nodes))
    return Connection(
        edges=edges,  # type: ignore[arg-type]
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=cursors[0] if edges else None,
            end_cursor=cursors[-1] if edges else None,
        ),
        _count=count,
    )


def node_fields(info: Any) -> set[str] | None:
    """The fields a connection's selection asks for on its nodes (``nodes { ... }`` and
    ``edges { node { ... } }``), or None when a fragment or a directive stands on the way (then
    the caller must assume any field)."""

    def plain(selections: list[Any]) -> list[Any] | None:
        fields = [s for s in selections if isinstance(s, strawberry.types.nodes.SelectedField)]
        if len(fields) != len(selections) or any(s.directives for s in fields):
            return None
        return fields

    names: set[str] = set()
    for connection in info.selected_fields:
        top = plain(connection.selections)
        if top is None:
            return None
        for part in top:
            if part.name == "nodes":
                inner = plain(part.selections)
            elif part.name == "edges":
                edges = plain(part.selections)
                if edges is None:
                    return None
                for edge in edges:
                    if edge.name == "node":
                        node = plain(edge.selections)
                        if node is None:
                            return None
                        names.update(f.name for f in node)
                continue
            else:
                continue
            if inner is None:
                return None
            names.update(f.name for f in inner)
    return names
