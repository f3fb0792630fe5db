"""graphql-transport-ws with shared subscription streams (:mod:`gateway.realtime.fanout`).

:class:`SharingTransportWSHandler` is strawberry's graphql-transport-ws handler except for one
step: a subscription that :func:`~gateway.realtime.fanout.shareable` accepts, from a connection
whose user has an application role, joins the shared stream of its :class:`StreamKey` instead of
running a pipeline of its own. Its messages are the protocol's: ``next`` frames carrying the
stream's payload under this operation's id, then ``complete`` (or one ``error`` for a document
that does not validate). Everything else — queries and mutations over the socket, other
subscriptions, anonymous connections, ``complete`` from the client, the legacy graphql-ws
protocol — is strawberry's own handling.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Callable
from typing import Any, Protocol, cast

from graphql import GraphQLError, get_operation_ast, parse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from gateway.auth import Principal
from gateway.db import Database
from gateway.privacy.audit import ReadNotes
from gateway.realtime.fanout import Item, SharedStream, StreamKey, shareable
from gateway.realtime.feeds import ConnectionFeeds, EventSession
from gateway.ws_guard import GuardedView, frame_problem

log = logging.getLogger(__name__)


class StreamContexts(Protocol):
    """What the view provides: a context for a shared stream (``feeds``, ``session``)."""

    def stream_context(self, feeds: ConnectionFeeds, session: EventSession) -> Any: ...


class MemberRightsSession(EventSession):
    """An :class:`EventSession` renewed for each event under the rights of a current member of
    the stream (:meth:`SharedStream.rights`), never of one who left."""

    def __init__(self, db: Database, stream: SharedStream, founder: Principal) -> None:
        super().__init__(db, stream.rights(founder))
        self._stream = stream
        self._founder = founder

    def renewed(self) -> MemberRightsSession:
        return MemberRightsSession(self._db, self._stream, self._founder)


def _operation_name(query: str, given: str | None) -> str | None:
    """The operation's name as the audit log records it (given, or the document's)."""
    if given:
        return given
    try:
        operation = get_operation_ast(parse(query), None)
    except GraphQLError:
        return None
    return operation.name.value if operation is not None and operation.name else None


def _frame(operation_id: str, payload: str) -> str:
    return f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{payload}}}'


class SharingTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's graphql-transport-ws handler with shared subscription streams, and the
    gateway's frame and document checks (:mod:`gateway.ws_guard`)."""

    async def handle_message(self, message: Any) -> None:
        problem = frame_problem(message, ("subscribe",))
        if problem is not None:
            await self.handle_invalid_message(problem)  # 4400 + the reason
            return
        if message["type"] == "subscribe" and self.connection_acknowledged:
            view: GuardedView = self.view  # type: ignore[assignment]
            errors = view.subscription_problem(self.context, message["payload"])
            if errors:
                await self.send_message(
                    cast(Any, {"id": message["id"], "type": "error", "payload": errors})
                )
                return
        await super().handle_message(message)

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        key = await self._stream_key(operation)
        if key is None:
            await super().run_operation(operation)
            return
        feeds: ConnectionFeeds = self.context.live
        streams = feeds.hub.streams
        member = streams.join(key, self._source(operation, feeds, key), feeds.principal)
        try:
            audit = getattr(self.context, "audit", None)
            name = _operation_name(operation.query, operation.operation_name)
            while True:
                item = await member.next()
                kind, value = item[:2]
                if kind == "next":
                    await self._send(_frame(operation.id, value))
                    if audit is not None and len(item) > 3 and item[3]:
                        audit.subscription_read(
                            item[3],
                            operation=name,
                            subscription_id=operation.id,
                        )
                    continue
                if kind == "dropped":
                    payload = json.dumps({"data": None, "errors": [{"message": value}]})
                    await self._send(_frame(operation.id, payload))
                if kind == "error":
                    await operation.send_operation_message(
                        {"id": operation.id, "type": "error", "payload": value}
                    )
                else:
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})
                return
        except WebSocketDisconnected:
            return
        except Exception:  # like strawberry: log, end the operation, keep the socket
            log.exception("realtime: a shared subscription failed")
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
        finally:
            streams.leave(member)

    async def _send(self, text: str) -> None:
        await self.websocket.send_text(text)  # type: ignore[attr-defined]

    async def _stream_key(self, operation: Operation[Any, Any]) -> StreamKey | None:
        """The operation's stream key, or None when it is not shared (strawberry's own handling
        then runs it, and reports whatever is wrong with it)."""
        feeds = getattr(self.context, "live", None)
        if not isinstance(feeds, ConnectionFeeds) or feeds.principal.is_anonymous:
            return None
        try:
            if not shareable(operation.query, operation.operation_name):
                return None
            identity = await feeds.identity()
            variables = json.dumps(operation.variables or {}, sort_keys=True)
        except Exception:  # no identity (no role, database away), odd variables: not shared
            return None
        return StreamKey(identity, operation.query, operation.operation_name, variables)

    def _source(
        self, operation: Operation[Any, Any], feeds: ConnectionFeeds, key: StreamKey
    ) -> Callable[[SharedStream], AsyncGenerator[Item, None]]:
        schema, view = self.schema, self.view
        query, variables, name = operation.query, operation.variables, operation.operation_name
        contexts: StreamContexts = view  # type: ignore[assignment]

        async def items(stream: SharedStream) -> AsyncGenerator[Item, None]:
            founder = feeds.principal
            own = ConnectionFeeds(
                feeds.hub,
                feeds.db,
                founder,
                on_open=stream.opened,
                on_close=stream.closed,
                identity=key.identity,  # the key's identity decides visibility, as keyed
            )
            session = MemberRightsSession(feeds.db, stream, founder)
            context = contexts.stream_context(own, session)
            results = await schema.stream(
                query, variable_values=variables, context_value=context, operation_name=name
            )
            async with aclosing(results):
                first = True
                async for result in results:
                    if first and isinstance(result, PreExecutionError):
                        yield "error", [e.formatted for e in result.errors or []]
                        return
                    if not isinstance(result, ExecutionResult):
                        message = "Incremental delivery is not supported over graphql-transport-ws"
                        yield "error", [{"message": message}]
                        return
                    payload: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [e.formatted for e in result.errors]
                    if result.extensions:
                        payload["extensions"] = result.extensions
                    encoded = view.encode_json(payload)
                    text = encoded if isinstance(encoded, str) else encoded.decode()
                    # the personal data this event's execution read: audited per member, for
                    # each delivery (the stream context's own record is then empty)
                    notes = getattr(context.session, "notes", None)
                    reads = notes.take() if isinstance(notes, ReadNotes) else None
                    yield "next", text, own.last_event, reads
                    first = False

        return items
