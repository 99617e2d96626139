"""Headless Debian chromium driven by Playwright (never Playwright's own browser downloads),
against a real uvicorn (`live_server`). Every page fails its test on a request to any host
other than the server's: GraphiQL and the web client must work with no internet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Per test: Playwright's sync API holds an event loop while it runs, which pytest-asyncio's
    tests after it must not find."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run scripts/install-browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # launch() gives the browser a fresh temporary profile, removed on close
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Browsing:
    """Opens isolated browser sessions (one per user) and records every request that leaves
    127.0.0.1:<port>, HTTP or websocket."""

    def __init__(self, chromium: Any, server: LiveServer) -> None:
        self.chromium = chromium
        self.server = server
        self.base = f"http://127.0.0.1:{server.port}"
        self.foreign: list[str] = []
        self.page_errors: list[str] = []  # uncaught exceptions in the pages' scripts
        self.contexts: list[Any] = []

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.hostname != "127.0.0.1" or parts.port != self.server.port:
            self.foreign.append(url)

    def session(self, width: int = 1100, height: int = 760) -> Any:
        context = self.chromium.new_context(viewport={"width": width, "height": height})
        self.contexts.append(context)

        def guard(route: Any) -> None:
            self._check(route.request.url)
            if route.request.url in self.foreign:
                route.abort()
            else:
                route.continue_()

        context.route("**/*", guard)
        context.on("page", lambda page: page.on("websocket", lambda ws: self._check(ws.url)))
        return context

    def page(self, context: Any | None = None, **size: int) -> Any:
        context = context or self.session(**size)
        page = context.new_page()
        page.on("websocket", lambda ws: self._check(ws.url))
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.set_default_timeout(15_000)
        return page

    def graphql(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        """Set-up and checks from the test itself, over plain HTTP (not through the browser)."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            self.server.http_url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def register(self, username: str, password: str = "password-123") -> tuple[str, str]:
        data = self.graphql(
            """mutation($i: RegisterInput!) { register(input: $i) {
                 __typename ... on RegisterSuccess { token user { id } } ... on Error { code message } } }""",
            {"i": {"username": username, "password": password, "displayName": username.title()}},
        )
        assert data["register"]["__typename"] == "RegisterSuccess", data
        return data["register"]["token"], data["register"]["user"]["id"]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(chromium: Any, live_server: LiveServer) -> Iterator[Browsing]:
    session = Browsing(chromium, live_server)
    try:
        yield session
    finally:
        session.close()
    assert session.foreign == [], f"requests left the server: {session.foreign}"
    assert session.page_errors == [], session.page_errors


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
