"""textContains on messageAdded: the live predicate delivers what `messages(filter)` lists."""

from __future__ import annotations

import asyncio
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from tests.conftest import ADMIN_PASSWORD, LiveServer
from tests.live.test_live import TOPIC_ADDED, post

LOGIN = """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
SEND = """mutation($x: String!, $r: [ReplyInput!]) { sendMessage(input: {topic: "/Ops", text: $x, replyMessages: $r}) {
  __typename } }"""


async def test_live_substring_filter_matches_the_list(live_server: LiveServer) -> None:
    admin = (await post(live_server, LOGIN % ADMIN_PASSWORD, {}))["login"]["token"]
    await post(live_server, """mutation { createTopic(input: {path: "/Ops"}) { __typename } }""", {}, admin)
    ready = asyncio.Event()
    f = {"topic": "/Ops", "textContains": "ISK f", "maxLikes": 0}

    async def listen() -> list[dict[str, Any]]:
        transport = WebsocketsTransport(
            url=live_server.ws_url, init_payload={"Authorization": f"Bearer {admin}"}
        )
        got: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:
            stream = session.subscribe(GraphQLRequest(TOPIC_ADDED, variable_values={"f": f}))
            first = asyncio.ensure_future(stream.__anext__())
            await asyncio.sleep(0.3)
            ready.set()
            got.append((await first)["messageAdded"])
            while len(got) < 3:
                got.append((await stream.__anext__())["messageAdded"])
            await stream.aclose()
        return got

    task = asyncio.create_task(listen())
    await asyncio.wait_for(ready.wait(), 10)
    for text, replies in [
        ("Disk full on db-1", [{"text": "the risk fell", "labels": [{"text": "ok", "color": "#0f0"}]}]),
        ("disk 100% used", None),
        ("cpu high", [{"text": "DISK FULL again"}]),
    ]:
        assert (await post(live_server, SEND, {"x": text, "r": replies}, admin))["sendMessage"] == {
            "__typename": "Message"
        }
    got = await asyncio.wait_for(task, 10)
    assert [m["text"] for m in got] == ["Disk full on db-1", "the risk fell", "DISK FULL again"]
    query = """query($f: MessageFilter) { messages(filter: $f, orderBy: [{field: CREATED_AT, direction: ASC}]) {
      edges { node { text } } } }"""
    listed = await post(live_server, query, {"f": f}, admin)
    assert [e["node"]["text"] for e in listed["messages"]["edges"]] == [m["text"] for m in got]
