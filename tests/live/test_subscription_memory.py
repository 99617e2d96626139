"""A long-lived subscription does not grow with the events it delivers (real uvicorn, real websockets)."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any

import httpx
import websockets
from graphql import ExecutionResult
from graphql.execution.collect_fields import CollectedFields

from tests.conftest import LiveServer
from tests.live.test_shared_execution import post as post_to

REGISTER = """mutation($u: String!) { register(input: {username: $u, password: "password-123"}) {
  ... on RegisterSuccess { token } } }"""
SEND = """mutation($x: String!) { sendMessage(input: {topic: "/Private/ann", text: $x}) { __typename } }"""
ADDED = """subscription { messageAdded(filter: {topic: "/Private/ann"}) { id text author { username } } }"""


def alive() -> tuple[int, int]:
    """(graphql-core's memoized `collect_subfields` results, execution results) alive in this process
    (the server's thread included)."""
    gc.collect()
    objects = gc.get_objects()
    return (
        sum(1 for o in objects if isinstance(o, CollectedFields)),
        sum(1 for o in objects if isinstance(o, ExecutionResult)),
    )


async def test_a_subscription_keeps_nothing_per_delivered_event(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http:

        async def post(query: str, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
            return await post_to(http, live_server, query, variables, token)

        token = (await post(REGISTER, {"u": "ann"}))["register"]["token"]
        async with websockets.connect(live_server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ADDED}}))
            await asyncio.sleep(0.3)  # the subscription is registered before the first send

            async def deliver(count: int, start: int) -> None:
                for n in range(start, start + count):
                    await post(SEND, {"x": f"m{n}"}, token)
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    assert frame["type"] == "next", frame
                    assert frame["payload"]["data"]["messageAdded"]["text"] == f"m{n}"

            await deliver(100, 0)
            after_100 = alive()
            await deliver(200, 100)
            after_300 = alive()

    # before the fix every event left two (Message, then its author) in the subscription's executor
    assert after_300[0] - after_100[0] < 20, (after_100, after_300)
    # the results of recent events kept to share (app.graphql.executor.SharedResults) are few:
    # with 1,024 kept, each of these 200 events left its result (and its future) alive
    assert after_300[1] - after_100[1] < 20, (after_100, after_300)
