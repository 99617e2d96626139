"""A Redis outage under two instances: no broadcaster task is leaked per reconnect attempt (the
task count of each server's event loop returns to what it was, and nothing logs "Task was
destroyed but it is pending"), writes during the outage log one warning and no traceback, and a
subscriber on the other instance still gets every message. The test runs a Redis of its own on a
free port and kills it; the shared one is never touched."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets

from tests.conftest import LiveServer, free_port, make_settings
from tests.integration.test_scale_out import admin
from tests.live.test_live import post

SEND = """mutation($x: String!) { sendMessage(input: {topic: "/Wide", text: $x}) { __typename } }"""
EVENTS = 'subscription { messageEvents(filter: {topic: "/Wide"}) { kind message { text } } }'


class OwnRedis:
    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs redis-server")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="parley-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True)
            if ping.returncode == 0 and b"PONG" in ping.stdout:
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.kill()
        shutil.rmtree(redis.dir, ignore_errors=True)


def tasks_of(server: LiveServer) -> int:
    async def count() -> int:
        return len(asyncio.all_tasks())

    assert server.loop is not None
    return asyncio.run_coroutine_threadsafe(count(), server.loop).result(10)


async def settled(servers: list[LiveServer], want: list[int]) -> list[int]:
    """The servers' task counts once they equal `want` (or after 10 s, whatever they are)."""
    for _ in range(100):
        gc.collect()  # a leaked task is destroyed (and logged) here
        counts = [tasks_of(s) for s in servers]
        if counts == want:
            break
        await asyncio.sleep(0.1)
    return counts


async def wait_bus(servers: list[LiveServer], up: bool) -> None:
    for _ in range(300):
        if all(s.app.state.services.bus.is_up == up for s in servers):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bus did not become {'up' if up else 'down'}")


async def test_a_redis_outage_leaks_no_task_logs_once_and_loses_nothing(
    tmp_path: Path, own_redis: OwnRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    # no safety poll in time: after the outage only the bus reconnect makes b re-read the log
    settings = make_settings(tmp_path, bus_url=own_redis.url, live_poll_seconds=120)
    servers = [LiveServer(settings), LiveServer(settings)]
    for server in servers:
        server.start()
    a, b = servers
    try:
        token = await admin(a)
        await post(a, """mutation { createTopic(input: {path: "/Wide"}) { __typename } }""", {}, token)
        async with websockets.connect(b.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": EVENTS}}))
            await asyncio.sleep(0.5)
            gc.collect()
            before = [tasks_of(s) for s in servers]
            await post(a, SEND, {"x": "m0"}, token)

            own_redis.kill()
            await wait_bus(servers, up=False)
            for i in range(1, 6):  # written while the bus is down
                await post(a, SEND, {"x": f"m{i}"}, token)
            await asyncio.sleep(3)  # several reconnect attempts (0.1, 0.2, 0.4, 0.8, 1.6 s apart)
            own_redis.start()
            await wait_bus(servers, up=True)
            await post(a, SEND, {"x": "m6"}, token)

            got = []
            while len(got) < 7:
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                assert message["type"] == "next", message
                got.append(message["payload"]["data"]["messageEvents"]["message"]["text"])
            assert got == [f"m{i}" for i in range(7)]
            assert await settled(servers, before) == before  # no task left behind by the reconnects
    finally:
        for server in servers:
            server.stop()
    gc.collect()
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in records if "Task was destroyed" in r.getMessage()]
    assert not [r for r in records if r.exc_info], [r.getMessage() for r in records if r.exc_info]
    unpublished = [r for r in records if "are not published" in r.getMessage()]
    assert len(unpublished) == 1, [r.getMessage() for r in records]
    assert any("5 writes were not published" in r.getMessage() for r in records), [
        r.getMessage() for r in records
    ]
