"""createConversation, conversations, conversation(id)."""

from __future__ import annotations

from tests.conftest import Api
from tests.graphql.helpers import CREATE_CONVERSATION, create_conversation, send_ok

CONVERSATION = """query($id: ID!) { conversation(id: $id) { id title isDirect
  participants { username } unreadCount lastMessage { text } createdAt } }"""
LIST = """query($first: Int, $after: String) { conversations(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title } } } }"""


async def test_group_conversation_includes_the_viewer(api: Api) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    _, carol = await api.register("carol")
    data = await api.run(
        CREATE_CONVERSATION, {"input": {"participants": [bob, carol], "title": "Plans"}}, alice
    )
    conv = data["createConversation"]["conversation"]
    assert conv["title"] == "Plans"
    assert conv["isDirect"] is False
    assert sorted(p["username"] for p in conv["participants"]) == ["alice", "bob", "carol"]


async def test_direct_conversation_is_one_per_pair(api: Api) -> None:
    alice, alice_id = await api.register("alice")
    bob, bob_id = await api.register("bob")
    first = await create_conversation(api, alice, [bob_id])
    again = await create_conversation(api, bob, [alice_id])
    assert first == again
    data = await api.run(CONVERSATION, {"id": first}, bob)
    assert data["conversation"]["isDirect"] is True


async def test_invalid_participants_are_typed_errors(api: Api) -> None:
    alice, alice_id = await api.register("alice")
    only_self = await api.run(CREATE_CONVERSATION, {"input": {"participants": [alice_id]}}, alice)
    assert only_self["createConversation"]["code"] == "INVALID_INPUT"
    unknown = await api.run(CREATE_CONVERSATION, {"input": {"participants": ["VXNlcjo5OTk="]}}, alice)
    assert unknown["createConversation"]["__typename"] == "NotFoundError"
    assert unknown["createConversation"]["ids"] == ["VXNlcjo5OTk="]
    malformed = await api.run(CREATE_CONVERSATION, {"input": {"participants": ["nope"]}}, alice)
    assert malformed["createConversation"]["__typename"] == "InvalidInputError"
    anonymous = await api.run(CREATE_CONVERSATION, {"input": {"participants": [alice_id]}})
    assert anonymous["createConversation"]["__typename"] == "UnauthenticatedError"


async def test_non_participant_sees_the_same_as_a_missing_id(api: Api) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    mallory, _ = await api.register("mallory")
    conv = await create_conversation(api, alice, [bob])
    await send_ok(api, alice, conv, "secret")
    assert (await api.run(CONVERSATION, {"id": conv}, mallory))["conversation"] is None
    missing = conv[:-2] + "OQ=="  # another Conversation id that does not exist
    assert (await api.run(CONVERSATION, {"id": missing}, alice))["conversation"] is None
    assert (await api.run(CONVERSATION, {"id": conv}))["conversation"] is None
    node = await api.run("query($id: ID!) { node(id: $id) { id } }", {"id": conv}, mallory)
    assert node["node"] is None
    assert (await api.run(LIST, {}, mallory))["conversations"]["totalCount"] == 0


async def test_conversations_are_listed_by_most_recent_activity(api: Api) -> None:
    alice, _ = await api.register("alice")
    _, bob = await api.register("bob")
    older = await create_conversation(api, alice, [bob], "older")
    newer = await create_conversation(api, alice, [bob], "newer")
    listed = (await api.run(LIST, {}, alice))["conversations"]
    assert [e["node"]["id"] for e in listed["edges"]] == [newer, older]
    await send_ok(api, alice, older, "bump")
    listed = (await api.run(LIST, {}, alice))["conversations"]
    assert [e["node"]["title"] for e in listed["edges"]] == ["older", "newer"]
    first_page = (await api.run(LIST, {"first": 1}, alice))["conversations"]
    assert first_page["pageInfo"]["hasNextPage"] is True and first_page["totalCount"] == 2
    second = await api.run(LIST, {"first": 1, "after": first_page["pageInfo"]["endCursor"]}, alice)
    assert [e["node"]["title"] for e in second["conversations"]["edges"]] == ["newer"]
    assert second["conversations"]["pageInfo"]["hasNextPage"] is False


async def test_conversation_shows_last_message_and_unread_count(api: Api) -> None:
    alice, _ = await api.register("alice")
    bob, bob_id = await api.register("bob")
    conv = await create_conversation(api, alice, [bob_id])
    await send_ok(api, alice, conv, "one")
    await send_ok(api, alice, conv, "two")
    await send_ok(api, bob, conv, "mine")
    seen_by_bob = (await api.run(CONVERSATION, {"id": conv}, bob))["conversation"]
    assert seen_by_bob["unreadCount"] == 2
    assert seen_by_bob["lastMessage"]["text"] == "mine"
    assert (await api.run(CONVERSATION, {"id": conv}, alice))["conversation"]["unreadCount"] == 1
