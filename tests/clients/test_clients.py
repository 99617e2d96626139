"""Real clients against a live server: the snippets docs/clients.md shows, run as written.

Apollo Client, urql and the bare graphql-ws client from npm (clients/node), and Python's gql
(clients/python): each snippet reads the server and token from the environment, runs a query, a
send, a send that gets a typed error and a subscription event, and prints JSON lines; with a bad
token it prints how HTTP and the websocket refused it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.settings import Settings
from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "clients" / "node"
SNIPPETS = {
    "apollo": ["node", "apollo.mjs"],
    "urql": ["node", "urql.mjs"],
    "graphql-ws": ["node", "graphql-ws.mjs"],
    "gql": [sys.executable, str(ROOT / "clients" / "python" / "gql_client.py")],
}
TEXT = {
    "apollo": "hello from Apollo",
    "urql": "hello from urql",
    "graphql-ws": "hello from graphql-ws",
    "gql": "hello from gql",
}

pytestmark = pytest.mark.once


def node_ready() -> bool:
    return shutil.which("node") is not None and (NODE / "node_modules" / "@apollo" / "client").is_dir()


def graphql(url: str, query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(url, json={"query": query, "variables": variables}, headers=headers).json()
    assert "errors" not in body, body
    return dict(body["data"])


REGISTER = """mutation($u: String!) { register(input: {username: $u, password: "password-123"}) {
  ... on RegisterSuccess { token user { id } } } }"""
CONVERSATION = """mutation($p: [ID!]!) { createConversation(input: {participants: $p}) {
  ... on CreateConversationSuccess { conversation { id } } } }"""


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[LiveServer, list[str]]]:
    """A live server, and the HTTP methods of the requests it got (urql's defaults use GET)."""
    server, methods = LiveServer(settings), []
    app = server.app

    async def record(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            methods.append(scope["method"])
        await app(scope, receive, send)

    server.server.config.app = record
    server.start()
    try:
        yield server, methods
    finally:
        server.stop()


@pytest.fixture
def world(served: tuple[LiveServer, list[str]]) -> dict[str, str]:
    live_server = served[0]
    """Alice and Bob share a conversation; Bob and Carol share one Alice cannot write to."""
    users = {}
    for name in ("alice", "bob", "carol"):
        users[name] = graphql(live_server.http_url, REGISTER, {"u": name})["register"]
    mine = graphql(
        live_server.http_url, CONVERSATION, {"p": [users["bob"]["user"]["id"]]}, users["alice"]["token"]
    )
    other = graphql(
        live_server.http_url, CONVERSATION, {"p": [users["carol"]["user"]["id"]]}, users["bob"]["token"]
    )
    return {
        "PARLEY_URL": live_server.http_url,
        "PARLEY_TOKEN": users["alice"]["token"],
        "PARLEY_CONVERSATION": mine["createConversation"]["conversation"]["id"],
        "PARLEY_OTHER_CONVERSATION": other["createConversation"]["conversation"]["id"],
    }


def run(name: str, env: dict[str, str]) -> list[dict[str, Any]]:
    if name != "gql" and not node_ready():
        pytest.skip("node or clients/node/node_modules missing: cd clients/node && npm ci")
    ran = subprocess.run(
        SNIPPETS[name], cwd=NODE, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    return [json.loads(line) for line in ran.stdout.splitlines()]


@pytest.mark.slow  # about 2 s a client
@pytest.mark.parametrize("name", list(SNIPPETS))
def test_a_client_queries_sends_gets_a_typed_error_and_an_event(
    name: str, world: dict[str, str], served: tuple[LiveServer, list[str]]
) -> None:
    methods = served[1]
    methods.clear()
    lines = run(name, world)
    # urql's default preferGetMethod sends queries as GET; mutations always go as POST
    assert methods == {"apollo": ["POST"] * 3, "urql": ["GET", "POST", "POST"], "graphql-ws": []}.get(
        name, ["POST"] * 3
    )
    assert [next(iter(line)) for line in lines] == ["query", "sent", "error", "event"], lines
    query, sent, error, event = (next(iter(line.values())) for line in lines)
    assert query["viewer"]["username"] == "alice" and query["eventCursor"]
    assert sent["__typename"] == "Message" and sent["text"] == TEXT[name]
    assert error == {"__typename": "NotFoundError", "code": "NOT_FOUND", "message": "Conversation not found."}
    assert event["kind"] == "ADDED"
    assert event["message"]["id"] == sent["id"]
    assert event["message"]["text"] == TEXT[name]
    assert event["message"]["author"]["username"] == "alice"


@pytest.mark.slow  # about 2 s a client
@pytest.mark.parametrize("name", list(SNIPPETS))
def test_a_client_sees_a_bad_token_refused(name: str, world: dict[str, str]) -> None:
    lines = run(name, {**world, "PARLEY_TOKEN": "not-a-token"})
    http = {
        "apollo": [{"rejected": "http", "status": 401, "code": "UNAUTHENTICATED"}],
        "urql": [{"rejected": "http", "status": 401, "code": "UNAUTHENTICATED"}],
        "graphql-ws": [],  # no HTTP at all
        "gql": [{"rejected": "http", "code": "UNAUTHENTICATED"}],  # gql raises on the body's errors
    }
    assert lines == [*http[name], {"rejected": "websocket", "code": 4403}]


def test_apollo_keeps_error_fields_only_with_generated_possible_types() -> None:
    if not node_ready():
        pytest.skip("node or clients/node/node_modules missing: cd clients/node && npm ci")
    ran = subprocess.run(
        ["node", "why-possible-types.mjs"], cwd=NODE, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    without, with_them = (json.loads(line) for line in ran.stdout.splitlines())
    assert without == {"possibleTypes": False, "read": {"__typename": "NotFoundError"}}
    assert with_them["read"]["code"] == "NOT_FOUND"
    assert (
        "Error"
        not in json.loads(
            subprocess.run(["node", "possible-types.mjs"], cwd=NODE, capture_output=True, text=True).stdout
        )["MessageResult"]
    )


def test_docs_show_every_snippet_as_it_is() -> None:
    docs = (ROOT / "docs" / "clients.md").read_text()
    shown = re.findall(r"<!-- file: (\S+) -->\n```\w+\n(.*?)```\n", docs, re.S)
    files = sorted(
        p.relative_to(ROOT).as_posix()
        for p in [*NODE.glob("*.mjs"), *(ROOT / "clients" / "python").glob("*.py")]
    )
    files.remove("clients/node/audit.mjs") if "clients/node/audit.mjs" in files else None
    assert sorted(path for path, _ in shown) == files
    for path, text in shown:
        assert text == (ROOT / path).read_text(), f"docs/clients.md shows an old {path}"
