"""Expected errors are at most one INFO line each, without a traceback; an unexpected error is
logged exactly once, as an ERROR with its traceback and the request id."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok


def problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{r.levelname} {r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info
    ]


async def test_expected_errors_are_one_info_line_without_traceback(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    alice, _ = await api.register("alice")
    caplog.set_level(logging.INFO)
    caplog.clear()
    batch: list[tuple[str, dict[str, Any], str | None]] = [
        ("{ viewer { id }", {}, alice),  # syntax
        ("{ nope }", {}, alice),  # validation
        ("query($n: Int) { conversations(first: $n) { totalCount } }", {"n": "ten"}, alice),  # variables
        ('{ conversations(after: "not-a-cursor") { totalCount } }', {}, alice),  # InvalidInput
        ("{ conversations(first: 100000) { totalCount } }", {}, alice),  # a limit
        ("{ conversations { totalCount } }", {}, None),  # Unauthenticated
        ("query($u: String!) { user(username: $u) { id } }", {"u": "x\ud800"}, alice),  # surrogate
        (nested_too_deep(), {}, alice),  # depth limit
    ]
    for query, variables, token in batch:
        headers = {
            "content-type": "application/json",
            **({"authorization": f"Bearer {token}"} if token else {}),
        }
        body = json.dumps({"query": query, "variables": variables})  # `\ud800` escapes kept as sent
        errors = (await api.client.post("/graphql", content=body.encode(), headers=headers)).json()["errors"]
        assert all(e["extensions"]["code"] != "INTERNAL" for e in errors), errors
    typed = await api.run(
        """mutation { sendMessage(input: {conversation: "Q29udmVyc2F0aW9uOjk5", text: "hi"}) {
             __typename } }""",
        token=alice,
    )
    assert typed["sendMessage"]["__typename"] == "NotFoundError"  # typed: not even a GraphQL error

    assert problems(caplog) == []
    lines = [r for r in caplog.records if r.name.startswith(("app.graphql", "strawberry"))]
    assert 0 < len(lines) <= len(batch), [r.getMessage() for r in lines]
    assert all(r.levelno == logging.INFO for r in lines)


async def hide_table(app: Any, table: str) -> None:
    """Rename the table away. A rename locks only that table (a DROP also locks the tables its
    foreign keys name, and on PostgreSQL deadlocked with the post-send work still finishing), and
    a deadlock that still happens is retried rather than failing the test."""
    for attempt in range(5):
        try:
            async with app.state.services.db.engine.begin() as conn:
                await conn.exec_driver_sql(f"ALTER TABLE {table} RENAME TO {table}_gone")
            return
        except DBAPIError:
            if attempt == 4:
                raise
            await asyncio.sleep(0.2)


def nested_too_deep() -> str:
    return '{ message(id: "eA==") { ' + "inReplyTo { " * 40 + "id" + " }" * 40 + " } }"


async def test_an_unexpected_error_is_logged_once_with_the_request_id(
    app: Any, api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    conv = await create_conversation(api, alice, [bob])
    mid = await send_ok(api, alice, conv, "hi")
    await hide_table(app, "reactions")  # a bug: a table the code needs is gone
    caplog.set_level(logging.INFO)
    caplog.clear()
    response = await api.client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { message(id: $id) { reactions { content } } }",
            "variables": {"id": mid},
        },
        headers={"authorization": f"Bearer {alice}", "x-request-id": "req-once"},
    )
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-once"}
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, problems(caplog)
    assert "req-once" in errors[0].getMessage() and errors[0].exc_info is not None
