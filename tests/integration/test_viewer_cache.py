"""The per-process viewer cache: a known token costs no query, and whatever changes who a user is
(a logout, a right granted or withdrawn, a group joined) applies at once, on this instance and,
through the Redis bus, on the others; an open websocket of a logged-out token is closed at once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportConnectionFailed
from gql.transport.websockets import WebsocketsTransport
from sqlalchemy import event
from websockets.exceptions import ConnectionClosed

from tests.conftest import ADMIN_PASSWORD, BACKEND, Api, LiveServer, make_settings
from tests.integration.test_scale_out import admin, cluster

GRANT = """mutation($u: ID!, $r: Boolean!) { grantRight(input: {user: $u, right: "admin", revoke: $r}) {
  __typename } }"""
LOGOUT = "mutation { logout { ... on LogoutSuccess { loggedOut } } }"
VIEWER = "{ viewer { username } }"


async def token_selects(app: Any, api: Api, token: str) -> int:
    selects: list[str] = []

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        selects.append(statement)

    engine = app.state.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert (await api.run(VIEWER, token=token))["viewer"]["username"] == "bob"
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return len([s for s in selects if "auth_tokens" in s])


async def test_a_known_token_costs_no_query(app: Any, api: Api) -> None:
    token, _ = await api.register("bob")
    await api.run(VIEWER, token=token)
    assert await token_selects(app, api, token) == 0
    app.state.services.viewer_cache.clear()
    assert await token_selects(app, api, token) == 1  # read again, then kept
    assert await token_selects(app, api, token) == 0


async def test_logout_and_rights_apply_at_once(api: Api) -> None:
    root = (await api.login("admin", ADMIN_PASSWORD))["token"]
    bob, bob_id = await api.register("bob")
    carol, carol_id = await api.register("carol")
    assert (await api.run(GRANT, {"u": carol_id, "r": False}, bob))["grantRight"]["__typename"] == (
        "ForbiddenError"
    )
    await api.run(GRANT, {"u": bob_id, "r": False}, root)  # bob is an admin from the next request on
    assert (await api.run(GRANT, {"u": carol_id, "r": False}, bob))["grantRight"]["__typename"] == (
        "GrantRightSuccess"
    )
    await api.run(GRANT, {"u": bob_id, "r": True}, root)
    assert (await api.run(GRANT, {"u": carol_id, "r": True}, bob))["grantRight"]["__typename"] == (
        "ForbiddenError"
    )
    assert (await api.run(LOGOUT, token=bob))["logout"] == {"loggedOut": True}
    response = await api.raw(VIEWER, token=bob)
    assert response.status_code == 401


@pytest.mark.skipif(BACKEND != "postgres", reason="needs scripts/services (PostgreSQL pass)")
async def test_a_logout_on_one_instance_applies_on_the_others_at_once(tmp_path: Path) -> None:
    # a long cache and a long socket refresh: only the bus can make this pass
    servers = cluster(tmp_path, 2, auth_cache_seconds=3600, live_auth_refresh_seconds=3600)
    try:
        a, b = servers
        root = await admin(a)
        register = """mutation { register(input: {username: "bob", password: "password-123"}) {
          ... on RegisterSuccess { token user { id } } } }"""
        async with httpx.AsyncClient() as client:
            data = (await client.post(a.http_url, json={"query": register})).json()["data"]["register"]
            bob, bob_id = data["token"], data["user"]["id"]

            async def ask(
                server: LiveServer, query: str, variables: dict[str, Any], token: str
            ) -> httpx.Response:
                return await client.post(
                    server.http_url,
                    json={"query": query, "variables": variables},
                    headers={"authorization": f"Bearer {token}"},
                )

            forbidden = (await ask(b, GRANT, {"u": bob_id, "r": False}, bob)).json()["data"]
            assert forbidden["grantRight"]["__typename"] == "ForbiddenError"  # cached on b now
            await ask(a, GRANT, {"u": bob_id, "r": False}, root)
            assert await eventually(
                lambda: ask(b, GRANT, {"u": bob_id, "r": False}, bob),
                lambda r: r.json()["data"]["grantRight"]["__typename"] == "GrantRightSuccess",
            )
            assert (await ask(b, VIEWER, {}, bob)).status_code == 200
            await ask(a, LOGOUT, {}, bob)
            assert await eventually(lambda: ask(b, VIEWER, {}, bob), lambda r: r.status_code == 401)
    finally:
        for server in servers:
            server.stop()


async def eventually(call: Any, ok: Any, seconds: float = 3.0) -> bool:
    """Whether `ok(await call())` holds within `seconds` (a bus message takes milliseconds; the
    cache and socket refresh are set to an hour)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ok(await call()):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_logout_closes_the_tokens_open_websockets_at_once(tmp_path: Path) -> None:
    server = LiveServer(make_settings(tmp_path, live_auth_refresh_seconds=3600))
    server.start()
    try:
        async with httpx.AsyncClient() as client:
            register = """mutation { register(input: {username: "bob", password: "password-123"}) {
              ... on RegisterSuccess { token } } }"""
            bob = (await client.post(server.http_url, json={"query": register})).json()["data"]["register"][
                "token"
            ]
            transport = WebsocketsTransport(
                url=server.ws_url, init_payload={"Authorization": f"Bearer {bob}"}
            )
            async with Client(transport=transport) as session:
                stream = session.subscribe(GraphQLRequest("subscription { inboxUnreadCount }"))
                assert (await asyncio.wait_for(stream.__anext__(), 10))["inboxUnreadCount"] == 0
                started = time.monotonic()
                await client.post(
                    server.http_url, json={"query": LOGOUT}, headers={"authorization": f"Bearer {bob}"}
                )
                with pytest.raises(TransportConnectionFailed) as closed:
                    await asyncio.wait_for(stream.__anext__(), 10)
                assert time.monotonic() - started < 5  # not the hour-long periodic refresh
                cause = closed.value.__cause__
                assert isinstance(cause, ConnectionClosed) and cause.rcvd is not None
                assert cause.rcvd.code == 4401
    finally:
        server.stop()
