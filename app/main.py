"""The application factory."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.actions.accounts import ensure_admin
from app.core.services import Services
from app.core.settings import Settings, load_settings
from app.graphql.view import ParleyGraphQL
from app.web.routes import graphiql_html, web_routes

log = logging.getLogger("app")

CORS_MAX_AGE_SECONDS = 600  # how long a browser may cache a CORS preflight answer


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, whatever Content-Length claims."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Request body over {self.max_bytes} bytes.",
                        "extensions": {"code": "LIMIT_EXCEEDED"},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def not_found_handler(ide: bool) -> Callable[[Request, Exception], Awaitable[Response]]:
    """Every unknown path says where the API is: an HTML page for browsers, JSON for the rest."""
    graphiql = (
        "GraphiQL is at /graphql too (open it in a browser)." if ide else "GraphiQL is off (production)."
    )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley: not found</title>'
        '</head><body><h1>Not found</h1><p>Parley\'s GraphQL API is at <a href="/graphql">/graphql</a>'
        f" (POST, GET for queries, graphql-transport-ws websockets). {graphiql}</p></body></html>"
    )

    async def not_found(request: Request, exc: Exception) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(page, status_code=404)
        message = f"No such path: {request.url.path}. The GraphQL API is at /graphql; {graphiql}"
        body = {"errors": [{"message": message, "extensions": {"code": "NOT_FOUND", "api": "/graphql"}}]}
        return JSONResponse(body, status_code=404)

    return not_found


class WebSocketRegistry:
    """Remembers open websockets so a graceful shutdown can close them with 1001 (going away)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.open: dict[int, Send] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        key = id(scope)
        self.open[key] = send
        try:
            await self.app(scope, receive, send)
        finally:
            self.open.pop(key, None)

    async def close_all(self, code: int = 1001) -> None:
        for send in list(self.open.values()):
            try:
                await send({"type": "websocket.close", "code": code, "reason": "server shutting down"})
            except Exception:  # already closing
                log.debug("websocket already closed", exc_info=True)


class ParleyApp(Starlette):
    """Starlette, with GraphQL websockets handed straight to the transport: a socket is open for
    hours, and each middleware and routing layer it passes through keeps a suspended frame for
    that long (about 2 KB a socket). None of them does anything for a websocket (the body limit
    and CORS are HTTP-only, and the transport closes with its own codes instead of raising)."""

    graphql_sockets: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sockets = self.graphql_sockets
        if sockets is not None and scope["type"] == "websocket":
            root = scope.get("root_path", "")
            if scope["path"] == root + "/graphql":
                scope["app"] = self
                scope.setdefault("router", self.router)  # what websocket.url_for reads
                await sockets(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> ParleyApp:
    settings = settings or load_settings()
    services = Services.build(settings)
    graphql = ParleyGraphQL(services, ide_html=graphiql_html())
    websockets = WebSocketRegistry(graphql)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from app.core.migrate import upgrade

        await upgrade(services.db)
        await services.db.refresh_statistics()
        generated = await ensure_admin(services.db, services.passwords)
        if generated:
            print(f"Created user 'admin' with password: {generated}  (shown once)", flush=True)
        await services.start()
        try:
            yield
        finally:
            await services.stop()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        db_ok = await services.db.ping()
        bus_ok = services.bus.is_up
        status = 200 if db_ok and bus_ok else 503
        return JSONResponse(
            {"database": "ok" if db_ok else "down", "bus": services.bus.state.value},
            status_code=status,
        )

    app = ParleyApp(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", websockets),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *web_routes(web_client=settings.web_client),
        ],
        lifespan=lifespan,
        exception_handlers={404: not_found_handler(not settings.is_production)},
    )
    app.state.services = services
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.allowed_origins:  # browser apps on these origins may call /graphql over HTTP too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=CORS_MAX_AGE_SECONDS,
        )
    app.state.websockets = websockets
    app.graphql_sockets = websockets
    return app
