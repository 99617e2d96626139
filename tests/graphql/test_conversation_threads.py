"""Threads inside conversations: reply by id, counts, trees, filters, and what stays refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.settings import Settings
from tests.conftest import Api, make_settings
from tests.graphql.helpers import create_conversation, send, send_ok

THREAD = """query($id: ID!) { message(id: $id) { text replyCount
  replies { edges { node { text inReplyTo { text } } } } } }"""
BY_ROOT = """query($f: MessageFilter) { messages(filter: $f, orderBy: [{field: CREATED_AT, direction: ASC}]) {
  edges { node { text } } } }"""
DELETE = """mutation($id: ID!, $c: DeleteCascade!) { deleteMessage(input: {ref: {id: $id}, cascade: $c}) {
  __typename ... on DeleteMessageSuccess { deletedIds } } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, max_replies_default=2)  # threads of at most 2 replies


async def test_replies_in_a_conversation(api: Api) -> None:
    ann, _ = await api.register("ann")
    bob, bob_id = await api.register("bob")
    cid, cid_id = await api.register("cid")
    chat = await create_conversation(api, ann, [bob_id])
    other = await create_conversation(api, ann, [cid_id])
    root = await send_ok(api, ann, chat, "lunch?")
    first = await send_ok(api, bob, chat, "yes", inReplyTo={"id": root})
    await send_ok(api, ann, chat, "where?", inReplyTo={"id": first})
    thread = (await api.run(THREAD, {"id": root}, bob))["message"]
    assert thread["replyCount"] == 1
    assert thread["replies"]["edges"] == [{"node": {"text": "yes", "inReplyTo": {"text": "lunch?"}}}]
    whole = await api.run(BY_ROOT, {"f": {"conversation": chat, "root": root}}, bob)
    assert [e["node"]["text"] for e in whole["messages"]["edges"]] == ["lunch?", "yes", "where?"]
    full = await send(api, bob, chat, "one too many", inReplyTo={"id": first})
    assert full["__typename"] == "LimitExceededError" and full["limit"] == 2

    elsewhere = await send(api, ann, other, "nope", inReplyTo={"id": root})
    assert elsewhere["__typename"] == "NotFoundError"  # not a message of that conversation
    by_tag = await send(api, ann, chat, "nope", inReplyTo={"tag": "x", "topic": "/T"})
    assert by_tag["__typename"] == "InvalidInputError" and by_tag["field"] == "inReplyTo"
    labelled = await send(api, ann, chat, "nope", labels=[{"text": "x", "color": "#fff"}])
    assert labelled["__typename"] == "InvalidInputError"
    outsider = await send(api, cid, chat, "hi", inReplyTo={"id": root})
    assert outsider["__typename"] == "NotFoundError"  # cid is not in the conversation

    # (cascade NONE makes a tombstone of a message with replies: tests/graphql/test_tombstones.py)
    not_hers = (await api.run(DELETE, {"id": root, "c": "REPLIES"}, ann))["deleteMessage"]
    assert not_hers["__typename"] == "ForbiddenError"  # bob's reply is his to delete
    assert (await api.run(THREAD, {"id": root}, bob))["message"]["replyCount"] == 1  # nothing went
    assert (await api.run(DELETE, {"id": first, "c": "REPLIES"}, bob))["deleteMessage"][
        "__typename"
    ] == "ForbiddenError"  # nor may bob take ann's "where?" with his "yes"
    mine = await send_ok(api, ann, chat, "my own thread")
    await send_ok(api, ann, chat, "my own reply", inReplyTo={"id": mine})
    gone = (await api.run(DELETE, {"id": mine, "c": "REPLIES"}, ann))["deleteMessage"]
    assert len(gone["deletedIds"]) == 2
