"""The bounded paths of big lists, through GraphQL, with windows small enough to cross.

- A relevance-ordered text search ranks the newest `search_rank_window` matches and lists the
  older ones after them, newest first (SQLite; PostgreSQL ranks every match).
- A tag or label list in date order first walks `list_walk_rows` messages down the dates.
- A tag or label count reads only its index, whose rows follow their message when it moves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.core.settings import Settings
from tests.conftest import BACKEND, Api, make_settings
from tests.graphql.topic_helpers import World

LIST = """query($f: MessageFilter, $o: [MessageOrder!], $first: Int, $after: String, $last: Int,
  $before: String) {
  messages(filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { text } } } }"""
COUNT = """query($f: MessageFilter) { messageCount(filter: $f) }"""
MOVE = """mutation($input: MoveMessageInput!) { moveMessage(input: $input) { __typename } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, search_rank_window=2, list_walk_rows=3)


@pytest.fixture
async def w(api: Api) -> World:
    world = await World(api).setup()
    await world.grant("admin", "/Team", "WRITE", ["alice"], recursive=True)
    return world


async def every_page(w: World, f: dict[str, Any], order: Any = None, size: int = 1) -> list[str]:
    """The whole list, `size` at a time forward; checked against the same list read backward."""
    forward: list[str] = []
    after = None
    while True:
        data = await w.run("alice", LIST, {"f": f, "o": order, "first": size, "after": after})
        forward += [e["node"]["text"] for e in data["messages"]["edges"]]
        if not data["messages"]["pageInfo"]["hasNextPage"]:
            break
        after = data["messages"]["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        data = await w.run("alice", LIST, {"f": f, "o": order, "last": size, "before": before})
        backward = [e["node"]["text"] for e in data["messages"]["edges"]] + backward
        if not data["messages"]["pageInfo"]["hasPreviousPage"]:
            break
        before = data["messages"]["pageInfo"]["startCursor"]
    assert backward == forward
    return forward


async def test_relevance_ranks_the_newest_matches_then_lists_older_ones_newest_first(w: World) -> None:
    texts = [
        "database database database: the oldest and best match",
        "a database once",
        "database, database and a reply",
        "database down",
        "nothing to find here",
    ]
    for text in texts:
        await w.send_ok("alice", "/Team", text)
    ranked = await every_page(w, {"text": "database"})
    if BACKEND == "sqlite":  # the two newest matches by relevance, then the older two newest first
        assert ranked == [texts[2], texts[3], texts[1], texts[0]]
    else:  # PostgreSQL ranks every match
        assert ranked[0] == texts[0] and sorted(ranked) == sorted(texts[:4])
    assert (
        await every_page(w, {"text": "database"}, [{"field": "RELEVANCE", "direction": "ASC"}], 3)
        == (ranked[::-1])
    )
    data = await w.run("alice", LIST, {"f": {"text": "database"}, "first": 1})
    assert data["messages"]["totalCount"] == 4
    assert (await w.run("alice", COUNT, {"f": {"text": "database"}}))["messageCount"] == 4
    # newer matches alice cannot read neither show nor move her window (nor tell her they exist)
    await w.create("admin", "/Hidden")
    for text in ("database database database hidden", "database hidden too"):
        await w.send_ok("admin", "/Hidden", text)
    assert await every_page(w, {"text": "database"}) == ranked


async def test_date_walk_pages_match_the_full_sort(w: World) -> None:
    for i in range(12):  # a tag on every third message: some pages come from the walk, some not
        await w.send_ok("alice", "/Team", f"m{i}" + (" #hot" if i % 3 == 0 or i > 9 else ""))
    newest_first = [f"m{i} #hot" for i in (11, 10, 9, 6, 3, 0)]
    for size in (1, 2, 4):
        assert await every_page(w, {"tags": ["hot"]}, size=size) == newest_first
        assert await every_page(w, {"tagPrefixes": ["ho"]}, size=size) == newest_first
    oldest_first = [{"field": "CREATED_AT", "direction": "ASC"}]
    assert await every_page(w, {"tags": ["hot"]}, oldest_first, 2) == newest_first[::-1]


async def test_tag_and_label_counts_follow_a_moved_thread(w: World) -> None:
    await w.create("admin", "/Team/Other")
    red = [{"text": "red", "color": "#f00"}]
    root = await w.send_ok("alice", "/Team", "root #a #ab", labels=red, replies=["reply #a"])
    await w.send_ok("alice", "/Team/Other", "stays #a", labels=red)

    async def count(f: dict[str, Any]) -> int:
        return (await w.run("alice", COUNT, {"f": f}))["messageCount"]

    assert await count({"tags": ["a"], "topic": "/Team"}) == 2
    assert await count({"tagPrefixes": ["a"], "topic": "/Team"}) == 2  # "root" has #a and #ab: once
    assert await count({"labels": ["red"], "topicUnder": "/Team"}) == 2
    moved = await w.run("alice", MOVE, {"input": {"ref": {"id": root["id"]}, "toTopic": "/Team/Other"}})
    assert moved["moveMessage"]["__typename"] == "Message", moved
    assert await count({"tags": ["a"], "topic": "/Team"}) == 0
    assert await count({"tags": ["a"], "topic": "/Team/Other"}) == 3
    assert await count({"labelPrefixes": ["re"], "topic": "/Team/Other"}) == 2
    assert await count({"tags": ["a", "ab"]}) == 3
    assert await count({"tags": ["a"]}) == 3
    # bob reads nothing under /Team: the same counts are 0 for him, not an error
    assert (await w.run("bob", COUNT, {"f": {"tags": ["a"]}}))["messageCount"] == 0
