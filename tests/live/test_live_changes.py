"""Every change has an event: a task set or unset, an announcement withdrawn.

A real uvicorn and real websocket clients (graphql-transport-ws).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.conftest import ADMIN_PASSWORD, LiveServer
from tests.live.test_live import post, user
from tests.live.test_live_access import LOGIN, subscribed

EVENTS = """subscription { messageEvents(filter: {topic: "/Live"}) { kind messageId actor { username } } }"""
TASK = """mutation($id: ID!, $t: Boolean!) { setTask(input: {ref: {id: $id}, task: $t}) { __typename } }"""
ANNOUNCEMENT_EVENTS = """subscription($after: String) { announcementEvents(after: $after) {
  cursor kind announcementId version announcement { title } actor { username } } }"""
PUBLISH = """mutation($g: [ID!]!, $t: String!) { publishAnnouncement(input: {title: [{locale: "en", text: $t}],
  body: [{locale: "en", text: "..."}], audience: $g}) { ... on PublishAnnouncementSuccess { announcement { id } } } }"""
WITHDRAW = """mutation($id: ID!) { deleteAnnouncement(input: {id: $id}) { __typename } }"""


async def payload(ws: Any, field: str) -> dict[str, Any]:
    message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message["type"] == "next", message
    return message["payload"]["data"][field]


async def silent(ws: Any) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(ws.recv(), 0.8)


async def login(server: LiveServer, name: str) -> str:
    data = await post(
        server,
        """mutation($u: String!) { login(input: {username: $u, password: "password-123"}) {
          ... on LoginSuccess { token } } }""",
        {"u": name},
    )
    return data["login"]["token"]


async def group(server: LiveServer, admin: str, name: str, members: list[str]) -> str:
    data = await post(
        server,
        """mutation($n: String!, $m: [ID!]) { createGroup(input: {name: $n, members: $m}) {
          ... on CreateGroupSuccess { group { id } } } }""",
        {"n": name, "m": members},
        admin,
    )
    return data["createGroup"]["group"]["id"]


async def test_a_task_set_or_unset_reaches_its_owner_alone(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    bob, bob_id = await user(live_server, "bob")
    carol, carol_id = await user(live_server, "carol")
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    await post(
        live_server,
        """mutation($u: [ID!]!) { setTopicAccess(input: {topic: "/Live", role: READ, users: $u}) {
          __typename } }""",
        {"u": [bob_id, carol_id]},
        admin,
    )
    sockets = [await subscribed(live_server, token, EVENTS) for token in (bob, carol)]
    try:
        sent = await post(
            live_server,
            """mutation { sendMessage(input: {topic: "/Live", text: "fix the build"}) { ... on Message { id } } }""",
            {},
            admin,
        )
        mid = sent["sendMessage"]["id"]
        for ws in sockets:
            assert (await payload(ws, "messageEvents"))["kind"] == "ADDED"
        for value in (True, False):
            assert (await post(live_server, TASK, {"id": mid, "t": value}, bob))["setTask"]["__typename"] == (
                "Message"
            )
            assert await payload(sockets[0], "messageEvents") == {
                "kind": "TASK",
                "messageId": mid,
                "actor": {"username": "bob"},
            }
        await silent(sockets[1])  # carol's view of /Live does not hear of bob's task list
        # setting what is already set changes nothing and says nothing
        await post(live_server, TASK, {"id": mid, "t": False}, bob)
        await silent(sockets[0])
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_task_list_filter_hears_the_task_set_and_unset(live_server: LiveServer) -> None:
    """Under `tasks: true`, setting a task makes the message match and unsetting it makes it stop:
    both reach the subscriber (it matched after, then before), a second unset says nothing."""
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    bob, bob_id = await user(live_server, "bob")
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    await post(
        live_server,
        """mutation($u: [ID!]!) { setTopicAccess(input: {topic: "/Live", role: READ, users: $u}) {
          __typename } }""",
        {"u": [bob_id]},
        admin,
    )
    tasks_only = EVENTS.replace('{topic: "/Live"}', '{topic: "/Live", tasks: true}')
    ws = await subscribed(live_server, bob, tasks_only)
    try:
        sent = await post(
            live_server,
            """mutation { sendMessage(input: {topic: "/Live", text: "fix the build"}) { ... on Message { id } } }""",
            {},
            admin,
        )
        mid = sent["sendMessage"]["id"]
        await silent(ws)  # not a task of bob's: the ADDED event does not match
        for value in (True, False):
            await post(live_server, TASK, {"id": mid, "t": value}, bob)
            assert await payload(ws, "messageEvents") == {
                "kind": "TASK",
                "messageId": mid,
                "actor": {"username": "bob"},
            }
        await post(live_server, TASK, {"id": mid, "t": False}, bob)
        await silent(ws)
    finally:
        await ws.close()


async def test_a_withdrawn_announcement_reaches_whoever_saw_it(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN, {"p": ADMIN_PASSWORD}))["login"]["token"]
    _, alice_id = await user(live_server, "alice")
    _, bob_id = await user(live_server, "bob")
    _, eve_id = await user(live_server, "eve")
    staff = await group(live_server, admin, "staff", [bob_id])
    everyone = await group(live_server, admin, "everyone", [alice_id, bob_id, eve_id])
    await post(
        live_server,
        """mutation($u: ID!) { grantRight(input: {user: $u, right: "system.message"}) { __typename } }""",
        {"u": alice_id},
        admin,
    )
    alice, bob, eve = [await login(live_server, n) for n in ("alice", "bob", "eve")]  # tokens know the groups
    # bob is in the audience, alice owns it without being in it, eve is a stranger to it
    sockets = [await subscribed(live_server, t, ANNOUNCEMENT_EVENTS) for t in (bob, alice, eve)]
    try:
        aid = (await post(live_server, PUBLISH, {"g": [staff], "t": "Maintenance"}, alice))[
            "publishAnnouncement"
        ]["announcement"]["id"]
        published = [await payload(ws, "announcementEvents") for ws in sockets[:2]]
        for event in published:
            assert (event["kind"], event["announcementId"], event["version"]) == ("PUBLISHED", aid, 1)
            assert event["announcement"] == {"title": "Maintenance"}
        assert (await post(live_server, WITHDRAW, {"id": aid}, alice))["deleteAnnouncement"][
            "__typename"
        ] == ("DeleteAnnouncementSuccess")
        for ws in sockets[:2]:
            event = await payload(ws, "announcementEvents")
            assert (event["kind"], event["announcementId"], event["version"]) == ("WITHDRAWN", aid, 1)
            assert event["announcement"] is None and event["actor"] == {"username": "alice"}
        await post(live_server, PUBLISH, {"g": [everyone], "t": "For all"}, admin)
        event = await payload(sockets[2], "announcementEvents")  # eve's first: she heard nothing before
        assert (event["kind"], event["announcement"]) == ("PUBLISHED", {"title": "For all"})
    finally:
        for ws in sockets:
            await ws.close()
    # resuming after the PUBLISHED cursor replays the withdrawal (its audience is in the log)
    ws = await websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"])
    try:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {bob}"}}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "connection_ack"
        subscribe = {"query": ANNOUNCEMENT_EVENTS, "variables": {"after": published[0]["cursor"]}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
        replayed = [await payload(ws, "announcementEvents") for _ in range(2)]
        assert [(e["kind"], e["announcement"]) for e in replayed] == [
            ("WITHDRAWN", None),
            ("PUBLISHED", {"title": "For all"}),
        ]
    finally:
        await ws.close()
