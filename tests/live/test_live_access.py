"""Live delivery follows access: a group left stops delivery, a logout closes the socket, and a
deleted notice's DELETED event still reaches the inboxes it was in.

A real uvicorn, real websocket clients; the server re-reads each socket's user every
live_auth_refresh_seconds (short here).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import websockets

from app.core.settings import Settings
from tests.conftest import ADMIN_PASSWORD, LiveServer, make_settings
from tests.live.test_live import post, user

LOGIN = """mutation($p: String!) { login(input: {username: "admin", password: $p}) {
  ... on LoginSuccess { token } } }"""
ADDED = """subscription { messageAdded { text } }"""
SEND = """mutation($t: String!, $x: String!) { sendMessage(input: {topic: $t, text: $x}) { __typename } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, live_auth_refresh_seconds=0.2)


async def subscribed(server: LiveServer, token: str, query: str = ADDED) -> Any:
    """A socket subscribed to `query` (anonymous when `token` is empty)."""
    ws = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": auth}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    await asyncio.sleep(0.3)  # the subscription is registered before anything is sent
    return ws


async def next_text(ws: Any) -> str:
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next", message
    return message["payload"]["data"]["messageAdded"]["text"]


async def test_leaving_a_group_stops_delivery_on_an_open_subscription(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    alice, alice_id = await user(live_server, "alice")
    group = await post(
        live_server,
        """mutation($m: [ID!]!) { createGroup(input: {name: "ops", members: $m}) {
          ... on CreateGroupSuccess { group { id } } } }""",
        {"m": [alice_id]},
        admin,
    )
    group_id = group["createGroup"]["group"]["id"]
    await post(live_server, """mutation { createTopic(input: {path: "/Ops"}) { __typename } }""", {}, admin)
    await post(
        live_server,
        """mutation($g: ID!) { setTopicAccess(input: {topic: "/Ops", role: READ, groups: [$g]}) {
          __typename } }""",
        {"g": group_id},
        admin,
    )
    ws = await subscribed(live_server, alice)
    try:
        await post(live_server, SEND, {"t": "/Ops", "x": "while a member"}, admin)
        assert await next_text(ws) == "while a member"
        removed = await post(
            live_server,
            """mutation($g: ID!, $u: ID!) { setGroupMembers(input: {group: $g, remove: [$u]}) {
              __typename } }""",
            {"g": group_id, "u": alice_id},
            admin,
        )
        assert removed["setGroupMembers"]["__typename"] == "SetGroupMembersSuccess"
        await asyncio.sleep(0.8)  # a few refresh periods
        await post(live_server, SEND, {"t": "/Ops", "x": "after leaving"}, admin)
        await post(live_server, SEND, {"t": "/Private/alice", "x": "still live"}, alice)
        assert await next_text(ws) == "still live"  # and nothing from /Ops before it
    finally:
        await ws.close()


async def test_a_logout_closes_open_sockets_with_4401(live_server: LiveServer) -> None:
    bob, _ = await user(live_server, "bob")
    ws = await subscribed(live_server, bob)
    assert (await post(live_server, "mutation { logout { __typename } }", {}, bob))["logout"]
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def event_of(ws: Any) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next", message
    return message["payload"]["data"]["messageEvents"]


async def notice_seen_by(server: LiveServer, admin: str, tokens: list[str], recipients: list[str]) -> Any:
    """Sockets on messageEvents for `tokens` (opened first, so none of them can miss or half-see
    the notice), then a notice from the admin to `recipients`: (sockets, notice id)."""
    events = "subscription { messageEvents { kind messageId message { id } } }"
    sockets = [await subscribed(server, token, events) for token in tokens]
    sent = await post(
        server,
        """mutation($u: [ID!]!) { sendNotice(input: {users: $u, text: "badge pickup"}) {
          ... on SendNoticeSuccess { notice { id } } } }""",
        {"u": recipients},
        admin,
    )
    return sockets, sent["sendNotice"]["notice"]["id"]


async def delete_as(server: LiveServer, token: str, message_id: str) -> None:
    deleted = await post(
        server,
        """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }""",
        {"id": message_id},
        token,
    )
    assert deleted["deleteMessage"]["__typename"] == "DeleteMessageSuccess", deleted


async def test_a_deleted_notice_reaches_its_recipients_as_deleted(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    carol, carol_id = await user(live_server, "carol")
    dave, _ = await user(live_server, "dave")
    sockets, notice_id = await notice_seen_by(live_server, admin, [carol, dave], [carol_id])
    try:
        assert (await event_of(sockets[0]))["kind"] == "ADDED"
        await delete_as(live_server, admin, notice_id)  # for everyone: the inboxes go with it
        assert await event_of(sockets[0]) == {"kind": "DELETED", "messageId": notice_id, "message": None}
        with pytest.raises(asyncio.TimeoutError):  # dave never had it
            await asyncio.wait_for(sockets[1].recv(), 0.8)
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_notice_one_recipient_deletes_is_deleted_for_them_alone(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    erin, erin_id = await user(live_server, "erin")
    frank, frank_id = await user(live_server, "frank")
    # erin's other session, another recipient, the author
    sockets, notice_id = await notice_seen_by(live_server, admin, [erin, frank, admin], [erin_id, frank_id])
    try:
        for ws in sockets:
            assert (await event_of(ws))["kind"] == "ADDED"
        await delete_as(live_server, erin, notice_id)
        assert await event_of(sockets[0]) == {"kind": "DELETED", "messageId": notice_id, "message": None}
        for other in sockets[1:]:  # still in frank's inbox, still the admin's notice
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(other.recv(), 0.8)
    finally:
        for ws in sockets:
            await ws.close()


async def test_live_messages_render_in_each_subscribers_locale(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    register = """mutation($u: String!, $l: String) { register(input: {username: $u, password: "password-123",
      locale: $l}) { ... on RegisterSuccess { token } } }"""
    await post(
        live_server,
        """mutation { createTopic(input: {path: "/News", readOnly: true}) { __typename } }""",
        {},
        admin,
    )
    sockets = []
    for name, locale in (("lea", "de-CH"), ("sam", "fr"), ("anon", None)):
        token = (await post(live_server, register, {"u": name, "l": locale}))["register"]["token"]
        ws = await subscribed(live_server, token if name != "anon" else "")
        sockets.append(ws)
    try:
        send = """mutation { sendMessage(input: {topic: "/News", text: "Hello {0}",
          translations: [{locale: "de", text: "Hallo {0}"}], parameters: ["Welt"]}) { __typename } }"""
        assert (await post(live_server, send, {}, admin))["sendMessage"]["__typename"] == "Message"
        assert [await next_text(ws) for ws in sockets] == ["Hallo Welt", "Hello Welt", "Hello Welt"]
    finally:
        for ws in sockets:
            await ws.close()
