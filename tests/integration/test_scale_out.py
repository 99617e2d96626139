"""Several instances on one PostgreSQL with a Redis bus (run in scripts/test's PostgreSQL pass)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from app.actions.accounts import do_create_user
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.store import events as event_store
from tests.conftest import ADMIN_PASSWORD, BACKEND, LiveServer, fresh_postgres_database, make_settings
from tests.live.test_live import post

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="needs scripts/services (PostgreSQL pass)")
REDIS_URL = os.environ.get("PARLEY_TEST_REDIS_URL", "redis://127.0.0.1:56379/0")
REDIS_PORT = os.environ.get("PARLEY_TEST_REDIS_PORT", "56379")
SERVICES_DIR = os.environ.get("PARLEY_TEST_SERVICES_DIR", "/tmp/parley-services")
EVENTS = """subscription($after: String) { messageEvents(filter: {topic: "/Wide"}, after: $after) {
  cursor kind message { text } } }"""


def cluster(tmp_path: Path, count: int, **overrides: Any) -> list[LiveServer]:
    settings = make_settings(tmp_path, database_url=fresh_postgres_database(), bus_url=REDIS_URL, **overrides)
    servers = [LiveServer(settings) for _ in range(count)]
    for server in servers:
        server.start()
    return servers


@pytest.fixture
def two_quiet(tmp_path: Path) -> Iterator[list[LiveServer]]:
    servers = cluster(tmp_path, 3, live_poll_seconds=60)  # no safety poll in time: only the bus delivers
    yield servers
    for server in servers:
        server.stop()


async def admin(server: LiveServer) -> str:
    login = (
        """mutation { login(input: {username: "admin", password: "%s"}) { ... on LoginSuccess { token } } }"""
    )
    return (await post(server, login % ADMIN_PASSWORD, {}))["login"]["token"]


async def collect(
    server: LiveServer, token: str, want: int, ready: asyncio.Event, after: str | None = None
) -> list[dict[str, Any]]:
    transport = WebsocketsTransport(url=server.ws_url, init_payload={"Authorization": f"Bearer {token}"})
    got: list[dict[str, Any]] = []
    async with Client(transport=transport) as session:
        stream = session.subscribe(GraphQLRequest(EVENTS, variable_values={"after": after}))
        pending = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.5)
        ready.set()
        while len(got) < want:
            got.append((await asyncio.wait_for(pending, 20))["messageEvents"])
            pending = asyncio.ensure_future(stream.__anext__())
        pending.cancel()
        await stream.aclose()
    return got


async def test_a_message_sent_to_one_instance_reaches_subscribers_on_the_others(
    two_quiet: list[LiveServer],
) -> None:
    a, b, c = two_quiet
    token = await admin(a)
    await post(a, """mutation { createTopic(input: {path: "/Wide"}) { __typename } }""", {}, token)
    ready_b, ready_c = asyncio.Event(), asyncio.Event()
    on_b = asyncio.create_task(collect(b, token, 3, ready_b))
    on_c = asyncio.create_task(collect(c, token, 3, ready_c))
    await asyncio.wait_for(asyncio.gather(ready_b.wait(), ready_c.wait()), 10)
    send = """mutation($x: String!) { sendMessage(input: {topic: "/Wide", text: $x}) { __typename } }"""
    for i in range(3):
        await post(a, send, {"x": f"hello {i}"}, token)
    for task in (on_b, on_c):  # within 20 s, while the safety poll is 60 s away: the Redis hint arrived
        assert [e["message"]["text"] for e in await asyncio.wait_for(task, 25)] == [
            "hello 0",
            "hello 1",
            "hello 2",
        ]
    assert all(s.app.state.services.bus.is_up for s in two_quiet)


def restart_redis(watch: LiveServer | None = None) -> None:
    subprocess.run(["redis-cli", "-p", REDIS_PORT, "shutdown", "nosave"], capture_output=True)
    if watch is not None:  # while the bus is down, readiness says so
        for _ in range(100):
            if httpx.get(f"http://127.0.0.1:{watch.port}/readyz").status_code == 503:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("/readyz stayed 200 with Redis down")
    subprocess.run(
        [
            "redis-server",
            "--port",
            REDIS_PORT,
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            SERVICES_DIR,
            "--logfile",
            f"{SERVICES_DIR}/redis.log",
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", REDIS_PORT, "ping"], capture_output=True).returncode == 0:
            return
        subprocess.run(["sleep", "0.1"])


async def test_redis_restarts_during_a_stream_lose_nothing(tmp_path: Path) -> None:
    servers = cluster(tmp_path, 2, live_poll_seconds=1)
    try:
        a, b = servers
        token = await admin(a)
        await post(a, """mutation { createTopic(input: {path: "/Wide"}) { __typename } }""", {}, token)
        total = 2000
        ready = asyncio.Event()
        ready_a = asyncio.Event()
        on_b = asyncio.create_task(collect(b, token, total, ready))
        on_a = asyncio.create_task(collect(a, token, total, ready_a))  # the sender's own instance too
        await asyncio.wait_for(asyncio.gather(ready.wait(), ready_a.wait()), 10)
        send = """mutation($x: String!) { sendMessage(input: {topic: "/Wide", text: $x}) { __typename } }"""
        for i in range(total):
            if i in (total // 3, 2 * total // 3):
                await asyncio.to_thread(restart_redis, b)
            await post(a, send, {"x": f"m{i}"}, token)
        for task in (on_b, on_a):
            got = await asyncio.wait_for(task, 120)
            assert [e["message"]["text"] for e in got] == [f"m{i}" for i in range(total)]
            assert len({e["cursor"] for e in got}) == total
    finally:
        for server in servers:
            server.stop()


async def test_a_terminated_listen_connection_loses_nothing(tmp_path: Path) -> None:
    url = fresh_postgres_database()
    listen_url = url.replace("postgresql+asyncpg://", "postgres://")
    settings = make_settings(tmp_path, database_url=url, bus_url=listen_url, live_poll_seconds=1)
    servers = [LiveServer(settings) for _ in range(2)]
    for server in servers:
        server.start()
    try:
        a, b = servers
        token = await admin(a)
        await post(a, """mutation { createTopic(input: {path: "/Wide"}) { __typename } }""", {}, token)
        total = 200
        ready = asyncio.Event()
        on_b = asyncio.create_task(collect(b, token, total, ready))
        await asyncio.wait_for(ready.wait(), 10)
        send = """mutation($x: String!) { sendMessage(input: {topic: "/Wide", text: $x}) { __typename } }"""
        database = url.rsplit("/", 1)[1]
        admin_url = url.replace("postgresql+asyncpg://", "postgresql://")
        # the bus sessions: the only ones that LISTEN or pg_notify (its heartbeat) on this database
        cut = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = "
            f"'{database}' AND (query LIKE 'LISTEN%' OR query LIKE '%pg_notify%')"
        )
        for i in range(total):
            if i == total // 2:
                done = await asyncio.to_thread(
                    subprocess.run,
                    ["psql", admin_url, "-tAc", cut],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                assert int(done.stdout.strip()) == 2  # one per instance
            await post(a, send, {"x": f"m{i}"}, token)
        got = await asyncio.wait_for(on_b, 60)
        assert [e["message"]["text"] for e in got] == [f"m{i}" for i in range(total)]
        for _ in range(100):  # and the bus comes back by itself
            if all(s.app.state.services.bus.is_up for s in servers):
                break
            await asyncio.sleep(0.1)
        assert all(s.app.state.services.bus.is_up for s in servers)
    finally:
        for server in servers:
            server.stop()


async def test_event_positions_follow_commit_order_with_concurrent_writers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=fresh_postgres_database())
    db = Database(settings)
    await upgrade(db)
    async with db.write() as uow:
        user = await do_create_user(
            uow, Passwords(settings), settings, username="ann", password="password-123"
        )
    assert user.id is not None
    viewer = Viewer(user_id=user.id, username="ann")
    writers, each = 8, 25
    done = asyncio.Event()
    seen: list[int] = []

    async def write(n: int) -> None:
        for i in range(each):
            async with db.write() as uow:
                await do_send_message(
                    uow, settings, viewer, MessageDraft(destination="/Private/ann", text=f"{n}.{i}")
                )

    async def read() -> None:
        last = 0
        while not done.is_set() or len(seen) < writers * each:
            async with db.read() as session:
                rows = await event_store.events_after(session, position=last, limit=1000)
            for row in rows:  # a reader must never see position N+1 before N: cursors would skip N
                assert row.position == last + 1, (last, row.position)
                last = row.position
                seen.append(row.position)
            await asyncio.sleep(0)

    reader = asyncio.create_task(read())
    await asyncio.gather(*(write(n) for n in range(writers)))
    done.set()
    await asyncio.wait_for(reader, 30)
    assert seen == list(range(1, writers * each + 1))
    await db.dispose()


async def test_instances_starting_together_create_one_admin(tmp_path: Path) -> None:
    from app.actions.accounts import ensure_admin

    settings = make_settings(tmp_path, database_url=fresh_postgres_database())
    databases = [Database(settings) for _ in range(4)]
    await upgrade(databases[0])
    results = await asyncio.gather(*(ensure_admin(db, Passwords(settings)) for db in databases))
    assert results == [None] * 4  # the password comes from the settings: nothing to print
    async with databases[0].read() as session:
        from sqlalchemy import func, select

        from app.models import User

        count = (await session.execute(select(func.count()).select_from(User))).scalar_one()
    assert count == 1
    for db in databases:
        await db.dispose()
