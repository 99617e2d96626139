"""The tour in docs/tour.md, block by block, against a real `parley serve` process; then the
blocks of README.md and the other docs marked `<!-- tour: WHO -->` (README's repeat the tour's;
the others run after it, on what it made); then its gql client."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- tour: (?P<who>[a-z ]+) -->\n```graphql\n(?P<doc>.*?)```", re.S)


def readme_blocks(path: Path = ROOT / "docs" / "tour.md") -> list[tuple[str, str]]:
    return [(m["who"].strip(), m["doc"]) for m in BLOCK.finditer(path.read_text())]


def after_the_tour() -> list[tuple[str, str, str]]:
    """(file, who, document) of the tour blocks outside README.md and docs/tour.md."""
    return [
        (path.name, who, doc)
        for path in sorted((ROOT / "docs").glob("*.md"))
        if path.name != "tour.md"
        for who, doc in readme_blocks(path)
    ]


def test_the_readme_blocks_are_the_tours_own() -> None:
    readme = readme_blocks(ROOT / "README.md")
    assert len(readme) == 2
    tour = readme_blocks()
    assert [block in tour for block in readme] == [True, True]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(
        PARLEY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/tour.db",
        PARLEY_ARGON2_TIME_COST="1",
        PARLEY_ARGON2_MEMORY_KIB="64",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "parley serve did not start"
            time.sleep(0.1)
        yield url + "/graphql"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert "Created user 'admin' with password: " in output  # generated and printed once


def fill(doc: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        doc = doc.replace(f"<{name}>", value)
    assert "<" not in doc.replace("<!--", ""), f"unfilled placeholder in {doc}"
    return doc


async def test_the_readme_tour_works_as_written(served: str) -> None:
    blocks = readme_blocks()
    assert len(blocks) == 10
    values: dict[str, str] = {}
    tokens: dict[str, str] = {}
    live: asyncio.Task[Any] | None = None
    async with httpx.AsyncClient() as client:
        for who, doc in blocks:
            doc = fill(doc, values)
            if who == "bob subscription":
                live = asyncio.create_task(first_event(served, tokens["bob"], doc))
                await asyncio.sleep(0.5)
                continue
            headers = {"authorization": f"Bearer {tokens[who]}"} if who != "anonymous" else {}
            body = (await client.post(served, json={"query": doc}, headers=headers)).json()
            assert "errors" not in body, (doc, body)
            data = body["data"]
            if "register" in data:
                assert data["register"]["__typename"] == "RegisterSuccess"
                name = data["register"]["user"]["username"]
                tokens[name] = data["register"]["token"]
                values[f"{name.upper()}_ID"] = data["register"]["user"]["id"]
            elif "login" in data:
                assert data["login"]["__typename"] == "LoginSuccess"
                tokens["alice"] = values["ALICE_TOKEN"] = data["login"]["token"]
            elif "createConversation" in data:
                values["CONVERSATION_ID"] = data["createConversation"]["conversation"]["id"]
            elif "sendMessage" in data:
                assert data["sendMessage"]["__typename"] == "Message"
                values["MESSAGE_ID"] = data["sendMessage"]["id"]
            elif "react" in data:
                assert data["react"]["reactions"][0]["content"] == "🍕"
            elif "conversations" in data:
                node = data["conversations"]["edges"][0]["node"]
                assert node["unreadCount"] == 1
                assert node["messages"]["edges"][0]["node"]["text"] == "Lunch at noon?"
            elif "markRead" in data:
                assert data["markRead"] == {"__typename": "MarkReadSuccess", "count": 1}
            elif "viewer" in data:
                assert data["viewer"]["username"] == "alice"
        assert live is not None
        event = await asyncio.wait_for(live, 10)
        assert event["messageAdded"]["text"] == "Lunch at noon?"
        assert event["messageAdded"]["author"]["username"] == "alice"

        extra = after_the_tour()
        assert [(where, who) for where, who, _ in extra] == [
            ("filters.md", "alice"),
            ("inbox-and-announcements.md", "bob"),
        ]
        for _, who, doc in extra:
            headers = {"authorization": f"Bearer {tokens[who]}"}
            body = (await client.post(served, json={"query": fill(doc, values)}, headers=headers)).json()
            assert "errors" not in body, (doc, body)
            data = body["data"]
            if "messages" in data:  # the filter example finds the tour's message
                assert data["messages"]["totalCount"] == 1
                assert data["messages"]["edges"][0]["node"]["reactions"] == [{"content": "🍕", "count": 1}]
                assert data["messageCount"] == 1
            else:  # the notice example reaches Alice
                assert data["sendNotice"]["__typename"] == "SendNoticeSuccess", data
                assert data["sendNotice"]["recipientCount"] == 1
        inbox = (
            await client.post(
                served,
                json={"query": "{ inbox { edges { node { text } } } }"},
                headers={"authorization": f"Bearer {tokens['alice']}"},
            )
        ).json()
        assert inbox["data"]["inbox"]["edges"][0]["node"]["text"] == "Server db-1 restarts at 12:00"

    python_example = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "tour.md").read_text(), re.S)
    assert python_example is not None
    source = python_example[1].replace('"http://127.0.0.1:8000/graphql"', repr(served))
    # it must end by itself: a subscription left open holds gql's socket for its 10 s close timeout
    ran = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", source], capture_output=True, text=True, timeout=8
    )
    assert ran.returncode == 0, ran.stderr
    assert "'kind': 'ADDED'" in ran.stdout and "'text': 'hello from gql'" in ran.stdout


async def first_event(url: str, token: str, doc: str) -> dict[str, Any]:
    transport = WebsocketsTransport(
        url=url.replace("http", "ws"), init_payload={"Authorization": f"Bearer {token}"}
    )
    async with Client(transport=transport) as session:
        async for event in session.subscribe(GraphQLRequest(doc)):
            return event
    raise AssertionError("subscription ended without an event")
