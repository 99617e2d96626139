"""graphql-transport-ws: strawberry's handler with Parley's refusals, caps and a lean send path."""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable, Generator
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLFormattedError, GraphQLSyntaxError
from starlette.websockets import WebSocketState
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from app.core.outages import database_unavailable
from app.core.websocket_protocol import LeanWebSocketProtocol
from app.domain.errors import DomainError, LimitExceeded, RateLimited
from app.graphql.context import Context, client_address
from app.graphql.live_handoff import GoLive, LiveRenderer
from app.live.direct import DirectDelivery
from app.live.socket_limits import SocketLimits, SocketRefused, SocketSlot

log = logging.getLogger("app.graphql")


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """A subscription with a syntax error gets an `error` frame like any other invalid one,
    instead of closing the whole socket (and every other subscription on it) with 4400; a
    database outage during connection_init closes with 1013 (try again later), not a crash.
    Sockets and operations are counted against the caps of app/live/socket_limits.py."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.releases: dict[str, Callable[[], None]] = {}
        self.parked: dict[str, DirectDelivery] = {}  # operations the hub delivers to directly
        self.context.live_handoff = True

    async def handle(self) -> None:
        limits: SocketLimits = self.view.services.socket_limits  # type: ignore[attr-defined]
        try:
            slot = limits.open_socket(client_address(self.context.request))
        except SocketRefused as refused:
            await self.websocket.close(code=refused.code, reason=refused.reason)
            return
        self.context.request.scope["parley_socket_slot"] = slot
        try:
            await super().handle()
        finally:
            limits.close_socket(slot)

    async def handle_subscribe(self, message: Any) -> None:
        slot: SocketSlot | None = self.context.request.scope.get("parley_socket_slot")
        known = not isinstance(message.get("id"), str) or message["id"] in self.operations
        if slot is None or not self.connection_acknowledged or known:
            return await super().handle_subscribe(message)
        limits: SocketLimits = self.view.services.socket_limits  # type: ignore[attr-defined]
        try:
            cap = self.max_subscriptions_per_connection
            if cap is not None and len(self.operations) >= cap:
                raise LimitExceeded(f"Too many operations on this socket (at most {cap}).", limit=cap)
            release = limits.open_operation(slot)
        except (LimitExceeded, RateLimited) as refused:
            await self.send_message(ErrorMessage(id=message["id"], type="error", payload=[_refusal(refused)]))
            return
        try:
            await super().handle_subscribe(message)
        finally:
            operation = self.operations.get(message["id"])
            if operation is not None and operation.task is not None:
                # at `complete`, when the socket closes, or when its task ends unless it went live
                self.releases[operation.id] = release
                operation.task.add_done_callback(functools.partial(self._task_ended, operation.id))
            else:
                release()

    def _task_ended(self, operation_id: str, _task: object) -> None:
        if operation_id not in self.parked:
            self._release(operation_id)

    def _release(self, operation_id: str) -> None:
        release = self.releases.pop(operation_id, None)
        if release is not None:
            release()

    async def cleanup_operation(self, operation_id: str) -> None:
        delivery = self.parked.pop(operation_id, None)
        if delivery is not None:
            delivery.close()
        await super().cleanup_operation(operation_id)
        self._release(operation_id)

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
            if self.connection_init_received and self.connection_init_timeout_task is not None:
                # strawberry cancelled the timer but kept the task for the socket's lifetime
                self.connection_init_timeout_task = None
        except SocketRefused as refused:  # this user has too many sockets open
            await self.websocket.close(code=refused.code, reason=refused.reason)
        except Exception as exc:  # authentication could not reach the database
            if not database_unavailable(exc):
                raise
            log.warning("database unavailable at connection_init: %s: %s", type(exc).__name__, exc)
            await self.websocket.close(code=1013, reason="Database unavailable, try again later")

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        """strawberry's loop, with a resolver's refusal before any event sent as an `error` frame,
        and each `next` frame sent by `_send_next` (no wrapping generator, one call per frame)."""
        first = True
        async for result in result_source:
            if first:
                first = False
                if isinstance(result, PreExecutionError) or _refused_before_any_event(result):
                    refused = (
                        result
                        if isinstance(result, PreExecutionError)
                        else PreExecutionError(data=None, errors=result.errors)
                    )
                    await self._handle_pre_execution_error(operation, refused)
                    return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            if isinstance(result.data, GoLive):
                self._go_live(operation, result.data)
                raise _OperationStreamClosed  # the task ends here, quietly: the hub delivers now
            await self._send_next(operation, result)

    def _go_live(self, operation: Any, marker: GoLive) -> None:
        hub = self.view.services.hub  # type: ignore[attr-defined]
        renderer = LiveRenderer(marker, self.schema, self.context)
        operation_id = operation.id

        async def ended(error: DomainError | None) -> None:  # the delivery stopped by itself
            if self.parked.pop(operation_id, None) is None:
                return  # the operation was completed or its socket closed meanwhile
            if error is not None:
                with contextlib.suppress(Exception):
                    text = await renderer.error_text(error)
                    await self.send_text(
                        f'{{"id":{orjson.dumps(operation_id).decode()},"type":"next","payload":{text}}}'
                    )
                    await operation.send_operation_message({"id": operation_id, "type": "complete"})
            self.operations.pop(operation_id, None)
            self._release(operation_id)

        delivery = DirectDelivery(
            hub,
            accepts=marker.handoff.subscription.accepts,
            group=renderer.group if renderer.group() is not None else None,
            render=renderer.render,
            prefix=f'{{"id":{orjson.dumps(operation_id).decode()},"type":"next","payload":',
            send=self.send_text,
            send_now=self._text_writer(),
            on_end=ended,
            limit=hub.queue_size,
            position=marker.handoff.position,
        )
        self.parked[operation_id] = delivery
        operation.task = _PARKED  # its task ends now: keep neither it nor its coroutine
        hub.adopt(marker.handoff.subscription, delivery)

    def _text_writer(self) -> Callable[[str], bool] | None:
        """The socket's synchronous frame writer (app/core/websocket_protocol.py), when the ASGI
        `send` is that protocol's own (it is under `parley serve`)."""
        protocol = getattr(self.websocket.ws._send, "__self__", None)  # type: ignore[attr-defined]
        if not isinstance(protocol, LeanWebSocketProtocol):
            return None
        websocket = self.websocket.ws  # type: ignore[attr-defined]
        write = protocol.write_text_now

        def send_now(text: str) -> bool:
            if websocket.application_state is not WebSocketState.CONNECTED:
                raise WebSocketDisconnected
            return write(text)

        return send_now

    async def send_text(self, text: str) -> None:
        """One frame, already JSON, straight to the socket (raises once the socket is gone)."""
        websocket = self.websocket.ws  # type: ignore[attr-defined]
        if websocket.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected
        await websocket._send({"type": "websocket.send", "text": text})

    async def _send_next(self, operation: Any, result: ExecutionResult) -> None:
        if operation.completed:
            return
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        await self.send_message({"id": operation.id, "type": "next", "payload": payload})  # type: ignore[typeddict-item]

    async def send_message(self, message: Any) -> None:
        """Straight to the ASGI send: starlette's and strawberry's websocket wrappers were a tenth
        of a live delivery's CPU. A closed socket is reported as strawberry's adapter reports it."""
        websocket = self.websocket.ws  # type: ignore[attr-defined]
        if websocket.application_state is not WebSocketState.CONNECTED:
            return await super().send_message(message)  # let starlette say what is wrong
        try:
            await websocket._send({"type": "websocket.send", "text": self.view.encode_json(message)})
        except OSError as exc:  # uvicorn's ClientDisconnected
            raise WebSocketDisconnected from exc

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)


class _Parked:
    """What strawberry finds as the task of a parked operation: cancelling and awaiting it do
    nothing (the delivery is closed by cleanup_operation)."""

    def cancel(self) -> bool:
        return False

    def __await__(self) -> Generator[None, None, None]:
        yield from ()


_PARKED = _Parked()


def _refusal(error: LimitExceeded | RateLimited) -> GraphQLFormattedError:
    extensions: dict[str, Any] = {"code": error.code}
    if isinstance(error, RateLimited):
        extensions["retryAfterSeconds"] = error.retry_after
    else:
        extensions["limit"] = error.limit
    return GraphQLError(error.message, extensions=extensions).formatted


def _refused_before_any_event(result: Any) -> bool:
    """A subscription whose resolver refused its arguments (a bad filter, an expired cursor)
    before its first event: an `error` frame, like a validation error, not `next` + `complete`."""
    errors: list[GraphQLError] = getattr(result, "errors", None) or []
    return (
        not isinstance(result, PreExecutionError)
        and getattr(result, "data", None) is None
        and bool(errors)
        and all(isinstance(e.original_error, DomainError) for e in errors)
    )
