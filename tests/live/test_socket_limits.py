"""Caps on open websockets and subscriptions, per user, per address and per process, on a real
uvicorn over real websockets: a socket over a cap is closed with its close code and reason, a
subscription over a cap or over the subscribe rate gets a typed `error` frame and the socket goes
on, and every count returns to zero however the sockets end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from app.domain.errors import LimitExceeded
from app.live.socket_limits import SocketLimits
from tests.conftest import LiveServer, make_settings
from tests.live.test_live import post, user

COUNT = "subscription { inboxUnreadCount }"
ANY = "subscription { messageAdded { id } }"  # no first frame: it waits for a message
LOGOUT = "mutation { logout { ... on LogoutSuccess { loggedOut } } }"


@pytest.fixture
def capped(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    server = LiveServer(make_settings(tmp_path, live_auth_refresh_seconds=3600, **request.param))
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def frame(ws: Any) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))


@asynccontextmanager
async def socket(server: LiveServer, token: str | None) -> AsyncIterator[Any]:
    """A socket after connection_init (acknowledged or not: the caller reads what came)."""
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as ws:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        yield ws


async def acked(stack: AsyncExitStack, server: LiveServer, token: str | None) -> Any:
    ws = await stack.enter_async_context(socket(server, token))
    assert (await frame(ws))["type"] == "connection_ack"
    return ws


async def closed_with(ws: Any) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        await frame(ws)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def subscribe(ws: Any, op: str, query: str = COUNT) -> dict[str, Any]:
    await ws.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": query}}))
    return await frame(ws)


def counts(server: LiveServer) -> dict[str, int]:
    return dict(server.app.state.services.socket_limits.counts())


async def all_released(server: LiveServer) -> dict[str, int]:
    zero = {"sockets": 0, "subscriptions": 0, "addresses": 0, "users": 0}
    for _ in range(200):  # the server learns of a client's close a moment later
        if counts(server) == zero:
            break
        await asyncio.sleep(0.05)
    return counts(server)


@pytest.mark.parametrize("capped", [{"max_sockets_per_user": 2, "max_sockets_per_address": 4}], indirect=True)
async def test_a_user_and_an_address_over_their_socket_caps_are_closed(capped: LiveServer) -> None:
    bob, _ = await user(capped, "bob")
    alice, _ = await user(capped, "alice")
    async with AsyncExitStack() as stack:
        for _ in range(2):
            assert (await subscribe(await acked(stack, capped, bob), "1"))["type"] == "next"
        async with socket(capped, bob) as third:  # at connection_init, once the user is known
            assert await closed_with(third) == (4008, "Too many sockets for this user (at most 2)")
        await acked(stack, capped, alice)
        await acked(stack, capped, None)  # anonymous: counted per address only
        assert counts(capped) == {"sockets": 4, "subscriptions": 2, "addresses": 1, "users": 2}
        async with websockets.connect(capped.ws_url, subprotocols=["graphql-transport-ws"]) as fifth:
            # at accept, before any message is read
            assert await closed_with(fifth) == (4008, "Too many sockets from this address (at most 4)")
    assert await all_released(capped) == {"sockets": 0, "subscriptions": 0, "addresses": 0, "users": 0}
    async with AsyncExitStack() as stack:  # the caps hold again from zero
        for _ in range(2):
            await acked(stack, capped, bob)


@pytest.mark.parametrize("capped", [{"max_sockets": 3}], indirect=True)
async def test_a_full_process_closes_new_sockets_with_try_again_later(capped: LiveServer) -> None:
    bob, _ = await user(capped, "bob")
    async with AsyncExitStack() as stack:
        for _ in range(3):
            await acked(stack, capped, bob)
        async with websockets.connect(capped.ws_url, subprotocols=["graphql-transport-ws"]) as fourth:
            assert await closed_with(fourth) == (1013, "Server full (3 sockets); try again later")
    assert (await all_released(capped))["sockets"] == 0


@pytest.mark.parametrize(
    "capped", [{"max_subscriptions_per_user": 3, "max_subscriptions_per_address": 4}], indirect=True
)
async def test_subscriptions_over_a_cap_get_an_error_frame_and_the_socket_goes_on(
    capped: LiveServer,
) -> None:
    bob, _ = await user(capped, "bob")
    async with AsyncExitStack() as stack:
        first, second = await acked(stack, capped, bob), await acked(stack, capped, bob)
        for op in ("a", "b"):
            assert (await subscribe(first, op))["type"] == "next"
        assert (await subscribe(second, "c"))["type"] == "next"
        refused = await subscribe(second, "d")  # the user's fourth, on another socket
        assert refused["id"] == "d" and refused["type"] == "error", refused
        [error] = refused["payload"]
        assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": 3}, error
        assert "per user (at most 3)" in error["message"]
        await second.send(json.dumps({"id": "c", "type": "complete"}))
        assert (await subscribe(second, "d"))["type"] == "next"  # room again, same id, same socket
        anonymous = await acked(stack, capped, None)  # the address's fourth and fifth
        assert (await subscribe(anonymous, "q", "{ __typename }"))["type"] == "next"  # a query ends
        assert (await frame(anonymous)) == {"id": "q", "type": "complete"}
        await anonymous.send(json.dumps({"id": "x", "type": "subscribe", "payload": {"query": ANY}}))
        await anonymous.send(json.dumps({"type": "ping"}))
        assert (await frame(anonymous))["type"] == "pong"
        refused = await subscribe(anonymous, "y", ANY)
        assert refused["payload"][0]["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": 4}
        assert counts(capped)["subscriptions"] == 4
    assert (await all_released(capped))["subscriptions"] == 0


@pytest.mark.parametrize("capped", [{"subscribe_per_second": 0.5, "subscribe_burst": 3}], indirect=True)
async def test_a_client_subscribing_too_fast_is_throttled(capped: LiveServer) -> None:
    bob, _ = await user(capped, "bob")
    async with AsyncExitStack() as stack:
        ws = await acked(stack, capped, bob)
        for op in ("1", "2", "3"):
            assert (await subscribe(ws, op))["type"] == "next"
        refused = await subscribe(ws, "4")
        assert refused["type"] == "error", refused
        [error] = refused["payload"]
        assert error["extensions"]["code"] == "RATE_LIMITED", error
        assert 0 < error["extensions"]["retryAfterSeconds"] <= 2
        other = await acked(stack, capped, bob)  # the rate is the user's, not the socket's
        assert (await subscribe(other, "5"))["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        await ws.send(json.dumps({"type": "ping"}))
        assert (await frame(ws))["type"] == "pong"  # the socket still answers
        assert counts(capped)["subscriptions"] == 3


@pytest.mark.parametrize("capped", [{}], indirect=True)
async def test_counts_return_to_zero_on_every_close_path(capped: LiveServer) -> None:
    bob, _ = await user(capped, "bob")
    carol, _ = await user(capped, "carol")
    async with AsyncExitStack() as stack:  # clients close, with subscriptions running
        for number in range(20):
            ws = await acked(stack, capped, bob if number % 2 else None)
            assert (await subscribe(ws, "s", COUNT if number % 2 else "{ __typename }"))["type"] == "next"
        assert counts(capped)["sockets"] == 20 and counts(capped)["subscriptions"] == 10
    async with socket(capped, carol) as revoked:  # the server closes: a logout
        assert (await frame(revoked))["type"] == "connection_ack"
        assert (await subscribe(revoked, "s"))["type"] == "next"
        await post(capped, LOGOUT, {}, carol)
        assert (await closed_with(revoked))[0] == 4401
    async with socket(capped, bob) as broken:  # a protocol error closes it (4400)
        assert (await frame(broken))["type"] == "connection_ack"
        await broken.send("not json")
        assert (await closed_with(broken))[0] == 4400
    async with socket(capped, "not-a-token") as refused:  # refused at connection_init
        assert (await closed_with(refused))[0] == 4403
    ws = await websockets.connect(capped.ws_url, subprotocols=["graphql-transport-ws"])
    ws.transport.abort()  # the client vanishes without a close frame
    assert await all_released(capped) == {"sockets": 0, "subscriptions": 0, "addresses": 0, "users": 0}


def test_releases_are_counted_once_whatever_the_order(tmp_path: Path) -> None:
    limits = SocketLimits(make_settings(tmp_path, max_subscriptions_per_user=2))
    slots = [limits.open_socket("10.0.0.1") for _ in range(3)]
    for slot in slots:
        limits.claim_user(slot, 7)
    first, second = limits.open_operation(slots[0]), limits.open_operation(slots[1])
    with pytest.raises(LimitExceeded):
        limits.open_operation(slots[2])
    first(), first()  # a `complete`, then the task's end: one release
    third = limits.open_operation(slots[2])
    assert limits.counts() == {"sockets": 3, "subscriptions": 2, "addresses": 1, "users": 1}
    limits.close_socket(slots[1])  # closes with `second` still open
    second(), third()  # the task ends after its socket: nothing counted twice
    limits.close_socket(slots[1])
    for slot in slots:
        limits.close_socket(slot)
    assert limits.counts() == {"sockets": 0, "subscriptions": 0, "addresses": 0, "users": 0}
    assert not limits.sockets_by_address and not limits.subscriptions_by_user
