"""Deleting a conversation message that has replies leaves a tombstone; topics keep Tat's cascades."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok
from tests.graphql.topic_helpers import World

DELETE = """mutation($id: ID!, $c: DeleteCascade!) { deleteMessage(input: {ref: {id: $id}, cascade: $c}) {
  __typename ... on Error { code message }
  ... on DeleteMessageSuccess { deletedIds tombstones { id deleted text rawText attachments { name } } } } }"""
DELETE_MANY = """mutation($f: MessageFilter!) { deleteMessages(input: {filter: $f}) {
  __typename ... on Error { code message } ... on DeleteMessagesSuccess { count tombstoneCount } } }"""
MESSAGE = """query($id: ID!) { message(id: $id) { id deleted deletedAt text de: text(locale: "de") rawText
  parameters translations { locale } attachments { name } reactions { content } likeCount revisions { text }
  author { username } createdAt conversation { id } replyCount
  replies { edges { node { id text root { id deleted } inReplyTo { id deleted } } } } } }"""
THREAD = """query($f: MessageFilter!) { messages(filter: $f, orderBy: [{field: CREATED_AT, direction: ASC}]) {
  edges { node { id deleted rawText } } } }"""
UNREAD = """query($id: ID!) { conversation(id: $id) { unreadCount } }"""
SEARCH = """query($c: ID!, $q: String!) { messages(filter: {conversation: $c, text: $q}) { edges { node { id } } }
  messageCount(filter: {conversation: $c, text: $q}) }"""
EDIT = """mutation($id: ID!) { editMessage(input: {ref: {id: $id}, text: "back"}) {
  __typename ... on InvalidInputError { field } } }"""
REACT = """mutation($id: ID!) { react(input: {ref: {id: $id}, content: "👍"}) {
  __typename ... on InvalidInputError { field } } }"""
LIKE = """mutation($id: ID!) { like(input: {ref: {id: $id}, liked: true}) { __typename } }"""
FILE = {"name": "plan.pdf", "url": "https://files.example/plan.pdf", "mimeType": "application/pdf", "size": 9}


async def delete(api: Api, token: str, message: str, cascade: str = "NONE") -> dict[str, Any]:
    return (await api.run(DELETE, {"id": message, "c": cascade}, token))["deleteMessage"]


async def message(api: Api, token: str, message: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (await api.run(MESSAGE, {"id": message}, token))["message"]
    return found


async def test_a_conversation_message_with_replies_becomes_a_tombstone(api: Api) -> None:
    ann, _ = await api.register("ann")
    bob, bob_id = await api.register("bob")
    chat = await create_conversation(api, ann, [bob_id])
    root = await send_ok(
        api,
        ann,
        chat,
        "zebra plan for {0}",
        attachments=[FILE],
        translations=[{"locale": "de", "text": "Zebraplan für {0}"}],
        parameters=["friday"],
    )
    reply = await send_ok(api, bob, chat, "sounds good", inReplyTo={"id": root})
    nested = await send_ok(api, ann, chat, "thanks", inReplyTo={"id": reply})
    await api.run(REACT, {"id": root}, bob)
    await api.run(LIKE, {"id": root}, bob)
    await api.run(EDIT, {"id": root}, ann)  # leaves the old text in the revisions
    before = await message(api, bob, root)
    assert before is not None and before["revisions"] and before["reactions"] and before["likeCount"] == 1
    found = await api.run(SEARCH, {"c": chat, "q": "back"}, bob)
    assert [e["node"]["id"] for e in found["messages"]["edges"]] == [root]

    assert (await api.run(UNREAD, {"id": chat}, bob))["conversation"]["unreadCount"] == 2
    result = await delete(api, ann, root)
    assert result["__typename"] == "DeleteMessageSuccess", result
    assert result["deletedIds"] == []
    assert (await api.run(UNREAD, {"id": chat}, bob))["conversation"]["unreadCount"] == 1  # not the tombstone
    assert result["tombstones"] == [
        {"id": root, "deleted": True, "text": "", "rawText": "", "attachments": []}
    ]

    tombstone = await message(api, bob, root)
    assert tombstone is not None
    assert tombstone["deleted"] is True and tombstone["deletedAt"] is not None
    assert (tombstone["text"], tombstone["de"], tombstone["rawText"]) == ("", "", "")
    assert tombstone["parameters"] == [] and tombstone["translations"] == []
    assert tombstone["attachments"] == [] and tombstone["reactions"] == []
    assert tombstone["likeCount"] == 0 and tombstone["revisions"] == []
    assert tombstone["author"] == {"username": "ann"} and tombstone["createdAt"] == before["createdAt"]
    assert tombstone["conversation"] == {"id": chat} and tombstone["replyCount"] == 1
    assert tombstone["replies"]["edges"] == [
        {
            "node": {
                "id": reply,
                "text": "sounds good",
                "root": {"id": root, "deleted": True},
                "inReplyTo": {"id": root, "deleted": True},
            }
        }
    ]
    thread = await api.run(THREAD, {"f": {"conversation": chat, "root": root}}, bob)
    assert [(e["node"]["id"], e["node"]["deleted"]) for e in thread["messages"]["edges"]] == [
        (root, True),
        (reply, False),
        (nested, False),
    ]
    for word in ("back", "zebra"):  # neither the text nor the old text is found any more
        gone = await api.run(SEARCH, {"c": chat, "q": word}, bob)
        assert gone["messages"]["edges"] == [] and gone["messageCount"] == 0

    assert (await api.run(EDIT, {"id": root}, ann))["editMessage"] == {
        "__typename": "InvalidInputError",
        "field": "ref",
    }
    assert (await api.run(REACT, {"id": root}, bob))["react"]["__typename"] == "InvalidInputError"
    assert (await api.run(LIKE, {"id": root}, bob))["like"]["__typename"] == "InvalidInputError"
    assert (await delete(api, bob, root))["__typename"] == "ForbiddenError"  # not his
    again = await delete(api, ann, root)
    assert again["deletedIds"] == [] and [t["id"] for t in again["tombstones"]] == [root]
    # replying in the thread of a tombstone is still fine
    await send_ok(api, bob, chat, "still here", inReplyTo={"id": root})


async def test_a_message_without_replies_is_deleted_for_good(api: Api) -> None:
    ann, _ = await api.register("ann")
    _, bob_id = await api.register("bob")
    chat = await create_conversation(api, ann, [bob_id])
    lone = await send_ok(api, ann, chat, "oops")
    result = await delete(api, ann, lone)
    assert (result["deletedIds"], result["tombstones"]) == ([lone], [])
    assert await message(api, ann, lone) is None


async def test_a_tombstone_goes_with_its_last_reply_up_the_thread(api: Api) -> None:
    ann, _ = await api.register("ann")
    bob, bob_id = await api.register("bob")
    chat = await create_conversation(api, ann, [bob_id])
    root = await send_ok(api, ann, chat, "root")
    first = await send_ok(api, bob, chat, "first", inReplyTo={"id": root})
    second = await send_ok(api, bob, chat, "second", inReplyTo={"id": root})
    deep = await send_ok(api, ann, chat, "deep", inReplyTo={"id": second})
    await delete(api, ann, root)
    assert [t["id"] for t in (await delete(api, bob, second))["tombstones"]] == [second]
    assert (await delete(api, bob, first))["deletedIds"] == [first]
    assert (await message(api, ann, root)) is not None  # "second" still hangs off it
    # the last reply goes: so do the tombstone above it and the one above that
    assert (await delete(api, ann, deep))["deletedIds"] == [deep, second, root]
    assert await message(api, bob, root) is None
    assert (await api.run(THREAD, {"f": {"conversation": chat}}, bob))["messages"]["edges"] == []


async def test_delete_messages_by_filter_leaves_tombstones_where_replies_remain(api: Api) -> None:
    ann, _ = await api.register("ann")
    bob, bob_id = await api.register("bob")
    chat = await create_conversation(api, ann, [bob_id])
    answered = await send_ok(api, ann, chat, "answered")
    answer = await send_ok(api, bob, chat, "answer", inReplyTo={"id": answered})
    await send_ok(api, ann, chat, "lonely")
    own_thread = await send_ok(api, ann, chat, "own thread")
    await send_ok(api, ann, chat, "own reply", inReplyTo={"id": own_thread})
    result = (await api.run(DELETE_MANY, {"f": {"conversation": chat, "authors": ["ann"]}}, ann))[
        "deleteMessages"
    ]
    assert result == {"__typename": "DeleteMessagesSuccess", "count": 4, "tombstoneCount": 1}
    left = await api.run(THREAD, {"f": {"conversation": chat}}, bob)
    assert [(e["node"]["id"], e["node"]["deleted"]) for e in left["messages"]["edges"]] == [
        (answered, True),
        (answer, False),
    ]


async def test_topics_keep_the_cascade_modes(api: Api) -> None:
    w = await World(api).setup()
    root = (await w.send_ok("admin", "/Team", "incident", replies=["looking", "fixed"]))["id"]
    refused = (await w.run("admin", DELETE, {"id": root, "c": "NONE"}))["deleteMessage"]
    assert refused["__typename"] == "ConflictError"
    kept = (await w.run("admin", MESSAGE, {"id": root}))["message"]
    assert kept["deleted"] is False and kept["rawText"] == "incident" and kept["replyCount"] == 2
    gone = (await w.run("admin", DELETE, {"id": root, "c": "REPLIES"}))["deleteMessage"]
    assert len(gone["deletedIds"]) == 3 and gone["tombstones"] == []
    assert (await w.run("admin", MESSAGE, {"id": root}))["message"] is None
