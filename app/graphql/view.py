"""The ASGI GraphQL endpoint: HTTP + graphql-transport-ws, auth in get_context/on_ws_connect."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, GraphQLFormattedError, GraphQLSyntaxError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ErrorMessage
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UNSET, UnsetType

from app.access.authentication import authenticate
from app.core.auth import bearer_token
from app.core.outages import database_unavailable
from app.core.services import Services
from app.domain.errors import DomainError, LimitExceeded, RateLimited
from app.graphql.context import Context, client_address
from app.graphql.schema import build_schema
from app.graphql.unstorable import unstorable
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
                self.releases[operation.id] = release  # at `complete` or when its task ends
                operation.task.add_done_callback(lambda _task: release())
            else:
                release()

    async def cleanup_operation(self, operation_id: str) -> None:
        release = self.releases.pop(operation_id, None)
        await super().cleanup_operation(operation_id)
        if release is not None:
            release()

    async def handle_connection_init(self, message: Any) -> None:
        try:
            await super().handle_connection_init(message)
        except SocketRefused as refused:  # this user has too many sockets open
            await self.websocket.close(code=refused.code, reason=refused.reason)
        except Exception as exc:  # authentication could not reach the database
            if not database_unavailable(exc):
                raise
            log.warning("database unavailable at connection_init: %s: %s", type(exc).__name__, exc)
            await self.websocket.close(code=1013, reason="Database unavailable, try again later")

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        async def refused_as_error_frame() -> Any:
            first = True
            async for result in result_source:
                if first and _refused_before_any_event(result):
                    yield PreExecutionError(data=None, errors=result.errors)
                    return
                first = False
                yield result

        await super()._send_result_stream(operation, refused_as_error_frame())

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)


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


def request_id_of(request: Request | WebSocket) -> str:
    """The client's X-Request-ID, or a new one; the same for the whole request."""
    if "parley_request_id" not in request.scope:
        request.scope["parley_request_id"] = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
    return str(request.scope["parley_request_id"])


def unavailable_response(request_id: str) -> JSONResponse:
    message = f"The database is unavailable; try again later (request id {request_id})."
    body = {"errors": [{"message": message, "extensions": {"code": "UNAVAILABLE", "requestId": request_id}}]}
    return JSONResponse(body, status_code=503, headers={"x-request-id": request_id, "retry-after": "5"})


_HTTP_CODES = {401: "UNAUTHENTICATED", 404: "NOT_FOUND"}


class ParleyGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, services: Services, ide_html: str | None = None) -> None:
        settings = services.settings
        super().__init__(
            build_schema(settings),
            graphql_ide=None if settings.is_production else "graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            allowed_origins=settings.allowed_origins,
        )
        self.services = services
        # the GraphiQL page: app/web's, on same-origin vendored assets (strawberry's uses a CDN)
        self._ide_html = ide_html or self.graphql_ide_html

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # e.g. an escaped lone surrogate: the standard parser takes it, and the argument
            # check then answers INVALID_INPUT naming the argument
        try:
            return json.loads(data)
        except RecursionError as exc:  # 100,000 nested brackets: not JSON we take (HTTP 400,
            # a websocket closed with 4400), rather than a RecursionError answered as a 500
            raise json.JSONDecodeError("The JSON nests too deeply.", "", 0) from exc

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json.dumps on a page of messages; str, because the
        # websocket transport sends bytes as binary frames, which graphql-transport-ws forbids
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return HTMLResponse(self._ide_html)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:  # type: ignore[override]
        request_id = request_id_of(request)
        if isinstance(request, WebSocket):
            return Context(
                services=self.services,
                viewer=None,
                request=request,
                response=response,
                websocket=True,
                request_id=request_id,
            )
        viewer = None
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            viewer = await authenticate(self.services.db, token, self.services.viewer_cache)
            if viewer is None:
                raise HTTPException(401, "Invalid or expired token.")
        if isinstance(response, Response):
            response.headers["x-request-id"] = request_id
        return Context(
            services=self.services,
            viewer=viewer,
            request=request,
            response=response,
            request_id=request_id,
        )

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:  # a bad request or token: JSON like every other answer
            code = _HTTP_CODES.get(exc.status_code, "INVALID_INPUT")
            body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
            return JSONResponse(body, status_code=exc.status_code)
        except Exception as exc:  # the database failed outside any resolver (authentication)
            if not database_unavailable(exc):
                raise
            request_id = request_id_of(request)
            log.warning("database unavailable (request id %s): %s: %s", request_id, type(exc).__name__, exc)
            return unavailable_response(request_id)

    async def parse_http_body(self, request: Any) -> Any:
        try:
            return await super().parse_http_body(request)
        except (AttributeError, TypeError) as exc:  # JSON, but not an object (`"x"`, `5`)
            raise HTTPException(400, "The request body must be a JSON object.") from exc

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:  # type: ignore[override]
        params: dict[str, Any] = context.connection_params or {}
        if not isinstance(params, dict):
            raise ConnectionRejectionError()
        raw = params.get("Authorization") or params.get("authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        if token is None and isinstance(params.get("token"), str):
            token = params["token"]
        if (raw is not None and token is None) or (token is not None and unstorable(token, "token")):
            raise ConnectionRejectionError()  # no token, or one no token can be (a lone surrogate)
        if token is not None:
            viewer = await authenticate(self.services.db, token, self.services.viewer_cache)
            if viewer is None:
                raise ConnectionRejectionError()
            websocket: WebSocket = context.request
            slot = websocket.scope.get("parley_socket_slot")
            if slot is not None:  # SocketRefused: this user has too many sockets open
                self.services.socket_limits.claim_user(slot, viewer.user_id)
            context.set_viewer(viewer)

            async def revoked() -> None:
                await websocket.close(code=4401, reason="Token revoked or expired")

            # a group left, a right withdrawn, a logout or the token's expiry reaches open subscriptions
            sockets = self.services.socket_viewers
            expires_at = await sockets.expiry_of(token)
            key = sockets.add(token, viewer.user_id, context.set_viewer, revoked, expires_at)
            websocket.scope["parley_socket_key"] = key
        return UNSET

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            key = scope.get("parley_socket_key")
            if key is not None:
                self.services.socket_viewers.remove(key)
