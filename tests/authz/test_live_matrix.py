"""The live half of the authorization matrix: every subscription, for every role, over real
websockets to a real uvicorn. Each role's socket subscribes to all of them; then one change of
each kind happens in each place, and each socket must receive exactly what its role may see.

The changes end with a message to the public topic (everyone reads it, anonymous included):
events are delivered in log order, so once it arrives everything before it has too; a short
drain then collects the counts and announcement streams.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets

from tests.authz.world import (
    MESSAGES,
    ROLES,
    SECRET_READERS,
    World,
    build_world,
    ok,
    publish_announcement,
    visible,
)
from tests.conftest import Api, LiveServer, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

SENTINEL = "the end #live"
# what happens, by whom, where, and who may see it
CHANGES = [
    ("writer", {"topic": "/Secret"}, "live secret", SECRET_READERS),
    ("admin", {"topic": "/News"}, "live news", frozenset(ROLES)),
    ("writer", {"topic": "/Private/walt"}, "live private", frozenset({"writer"})),
    ("writer", {"conversation": "conversation"}, "live chat", frozenset({"writer", "reader"})),
]
NOTICE_SEEN_BY = frozenset({"system", "reader"})  # its author and recipient
ANNOUNCEMENT_SEEN_BY = frozenset({"reader", "writer", "system", "admin"})  # audience, owner, admins


@dataclass(frozen=True)
class Subscribe:
    name: str
    document: str


SUBSCRIPTIONS = [
    Subscribe("messageAdded", "subscription { messageAdded { text } }"),
    Subscribe("messageEvents", "subscription { messageEvents { kind message { text } } }"),
    Subscribe("messageCount", "subscription { messageCount }"),
    Subscribe("inboxUnreadCount", "subscription { inboxUnreadCount }"),
    Subscribe("announcementPublished", "subscription { announcementPublished { title } }"),
    Subscribe("announcementEvents", "subscription { announcementEvents { kind } }"),
]


def expected(role: str) -> dict[str, Any]:
    texts = {text for _, _, text, seen in CHANGES if role in seen} | {SENTINEL}
    if role in NOTICE_SEEN_BY:
        texts.add("live notice")
    sees_announcement = role in ANNOUNCEMENT_SEEN_BY
    signed_in = role != "anonymous"
    return {
        "messageAdded": sorted(texts),
        "messageEvents": sorted(f"ADDED {t}" for t in texts),
        # the count pushed last: the messages of the world plus the new ones
        "messageCount": len(visible(role, MESSAGES)) + len(texts),
        "inboxUnreadCount": (2 if role == "reader" else 0) if signed_in else "UNAUTHENTICATED",
        "announcementPublished": (["Live"] if sees_announcement else []) if signed_in else "UNAUTHENTICATED",
        "announcementEvents": (["PUBLISHED", "WITHDRAWN"] if sees_announcement else [])
        if signed_in
        else "UNAUTHENTICATED",
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(make_settings(tmp_path_factory.mktemp("authz-live")))
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def live_api(server: LiveServer) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=server.http_url.removesuffix("/graphql"), timeout=30) as client:
        yield Api(client)


async def open_socket(server: LiveServer, token: str | None) -> Any:
    ws = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"} if token else {}}
        )
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    for subscription in SUBSCRIPTIONS:
        payload = {"query": subscription.document}
        await ws.send(json.dumps({"id": subscription.name, "type": "subscribe", "payload": payload}))
    return ws


async def collect(ws: Any) -> dict[str, list[Any]]:
    """Every frame per subscription, until the sentinel has arrived on both message streams and
    a short drain after it."""
    frames: dict[str, list[Any]] = {s.name: [] for s in SUBSCRIPTIONS}
    seen_end: set[str] = set()
    while len(seen_end) < 2:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 15))
        frames[frame["id"]].append(frame)
        if SENTINEL in json.dumps(frame):
            seen_end.add(frame["id"])
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
            frames[frame["id"]].append(frame)
    except TimeoutError:
        return frames


def summary(frames: dict[str, list[Any]]) -> dict[str, Any]:
    def payloads(name: str) -> list[Any] | str:
        errors = [f for f in frames[name] if f["type"] == "error" or f["payload"].get("errors")]
        if errors:
            first = errors[0]["payload"]
            first = first[0] if isinstance(first, list) else first["errors"][0]
            return str(first.get("extensions", {}).get("code", first.get("message")))
        return [f["payload"]["data"][name] for f in frames[name] if f["type"] == "next"]

    def last(name: str) -> Any:
        values = payloads(name)
        return values[-1] if isinstance(values, list) and values else values

    added, events = payloads("messageAdded"), payloads("messageEvents")
    published, announcement_events = payloads("announcementPublished"), payloads("announcementEvents")
    return {
        "messageAdded": sorted(m["text"] for m in added) if isinstance(added, list) else added,
        "messageEvents": sorted(f"{e['kind']} {e['message']['text']}" for e in events)
        if isinstance(events, list)
        else events,
        "messageCount": last("messageCount"),
        "inboxUnreadCount": last("inboxUnreadCount"),
        "announcementPublished": [a["title"] for a in published]
        if isinstance(published, list)
        else published,
        "announcementEvents": [e["kind"] for e in announcement_events]
        if isinstance(announcement_events, list)
        else announcement_events,
    }


async def change_everything(api: Api, world: World) -> None:
    for role, place, text, _ in CHANGES:
        where = {k: world.ids[v] if k == "conversation" else v for k, v in place.items()}
        await ok(
            api,
            world.tokens[role],
            "mutation($i: SendMessageInput!) { sendMessage(input: $i) { ... on Message { id } ... on Error { code message } } }",
            {"i": {**where, "text": text}},
        )
    await ok(
        api,
        world.tokens["system"],
        """mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "live notice"}) {
          ... on SendNoticeSuccess { recipientCount } ... on Error { code message } } }""",
        {"u": [world.ids["user:reader"]]},
    )
    # a new one published, the world's one withdrawn (withdrawing the new one at once would race
    # its delivery: a published event is resolved when it is sent)
    await publish_announcement(api, world.tokens["system"], world.ids["group"], "Live")
    await ok(
        api,
        world.tokens["system"],
        "mutation($a: ID!) { deleteAnnouncement(input: {id: $a}) { __typename ... on Error { code message } } }",
        {"a": world.ids["announcement"]},
    )
    await ok(
        api,
        world.tokens["admin"],
        'mutation($x: String!) { sendMessage(input: {topic: "/News", text: $x}) { ... on Message { id } ... on Error { code message } } }',
        {"x": SENTINEL},
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def received(server: LiveServer, live_api: Api) -> dict[str, dict[str, Any]]:
    world = await build_world(live_api)
    sockets = {role: await open_socket(server, world.tokens[role]) for role in ROLES}
    try:
        await asyncio.sleep(0.5)  # every subscription is registered before anything happens
        await change_everything(live_api, world)
        frames = await asyncio.gather(*(collect(ws) for ws in sockets.values()))
    finally:
        for ws in sockets.values():
            await ws.close()
    return {role: summary(got) for role, got in zip(sockets, frames, strict=True)}


@pytest.mark.parametrize("subscription", [s.name for s in SUBSCRIPTIONS])
@pytest.mark.parametrize("role", ROLES)
async def test_subscription(received: dict[str, dict[str, Any]], role: str, subscription: str) -> None:
    assert received[role][subscription] == expected(role)[subscription]
