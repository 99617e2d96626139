"""Tat parity: maxLikes, replies with labels at creation (replyMessages), substring search (textContains)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.graphql.test_filters import count, texts
from tests.graphql.topic_helpers import World

LIKE = """mutation($id: ID!) { like(input: {ref: {id: $id}, liked: true}) { __typename } }"""
EDIT = """mutation($id: ID!, $t: String) { editMessage(input: {ref: {id: $id}, text: $t}) { __typename } }"""
DELETE = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }"""
THREAD = """query($r: ID!) { messages(filter: {root: $r}, orderBy: [{field: CREATED_AT, direction: ASC}]) {
  edges { node { text inReplyTo { id } labels { text color } } } } }"""


@pytest.fixture
async def w(api: Api) -> World:
    world = await World(api).setup()
    await world.grant("admin", "/Team", "WRITE", ["alice", "bob"], recursive=True)
    await world.grant("admin", "/Team", "READ", ["carol"])
    return world


async def invalid_field(w: World, who: str, f: dict[str, Any]) -> str:
    """The field named by the typed error of a bad filter (the count's error is INVALID_INPUT too)."""
    errors = await w.api.errors(
        """query($f: MessageFilter) { messageCount(filter: $f) }""", {"f": f}, w.tokens[who]
    )
    assert errors[0]["extensions"]["code"] == "INVALID_INPUT", errors
    data = await w.run(
        who,
        """mutation($f: MessageFilter!) { deleteMessages(input: {filter: $f}) {
        __typename ... on InvalidInputError { field } } }""",
        {"f": f},
    )
    assert data["deleteMessages"]["__typename"] == "InvalidInputError", data
    return str(data["deleteMessages"]["field"])


async def test_max_likes(w: World) -> None:
    hot = await w.send_ok("alice", "/Team", "hot")
    warm = await w.send_ok("alice", "/Team", "warm")
    await w.send_ok("alice", "/Team", "cold")
    for who in ("bob", "carol"):
        await w.run(who, LIKE, {"id": hot["id"]})
    await w.run("bob", LIKE, {"id": warm["id"]})
    assert await texts(w, "alice", {"maxLikes": 0}) == ["cold"]
    assert sorted(await texts(w, "alice", {"maxLikes": 1})) == ["cold", "warm"]
    assert await texts(w, "alice", {"minLikes": 1, "maxLikes": 1}) == ["warm"]
    assert await count(w, "alice", {"maxLikes": 1}) == 2
    assert await invalid_field(w, "alice", {"maxLikes": -1}) == "maxLikes"


async def test_reply_messages_carry_their_labels(w: World) -> None:
    red, green = {"text": "sev:1", "color": "#f00"}, {"text": "owner:ops", "color": "#0f0"}
    root = await w.send_ok(
        "alice",
        "/Team",
        "Disk full #inc7",
        labels=[red],
        replyMessages=[{"text": "looking", "labels": [green]}, {"text": "plain"}],
    )
    assert root["replyCount"] == 2 and root["labels"] == [red]
    thread = (await w.run("alice", THREAD, {"r": root["id"]}))["messages"]["edges"]
    assert [(e["node"]["text"], e["node"]["labels"]) for e in thread] == [
        ("Disk full #inc7", [red]),
        ("looking", [green]),
        ("plain", []),
    ]
    assert all(e["node"]["inReplyTo"] == {"id": root["id"]} for e in thread[1:])
    assert await texts(w, "bob", {"labels": ["owner:ops"]}) == ["looking"]


async def test_reply_messages_are_all_or_nothing(w: World) -> None:
    bad = await w.send(
        "alice",
        "/Team",
        "root",
        replyMessages=[
            {"text": "fine", "labels": [{"text": "ok", "color": "#0f0"}]},
            {"text": "broken", "labels": [{"text": "x", "color": "not-a-colour"}]},
        ],
    )
    assert bad["__typename"] == "InvalidInputError" and bad["field"] == "replyMessages[1].labels[0].color"
    too_long_label = await w.send(
        "alice", "/Team", "root", replyMessages=[{"text": "r", "labels": [{"text": "", "color": "#fff"}]}]
    )
    assert too_long_label["__typename"] == "InvalidInputError"
    assert await count(w, "admin", {"topic": "/Team"}) == 0  # neither the root nor any reply was written
    both = await w.send("alice", "/Team", "root", replies=["a"], replyMessages=[{"text": "b"}])
    assert both["__typename"] == "InvalidInputError" and both["field"] == "replyMessages"
    assert await count(w, "admin", {"topic": "/Team"}) == 0


