"""Depth, alias, token and body limits; masked unexpected errors with a request id."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.main import create_app
from tests.conftest import Api, make_settings
from tests.graphql.helpers import create_conversation, send_ok


def nested(levels: int) -> str:
    """A document `levels` fields deep: message { inReplyTo { ... id } }."""
    return '{ message(id: "eA==") { ' + "inReplyTo { " * (levels - 1) + "id" + " }" * (levels - 1) + " } }"


async def test_deep_documents_are_refused(api: Api, settings: Any) -> None:
    at_limit = await api.raw(nested(settings.max_query_depth))
    assert "errors" not in at_limit.json(), at_limit.json()
    errors = await api.errors(nested(settings.max_query_depth + 1))
    assert any("exceeds maximum operation depth" in e["message"] for e in errors), errors


async def test_too_many_aliases_are_refused(api: Api, settings: Any) -> None:
    fields = " ".join(f"a{i}: viewer {{ id }}" for i in range(settings.max_aliases + 1))
    errors = await api.errors("{ " + fields + " }")
    assert "aliases" in errors[0]["message"]


async def test_too_many_tokens_are_refused(api: Api, settings: Any) -> None:
    fields = " ".join("__typename" for _ in range(settings.max_tokens))
    errors = await api.errors("{ " + fields + " }")
    assert "token" in errors[0]["message"].lower()


async def test_bodies_over_one_mebibyte_are_refused(api: Api) -> None:
    padding = "x" * (1024 * 1024)
    response = await api.client.post(
        "/graphql", json={"query": "{ viewer { id } }", "variables": {"p": padding}}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(300):
            yield b" " * 4096  # no Content-Length: counted as it streams

    streamed = await api.client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


@pytest.mark.sqlite_only
async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    app: Any, api: Api, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    conv = await create_conversation(api, alice, [bob])
    mid = await send_ok(api, alice, conv, "hi")
    with sqlite3.connect(tmp_path / "parley.db") as raw:  # break the database under the server
        raw.execute("DROP TABLE reactions")
    caplog.set_level(logging.ERROR, logger="app.graphql")
    response = await api.client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { message(id: $id) { text reactions { content } } }",
            "variables": {"id": mid},
        },
        headers={"authorization": f"Bearer {alice}", "x-request-id": "req-42"},
    )
    body = response.json()
    error = body["errors"][0]
    assert error["message"] == "Unexpected error (request id req-42)."
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "req-42"}
    assert "reactions" not in error["message"]  # no SQL details leak
    assert body["data"] == {"message": None}  # the failed non-null field nulls its parent only
    assert any("req-42" in r.getMessage() for r in caplog.records)
    assert response.headers["x-request-id"] == "req-42"


async def test_graphiql_is_served_in_development_only(tmp_path: Path) -> None:
    for env, expected in (("development", 200), ("production", 404)):
        app = create_app(make_settings(tmp_path / env, env=env))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            page = await c.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == expected, env
            if expected == 200:
                assert "graphiql" in page.text.lower()
                assert "wsConnectionParams: auth ? { Authorization: auth }" in page.text
            introspection = await c.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
            assert ("errors" in introspection.json()) == (env == "production")
            # nor can the schema be enumerated from suggestions (fields, arguments, enum values)
            for typo in (
                "{ viewr { id } }",
                '{ messages(fitler: {topic: "/x"}) { totalCount } }',
                "{ messages(orderBy: [{field: CREATED}]) { totalCount } }",
            ):
                [error] = (await c.post("/graphql", json={"query": typo})).json()["errors"]
                assert ("Did you mean" in error["message"]) == (env != "production"), (env, error)
                assert error["extensions"]["code"] == "INVALID_INPUT"


async def test_health_and_readiness(app: Any, api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "bus": "up"}
    await app.state.services.bus.stop()
    down = await api.client.get("/readyz")
    assert down.status_code == 503
    assert down.json() == {"database": "ok", "bus": "closed"}
    assert (await api.client.get("/healthz")).status_code == 200


async def test_query_cost_is_reported_and_a_costly_operation_is_refused_before_it_runs(
    app: Any, api: Api
) -> None:
    token, _ = await api.register("alice")
    small = (
        await api.raw("{ viewer { username } topics(first: 5) { edges { node { path } } } }", token=token)
    ).json()
    assert (
        small["extensions"]["cost"] == 1 + 1 + 1 + 5 + 5 + 5
    )  # viewer, username, topics, 5 x (edges, node, path)
    nested = """{ messages(filter: {topic: "/Grp"}, first: 100) { edges { node { topic {
      messages(first: 100) { edges { node { topic { messages(first: 100) { edges { node { id } } } } } } } } } } } }"""
    statements: list[str] = []

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.state.services.db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        body = (await api.raw(nested, token=token)).json()
    finally:
        event.remove(app.state.services.db.engine.sync_engine, "before_cursor_execute", capture)
    [error] = body["errors"]
    assert body["data"] is None and error["extensions"]["code"] == "LIMIT_EXCEEDED"
    budget = app.state.services.settings.max_query_cost
    assert error["extensions"]["budget"] == budget and error["extensions"]["cost"] > budget
    assert str(error["extensions"]["cost"]) in error["message"] and str(budget) in error["message"]
    assert statements == []  # refused before anything ran
    # a variable page size counts as sent
    paged = "query($n: Int) { topics(first: $n) { edges { node { path } } } }"
    big = (await api.raw(paged, {"n": 50}, token)).json()
    assert big["extensions"]["cost"] == 1 + 50 * 3
