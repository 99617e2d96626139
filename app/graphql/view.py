"""The ASGI GraphQL endpoint: HTTP + graphql-transport-ws, auth in get_context/on_ws_connect."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from app.access.authentication import authenticate
from app.core.auth import bearer_token
from app.core.deadlines import DeadlineExceeded
from app.core.outages import database_unavailable
from app.core.services import Services
from app.graphql.context import Context
from app.graphql.http_responses import (
    GRAPHQL_RESPONSE,
    MEDIA_TYPE,
    STATUS,
    deadline_response,
    is_request_error,
    refusal_response,
    response_media_type,
    with_media_type,
)
from app.graphql.schema import build_schema
from app.graphql.transport_ws import TransportWSHandler
from app.graphql.unstorable import unstorable

log = logging.getLogger("app.graphql")


CONTEXT = "parley_context"  # the request's GraphQL context, in its ASGI scope


def request_id_of(request: Request | WebSocket) -> str:
    """The client's X-Request-ID, or a new one; the same for the whole request."""
    if "parley_request_id" not in request.scope:
        request.scope["parley_request_id"] = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
    return str(request.scope["parley_request_id"])


def unavailable_response(request_id: str) -> JSONResponse:
    message = f"The database is unavailable; try again later (request id {request_id})."
    body = {"errors": [{"message": message, "extensions": {"code": "UNAVAILABLE", "requestId": request_id}}]}
    return JSONResponse(body, status_code=503, headers={"x-request-id": request_id, "retry-after": "5"})


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
        context = Context(
            services=self.services,
            viewer=viewer,
            request=request,
            response=response,
            request_id=request_id,
        )
        request.scope[CONTEXT] = context  # released once the request is answered (_run_http)
        return context

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if isinstance(request, WebSocket):
            return await super().run(request, context, root_value)
        media_type = response_media_type(request.headers.get("accept"))
        request.scope[MEDIA_TYPE] = media_type
        return with_media_type(await self._run_http(request, context, root_value), request.scope)

    async def _run_http(self, request: Request, context: Any, root_value: Any) -> Response:
        try:
            async with self.services.db.deadline(self.services.settings.request_deadline_seconds):
                response: Response = await super().run(request, context, root_value)
            return response
        except DeadlineExceeded as exc:
            return deadline_response(request_id_of(request), exc)
        except HTTPException as exc:  # a bad request or token: JSON like every other answer
            return refusal_response(request, exc)
        except Exception as exc:  # the database failed outside any resolver (authentication)
            if not database_unavailable(exc):
                raise
            request_id = request_id_of(request)
            log.warning("database unavailable (request id %s): %s: %s", request_id, type(exc).__name__, exc)
            return unavailable_response(request_id)
        finally:
            answered = request.scope.pop(CONTEXT, None)
            if answered is not None:
                answered.loaders.release()

    async def process_result(self, request: Any, result: Any) -> Any:
        body = await super().process_result(request, result)
        if request.scope.get(MEDIA_TYPE) == GRAPHQL_RESPONSE and is_request_error(result):
            body.pop("data", None)  # the spec: a request that never ran has no `data`, and a 400
            request.scope[STATUS] = 400
        return body

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