async def test_reply_messages_to_an_existing_root_and_limits(w: World) -> None:
    await w.params("admin", "/Team", maxReplies=2)
    ref = {"topic": "/Team", "tag": "build-9"}
    first = await w.send_ok("alice", "/Team", "Build #build-9", inReplyTo=ref, createRootIfMissing=True)
    again = await w.send_ok(
        "bob",
        "/Team",
        "Build #build-9",
        inReplyTo=ref,
        createRootIfMissing=True,
        replyMessages=[{"text": "step A", "labels": [{"text": "ok", "color": "#0f0"}]}],
    )
    assert again["id"] == first["id"] and again["replyCount"] == 1
    over = await w.send(
        "bob",
        "/Team",
        "x",
        inReplyTo=ref,
        createRootIfMissing=True,
        replyMessages=[{"text": "b"}, {"text": "c"}],
    )
    assert over["__typename"] == "LimitExceededError" and over["field"] == "maxReplies"
    assert await texts(w, "alice", {"labels": ["ok"]}) == ["step A"]
    conv = await w.run(
        "alice",
        """mutation { sendMessage(input: {conversation: "x", text: "t", replyMessages: [{text: "r"}]}) {
          __typename ... on InvalidInputError { field } } }""",
    )
    assert conv["sendMessage"]["__typename"] == "InvalidInputError"


async def test_text_contains_matches_inside_words_case_insensitively(w: World) -> None:
    await w.send_ok("alice", "/Team", "Disk full on db-1")
    await w.send_ok("alice", "/Team", "RISKY deploy")
    await w.send_ok("alice", "/Team", "nothing here")
    await w.send_ok("alice", "/Team", "Écran cassé à l'ÉTAGE")
    await w.send_ok("alice", "/Team", "ПРИВЕТ мир")
    assert sorted(await texts(w, "carol", {"textContains": "isk"})) == ["Disk full on db-1", "RISKY deploy"]
    assert sorted(await texts(w, "carol", {"textContains": "ISK"})) == ["Disk full on db-1", "RISKY deploy"]
    assert await texts(w, "carol", {"textContains": "k full"}) == ["Disk full on db-1"]  # across words
    assert await texts(w, "carol", {"textContains": "écran"}) == ["Écran cassé à l'ÉTAGE"]  # accented case
    assert await texts(w, "carol", {"textContains": "l'étage"}) == ["Écran cassé à l'ÉTAGE"]
    assert await texts(w, "carol", {"textContains": "ecran"}) == []  # accents are significant
    assert await texts(w, "carol", {"textContains": "привет М"}) == ["ПРИВЕТ мир"]
    assert await count(w, "carol", {"textContains": "isk"}) == 2
    assert await invalid_field(w, "carol", {"textContains": "is"}) == "filter.textContains"


async def test_text_contains_takes_percent_and_underscore_literally(w: World) -> None:
    await w.send_ok("alice", "/Team", "disk 100% full")
    await w.send_ok("alice", "/Team", "disk 1000 full")
    await w.send_ok("alice", "/Team", "snake_case name")
    await w.send_ok("alice", "/Team", "snakeXcase name")
    await w.send_ok("alice", "/Team", 'a "quoted" back\\slash')
    assert await texts(w, "alice", {"textContains": "00% f"}) == ["disk 100% full"]
    assert await texts(w, "alice", {"textContains": "%%%"}) == []
    assert await texts(w, "alice", {"textContains": "e_c"}) == ["snake_case name"]
    assert await texts(w, "alice", {"textContains": '"quoted"'}) == ['a "quoted" back\\slash']
    assert await texts(w, "alice", {"textContains": "k\\s"}) == ['a "quoted" back\\slash']


async def test_text_contains_follows_edits_and_deletes(w: World) -> None:
    first = await w.send_ok("alice", "/Team", "the disk is fine")
    second = await w.send_ok("alice", "/Team", "another disk")
    await w.run("alice", EDIT, {"id": first["id"], "t": "the volume is fine"})
    await w.run("alice", DELETE, {"id": second["id"]})
    assert await texts(w, "alice", {"textContains": "isk"}) == []
    assert await texts(w, "alice", {"textContains": "olum"}) == ["the volume is fine"]


async def test_text_contains_with_topics_and_access(w: World) -> None:
    await w.create("admin", "/Team/Ops")
    await w.create("admin", "/Secret")
    await w.send_ok("alice", "/Team", "disk in team")
    await w.send_ok("alice", "/Team/Ops", "disk in ops")
    await w.send_ok("admin", "/Secret", "disk in secret")
    await w.send_ok("bob", "/Private/bob", "disk of bob")
    assert sorted(await texts(w, "alice", {"textContains": "disk"})) == ["disk in ops", "disk in team"]
    assert await count(w, "alice", {"textContains": "disk"}) == 2
    assert await texts(w, "alice", {"textContains": "disk", "topic": "/Team/Ops"}) == ["disk in ops"]
    assert await count(w, "alice", {"textContains": "disk", "topicUnder": "/Team"}) == 2
    assert await texts(w, "carol", {"textContains": "disk", "topic": "/Team"}) == ["disk in team"]
    assert await texts(w, "bob", {"textContains": "disk", "topic": "/Private/bob"}) == ["disk of bob"]
    assert await count(w, "admin", {"textContains": "disk"}) == 3  # not bob's private space
    assert await texts(w, None, {"textContains": "disk"}) == []
    assert await invalid_field(w, "alice", {"textContains": "disk", "topic": "/Secret"}) == "filter.topic"
    both = await texts(w, "alice", {"textContains": "n te", "text": "disk"})
    assert both == ["disk in team"]
