"""Routes for the browser: `/` (the web client), `/static/...` (its files and the vendored
GraphiQL, React and graphql-ws builds) and the GraphiQL page, all same-origin, no CDN."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

HERE = Path(__file__).parent
VENDOR = HERE / "vendor"
CLIENT = HERE / "client"
_PLACEHOLDER = re.compile(r"\{\{([\w.-]+)\}\}")


@functools.cache
def vendor_hashes() -> dict[str, str]:
    """Vendored file name -> its sha256, from the manifest scripts/vendor-web writes."""
    hashes: dict[str, str] = {}
    for line in (VENDOR / "MANIFEST").read_text().splitlines():
        if line and not line.startswith("#"):
            digest, name = line.split()[:2]
            hashes[name] = digest
    return hashes


def vendor_url(name: str) -> str:
    """A same-origin URL for a vendored file; the hash in it lets browsers cache it for a year."""
    return f"/static/vendor/{name}?v={vendor_hashes()[name][:12]}"


@functools.cache
def graphiql_html() -> str:
    page = (HERE / "graphiql.html").read_text()
    return _PLACEHOLDER.sub(lambda m: vendor_url(m.group(1)), page)


class CachedStatic(StaticFiles):
    """StaticFiles with Cache-Control: a year for hashed vendor URLs, revalidation otherwise."""

    def __init__(self, directory: Path, *, hashed: bool) -> None:
        super().__init__(directory=directory)
        self.hashed = hashed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versioned = self.hashed and b"v=" in scope.get("query_string", b"")
        policy = b"public, max-age=31536000, immutable" if versioned else b"no-cache"

        async def with_cache_control(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"cache-control", policy)]
            await send(message)

        await super().__call__(scope, receive, with_cache_control)


def web_routes(*, web_client: bool) -> list[BaseRoute]:
    """`/` serves the web client (or points to GraphiQL when PARLEY_WEB_CLIENT=false)."""

    async def index(request: Request) -> Response:
        if not web_client:
            return RedirectResponse("/graphql")
        return FileResponse(CLIENT / "index.html", headers={"cache-control": "no-cache"})

    return [
        Route("/", index),
        Mount("/static/vendor", CachedStatic(VENDOR, hashed=True)),
        Mount("/static/client", CachedStatic(CLIENT, hashed=False)),
    ]
