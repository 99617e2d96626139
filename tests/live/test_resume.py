"""messageEvents: every change, in order, resumable from a cursor; counts pushed live."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import ADMIN_PASSWORD, LiveServer
from tests.live.test_live import post

EVENTS = """subscription($f: MessageFilter, $after: String) { messageEvents(filter: $f, after: $after) {
  cursor kind messageId message { text } actor { username } } }"""


async def admin_token(server: LiveServer) -> str:
    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    return (await post(server, login % ADMIN_PASSWORD, {}))["login"]["token"]


async def take(
    server: LiveServer, token: str, n: int, variables: dict[str, Any], ready: asyncio.Event | None = None
) -> list[dict[str, Any]]:
    transport = WebsocketsTransport(url=server.ws_url, init_payload={"Authorization": f"Bearer {token}"})
    got: list[dict[str, Any]] = []
    async with Client(transport=transport) as session:
        stream = session.subscribe(GraphQLRequest(EVENTS, variable_values=variables))
        pending = asyncio.ensure_future(stream.__anext__())
        if ready is not None:
            await asyncio.sleep(0.3)
            ready.set()
        while len(got) < n:
            got.append((await asyncio.wait_for(pending, 10))["messageEvents"])
            if len(got) < n:
                pending = asyncio.ensure_future(stream.__anext__())
        await stream.aclose()
    return got


async def send(server: LiveServer, token: str, text: str) -> str:
    data = await post(
        server,
        """mutation($x: String!) { sendMessage(input: {topic: "/Live", text: $x}) {
      ... on Message { id } } }""",
        {"x": text},
        token,
    )
    return data["sendMessage"]["id"]


async def test_every_kind_of_change_in_order(live_server: LiveServer) -> None:
    admin = await admin_token(live_server)
    await post(
        live_server,
        """mutation { a: createTopic(input: {path: "/Live"}) { __typename }
      b: createTopic(input: {path: "/Elsewhere"}) { __typename } }""",
        {},
        admin,
    )
    ready = asyncio.Event()
    task = asyncio.create_task(take(live_server, admin, 9, {"f": {"topicUnder": "/Live"}}, ready))
    await asyncio.wait_for(ready.wait(), 10)
    mid = await send(live_server, admin, "first #a")
    ref = {"id": mid}
    for doc in (
        """mutation($r: MessageRef!) { editMessage(input: {ref: $r, append: " more"}) { __typename } }""",
        """mutation($r: MessageRef!) { labelMessage(input: {ref: $r, add: [{text: "x", color: "#000"}]}) { __typename } }""",
        """mutation($r: MessageRef!) { like(input: {ref: $r, liked: true}) { __typename } }""",
        """mutation($r: MessageRef!) { vote(input: {ref: $r, direction: UP}) { __typename } }""",
        """mutation($r: MessageRef!) { react(input: {ref: $r, content: "👍"}) { __typename } }""",
    ):
        typename = (await post(live_server, doc, {"r": ref}, admin)).popitem()[1]["__typename"]
        assert typename == "Message" or typename.endswith("Success"), typename
    second = await send(live_server, admin, "second")
    await post(
        live_server, """mutation { createTopic(input: {path: "/Live/Sub"}) { __typename } }""", {}, admin
    )
    moved = """mutation($r: MessageRef!) { moveMessage(input: {ref: $r, toTopic: "/Elsewhere"}) { __typename } }"""
    await post(live_server, moved, {"r": ref}, admin)
    deleted = """mutation($r: MessageRef!) { deleteMessage(input: {ref: $r}) { __typename } }"""
    await post(live_server, deleted, {"r": {"id": second}}, admin)  # the first one left /Live: not ours now
    events = await asyncio.wait_for(task, 15)
    assert [e["kind"] for e in events] == [
        "ADDED",
        "EDITED",
        "LABELED",
        "LIKED",
        "VOTED",
        "REACTED",
        "ADDED",
        "MOVED",
        "DELETED",
    ]
    assert events[-1]["message"] is None and events[-1]["messageId"] == second
    assert events[-2]["messageId"] == mid and events[1]["message"] is not None
    assert events[0]["actor"] == {"username": "admin"}
    cursors = [e["cursor"] for e in events]
    assert len(set(cursors)) == 9


async def test_resume_from_a_cursor_gets_everything_once(live_server: LiveServer) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    ready = asyncio.Event()
    task = asyncio.create_task(take(live_server, admin, 3, {"f": {"topic": "/Live"}}, ready))
    await asyncio.wait_for(ready.wait(), 10)
    for i in range(3):
        await send(live_server, admin, f"before {i}")
    first = await asyncio.wait_for(task, 10)
    for i in range(5):  # while disconnected
        await send(live_server, admin, f"during {i}")
    ready = asyncio.Event()
    task = asyncio.create_task(
        take(live_server, admin, 7, {"f": {"topic": "/Live"}, "after": first[-1]["cursor"]}, ready)
    )
    await asyncio.wait_for(ready.wait(), 10)
    for i in range(2):  # after reconnecting: live
        await send(live_server, admin, f"after {i}")
    resumed = await asyncio.wait_for(task, 10)
    assert [e["message"]["text"] for e in resumed] == [f"during {i}" for i in range(5)] + [
        "after 0",
        "after 1",
    ]
    assert len({e["cursor"] for e in first + resumed}) == 10


async def test_bad_and_expired_cursors(live_server: LiveServer) -> None:
    from app.live.replay import encode_event_cursor, prune

    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    for i in range(3):
        await send(live_server, admin, f"old {i}")
    transport = WebsocketsTransport(url=live_server.ws_url, init_payload={"Authorization": f"Bearer {admin}"})
    async with Client(transport=transport) as session:
        for cursor in ("garbage", encode_event_cursor(10_000)):
            with pytest.raises(TransportQueryError) as bad:
                async for _ in session.subscribe(GraphQLRequest(EVENTS, variable_values={"after": cursor})):
                    pass
            assert bad.value.errors[0]["extensions"]["code"] == "INVALID_INPUT"
    services = live_server.app.state.services
    removed = await asyncio.wrap_future(
        asyncio.run_coroutine_threadsafe(prune(services.db, 0), live_server.loop)
    )
    assert removed >= 3
    transport = WebsocketsTransport(url=live_server.ws_url, init_payload={"Authorization": f"Bearer {admin}"})
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as expired:
            async for _ in session.subscribe(
                GraphQLRequest(EVENTS, variable_values={"after": encode_event_cursor(1)})
            ):
                pass
    assert expired.value.errors[0]["extensions"]["code"] == "CURSOR_EXPIRED"


async def test_replay_never_shows_places_the_viewer_cannot_read(live_server: LiveServer) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    bob = (
        await post(
            live_server,
            """mutation { register(input: {username: "bob", password: "password-123"}) {
      ... on RegisterSuccess { token } } }""",
            {},
        )
    )["register"]["token"]
    await send(live_server, admin, "hidden from bob")
    own = await post(
        live_server,
        """mutation { sendMessage(input: {topic: "/Private/bob", text: "bob's"}) {
      __typename } }""",
        {},
        bob,
    )
    assert own["sendMessage"]["__typename"] == "Message"
    from app.live.replay import encode_event_cursor

    replayed = await take(live_server, bob, 1, {"after": encode_event_cursor(0)})
    assert [e["message"]["text"] for e in replayed] == ["bob's"]


async def test_message_count_is_pushed_when_it_changes(live_server: LiveServer) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    await send(live_server, admin, "one #n")
    counts: list[int] = []
    transport = WebsocketsTransport(url=live_server.ws_url, init_payload={"Authorization": f"Bearer {admin}"})
    async with Client(transport=transport) as session:
        stream = session.subscribe(
            GraphQLRequest("""subscription { messageCount(filter: {topic: "/Live", tags: ["n"]}) }""")
        )
        counts.append((await stream.__anext__())["messageCount"])
        await send(live_server, admin, "two #n")
        counts.append((await asyncio.wait_for(stream.__anext__(), 10))["messageCount"])
        await send(live_server, admin, "not counted")
        mid = await send(live_server, admin, "three #n")
        counts.append((await asyncio.wait_for(stream.__anext__(), 10))["messageCount"])
        await post(
            live_server,
            """mutation($id: ID!) { deleteMessage(input: {ref: {id: $id}}) { __typename } }""",
            {"id": mid},
            admin,
        )
        counts.append((await asyncio.wait_for(stream.__anext__(), 10))["messageCount"])
        await stream.aclose()
    assert counts == [1, 2, 3, 2]


async def test_read_state_in_topics_is_private_to_the_reader(live_server: LiveServer) -> None:
    admin = await admin_token(live_server)
    await post(live_server, """mutation { createTopic(input: {path: "/Live"}) { __typename } }""", {}, admin)
    data = await post(
        live_server,
        """mutation { register(input: {username: "bob", password: "password-123"}) {
      ... on RegisterSuccess { token user { id } } } }""",
        {},
    )
    bob, bob_id = data["register"]["token"], data["register"]["user"]["id"]
    await post(
        live_server,
        """mutation($u: [ID!]!) { setTopicAccess(input: {topic: "/Live", role: READ, users: $u}) {
      __typename } }""",
        {"u": [bob_id]},
        admin,
    )
    ready_admin, ready_bob = asyncio.Event(), asyncio.Event()
    for_admin = asyncio.create_task(take(live_server, admin, 2, {"f": {"topic": "/Live"}}, ready_admin))
    for_bob = asyncio.create_task(take(live_server, bob, 2, {"f": {"topic": "/Live"}}, ready_bob))
    await asyncio.wait_for(asyncio.gather(ready_admin.wait(), ready_bob.wait()), 10)
    first = await send(live_server, admin, "read me")
    mark = """mutation($ids: [ID!]) { markRead(input: {ids: $ids}) { ... on MarkReadSuccess { count } } }"""
    assert (await post(live_server, mark, {"ids": [first]}, bob))["markRead"]["count"] == 1
    await send(live_server, admin, "next")
    assert [e["kind"] for e in await asyncio.wait_for(for_admin, 10)] == [
        "ADDED",
        "ADDED",
    ]  # no READ for others
    assert [e["kind"] for e in await asyncio.wait_for(for_bob, 10)] == ["ADDED", "READ"]
