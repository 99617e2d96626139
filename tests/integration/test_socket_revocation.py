"""An open websocket is closed with 4401 the moment its token expires, and at once when its token
is logged out on another instance (the Redis bus); the periodic re-read is set to an hour, so
only the expiry timer and the bus can make these pass."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from tests.conftest import BACKEND, LiveServer, make_settings
from tests.integration.test_scale_out import cluster
from tests.live.test_live import post, user

LOGOUT = "mutation { logout { ... on LogoutSuccess { loggedOut } } }"


async def frame(ws: Any, seconds: float = 10) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), seconds)))


async def open_subscription(ws: Any, token: str) -> None:
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert (await frame(ws))["type"] == "connection_ack"
    subscribe = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { inboxUnreadCount }"}}
    await ws.send(json.dumps(subscribe))
    assert (await frame(ws))["type"] == "next"


async def close_code(ws: Any, seconds: float) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        await frame(ws, seconds)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_a_socket_is_closed_when_its_token_expires(tmp_path: Path) -> None:
    server = LiveServer(make_settings(tmp_path, token_ttl_seconds=3, live_auth_refresh_seconds=3600))
    server.start()
    try:
        token, _ = await user(server, "bob")
        issued = time.monotonic()
        async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await open_subscription(ws, token)
            await ws.send(json.dumps({"type": "ping"}))
            assert (await frame(ws))["type"] == "pong"  # open while the token holds
            assert await close_code(ws, 20) == 4401
            assert 2 < time.monotonic() - issued < 15  # at the expiry, not the hourly re-read
        assert len(server.app.state.services.socket_viewers) == 0
    finally:
        server.stop()


@pytest.mark.skipif(BACKEND != "postgres", reason="needs scripts/services (PostgreSQL pass)")
async def test_a_logout_on_one_instance_closes_sockets_on_the_other_at_once(tmp_path: Path) -> None:
    servers = cluster(tmp_path, 2, auth_cache_seconds=3600, live_auth_refresh_seconds=3600)
    try:
        a, b = servers
        token, _ = await user(a, "bob")
        async with websockets.connect(b.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
            await open_subscription(ws, token)
            started = time.monotonic()
            await post(a, LOGOUT, {}, token)
            assert await close_code(ws, 20) == 4401
            assert time.monotonic() - started < 10  # the bus, not the hourly re-read
    finally:
        for server in servers:
            server.stop()
