"""Under a burst of sends the live hub works in batches: it reads the events of the batch of writes
under way when it woke in one read (app/core/db.py `after_queued_writes`), and writes a read's frames to
each socket at once (app/core/websocket_protocol.py `frames_batched`), in order."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.db import Database
from app.core.websocket_protocol import FrameBatch, frames_batched
from tests.conftest import LiveServer, make_settings
from tests.live.test_direct_delivery import until
from tests.live.test_parked_subscriptions import ADDED, REGISTER, hub_count
from tests.live.test_shared_execution import post
from tests.live.test_socket_protocol import socket_protocols, subscribed_socket

SEND_WITH_REPLIES = """mutation($x: String!, $r: [String!]) {
  sendMessage(input: {topic: "/Private/ann", text: $x, replies: $r}) { __typename } }"""


class CountedWrites:
    """A transport that counts the writes it passes on (every other call goes to the real one)."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport
        self.writes: list[int] = []

    def write(self, data: bytes) -> None:
        self.writes.append(len(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


async def test_the_frames_of_one_read_go_to_a_socket_in_one_write_and_in_order(
    live_server: LiveServer,
) -> None:
    assert live_server.loop is not None
    async with httpx.AsyncClient(timeout=30) as http, AsyncExitStack() as stack:
        token = (await post(http, live_server, REGISTER, {"u": "ann"}))["register"]["token"]
        ws = await subscribed_socket(stack, live_server, token, "1")
        await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": ADDED}}))
        await until(lambda: hub_count(live_server) == 2)
        (protocol,) = socket_protocols(live_server)
        counted = CountedWrites(protocol.transport)
        live_server.loop.call_soon_threadsafe(setattr, protocol, "transport", counted)
        await until(lambda: protocol.transport is counted)

        # one transaction, four ADDED events: the hub reads them at once
        variables = {"x": "root", "r": ["a", "b", "c"]}
        assert (await post(http, live_server, SEND_WITH_REPLIES, variables, token))["sendMessage"]
        frames = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(8)]
        for operation in ("1", "2"):
            texts = [f["payload"]["data"]["messageAdded"]["text"] for f in frames if f["id"] == operation]
            assert texts == ["root", "a", "b", "c"]
        assert len(counted.writes) == 1  # eight frames, one system call


async def test_frames_held_by_a_batch_go_out_on_flush_and_on_exit(live_server: LiveServer) -> None:
    """Nothing held is lost or reordered by a flush in the middle (the hub flushes before it
    awaits), and outside a batch a frame is written at once."""
    assert live_server.loop is not None
    async with httpx.AsyncClient(timeout=30) as http, AsyncExitStack() as stack:
        token = (await post(http, live_server, REGISTER, {"u": "ann"}))["register"]["token"]
        ws = await subscribed_socket(stack, live_server, token, "1")
        await until(lambda: hub_count(live_server) == 1)
        (protocol,) = socket_protocols(live_server)
        counted = CountedWrites(protocol.transport)
        writes_seen: list[list[int]] = []

        def write_in_batches() -> None:
            protocol.transport = counted  # type: ignore[assignment]
            with frames_batched() as batch:
                assert isinstance(batch, FrameBatch)
                protocol.write_text_now('{"type":"ping","payload":{"n":1}}')
                protocol.write_text_now('{"type":"ping","payload":{"n":2}}')
                writes_seen.append(list(counted.writes))  # held: nothing written yet
                batch.flush()
                writes_seen.append(list(counted.writes))
                protocol.write_text_now('{"type":"ping","payload":{"n":3}}')
            writes_seen.append(list(counted.writes))
            protocol.write_text_now('{"type":"ping","payload":{"n":4}}')  # no batch: at once
            writes_seen.append(list(counted.writes))

        live_server.loop.call_soon_threadsafe(write_in_batches)
        received = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(4)]
        assert [r["payload"]["n"] for r in received] == [1, 2, 3, 4]
        # the last frame can reach us before the server's loop records the write that sent it
        await until(lambda: len(writes_seen) == 4)
        assert [len(w) for w in writes_seen] == [0, 1, 2, 3]


@pytest.mark.once  # SQLite's writers of one process take turns; PostgreSQL's do not queue here
async def test_a_reader_waits_for_the_batch_under_way_when_it_asked_and_no_longer(tmp_path: Path) -> None:
    db = Database(make_settings(tmp_path))
    order: list[str] = []
    try:
        await db.after_queued_writes(5)  # nothing under way: no wait
        order.append("idle")

        release = asyncio.Event()

        async def write(name: str) -> None:
            async with db.write():
                order.append(f"{name} began")
                await release.wait()
            order.append(f"{name} committed")

        writers = [asyncio.create_task(write(n)) for n in ("first", "second")]
        await until(lambda: "first began" in order)

        async def read() -> None:
            await db.after_queued_writes(5)
            order.append("read")

        reader = asyncio.create_task(read())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not reader.done()
        release.set()
        await asyncio.gather(*writers, reader)
        # the two writes shared a transaction: the reader woke at its commit, not before
        assert order.index("read") > order.index("second began")
        assert {"first committed", "second committed", "read"} <= set(order)

        release.clear()
        stuck = asyncio.create_task(write("stuck"))
        await until(lambda: "stuck began" in order)
        await db.after_queued_writes(0.05)  # gives up waiting: the hub reads what has committed
        assert not stuck.done()
        release.set()
        await stuck
    finally:
        await db.dispose()
