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
from collections.abc import AsyncIterator, Callable, Iterator
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
    VISIBLE,
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
    """One subscription: its document, how to read what arrived on it, and what each role gets
    (a value, or the code of the error that ended it)."""

    name: str
    document: str
    read: Callable[[list[Any], World], Any]
    expect: Callable[[str], Any]
    variables: Callable[[World], dict[str, Any]] = lambda w: {}
    ends_with_sentinel: bool = False  # the public sentinel message arrives on it

    def __str__(self) -> str:
        return self.name


def texts(role: str) -> set[str]:
    """The texts of the new messages the role may see."""
    seen = {text for _, _, text, who in CHANGES if role in who} | {SENTINEL}
    return seen | ({"live notice"} if role in NOTICE_SEEN_BY else set())


def signed_in_only(expect: Callable[[str], Any]) -> Callable[[str], Any]:
    return lambda role: "UNAUTHENTICATED" if role == "anonymous" else expect(role)


def replayed(events: list[Any], world: World) -> list[str]:
    """Each event's kind and message: its world key, or its text for a new one (None: an event
    about a message the viewer may not load, which is a leak of its id)."""
    out = set()
    for event in events:
        key = world.key_of(event["messageId"])
        if key == event["messageId"]:
            key = (event["message"] or {}).get("text")
        out.add(f"{event['kind']} {key}")
    return sorted(out)


def replay_expected(role: str) -> list[str]:
    """ADDED for each message the role may see (the world's and the new ones), the like on
    msg:secret for those who read it; task lists only for their owner."""
    added = {f"ADDED {key}" for key in visible(role, MESSAGES)} | {f"ADDED {t}" for t in texts(role)}
    liked = {"LIKED msg:secret"} if role in VISIBLE["msg:secret"] else set()
    own = {"TASK msg:secret"} if role == "writer" else set()
    return sorted(added | liked | own)


SUBSCRIPTIONS = [
    Subscribe(
        "messageAdded",
        "subscription { messageAdded { text } }",
        lambda got, w: sorted(m["text"] for m in got),
        lambda r: sorted(texts(r)),
        ends_with_sentinel=True,
    ),
    Subscribe(
        "messageAdded.topic",
        'subscription { messageAdded(filter: {topic: "/Secret"}) { text } }',
        lambda got, w: sorted(m["text"] for m in got),
        # a topic the viewer may not read is refused as a missing one
        lambda r: ["live secret"] if r in SECRET_READERS else "INVALID_INPUT",
    ),
    Subscribe(
        "messageEvents",
        "subscription { messageEvents { kind message { text } } }",
        lambda got, w: sorted(f"{e['kind']} {e['message']['text']}" for e in got),
        lambda r: sorted(f"ADDED {t}" for t in texts(r)),
        ends_with_sentinel=True,
    ),
    Subscribe(
        "messageEvents.replay",
        "subscription($after: String) { messageEvents(after: $after) { kind messageId message { text } } }",
        replayed,
        replay_expected,
        lambda w: {"after": w.ids["cursor:start"]},
        ends_with_sentinel=True,
    ),
    Subscribe(
        "messageCount",
        "subscription { messageCount }",
        lambda got, w: got[-1],  # the count pushed last: the world's messages and the new ones
        lambda r: len(visible(r, MESSAGES)) + len(texts(r)),
    ),
    Subscribe(
        "inboxUnreadCount",
        "subscription { inboxUnreadCount }",
        lambda got, w: got[-1],
        signed_in_only(lambda r: 2 if r == "reader" else 0),
    ),
    Subscribe(
        "announcementPublished",
        "subscription { announcementPublished { title } }",
        lambda got, w: [a["title"] for a in got],
        signed_in_only(lambda r: ["Live"] if r in ANNOUNCEMENT_SEEN_BY else []),
    ),
    Subscribe(
        "announcementEvents",
        "subscription { announcementEvents { kind } }",
        lambda got, w: [e["kind"] for e in got],
        signed_in_only(lambda r: ["PUBLISHED", "WITHDRAWN"] if r in ANNOUNCEMENT_SEEN_BY else []),
    ),
]


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


async def open_socket(server: LiveServer, world: World, token: str | None) -> Any:
    ws = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])
    await ws.send(
        json.dumps(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"} if token else {}}
        )
    )
    assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "connection_ack"
    for subscription in SUBSCRIPTIONS:
        payload = {"query": subscription.document, "variables": subscription.variables(world)}
        await ws.send(json.dumps({"id": subscription.name, "type": "subscribe", "payload": payload}))
    return ws


async def collect(ws: Any) -> dict[str, list[Any]]:
    """Every frame per subscription, until the sentinel has arrived on each unfiltered stream and
    a short drain after it."""
    frames: dict[str, list[Any]] = {s.name: [] for s in SUBSCRIPTIONS}
    seen_end: set[str] = set()
    while len(seen_end) < sum(s.ends_with_sentinel for s in SUBSCRIPTIONS):
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


def outcome(subscription: Subscribe, frames: list[Any], world: World) -> Any:
    """What the subscription delivered (read by its row), or the code of the error it got."""
    for frame in frames:
        errors = frame["payload"] if frame["type"] == "error" else frame["payload"].get("errors")
        if errors:
            return str(errors[0].get("extensions", {}).get("code", errors[0].get("message")))
    values = [next(iter(f["payload"]["data"].values())) for f in frames if f["type"] == "next"]
    return subscription.read(values, world)


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
    start = (await live_api.run("{ eventCursor }"))["eventCursor"]
    world = await build_world(live_api)
    world.ids["cursor:start"] = start  # replay from before the world was built
    sockets = {role: await open_socket(server, world, world.tokens[role]) for role in ROLES}
    try:
        await asyncio.sleep(0.5)  # every subscription is registered before anything happens
        await change_everything(live_api, world)
        frames = await asyncio.gather(*(collect(ws) for ws in sockets.values()))
    finally:
        for ws in sockets.values():
            await ws.close()
    return {
        role: {s.name: outcome(s, got[s.name], world) for s in SUBSCRIPTIONS}
        for role, got in zip(sockets, frames, strict=True)
    }


@pytest.mark.parametrize("subscription", SUBSCRIPTIONS, ids=str)
@pytest.mark.parametrize("role", ROLES)
async def test_subscription(received: dict[str, dict[str, Any]], role: str, subscription: Subscribe) -> None:
    assert received[role][subscription.name] == subscription.expect(role)
