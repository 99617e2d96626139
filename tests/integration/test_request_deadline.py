"""PARLEY_REQUEST_DEADLINE_SECONDS: a query past the deadline is answered TIMEOUT and its database
work is stopped (the statement interrupted on SQLite, cancelled on PostgreSQL); a mutation that has
begun to write is never cut."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.core.db import Database
from app.core.settings import Settings
from tests.conftest import LiveServer, make_settings

pytestmark = pytest.mark.slow

DEADLINE = 0.5  # seconds; the slow document below takes several seconds without one
ROWS = 40_000
PHRASE = "about the weather in town"
# 24 aliases (under PARLEY_MAX_ALIASES), each a count and a page of one sorted by author then text
# over every row of the conversation: a costly document well within the cost budget
PATTERNS = sorted({PHRASE[i : i + k] for k in (9, 12, 15) for i in range(0, 11)} - {""})[:24]
SLOW = (
    # one statement that runs for minutes on SQLite (counting a word found in every message of one
    # conversation joins the FTS5 table row by row), which only an interrupt stops ...
    'query($c: ID!) { n: messageCount(filter: {conversation: $c, text: "weather"}) '
    # ... and many costly ones (on PostgreSQL too)
    + " ".join(
        f'a{i}: messages(filter: {{conversation: $c, textContains: "{p}"}}, '
        f"orderBy: [{{field: AUTHOR}}, {{field: TEXT}}], first: 1) {{ totalCount edges {{ node {{ id }} }} }}"
        for i, p in enumerate(PATTERNS)
    )
    + " }"
)
DELETE = """mutation($f: MessageFilter!) { deleteMessages(input: {filter: $f}) {
  __typename ... on DeleteMessagesSuccess { count } ... on Error { code message } } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # no viewer cache: every request reads (and may touch) the user's last activity
    return make_settings(
        tmp_path, request_deadline_seconds=DEADLINE, max_bulk_delete=20_000, auth_cache_seconds=0
    )


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
    )


async def seed(client: httpx.AsyncClient, settings: Settings) -> tuple[str, str]:
    """(alice's token, the id of her conversation with bob holding ROWS messages by her)."""
    tokens = []
    for name in ("alice", "bob"):
        register = """mutation($i: RegisterInput!) { register(input: $i) {
            ... on RegisterSuccess { token user { id } } } }"""
        response = await client.post(
            "/graphql",
            json={"query": register, "variables": {"i": {"username": name, "password": "password-123"}}},
        )
        tokens.append(response.json()["data"]["register"])
    create = """mutation($i: CreateConversationInput!) { createConversation(input: $i) {
        ... on CreateConversationSuccess { conversation { id } } } }"""
    response = await gql(
        client, create, {"i": {"participants": [tokens[1]["user"]["id"]]}}, tokens[0]["token"]
    )
    conversation = response.json()["data"]["createConversation"]["conversation"]["id"]
    db = Database(settings)  # bulk rows straight into the tables, as bench/seed.py does
    try:
        async with db.write() as uow:
            cid = (await uow.session.execute(text("SELECT max(id) FROM conversations"))).scalar_one()
            aid = (
                await uow.session.execute(text("SELECT id FROM users WHERE username = 'alice'"))
            ).scalar_one()
            if db.dialect == "sqlite":
                series = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < :n) "
                source, created = "s", "datetime('now', '-' || n || ' seconds')"
            else:
                series, source, created = (
                    "",
                    "generate_series(1, :n) AS s(n)",
                    "now() - n * interval '1 second'",
                )
            await uow.session.execute(
                text(
                    series
                    + "INSERT INTO messages(conversation_id, author_id, text, created_at, reply_count, "
                    "like_count, votes_up, votes_down, urls, parameters) "
                    f"SELECT :c, :a, 'message number ' || n || ' {PHRASE}', {created}, 0, 0, 0, 0, '[]', '[]' "
                    f"FROM {source}"
                ),
                {"n": ROWS, "c": cid, "a": aid},
            )
            # her next request records her activity, a write of its own: it must not lift the deadline
            await uow.session.execute(text("UPDATE users SET last_active_at = NULL"))
    finally:
        await db.dispose()
    return tokens[0]["token"], conversation


async def active_statements(settings: Settings) -> int:
    """Statements running on the server's database, other than this one (PostgreSQL)."""
    db = Database(settings)
    try:
        async with db.read() as session:
            sql = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            return int((await session.execute(text(sql))).scalar_one())
    finally:
        await db.dispose()


async def statements_ended(settings: Settings, seconds: float = 1.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if await active_statements(settings) == 0:
            return True
        await asyncio.sleep(0.05)
    return await active_statements(settings) == 0


async def connections_returned(pool: Any, seconds: float = 1.0) -> bool:
    for _ in range(int(seconds / 0.01)):
        if not pool.checkedout():
            return True
        await asyncio.sleep(0.01)
    return pool.checkedout() == 0


async def test_a_query_past_the_deadline_is_stopped_with_its_statements(
    live_server: LiveServer, settings: Settings
) -> None:
    pool = live_server.app.state.services.db.engine.pool
    async with httpx.AsyncClient(
        base_url=live_server.http_url.removesuffix("/graphql"), timeout=60
    ) as client:
        token, conversation = await seed(client, settings)
        for _ in range(3):
            response = await gql(client, SLOW, {"c": conversation}, token)
            assert response.status_code == 504, response.text[:300]
            body = response.json()
            assert "data" not in body, body
            [error] = body["errors"]
            assert error["extensions"]["code"] == "TIMEOUT", error
            assert error["extensions"]["deadlineSeconds"] == DEADLINE
            # the statements are stopped, not left to run on: nothing holds a connection (the
            # slow statement would hold one for minutes; the live hub's own short reads may hold
            # one for a moment, so allow them a second) ...
            assert await connections_returned(pool), pool.checkedout()
            if settings.database_url.startswith("postgresql"):  # ... nor runs on the server (the
                # stopped one would run for minutes; the app's own short reads, a moment)
                assert await statements_ended(settings), "a statement still runs on the server"
            # the next query is answered at once (within the same deadline)
            light = await gql(
                client, "query($c: ID!) { conversation(id: $c) { id } }", {"c": conversation}, token
            )
            assert light.status_code == 200, light.text
            assert light.json()["data"] == {"conversation": {"id": conversation}}


async def test_a_mutation_that_began_writing_is_not_cut(live_server: LiveServer, settings: Settings) -> None:
    async with httpx.AsyncClient(
        base_url=live_server.http_url.removesuffix("/graphql"), timeout=60
    ) as client:
        token, conversation = await seed(client, settings)
        # "number 3": 3, 30-39, 300-399, 3000-3999, 30000-39999; deleting them takes longer than the deadline
        condition = {"conversation": conversation, "textContains": "number 3"}
        response = await gql(client, DELETE, {"f": condition}, token)
        assert response.status_code == 200, response.text[:300]
        assert response.json()["data"]["deleteMessages"] == {
            "__typename": "DeleteMessagesSuccess",
            "count": 11_111,
        }
        left = await gql(
            client, "query($f: MessageFilter) { messageCount(filter: $f) }", {"f": condition}, token
        )
        assert left.json()["data"] == {"messageCount": 0}, left.text
