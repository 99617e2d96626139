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


SENT = """query($first: Int) { inboxUnreadCount sentNotices(first: $first) { edges { node { id text
  author { username } recipients { __typename ... on User { username } ... on Group { name } } } } } }"""
NOTICE = """mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "n {0}", parameters: ["x"]}) {
  __typename } }"""


async def selects(app: Any, api: Api, query: str, variables: dict[str, Any], token: str) -> tuple[Any, int]:
    """The data of one request and how many SELECT statements it ran."""
    statements: list[str] = []
    engine = app.state.services.db.engine.sync_engine

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        data = await api.run(query, variables, token)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return data, len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


async def test_a_page_of_sent_notices_costs_the_same_at_any_size(app: Any, api: Api) -> None:
    users = [await api.register(f"user{i}") for i in range(3)]
    token = users[0][0]
    for i in range(50):
        await api.run(NOTICE, {"u": [users[1 + i % 2][1]]}, token)
    await app.state.services.hub.stop()
    small, five = await selects(app, api, SENT, {"first": 5}, token)
    large, fifty = await selects(app, api, SENT, {"first": 50}, token)
    assert len(small["sentNotices"]["edges"]) == 5 and len(large["sentNotices"]["edges"]) == 50
    assert five == fifty and fifty <= 10, (five, fifty)  # token, rights, badge, page, rows, users ...
