"""A tag list whose date-order walk found no full page skips the walk for the same list for a
while (app.queries.walk_misses): one statement fewer, the same page. SQLite only: PostgreSQL
never walks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.core.settings import Settings
from app.queries.walk_misses import walk_misses
from tests.conftest import BACKEND, Api, make_settings
from tests.graphql.topic_helpers import World

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the date-order walk is SQLite's plan")

LIST = """query($tags: [String!], $first: Int) { messages(filter: {tags: $tags}, first: $first) {
  edges { node { text } } pageInfo { hasNextPage } } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, list_walk_rows=3)


async def _listed(app: Any, w: World, variables: dict[str, Any]) -> tuple[list[str], int]:
    """The texts listed and how many statements read messages."""
    statements: list[str] = []
    engine = app.state.services.db.engine.sync_engine

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        data = await w.run("alice", LIST, variables)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    texts = [e["node"]["text"] for e in data["messages"]["edges"]]
    return texts, len([s for s in statements if "FROM messages" in s])


async def test_a_walk_that_missed_is_skipped_for_the_same_list(app: Any, api: Api) -> None:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice"], recursive=True)
    for i in range(8):  # the tagged ones are older than the 3 newest: the walk finds no page
        await w.send_ok("alice", "/Team", f"m{i}" + (" #rare" if i in (0, 2) else ""))
    await app.state.services.hub.stop()  # count this request's statements only
    misses = walk_misses(app.state.services.db)
    wanted = ["m2 #rare", "m0 #rare"]

    first, walked = await _listed(app, w, {"tags": ["rare"], "first": 5})
    second, collected = await _listed(app, w, {"tags": ["rare"], "first": 5})
    assert first == second == wanted
    assert collected == walked - 1  # the walk's statement
    assert misses.skipped == 1

    other, statements = await _listed(app, w, {"tags": ["rare"], "first": 1})  # another page
    assert other == wanted[:1]
    assert statements == walked  # walks again, no miss remembered for it
    assert misses.skipped == 1
