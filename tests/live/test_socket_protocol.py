"""The websocket protocol (real uvicorn, real websockets). An open socket keeps only what it
needs: not the handshake's request and response, no queue or waiter while idle, no
connection_init timer once initialised (an idle subscription's memory is mostly its socket's;
`bench/idle_memory.py` measures it). Frames the hub writes at once wait while the transport is
paused."""

from __future__ import annotations

import asyncio
import gc
import json
from contextlib import AsyncExitStack

import httpx
import pytest
import websockets

from app.core.websocket_protocol import LeanWebSocketProtocol, ReceiveQueue, WritableFlag
from app.graphql.transport_ws import TransportWSHandler
from tests.conftest import LiveServer
from tests.live.test_direct_delivery import until
from tests.live.test_parked_subscriptions import ADDED, REGISTER, SEND, hub_count
from tests.live.test_shared_execution import post


def socket_protocols(server: LiveServer) -> list[LeanWebSocketProtocol]:
    return [p for p in server.server.server_state.connections if isinstance(p, LeanWebSocketProtocol)]


async def subscribed_socket(
    stack: AsyncExitStack, server: LiveServer, token: str, operation_id: str = "1"
) -> websockets.ClientConnection:
    """A socket, initialised with `token`, subscribed to ADDED as `operation_id`; closed with `stack`."""
    ws = await stack.enter_async_context(
        websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": ADDED}}))
    return ws


async def test_an_idle_socket_keeps_no_handshake_queue_or_timer(live_server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=30) as http, AsyncExitStack() as stack:
        token = (await post(http, live_server, REGISTER, {"u": "ann"}))["register"]["token"]
        sockets = [await subscribed_socket(stack, live_server, token) for _ in range(5)]
        await until(lambda: hub_count(live_server) == 5)

        protocols = socket_protocols(live_server)
        assert len(protocols) == 5
        for protocol in protocols:
            assert "request" not in vars(protocol) and "response" not in vars(protocol)
            # websockets' parser generator still holds the request in its frame: emptied
            parser_frame = protocol.conn.parser.gi_frame
            held = parser_frame.f_locals.get("request") if parser_frame is not None else None
            assert held is None or len(held.headers) == 0
            assert isinstance(protocol.queue, ReceiveQueue) and protocol.queue.empty()
            assert protocol.queue._items is None and protocol.writable.is_set()
        gc.collect()
        handlers = [o for o in gc.get_objects() if isinstance(o, TransportWSHandler)]
        assert len(handlers) == 5
        assert all(h.connection_init_received and h.connection_init_timeout_task is None for h in handlers)

        # and the sockets still work both ways
        await post(http, live_server, SEND, {"x": "hello"}, token)
        for ws in sockets:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert frame["type"] == "next" and frame["payload"]["data"]["messageAdded"]["text"] == "hello"


async def test_receive_queue_hands_items_over_in_order_and_survives_a_cancelled_get() -> None:
    queue = ReceiveQueue()
    reader = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("a")
    queue.put_nowait("b")
    assert await reader == "a"
    assert await queue.get() == "b" and queue.empty()

    waiting = asyncio.create_task(queue.get())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    queue.put_nowait("c")
    assert await asyncio.wait_for(queue.get(), 1) == "c"


async def test_writable_flag_wakes_every_waiter_and_blocks_while_clear() -> None:
    flag = WritableFlag()
    assert not flag.is_set()
    waiters = [asyncio.create_task(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    assert await asyncio.gather(*waiters) == [True, True, True]
    flag.clear()
    blocked = asyncio.create_task(flag.wait())
    await asyncio.sleep(0.01)
    assert not blocked.done()
    blocked.cancel()
    with pytest.raises(asyncio.CancelledError):
        await blocked
    assert flag._waiters == []  # a cancelled waiter leaves nothing behind
    flag.set()
    assert await asyncio.wait_for(flag.wait(), 1)


async def test_a_socket_that_cannot_take_more_gets_its_frames_once_it_can(live_server: LiveServer) -> None:
    """The hub writes frames at once only while the transport takes them; paused (the client
    stopped reading), the frame waits in uvicorn's send and goes out, in order, on resume."""
    assert live_server.loop is not None
    async with httpx.AsyncClient(timeout=30) as http, AsyncExitStack() as stack:
        token = (await post(http, live_server, REGISTER, {"u": "ann"}))["register"]["token"]
        ws = await subscribed_socket(stack, live_server, token)
        await until(lambda: hub_count(live_server) == 1)
        (protocol,) = socket_protocols(live_server)
        live_server.loop.call_soon_threadsafe(protocol.pause_writing)  # as the transport does
        await until(lambda: not protocol.writable.is_set())
        await post(http, live_server, SEND, {"x": "first"}, token)
        await post(http, live_server, SEND, {"x": "second"}, token)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.5)
        live_server.loop.call_soon_threadsafe(protocol.resume_writing)
        await post(http, live_server, SEND, {"x": "third"}, token)
        texts = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(3)]
        assert [t["payload"]["data"]["messageAdded"]["text"] for t in texts] == [
            "first",
            "second",
            "third",
        ]


async def test_sockets_sharing_a_frame_each_get_it_whole(live_server: LiveServer) -> None:
    """The hub encodes a frame once for every subscriber that gets the same text: each socket
    still gets it whole, at every length encoding (7-bit, 16-bit), and a socket whose
    subscription id differs gets its own."""
    async with httpx.AsyncClient(timeout=30) as http, AsyncExitStack() as stack:
        token = (await post(http, live_server, REGISTER, {"u": "ann"}))["register"]["token"]
        sockets = [await subscribed_socket(stack, live_server, token, i) for i in ("1", "1", "2")]
        await until(lambda: hub_count(live_server) == 3)
        for text in ("hi", "x" * 3000):
            await post(http, live_server, SEND, {"x": text}, token)
            frames = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for ws in sockets]
            assert [f["id"] for f in frames] == ["1", "1", "2"]
            assert all(f["payload"]["data"]["messageAdded"]["text"] == text for f in frames)
