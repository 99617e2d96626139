"""labelMessage loads the message's topic and its grants once (they were loaded twice: once to
check the viewer may read the message, again to check they may write there)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.conftest import Api
from tests.graphql.topic_helpers import World

LABEL = """mutation($input: LabelMessageInput!) { labelMessage(input: $input) {
  __typename ... on LabelMessageSuccess { created } } }"""


async def selects_of(app: Any, w: World, who: str, variables: dict[str, Any]) -> tuple[Any, list[str]]:
    """The data of one labelMessage request and the SELECT statements it ran, one line each."""
    statements: list[str] = []
    engine = app.state.services.db.engine.sync_engine

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        data = await w.run(who, LABEL, variables)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return data, [s for s in statements if s.upper().startswith("SELECT")]


def loads_of(table: str, selects: list[str]) -> int:
    """SELECTs reading `table` itself (not in a subquery)."""
    return sum(1 for s in selects if s.split(" WHERE ")[0].endswith(f"FROM {table}"))


async def test_label_message_loads_topic_and_grants_once(app: Any, api: Api) -> None:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice", "bob"])
    m = await w.send_ok("alice", "/Team", "build #b1")
    await app.state.services.hub.stop()  # count this request's statements only
    by_id = {"input": {"ref": {"id": m["id"]}, "add": [{"text": "ci", "color": "#00f"}]}}
    data, selects = await selects_of(app, w, "bob", by_id)
    assert data["labelMessage"] == {"__typename": "LabelMessageSuccess", "created": False}
    assert (loads_of("topics", selects), loads_of("topic_access", selects)) == (1, 1), selects
    # token, rights, groups; message, topic, grants; before-facts (message, tags, labels);
    # labels (topic, existing); after-facts (message, tags, labels). It was 16 with the topic twice.
    assert len(selects) == 14, selects

    by_label = {"input": {"ref": {"topic": "/Team", "label": "ci"}, "remove": ["ci"]}}
    data, selects = await selects_of(app, w, "bob", by_label)
    assert data["labelMessage"] == {"__typename": "LabelMessageSuccess", "created": False}
    assert (loads_of("topics", selects), loads_of("topic_access", selects)) == (1, 1), selects
    # as above, finding the id by label instead, and bob's token now comes from the viewer cache
    # (no token, rights, groups); it was 15
    assert len(selects) == 10, selects
