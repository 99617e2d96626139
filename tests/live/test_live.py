"""messageAdded over graphql-transport-ws on a real uvicorn, with real websocket clients."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import LiveServer

REGISTER = """mutation($u: String!) { register(input: {username: $u, password: "password-123"}) {
  ... on RegisterSuccess { token user { id } } } }"""
CREATE = """mutation($p: [ID!]!) { createConversation(input: {participants: $p}) {
  ... on CreateConversationSuccess { conversation { id } } } }"""
SEND = """mutation($c: ID!, $t: String!) { sendMessage(input: {conversation: $c, text: $t}) {
  ... on Message { id } } }"""
ADDED = """subscription($c: ID) { messageAdded(filter: {conversation: $c}) {
  id text author { username } conversation { id } } }"""


async def post(
    server: LiveServer, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient() as client:
        response = await client.post(
            server.http_url, json={"query": query, "variables": variables}, headers=headers
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def user(server: LiveServer, name: str) -> tuple[str, str]:
    data = (await post(server, REGISTER, {"u": name}))["register"]
    return data["token"], data["user"]["id"]


async def collect(
    server: LiveServer, token: str, conversation: str | None, want: int, ready: asyncio.Event
) -> list[dict[str, Any]]:
    transport = WebsocketsTransport(url=server.ws_url, init_payload={"Authorization": f"Bearer {token}"})
    received: list[dict[str, Any]] = []
    async with Client(transport=transport) as session:
        subscription = session.subscribe(GraphQLRequest(ADDED, variable_values={"c": conversation}))
        first = asyncio.ensure_future(subscription.__anext__())
        await asyncio.sleep(0.3)  # the subscribe message is on the server before we send
        ready.set()
        received.append((await first)["messageAdded"])
        while len(received) < want:
            received.append((await subscription.__anext__())["messageAdded"])
        await subscription.aclose()
    return received


async def test_participants_receive_new_messages_and_outsiders_do_not(
    live_server: LiveServer,
) -> None:
    alice, _ = await user(live_server, "alice")
    bob, bob_id = await user(live_server, "bob")
    mallory, _ = await user(live_server, "mallory")
    conv = (await post(live_server, CREATE, {"p": [bob_id]}, alice))["createConversation"]["conversation"][
        "id"
    ]

    bob_ready, mallory_ready = asyncio.Event(), asyncio.Event()
    bob_task = asyncio.create_task(collect(live_server, bob, conv, 3, bob_ready))
    mallory_task = asyncio.create_task(collect(live_server, mallory, None, 1, mallory_ready))
    await asyncio.wait_for(bob_ready.wait(), 10)
    await asyncio.wait_for(mallory_ready.wait(), 10)
    for text in ("one", "two", "three"):
        await post(live_server, SEND, {"c": conv, "t": text}, alice)
    got = await asyncio.wait_for(bob_task, 10)
    assert [m["text"] for m in got] == ["one", "two", "three"]
    assert {m["author"]["username"] for m in got} == {"alice"}
    assert {m["conversation"]["id"] for m in got} == {conv}
    await asyncio.sleep(0.5)
    assert not mallory_task.done()  # nothing reached the outsider
    mallory_task.cancel()


async def test_a_subscription_to_someone_elses_conversation_is_refused(
    live_server: LiveServer,
) -> None:
    alice, _ = await user(live_server, "alice")
    _, bob_id = await user(live_server, "bob")
    mallory, _ = await user(live_server, "mallory")
    conv = (await post(live_server, CREATE, {"p": [bob_id]}, alice))["createConversation"]["conversation"][
        "id"
    ]
    transport = WebsocketsTransport(
        url=live_server.ws_url, init_payload={"Authorization": f"Bearer {mallory}"}
    )
    async with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(GraphQLRequest(ADDED, variable_values={"c": conv})):
                pass
    assert refused.value.errors[0]["extensions"]["code"] == "INVALID_INPUT"  # unknown to mallory


async def test_a_bad_token_closes_the_socket_with_4403(live_server: LiveServer) -> None:
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def test_anonymous_subscribers_see_public_topics_only(live_server: LiveServer) -> None:
    from tests.conftest import ADMIN_PASSWORD

    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    admin = (await post(live_server, login % ADMIN_PASSWORD, {}))["login"]["token"]
    await post(
        live_server,
        """mutation { a: createTopic(input: {path: "/News", readOnly: true}) { __typename }
      b: createTopic(input: {path: "/Staff"}) { __typename } }""",
        {},
        admin,
    )
    ready = asyncio.Event()

    async def listen() -> list[str]:
        transport = WebsocketsTransport(url=live_server.ws_url)  # no token at all
        got: list[str] = []
        async with Client(transport=transport) as session:
            stream = session.subscribe(GraphQLRequest("subscription { messageAdded { text } }"))
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.3)
            ready.set()
            got.append((await first)["messageAdded"]["text"])
            got.append((await stream.__anext__())["messageAdded"]["text"])
            await stream.aclose()
        return got

    task = asyncio.create_task(listen())
    await asyncio.wait_for(ready.wait(), 10)
    send = (
        """mutation($t: String!, $x: String!) { sendMessage(input: {topic: $t, text: $x}) { __typename } }"""
    )
    for topic, text in (
        ("/Staff", "internal"),
        ("/News", "release 1"),
        ("/Private/admin", "diary"),
        ("/News", "release 2"),
    ):
        await post(live_server, send, {"t": topic, "x": text}, admin)
    assert await asyncio.wait_for(task, 10) == ["release 1", "release 2"]


async def test_only_graphql_transport_ws_is_served(live_server: LiveServer) -> None:
    async with websockets.connect(live_server.ws_url, subprotocols=["graphql-ws"]) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406


TOPIC_ADDED = """subscription($f: MessageFilter) { messageAdded(filter: $f) { text topic { path } } }"""


async def test_topic_messages_reach_readers_only(live_server: LiveServer) -> None:
    from tests.conftest import ADMIN_PASSWORD

    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    admin = (await post(live_server, login % ADMIN_PASSWORD, {}))["login"]["token"]
    alice, alice_id = await user(live_server, "alice")
    bob, bob_id = await user(live_server, "bob")
    carol, _ = await user(live_server, "carol")
    await post(
        live_server, """mutation { createTopic(input: {path: "/Team/Sub"}) { __typename } }""", {}, admin
    )
    grant = """mutation($u: [ID!]!, $r: TopicRole!) { setTopicAccess(input: {topic: "/Team", role: $r, users: $u,
      recursive: true}) { __typename } }"""
    await post(live_server, grant, {"u": [alice_id], "r": "WRITE"}, admin)
    await post(live_server, grant, {"u": [bob_id], "r": "READ"}, admin)

    async def listen(
        token: str, variables: dict[str, Any], want: int, ready: asyncio.Event
    ) -> list[dict[str, Any]]:
        transport = WebsocketsTransport(
            url=live_server.ws_url, init_payload={"Authorization": f"Bearer {token}"}
        )
        got: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:
            stream = session.subscribe(GraphQLRequest(TOPIC_ADDED, variable_values=variables))
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.3)
            ready.set()
            got.append((await first)["messageAdded"])
            while len(got) < want:
                got.append((await stream.__anext__())["messageAdded"])
            await stream.aclose()
        return got

    ready = [asyncio.Event() for _ in range(3)]
    bob_all = asyncio.create_task(listen(bob, {"f": None}, 2, ready[0]))
    bob_sub = asyncio.create_task(listen(bob, {"f": {"topicUnder": "/Team/Sub"}}, 1, ready[1]))
    carol_all = asyncio.create_task(listen(carol, {"f": None}, 1, ready[2]))
    for event in ready:
        await asyncio.wait_for(event.wait(), 10)
    send = (
        """mutation($t: String!, $x: String!) { sendMessage(input: {topic: $t, text: $x}) { __typename } }"""
    )
    for topic, text in (("/Private/alice", "diary"), ("/Team", "standup"), ("/Team/Sub", "deep")):
        assert (await post(live_server, send, {"t": topic, "x": text}, alice))["sendMessage"][
            "__typename"
        ] == "Message"
    assert [m["text"] for m in await asyncio.wait_for(bob_all, 10)] == ["standup", "deep"]
    assert [m["topic"]["path"] for m in await asyncio.wait_for(bob_sub, 10)] == ["/Team/Sub"]
    await asyncio.sleep(0.5)
    assert not carol_all.done()  # carol reads nothing here
    carol_all.cancel()
    unsupported = WebsocketsTransport(url=live_server.ws_url, init_payload={"Authorization": f"Bearer {bob}"})
    async with Client(transport=unsupported) as session:
        with pytest.raises(TransportQueryError) as refused:
            async for _ in session.subscribe(
                GraphQLRequest(TOPIC_ADDED, variable_values={"f": {"topic": "/Nowhere"}})
            ):
                pass
    assert refused.value.errors[0]["extensions"]["code"] == "INVALID_INPUT"  # unknown topic


async def test_live_filters_use_the_query_language(live_server: LiveServer) -> None:
    from tests.conftest import ADMIN_PASSWORD

    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    admin = (await post(live_server, login % ADMIN_PASSWORD, {}))["login"]["token"]
    await post(live_server, """mutation { createTopic(input: {path: "/Ops"}) { __typename } }""", {}, admin)
    ready = asyncio.Event()

    async def listen() -> list[dict[str, Any]]:
        transport = WebsocketsTransport(
            url=live_server.ws_url, init_payload={"Authorization": f"Bearer {admin}"}
        )
        got: list[dict[str, Any]] = []
        f = {"topic": "/Ops", "tags": ["alert"], "notLabels": ["muted"], "text": "disk"}
        async with Client(transport=transport) as session:
            stream = session.subscribe(GraphQLRequest(TOPIC_ADDED, variable_values={"f": f}))
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.3)
            ready.set()
            got.append((await first)["messageAdded"])
            got.append((await stream.__anext__())["messageAdded"])
            await stream.aclose()
        return got

    task = asyncio.create_task(listen())
    await asyncio.wait_for(ready.wait(), 10)
    send = """mutation($x: String!, $l: [LabelInput!]) { sendMessage(input: {topic: "/Ops", text: $x, labels: $l}) {
      __typename } }"""
    for text, labels in [
        ("disk full #alert", None),
        ("cpu high #alert", None),
        ("disk slow #info", None),
        ("disk gone #alert", [{"text": "muted", "color": "#000"}]),
        ("Disks ok #alert", None),
    ]:
        await post(live_server, send, {"x": text, "l": labels}, admin)
    got = await asyncio.wait_for(task, 10)
    assert [m["text"] for m in got] == ["disk full #alert", "Disks ok #alert"]
    query = """{ messages(filter: {topic: "/Ops", tags: ["alert"], notLabels: ["muted"], text: "disk"},
      orderBy: [{field: CREATED_AT, direction: ASC}]) { edges { node { text } } } }"""
    listed = await post(live_server, query, {}, admin)
    assert [e["node"]["text"] for e in listed["messages"]["edges"]] == [m["text"] for m in got]


async def test_announcements_are_pushed_to_their_audience(live_server: LiveServer) -> None:
    from tests.conftest import ADMIN_PASSWORD

    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    admin = (await post(live_server, login % ADMIN_PASSWORD, {}))["login"]["token"]
    bob, bob_id = await user(live_server, "bob")
    group = await post(
        live_server,
        """mutation($m: [ID!]) { createGroup(input: {name: "staff", members: $m}) {
      ... on CreateGroupSuccess { group { id } } } }""",
        {"m": [bob_id]},
        admin,
    )
    staff = group["createGroup"]["group"]["id"]
    bob = (
        await post(
            live_server,
            """mutation { login(input: {username: "bob", password: "password-123"}) {
      ... on LoginSuccess { token } } }""",
            {},
        )
    )["login"]["token"]  # a fresh token knows bob's groups
    ready = asyncio.Event()

    async def listen() -> dict[str, Any]:
        transport = WebsocketsTransport(
            url=live_server.ws_url, init_payload={"Authorization": f"Bearer {bob}"}
        )
        async with Client(transport=transport) as session:
            stream = session.subscribe(
                GraphQLRequest("subscription { announcementPublished { title version } }")
            )
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.3)
            ready.set()
            event = await first
            await stream.aclose()
        return event["announcementPublished"]

    task = asyncio.create_task(listen())
    await asyncio.wait_for(ready.wait(), 10)
    publish = """mutation($a: [ID!]!) { publishAnnouncement(input: {title: [{locale: "en", text: "Hello staff"}],
      body: [{locale: "en", text: "..."}], audience: $a}) { __typename } }"""
    assert (await post(live_server, publish, {"a": [staff]}, admin))["publishAnnouncement"][
        "__typename"
    ] == "PublishAnnouncementSuccess"
    assert await asyncio.wait_for(task, 10) == {"title": "Hello staff", "version": 1}
