"""messagesByIds and nodes: one entry per id, in order, with the same authorization."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.topic_helpers import World

BY_IDS = """query($ids: [ID!]!) { messagesByIds(ids: $ids) { __typename ... on Message { text }
  ... on NotFoundError { code ids } } }"""


async def test_found_and_missing_in_the_order_given(api: Api) -> None:
    w = await World(api).setup()
    await w.grant("admin", "/Team", "WRITE", ["alice"])
    a = (await w.send_ok("alice", "/Team", "a"))["id"]
    b = (await w.send_ok("alice", "/Team", "b"))["id"]
    secret = (await w.send_ok("bob", "/Private/bob", "secret"))["id"]
    deleted = (await w.send_ok("alice", "/Team", "gone"))["id"]
    await w.run(
        "alice",
        """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }""",
        {"id": deleted},
    )
    ids = [b, "not-an-id", secret, a, deleted, b, "VXNlcjox"]
    results = (await w.run("alice", BY_IDS, {"ids": ids}))["messagesByIds"]
    assert [r.get("text") or r["ids"][0] for r in results] == [
        "b",
        "not-an-id",
        secret,
        "a",
        deleted,
        "b",
        "VXNlcjox",
    ]
    assert [r["__typename"] for r in results] == [
        "Message",
        "NotFoundError",
        "NotFoundError",
        "Message",
        "NotFoundError",
        "Message",
        "NotFoundError",
    ]
    assert {r["code"] for r in results if r["__typename"] == "NotFoundError"} == {"NOT_FOUND"}
    nodes = await w.run(
        "alice", """query($ids: [ID!]!) { nodes(ids: $ids) { id } }""", {"ids": [a, secret, b]}
    )
    assert nodes["nodes"] == [{"id": a}, None, {"id": b}]
