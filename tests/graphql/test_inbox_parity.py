"""The inbox as in the /msg seed: an unread count for the badge, and the notices one has sent."""

from __future__ import annotations

from collections.abc import Sequence

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok
from tests.graphql.topic_helpers import World

SEND_NOTICE = """mutation($input: SendNoticeInput!) { sendNotice(input: $input) {
  __typename ... on SendNoticeSuccess { notice { id } } } }"""
COUNTS = """{ inboxUnreadCount inbox(unreadOnly: true) { totalCount } }"""
SENT = """query($first: Int, $after: String) { sentNotices(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id rawText author { username } recipients { __typename ... on User { username }
    ... on Group { name } } } } } }"""
MARK = """mutation($ids: [ID!]) { markRead(input: {ids: $ids}) { __typename } }"""
DELETE = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }"""


async def notice(w: World, who: str, text: str, users: Sequence[str] = (), groups: Sequence[str] = ()) -> str:
    variables = {"input": {"text": text, "users": [w.ids[u] for u in users], "groups": list(groups)}}
    result = (await w.run(who, SEND_NOTICE, variables))["sendNotice"]
    assert result["__typename"] == "SendNoticeSuccess", result
    return str(result["notice"]["id"])


async def unread(w: World, who: str) -> int:
    data = await w.run(who, COUNTS)
    assert data["inboxUnreadCount"] == data["inbox"]["totalCount"]  # the badge is what the list holds
    return int(data["inboxUnreadCount"])


async def test_the_unread_count_follows_sends_reads_and_deletes(api: Api) -> None:
    w = await World(api).setup()
    ops = await w.group("admin", "ops", ["bob", "carol"])
    assert await unread(w, "bob") == 0
    first = await notice(w, "alice", "first", users=["bob", "carol"])
    second = await notice(w, "admin", "second", users=["bob"], groups=[ops])  # bob gets it once
    await notice(w, "bob", "to myself too", users=["bob", "carol"])  # one's own notice is not unread
    chat = await create_conversation(api, w.tokens["alice"], [w.ids["bob"]])
    await send_ok(api, w.tokens["alice"], chat, "a conversation message is not in the inbox")
    assert await unread(w, "bob") == 2
    assert await unread(w, "carol") == 3
    await w.run("bob", MARK, {"ids": [first]})
    assert await unread(w, "bob") == 1
    await w.run("bob", DELETE, {"id": second})  # from his inbox only
    assert await unread(w, "bob") == 0
    assert await unread(w, "carol") == 3
    await w.run("alice", DELETE, {"id": first})  # the author: for everyone
    assert await unread(w, "carol") == 2
    errors = await api.errors("{ inboxUnreadCount }")
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sent_notices_are_the_senders_own_newest_first_and_paged(api: Api) -> None:
    w = await World(api).setup()
    ops = await w.group("admin", "ops", ["alice", "carol"])
    ids = [await notice(w, "alice", f"notice {i}", users=["bob"], groups=[ops]) for i in range(3)]
    await notice(w, "bob", "bob's own", users=["alice"])
    chat = await create_conversation(api, w.tokens["alice"], [w.ids["bob"]])
    await send_ok(api, w.tokens["alice"], chat, "not a notice")
    await w.send_ok("admin", "/Team", "nor is a topic message")

    page = (await w.run("alice", SENT, {"first": 2}))["sentNotices"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["id"] for e in page["edges"]] == [ids[2], ids[1]]
    node = page["edges"][0]["node"]
    assert node["rawText"] == "notice 2" and node["author"] == {"username": "alice"}
    assert node["recipients"] == [
        {"__typename": "User", "username": "bob"},
        {"__typename": "Group", "name": "ops"},
    ]
    rest = (await w.run("alice", SENT, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["sentNotices"]
    assert [e["node"]["id"] for e in rest["edges"]] == [ids[0]] and rest["pageInfo"]["hasNextPage"] is False
    bobs = (await w.run("bob", SENT, {}))["sentNotices"]
    assert [e["node"]["rawText"] for e in bobs["edges"]] == ["bob's own"]

    await w.run("bob", DELETE, {"id": ids[2]})  # a recipient's delete leaves the sender's list alone
    await w.run("alice", DELETE, {"id": ids[1]})  # the sender's takes it away
    left = (await w.run("alice", SENT, {}))["sentNotices"]
    assert [e["node"]["id"] for e in left["edges"]] == [ids[2], ids[0]] and left["totalCount"] == 2
    errors = await api.errors("{ sentNotices { totalCount } }")
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
