"""Sending into topics: parsing, labels, replies, references, back-dating, bulk sends."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.topic_helpers import World

SEND_MANY = """mutation($inputs: [SendMessageInput!]!) { sendMessages(inputs: $inputs) {
  __typename ... on Error { code reason: message } ... on Message { text } } }"""
GRANT_RIGHT = """mutation($u: ID!, $r: String!) { grantRight(input: {user: $u, right: $r}) {
  __typename ... on Error { code } ... on GrantRightSuccess { user { rights } } } }"""


async def world(api: Api) -> World:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice", "bob"])
    return w


async def test_tags_mentions_urls_and_labels_come_with_the_message(api: Api) -> None:
    w = await world(api)
    message = await w.send_ok(
        "alice",
        "/Team",
        "Deploy #prod #keyTag:v2 done, ping @bob and @nobody: https://ci.example/run/7.",
        labels=[{"text": "ok", "color": "#2ecc71"}, {"text": "deploy", "color": "rgba(143,199,148,0.61)"}],
    )
    assert message["tags"] == ["prod", "keyTag:v2"]
    assert message["mentions"] == [{"username": "bob"}]
    assert message["urls"] == ["https://ci.example/run/7"]
    assert message["labels"] == [
        {"text": "ok", "color": "#2ecc71"},
        {"text": "deploy", "color": "rgba(143,199,148,0.61)"},
    ]
    assert message["topic"] == {"path": "/Team"}


async def test_bad_colour_and_too_long_text_are_refused(api: Api) -> None:
    w = await world(api)
    bad = await w.send("alice", "/Team", "x", labels=[{"text": "a", "color": "blue-ish"}])
    assert bad["__typename"] == "InvalidInputError" and bad["field"] == "labels[0].color"
    bad_rgb = await w.send("alice", "/Team", "x", labels=[{"text": "a", "color": "rgb(300,0,0)"}])
    assert bad_rgb["__typename"] == "InvalidInputError"
    await w.params("admin", "/Team", maxLength=10)
    too_long = await w.send("alice", "/Team", "x" * 11)
    assert too_long["__typename"] == "LimitExceededError" and too_long["limit"] == 10
    both = await w.run(
        "alice",
        """mutation { sendMessage(input: {topic: "/Team", conversation: "Q29udmVyc2F0aW9uOjE=", text: "x"}) {
      __typename } }""",
    )
    assert both["sendMessage"]["__typename"] == "InvalidInputError"
    count = await w.run("alice", """{ messageCount(filter: {topic: "/Team"}) }""")
    assert count["messageCount"] == 0


async def test_replies_in_one_go_and_threads(api: Api) -> None:
    w = await world(api)
    root = await w.send_ok("alice", "/Team", "Incident #inc42", replies=["looking", "fixed"])
    assert root["replyCount"] == 2
    replies = [e["node"] for e in root["replies"]["edges"]]
    assert [r["text"] for r in replies] == ["looking", "fixed"]
    assert {r["root"]["id"] for r in replies} == {root["id"]}
    nested = await w.send_ok("bob", "/Team", "thanks", inReplyTo={"id": replies[1]["id"]})
    assert nested["inReplyTo"]["id"] == replies[1]["id"]
    assert nested["root"]["id"] == root["id"]
    by_tag = await w.send_ok("bob", "/Team", "postmortem?", inReplyTo={"topic": "/Team", "tag": "inc42"})
    assert by_tag["inReplyTo"]["id"] == root["id"]
    thread = await w.run(
        "alice", """query($r: ID!) { messageCount(filter: {root: $r}) }""", {"r": root["id"]}
    )
    assert thread["messageCount"] == 5


async def test_reply_limit_is_enforced(api: Api) -> None:
    w = await world(api)
    await w.params("admin", "/Team", maxReplies=2)
    root = await w.send_ok("alice", "/Team", "root", replies=["one"])
    await w.send_ok("bob", "/Team", "two", inReplyTo={"id": root["id"]})
    third = await w.send("bob", "/Team", "three", inReplyTo={"id": root["id"]})
    assert (
        third["__typename"] == "LimitExceededError" and third["field"] == "maxReplies" and third["limit"] == 2
    )
    too_many = await w.send("alice", "/Team", "another", replies=["a", "b", "c"])
    assert too_many["__typename"] == "LimitExceededError"


async def test_create_root_if_missing_then_reuse_it(api: Api) -> None:
    w = await world(api)
    ref = {"topic": "/Team", "tag": "build-77"}
    first = await w.send_ok(
        "alice", "/Team", "Build #build-77", inReplyTo=ref, createRootIfMissing=True, replies=["step A"]
    )
    assert first["tags"] == ["build-77"] and first["inReplyTo"] is None and first["replyCount"] == 1
    second = await w.send_ok(
        "bob", "/Team", "Build #build-77", inReplyTo=ref, createRootIfMissing=True, replies=["step B"]
    )
    assert second["id"] == first["id"] and second["replyCount"] == 2
    reply = await w.send_ok("bob", "/Team", "done", inReplyTo=ref, createRootIfMissing=True)
    assert reply["inReplyTo"]["id"] == first["id"]
    missing = await w.send("bob", "/Team", "x", inReplyTo={"topic": "/Team", "tag": "nothing"})
    assert missing["__typename"] == "NotFoundError"
    roots = await w.run("bob", """{ messageCount(filter: {topic: "/Team", onlyRoots: true}) }""")
    assert roots["messageCount"] == 1


async def test_references_by_tag_prefix_label_and_ambiguity(api: Api) -> None:
    w = await world(api)
    a = await w.send_ok("alice", "/Team", "#job:1", labels=[{"text": "state:ok", "color": "#0f0"}])
    b = await w.send_ok("alice", "/Team", "#job:2", labels=[{"text": "state:ko", "color": "#f00"}])
    await w.send_ok("alice", "/Team", "reply #job:3", inReplyTo={"id": a["id"]})
    like = """mutation($ref: MessageRef!) { like(input: {ref: $ref, liked: true}) {
      __typename ... on AmbiguousReferenceError { code ids } ... on Error { code }
      ... on Message { id } } }"""
    ambiguous = (await w.run("bob", like, {"ref": {"topic": "/Team", "tagPrefix": "job:"}}))["like"]
    assert ambiguous["__typename"] == "AmbiguousReferenceError" and ambiguous["code"] == "AMBIGUOUS_REFERENCE"
    assert sorted(ambiguous["ids"]) == sorted([a["id"], b["id"]])  # replies excluded: onlyRoot
    by_label = (await w.run("bob", like, {"ref": {"topic": "/Team", "label": "state:ko"}}))["like"]
    assert by_label["id"] == b["id"]
    by_prefix = (await w.run("bob", like, {"ref": {"topic": "/Team", "labelPrefix": "state:o"}}))["like"]
    assert by_prefix["id"] == a["id"]
    reply = (await w.run("bob", like, {"ref": {"topic": "/Team", "tag": "job:3", "onlyRoot": False}}))["like"]
    assert reply["__typename"] == "Message"
    none = (await w.run("bob", like, {"ref": {"topic": "/Team", "tag": "job:9"}}))["like"]
    assert none["__typename"] == "NotFoundError"
    no_topic = (await w.run("bob", like, {"ref": {"tag": "job:1"}}))["like"]
    assert no_topic["__typename"] == "InvalidInputError"


async def test_back_dating_needs_a_system_user_and_can_force_date(api: Api) -> None:
    w = await world(api)
    when = "2020-01-02T03:04:05+00:00"
    refused = await w.send("alice", "/Team", "old news", createdAt=when)
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "system"
    granted = await w.run("admin", GRANT_RIGHT, {"u": w.ids["alice"], "r": "system"})
    assert "system" in granted["grantRight"]["user"]["rights"]
    alice = await api.login("alice", "password-123")
    w.tokens["alice"] = alice["token"]
    parameter = await w.send("alice", "/Team", "old news", createdAt=when)
    assert parameter["__typename"] == "ForbiddenError" and parameter["parameter"] == "canForceDate"
    await w.params("admin", "/Team", canForceDate=True)
    dated = await w.send_ok("alice", "/Team", "old news", createdAt=when)
    assert dated["createdAt"] == when


async def test_send_messages_gives_one_result_per_input(api: Api) -> None:
    w = await world(api)
    data = await w.run(
        "alice",
        SEND_MANY,
        {
            "inputs": [
                {"topic": "/Team", "text": "first"},
                {"topic": "/Nowhere", "text": "lost"},
                {"topic": "/Team", "text": ""},
                {"topic": "/Team", "text": "last"},
            ]
        },
    )
    kinds = [r["__typename"] for r in data["sendMessages"]]
    assert kinds == ["Message", "NotFoundError", "InvalidInputError", "Message"]
    count = await w.run("alice", """{ messageCount(filter: {topic: "/Team"}) }""")
    assert count["messageCount"] == 2
