"""Subscribers sharing the operation, its variables and what they may see execute each event once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets

from app.graphql.executor import shared_results
from tests.conftest import LiveServer
from tests.live.test_live import CREATE, REGISTER, SEND

ADDED = """subscription($c: ID) { messageAdded(filter: {conversation: $c}) {
  id text author { username } viewerHasLiked readAt } }"""
ADDED_WITH_DATE = (
    """subscription($c: ID) { messageAdded(filter: {conversation: $c}) { id text createdAt } }"""
)
EVENTS = """subscription($c: ID) { messageEvents(filter: {conversation: $c}) {
  cursor kind message { text author { username } } } }"""


async def post(
    http: httpx.AsyncClient,
    server: LiveServer,
    query: str,
    variables: dict[str, Any],
    token: str | None = None,
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        server.http_url, json={"query": query, "variables": variables}, headers=headers
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def subscribe(server: LiveServer, token: str, query: str, variables: dict[str, Any]) -> Any:
    ws = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}})
    )
    return ws


async def next_data(ws: Any) -> dict[str, Any]:
    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert frame["type"] == "next", frame
    assert "errors" not in frame["payload"], frame
    return frame["payload"]["data"]


async def test_one_execution_per_event_operation_variables_and_viewer(live_server: LiveServer) -> None:
    cache = shared_results(live_server.app.state.websockets.app.schema._schema)
    async with httpx.AsyncClient(timeout=30) as http:
        alice_data = (await post(http, live_server, REGISTER, {"u": "alice"}))["register"]
        bob_data = (await post(http, live_server, REGISTER, {"u": "bob"}))["register"]
        alice, bob = alice_data["token"], bob_data["token"]
        conv = (await post(http, live_server, CREATE, {"p": [bob_data["user"]["id"]]}, alice))[
            "createConversation"
        ]["conversation"]["id"]
        variables = {"c": conv}
        same = [
            await subscribe(live_server, alice, ADDED, variables),
            await subscribe(live_server, alice, ADDED, variables),  # another socket, same viewer
            await subscribe(live_server, alice, ADDED, variables),
        ]
        others = [
            await subscribe(live_server, bob, ADDED, variables),  # another viewer
            await subscribe(live_server, alice, ADDED_WITH_DATE, variables),  # another document
            await subscribe(live_server, alice, ADDED, {"c": None}),  # other variables
            await subscribe(live_server, alice, EVENTS, variables),  # another subscription
            await subscribe(live_server, bob, EVENTS, variables),
        ]
        await asyncio.sleep(0.5)  # every subscription registered before the first send
        executions, reuses = cache.executions, cache.reuses
        texts = ["one", "two", "three"]
        for text in texts:
            await post(http, live_server, SEND, {"c": conv, "t": text}, bob)

        for ws in [*same, others[0], others[2]]:
            got = [(await next_data(ws))["messageAdded"] for _ in texts]
            assert [m["text"] for m in got] == texts
            assert {m["author"]["username"] for m in got} == {"bob"}
            assert {m["viewerHasLiked"] for m in got} == {False}
        got = [(await next_data(others[1]))["messageAdded"] for _ in texts]
        assert [m["text"] for m in got] == texts and all(m["createdAt"] for m in got)
        for ws in others[3:]:
            got = [(await next_data(ws))["messageEvents"] for _ in texts]
            assert [(e["kind"], e["message"]["text"]) for e in got] == [("ADDED", t) for t in texts]
            assert len({e["cursor"] for e in got}) == 3
        for ws in [*same, *others]:
            await ws.close()

    # per event: one execution for the three alice sockets, one for each other; the other two alice
    # sockets do not even ask for the shared result: they send the frame the first one rendered
    # (app/live/direct.py)
    assert cache.executions - executions == 3 * (1 + len(others))
    assert cache.reuses - reuses == 0
