"""Live: a tombstone arrives as EDITED (deleted: true) and leaves as DELETED; the unread inbox count
is pushed when it changes."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import LiveServer
from tests.live.test_live import CREATE, post, user

EVENTS = """subscription($c: ID) { messageEvents(filter: {conversation: $c}) {
  kind messageId message { deleted text replyCount } } }"""
SEND = """mutation($c: ID!, $t: String!, $r: MessageRef) {
  sendMessage(input: {conversation: $c, text: $t, inReplyTo: $r}) { ... on Message { id } } }"""
DELETE = """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }"""
NOTICE = """mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "heads up"}) {
  ... on SendNoticeSuccess { notice { id } } } }"""
MARK = """mutation($ids: [ID!]) { markRead(input: {ids: $ids}) { __typename } }"""


def socket(server: LiveServer, token: str) -> Client:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return Client(transport=WebsocketsTransport(url=server.ws_url, init_payload=auth))


async def test_subscribers_see_the_tombstone_then_its_removal(live_server: LiveServer) -> None:
    ann, _ = await user(live_server, "ann")
    bob, bob_id = await user(live_server, "bob")
    chat = (await post(live_server, CREATE, {"p": [bob_id]}, ann))["createConversation"]["conversation"]["id"]
    got: list[dict[str, Any]] = []
    async with socket(live_server, bob) as session:
        stream = session.subscribe(GraphQLRequest(EVENTS, variable_values={"c": chat}))
        pending = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.3)  # subscribed before anything happens
        root = (await post(live_server, SEND, {"c": chat, "t": "secret"}, ann))["sendMessage"]["id"]
        reply = (await post(live_server, SEND, {"c": chat, "t": "hm", "r": {"id": root}}, bob))["sendMessage"]
        await post(live_server, DELETE, {"id": root}, ann)
        await post(live_server, DELETE, {"id": reply["id"]}, bob)
        while len(got) < 5:
            got.append((await asyncio.wait_for(pending, 10))["messageEvents"])
            pending = asyncio.ensure_future(stream.__anext__())
        pending.cancel()
    assert [(e["kind"], e["messageId"]) for e in got] == [
        ("ADDED", root),
        ("ADDED", reply["id"]),
        ("EDITED", root),  # emptied in place: still in the thread, rendered as "message deleted"
        ("DELETED", reply["id"]),
        ("DELETED", root),  # its last reply went, so it went too
    ]
    # the EDITED event carries the tombstone as it is now (gone by the time it is read here,
    # or still there): either way never the old text
    assert all(e["message"] is None or e["message"]["text"] != "secret" for e in got[2:])
    assert got[3]["message"] is None and got[4]["message"] is None


@pytest.mark.parametrize("text_filter", [None, "secret"])
async def test_a_live_edited_event_shows_the_tombstone(
    live_server: LiveServer, text_filter: str | None
) -> None:
    """Also under a `text` filter the emptied text no longer matches: it matched before the change."""
    ann, _ = await user(live_server, "ann")
    bob, bob_id = await user(live_server, "bob")
    chat = (await post(live_server, CREATE, {"p": [bob_id]}, ann))["createConversation"]["conversation"]["id"]
    root = (await post(live_server, SEND, {"c": chat, "t": "secret"}, ann))["sendMessage"]["id"]
    await post(live_server, SEND, {"c": chat, "t": "hm", "r": {"id": root}}, bob)
    async with socket(live_server, bob) as session:
        document = (
            EVENTS
            if text_filter is None
            else EVENTS.replace("{conversation: $c}", "{conversation: $c, text: $x}")
        )
        document = document if text_filter is None else document.replace("($c: ID)", "($c: ID, $x: String)")
        stream = session.subscribe(GraphQLRequest(document, variable_values={"c": chat, "x": text_filter}))
        pending = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.3)
        await post(live_server, DELETE, {"id": root}, ann)
        event = (await asyncio.wait_for(pending, 10))["messageEvents"]
        while event["kind"] == "ADDED":  # the sends above may still be on their way to the live path
            event = (await asyncio.wait_for(stream.__anext__(), 10))["messageEvents"]
    assert event == {
        "kind": "EDITED",
        "messageId": root,
        "message": {"deleted": True, "text": "", "replyCount": 1},
    }


async def test_the_unread_inbox_count_is_pushed_when_it_changes(live_server: LiveServer) -> None:
    alice, _ = await user(live_server, "alice")
    bob, bob_id = await user(live_server, "bob")
    chat = (await post(live_server, CREATE, {"p": [bob_id]}, alice))["createConversation"]["conversation"][
        "id"
    ]
    counts: list[int] = []
    async with socket(live_server, bob) as session:
        stream = session.subscribe(GraphQLRequest("subscription { inboxUnreadCount }"))

        async def pushed() -> int:
            value: int = (await asyncio.wait_for(stream.__anext__(), 10))["inboxUnreadCount"]
            return value

        counts.append(await pushed())
        first = (await post(live_server, NOTICE, {"u": [bob_id]}, alice))["sendNotice"]["notice"]["id"]
        counts.append(await pushed())
        await post(live_server, SEND, {"c": chat, "t": "not a notice"}, alice)
        second = (await post(live_server, NOTICE, {"u": [bob_id]}, alice))["sendNotice"]["notice"]["id"]
        counts.append(await pushed())
        await post(live_server, MARK, {"ids": [first]}, bob)
        counts.append(await pushed())
        await post(live_server, DELETE, {"id": second}, alice)  # the author deletes it for everyone
        counts.append(await pushed())
        await stream.aclose()
    assert counts == [0, 1, 2, 1, 0]
    with pytest.raises(TransportQueryError):
        async with socket(live_server, "") as anonymous:
            await anonymous.execute(GraphQLRequest("subscription { inboxUnreadCount }"))
