"""No N+1: a page of 50 messages with authors and reactions costs what a page of 5 costs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok

PAGE = """query($id: ID!, $first: Int) { conversation(id: $id) { messages(first: $first) {
  edges { node { id text author { username displayName } attachments { name } readAt
    reactions { content count users { username } } } } } } }"""
REACT = """mutation($id: ID!, $c: String!) { react(input: {ref: {id: $id}, content: $c}) { __typename } }"""


async def count_statements(app: Any, api: Api, token: str, variables: dict[str, Any]) -> int:
    statements: list[str] = []
    engine = app.state.services.db.engine.sync_engine

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        data = await api.run(PAGE, variables, token)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(data["conversation"]["messages"]["edges"]) == variables["first"]
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


async def test_page_of_50_takes_as_many_statements_as_a_page_of_5(app: Any, api: Api) -> None:
    users = [await api.register(f"user{i}") for i in range(4)]
    token = users[0][0]
    conv = await create_conversation(api, token, [u[1] for u in users[1:]])
    for i in range(50):
        mid = await send_ok(api, users[i % 4][0], conv, f"message {i}")
        await api.run(REACT, {"id": mid, "c": "👍"}, users[(i + 1) % 4][0])
    await app.state.services.hub.stop()  # count this request's statements only
    small = await count_statements(app, api, token, {"id": conv, "first": 5})
    large = await count_statements(app, api, token, {"id": conv, "first": 50})
    assert small == large
    assert large <= 12, (
        large
    )  # token, rights, page, count-free: users, reactions, attachments, reads, translations ...
