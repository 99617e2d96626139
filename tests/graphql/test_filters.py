"""The filter language through GraphQL: every operator, combinations, order, cursors, trees, counts, bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.graphql.topic_helpers import World

LIST = """query($f: MessageFilter, $o: [MessageOrder!], $first: Int, $after: String, $tree: TreeView) {
  messages(filter: $f, orderBy: $o, first: $first, after: $after, treeView: $tree) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { text } tree { text inReplyTo { text } } } } }"""
COUNT = """query($f: MessageFilter) { messageCount(filter: $f) }"""
GRANT_RIGHT = """mutation($u: ID!) { grantRight(input: {user: $u, right: "system"}) { __typename } }"""


async def texts(
    w: World, who: str, f: dict[str, Any], order: list[dict[str, str]] | None = None
) -> list[str]:
    data = await w.run(who, LIST, {"f": f, "o": order, "first": 100})
    return [e["node"]["text"] for e in data["messages"]["edges"]]


async def count(w: World, who: str, f: dict[str, Any]) -> int:
    return (await w.run(who, COUNT, {"f": f}))["messageCount"]


@pytest.fixture
async def w(api: Api) -> World:
    world = await World(api).setup()
    await world.create("admin", "/Team/Dev")
    await world.grant("admin", "/Team", "WRITE", ["alice", "bob"], recursive=True)
    await world.grant("admin", "/Team", "READ", ["carol"])
    return world


async def test_tag_operators(w: World) -> None:
    await w.send_ok("alice", "/Team", "a #x #y")
    await w.send_ok("alice", "/Team", "b #x")
    await w.send_ok("alice", "/Team", "c #y #env:prod")
    await w.send_ok("alice", "/Team", "d #env:dev")
    assert sorted(await texts(w, "alice", {"tags": ["x"]})) == ["a #x #y", "b #x"]
    assert sorted(await texts(w, "alice", {"tags": ["x", "y"]})) == ["a #x #y", "b #x", "c #y #env:prod"]
    assert await texts(w, "alice", {"allTags": ["x", "y"]}) == ["a #x #y"]
    assert sorted(await texts(w, "alice", {"notTags": ["x"]})) == ["c #y #env:prod", "d #env:dev"]
    assert sorted(await texts(w, "alice", {"tagPrefixes": ["env:"]})) == ["c #y #env:prod", "d #env:dev"]
    assert await texts(w, "alice", {"tags": ["y"], "notTags": ["x"], "tagPrefixes": ["env:p"]}) == [
        "c #y #env:prod"
    ]
    assert await texts(w, "alice", {"tags": []}) == []


async def test_label_operators(w: World) -> None:
    red, green = {"text": "red", "color": "#f00"}, {"text": "green", "color": "#0f0"}
    await w.send_ok("alice", "/Team", "one", labels=[red, green])
    await w.send_ok("alice", "/Team", "two", labels=[red])
    await w.send_ok("alice", "/Team", "three", labels=[{"text": "state:ok", "color": "#00f"}])
    assert sorted(await texts(w, "alice", {"labels": ["red"]})) == ["one", "two"]
    assert await texts(w, "alice", {"allLabels": ["red", "green"]}) == ["one"]
    assert await texts(w, "alice", {"notLabels": ["red"]}) == ["three"]
    assert await texts(w, "alice", {"labelPrefixes": ["state:"]}) == ["three"]


async def test_places_authors_threads_and_ids(w: World) -> None:
    root = await w.send_ok("alice", "/Team", "root", replies=["r1"])
    reply = root["replies"]["edges"][0]["node"]
    deeper = await w.send_ok("bob", "/Team", "r2", inReplyTo={"id": reply["id"]})
    dev = await w.send_ok("bob", "/Team/Dev", "dev talk")
    assert sorted(await texts(w, "alice", {"topic": "/Team"})) == ["r1", "r2", "root"]
    assert sorted(await texts(w, "alice", {"topicUnder": "/Team"})) == ["dev talk", "r1", "r2", "root"]
    assert await texts(w, "carol", {"topicUnder": "/Team"}) == [
        "r2",
        "r1",
        "root",
    ]  # carol cannot read /Team/Dev
    assert sorted(await texts(w, "alice", {"authors": ["BOB"]})) == ["dev talk", "r2"]
    assert await texts(w, "alice", {"inReplyTo": reply["id"]}) == ["r2"]
    assert sorted(await texts(w, "alice", {"root": root["id"]})) == ["r1", "r2", "root"]
    assert sorted(await texts(w, "alice", {"onlyRoots": True})) == ["dev talk", "root"]
    assert sorted(await texts(w, "alice", {"ids": [dev["id"], deeper["id"]]})) == ["dev talk", "r2"]


async def test_full_text_search_with_prefixes_and_ranking(w: World) -> None:
    await w.send_ok("alice", "/Team", "The database migration failed")
    await w.send_ok("alice", "/Team", "Migrating the database again, database is slow, database!")
    await w.send_ok("alice", "/Team", "Lunch menu: crêpes")
    assert len(await texts(w, "alice", {"text": "databa"})) == 2
    assert await texts(w, "alice", {"text": "migration failed"}) == ["The database migration failed"]
    assert await texts(w, "alice", {"text": "CREPES"}) == ["Lunch menu: crêpes"]  # case and accents folded
    assert await texts(w, "alice", {"text": "crêp"}) == ["Lunch menu: crêpes"]
    ranked = await texts(w, "alice", {"text": "database"})
    assert ranked[0].startswith("Migrating")  # more hits rank first
    by_date = await texts(w, "alice", {"text": "database"}, [{"field": "CREATED_AT", "direction": "ASC"}])
    assert by_date[0].startswith("The database")
    assert await count(w, "alice", {"text": "nothing-like-this"}) == 0


async def test_dates_and_relative_windows(api: Api, w: World) -> None:
    await w.run("admin", GRANT_RIGHT, {"u": w.ids["alice"]})
    w.tokens["alice"] = (await api.login("alice", "password-123"))["token"]
    await w.params("admin", "/Team", canForceDate=True)
    now = datetime.now(UTC)
    start_of_day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    ages = {
        "just now": timedelta(seconds=0),
        "an hour ago": timedelta(hours=1),
        "two days ago": timedelta(days=2),
        "last year": timedelta(days=400),
    }
    for text, age in ages.items():
        await w.send_ok("alice", "/Team", text, createdAt=(now - age).isoformat())
    iso = (now - timedelta(hours=2)).isoformat()
    assert sorted(await texts(w, "bob", {"createdAfter": iso})) == ["an hour ago", "just now"]
    assert sorted(await texts(w, "bob", {"createdBefore": iso})) == ["last year", "two days ago"]
    last_90_minutes = {"anchor": "NOW", "fromOffsetSeconds": -5400}
    assert sorted(await texts(w, "bob", {"createdWithin": last_90_minutes})) == ["an hour ago", "just now"]
    older_than_a_day = {"anchor": "NOW", "toOffsetSeconds": -86400}
    assert sorted(await texts(w, "bob", {"createdWithin": older_than_a_day})) == ["last year", "two days ago"]
    this_year = await texts(w, "bob", {"createdWithin": {"anchor": "START_OF_YEAR"}})
    assert "last year" not in this_year and "just now" in this_year
    today = await texts(w, "bob", {"createdWithin": {"anchor": "START_OF_DAY"}})
    expected = {t for t, age in ages.items() if now - age >= start_of_day}
    assert set(today) == expected
    yesterday = {"anchor": "START_OF_DAY", "fromOffsetSeconds": -86400, "toOffsetSeconds": 0}
    assert set(await texts(w, "bob", {"createdWithin": yesterday})) == {
        t for t, age in ages.items() if start_of_day - timedelta(days=1) <= now - age <= start_of_day
    }
    assert (
        await count(w, "bob", {"updatedWithin": {"anchor": "START_OF_WEEK", "fromOffsetSeconds": -864000}})
        >= 3
    )


async def test_thresholds_unread_and_tasks(w: World) -> None:
    hot = await w.send_ok("alice", "/Team", "hot", replies=["r"])
    cold = await w.send_ok("alice", "/Team", "cold")
    vote = """mutation($id: ID!, $d: VoteDirection) { vote(input: {ref: {id: $id}, direction: $d}) { __typename } }"""
    like = """mutation($id: ID!) { like(input: {ref: {id: $id}, liked: true}) { __typename } }"""
    for who in ("bob", "carol"):
        await w.run(who, vote, {"id": hot["id"], "d": "UP"})
        await w.run(who, like, {"id": hot["id"]})
    await w.run("bob", vote, {"id": cold["id"], "d": "DOWN"})
    assert await texts(w, "alice", {"minVotesUp": 2}) == ["hot"]
    assert sorted(await texts(w, "alice", {"maxVotesUp": 0})) == ["cold", "r"]
    assert await texts(w, "alice", {"minVotesDown": 1}) == ["cold"]
    assert sorted(await texts(w, "alice", {"maxVotesDown": 0})) == ["hot", "r"]
    assert await texts(w, "alice", {"minReplies": 1}) == ["hot"]
    assert sorted(await texts(w, "alice", {"maxReplies": 0})) == ["cold", "r"]
    assert await texts(w, "alice", {"minLikes": 2}) == ["hot"]
    assert await count(w, "bob", {"unread": True}) == 3
    mark = """mutation($f: MessageFilter) { markRead(input: {filter: $f}) { ... on MarkReadSuccess { count } } }"""
    assert (await w.run("bob", mark, {"f": {"tags": [], "topic": "/Team"}}))["markRead"]["count"] == 0
    assert (await w.run("bob", mark, {"f": {"minVotesUp": 1}}))["markRead"]["count"] == 1
    assert sorted(await texts(w, "bob", {"unread": True})) == ["cold", "r"]
    assert await texts(w, "bob", {"unread": False}) == ["hot"]
    assert await count(w, "alice", {"unread": True}) == 0  # her own
    task = """mutation($id: ID!) { setTask(input: {ref: {id: $id}, task: true}) { __typename } }"""
    await w.run("carol", task, {"id": cold["id"]})
    assert await texts(w, "carol", {"tasks": True, "topic": "/Team"}) == ["cold"]
    assert sorted(await texts(w, "carol", {"tasks": False, "topic": "/Team"})) == ["hot", "r"]


async def test_bad_filters_are_typed_errors(w: World) -> None:
    cases = [
        ({"topic": "/Nope"}, "filter.topic"),
        ({"topic": "/Private/bob"}, "filter.topic"),  # exists, but not for alice: just as unknown
        ({"topicUnder": "bad path"}, "filter.topicUnder"),
        (
            {"createdAfter": "2025-02-01T00:00:00+00:00", "createdBefore": "2025-01-01T00:00:00+00:00"},
            "createdAfter",
        ),
        ({"createdWithin": {"anchor": "NOW"}}, "filter.createdWithin"),
        (
            {"createdWithin": {"anchor": "START_OF_DAY", "fromOffsetSeconds": 10, "toOffsetSeconds": 5}},
            "filter.createdWithin",
        ),
        ({"minVotesUp": -1}, "minVotesUp"),
        ({"maxReplies": -2}, "maxReplies"),
        ({"text": "  !! "}, "filter.text"),
        ({"ids": ["bm9wZQ=="]}, "filter.ids"),
    ]
    for f, field in cases:
        errors = await w.api.errors(COUNT, {"f": f}, w.tokens["alice"])
        assert errors[0]["extensions"]["code"] == "INVALID_INPUT", f
        data = await w.run(
            "alice",
            """mutation($f: MessageFilter!) { deleteMessages(input: {filter: $f}) {
            __typename ... on InvalidInputError { field } } }""",
            {"f": f},
        )
        assert data["deleteMessages"] == {"__typename": "InvalidInputError", "field": field}, f


@pytest.mark.parametrize(
    "field",
    [
        "CREATED_AT",
        "UPDATED_AT",
        "TEXT",
        "TOPIC",
        "AUTHOR",
        "LIKES",
        "VOTES_UP",
        "VOTES_DOWN",
        "REPLIES",
        "LABELS",
        "TAGS",
    ],
)
async def test_every_order_pages_stably_while_messages_arrive(w: World, field: str) -> None:
    like = """mutation($id: ID!) { like(input: {ref: {id: $id}, liked: true}) { __typename } }"""
    sent = []
    for i in range(9):
        topic = "/Team" if i % 2 else "/Team/Dev"
        who = "alice" if i % 3 else "bob"
        m = await w.send_ok(
            who,
            topic,
            f"m{(i * 7) % 9} #t{i % 4}",
            labels=[{"text": f"l{i % 3}", "color": "#000"}],
            replies=["r"] * (i % 3),
        )
        sent.append(m)
        if i % 2:
            await w.run("carol", like, {"id": m["id"]})
    f = {"topicUnder": "/Team", "onlyRoots": True}  # bob reads both topics
    for direction in ("ASC", "DESC"):
        order = [{"field": field, "direction": direction}]
        everything = await texts(w, "bob", f, order)
        assert len(everything) == 9 + (3 if direction == "DESC" else 0)  # the ASC round added 3 late ones
        seen: list[str] = []
        after = None
        while True:
            data = await w.run("bob", LIST, {"f": f, "o": order, "first": 4, "after": after})
            page = data["messages"]
            seen += [e["node"]["text"] for e in page["edges"]]
            await w.send_ok(
                "alice", "/Team", f"late {len(seen)} {direction}", replies=[]
            )  # arrives between pages
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        # every message of the snapshot comes exactly once and in order; arrivals never shift a page
        assert [t for t in seen if t in everything] == everything, (field, direction)
        assert len(seen) == len(set(seen))
        if field == "CREATED_AT" and direction == "DESC":
            assert seen == everything  # newer arrivals sort before the cursor: never seen mid-walk


async def test_tree_views_apply_the_filter_to_roots(w: World) -> None:
    root = await w.send_ok("alice", "/Team", "root #pick", replies=["r1", "r2"])
    r1 = root["replies"]["edges"][0]["node"]["id"]
    await w.send_ok("bob", "/Team", "r1.1 #pick", inReplyTo={"id": r1})
    await w.send_ok("alice", "/Team", "other root")
    one = await w.run("alice", LIST, {"f": {"tags": ["pick"]}, "tree": "ONE_TREE"})
    edges = one["messages"]["edges"]
    assert [e["node"]["text"] for e in edges] == ["root #pick"]  # the reply tagged #pick is not a root
    assert [t["text"] for t in edges[0]["tree"]] == ["r1", "r2"]
    full = await w.run("alice", LIST, {"f": {"tags": ["pick"]}, "tree": "FULL_TREE"})
    tree = full["messages"]["edges"][0]["tree"]
    assert [(t["text"], t["inReplyTo"]["text"]) for t in tree] == [
        ("r1", "root #pick"),
        ("r2", "root #pick"),
        ("r1.1 #pick", "r1"),
    ]
    flat = await w.run("alice", LIST, {"f": {"tags": ["pick"]}})
    assert [e["node"]["text"] for e in flat["messages"]["edges"]] == ["r1.1 #pick", "root #pick"]
    assert all(e["tree"] == [] for e in flat["messages"]["edges"])
    topic_tree = await w.run(
        "alice",
        """{ topic(path: "/Team") { messageCount(filter: {onlyRoots: true})
        messages(treeView: ONE_TREE, first: 1) { edges { node { text } tree { text } } } } }""",
    )
    assert topic_tree["topic"]["messageCount"] == 2
    assert topic_tree["topic"]["messages"]["edges"][0]["node"]["text"] == "other root"


async def test_bulk_mark_read_and_label_by_filter(w: World) -> None:
    a = await w.send_ok("alice", "/Team", "a #batch")
    await w.send_ok("alice", "/Team", "b #batch")
    await w.send_ok("alice", "/Team/Dev", "c #batch")
    by_ids = """mutation($ids: [ID!]) { markRead(input: {ids: $ids}) { __typename ... on MarkReadSuccess { count }
      ... on NotFoundError { ids } } }"""
    assert (await w.run("carol", by_ids, {"ids": [a["id"]]}))["markRead"]["count"] == 1
    hidden = await w.send_ok("alice", "/Private/alice", "secret")
    refused = (await w.run("carol", by_ids, {"ids": [hidden["id"]]}))["markRead"]
    assert refused == {"__typename": "NotFoundError", "ids": [hidden["id"]]}
    label = """mutation($f: MessageFilter!) { labelMessages(input: {filter: $f, add: [{text: "seen", color: "#999"}]}) {
      __typename ... on LabelMessagesSuccess { count } ... on ForbiddenError { right } } }"""
    assert (await w.run("carol", label, {"f": {"tags": ["batch"]}}))["labelMessages"]["right"] == "write"
    assert (await w.run("bob", label, {"f": {"tags": ["batch"]}}))["labelMessages"]["count"] == 3
    assert await count(w, "bob", {"labels": ["seen"]}) == 3
