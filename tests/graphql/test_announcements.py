"""Announcements: the right, owners, windows, versions and confirmations, the gate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from app.main import create_app
from tests.conftest import Api, make_settings
from tests.graphql.topic_helpers import World

PUBLISH = """mutation($input: PublishAnnouncementInput!) { publishAnnouncement(input: $input) {
  __typename ... on Error { code reason: message } ... on ForbiddenError { right parameter }
  ... on PublishAnnouncementSuccess { announcement { id version title body confirmation
    owner { __typename ... on User { username } ... on Group { name } } audience { name } } } } }"""
LIST = """query($pending: Boolean) { announcements(pendingOnly: $pending) { totalCount edges { node { id version
  title(locale: "de") body confirmation viewerConfirmedVersion viewerMustConfirm } } } }"""
CONFIRM = """mutation($id: ID!, $v: Int!) { confirmAnnouncement(input: {id: $id, version: $v}) { __typename
  ... on Error { code } ... on ConfirmAnnouncementSuccess { announcement { viewerConfirmedVersion } } } }"""
GRANT = """mutation($u: ID!) { grantRight(input: {user: $u, right: "system.message"}) { __typename } }"""


async def world(api: Api) -> tuple[World, str]:
    w = await World(api).setup()
    staff = await w.group("admin", "staff", ["bob", "carol"])
    await w.run("admin", GRANT, {"u": w.ids["alice"]})
    w.tokens["alice"] = (await api.login("alice", "password-123"))["token"]
    return w, staff


def text(value: str, de: str | None = None) -> list[dict[str, str]]:
    return [{"locale": "en", "text": value}] + ([{"locale": "de", "text": de}] if de else [])


async def publish(w: World, who: str, audience: list[str], **extra: Any) -> dict[str, Any]:
    input = {
        "title": text("Downtime", "Wartung"),
        "body": text("Sunday 2-4am"),
        "audience": audience,
        **extra,
    }
    return (await w.run(who, PUBLISH, {"input": input}))["publishAnnouncement"]


async def listed(w: World, who: str, pending: bool = False) -> list[dict[str, Any]]:
    return [e["node"] for e in (await w.run(who, LIST, {"pending": pending}))["announcements"]["edges"]]


async def test_publishing_needs_the_system_message_right(api: Api) -> None:
    w, staff = await world(api)
    refused = await publish(w, "bob", [staff])
    assert refused["__typename"] == "ForbiddenError" and refused["right"] == "system.message"
    made = await publish(w, "alice", [staff])
    assert made["announcement"]["owner"] == {"__typename": "User", "username": "alice"}
    assert made["announcement"]["version"] == 1
    assert [a["title"] for a in await listed(w, "bob")] == ["Wartung"]  # title(locale: "de")
    w.tokens["eve"], _ = await api.register("eve")
    assert await listed(w, "eve") == []  # not in the audience
    missing = await publish(w, "alice", ["R3JvdXA6OTk5"])
    assert missing["__typename"] == "NotFoundError"


async def test_owner_rules(api: Api) -> None:
    w, staff = await world(api)
    mismatch = await publish(w, "alice", [staff], owner=w.ids["bob"])
    assert mismatch["__typename"] == "OwnerMismatchError" and mismatch["code"] == "OWNER_MISMATCH"
    own = await publish(w, "alice", [staff], owner=w.ids["alice"])
    aid = own["announcement"]["id"]
    await w.run("admin", GRANT, {"u": w.ids["carol"]})
    w.tokens["carol"] = (await api.login("carol", "password-123"))["token"]
    not_owner = await publish(w, "carol", [staff], id=aid)
    assert not_owner["__typename"] == "ForbiddenError" and not_owner["parameter"] == "owner"
    handed = await publish(w, "alice", [staff], id=aid, owner=staff)
    assert handed["announcement"]["owner"] == {"__typename": "Group", "name": "staff"}
    assert handed["announcement"]["version"] == 2
    by_member = await publish(w, "carol", [staff], id=aid)  # carol is in the owning group now
    assert by_member["announcement"]["version"] == 3
    by_admin = await publish(w, "admin", [staff], id=aid, owner=w.ids["admin"])
    assert by_admin["announcement"]["owner"] == {"__typename": "User", "username": "admin"}


async def test_window_edges(api: Api) -> None:
    w, staff = await world(api)
    now = datetime.now(UTC)
    await publish(
        w,
        "alice",
        [staff],
        title=text("running"),
        startsAt=(now - timedelta(seconds=5)).isoformat(),
        endsAt=(now + timedelta(hours=1)).isoformat(),
    )
    await publish(w, "alice", [staff], title=text("future"), startsAt=(now + timedelta(hours=1)).isoformat())
    await publish(w, "alice", [staff], title=text("over"), endsAt=(now - timedelta(seconds=1)).isoformat())
    await publish(w, "alice", [staff], title=text("open"))
    assert sorted(a["title"] for a in await listed(w, "bob")) == ["open", "running"]
    inverted = await publish(w, "alice", [staff], startsAt=now.isoformat(), endsAt=now.isoformat())
    assert inverted["__typename"] == "InvalidInputError"


async def test_confirmations_per_version(api: Api) -> None:
    w, staff = await world(api)
    once = (await publish(w, "alice", [staff], title=text("once"), confirmation=text("I have read it")))[
        "announcement"
    ]
    every = (
        await publish(
            w, "alice", [staff], title=text("every"), confirmation=text("Agreed"), confirmEveryVersion=True
        )
    )["announcement"]
    await publish(w, "alice", [staff], title=text("info only"))
    assert sorted(a["title"] for a in await listed(w, "bob", pending=True)) == ["every", "once"]
    for a in (once, every):
        assert (await w.run("bob", CONFIRM, {"id": a["id"], "v": 1}))["confirmAnnouncement"][
            "__typename"
        ] == "ConfirmAnnouncementSuccess"
    assert await listed(w, "bob", pending=True) == []
    for a, title, confirmation in ((once, "once", "I have read it"), (every, "every", "Agreed")):
        await publish(
            w,
            "alice",
            [staff],
            id=a["id"],
            title=text(title),
            confirmation=text(confirmation),
            confirmEveryVersion=title == "every",
        )
    pending = await listed(w, "bob", pending=True)
    assert [(a["title"], a["version"], a["viewerConfirmedVersion"]) for a in pending] == [("every", 2, 1)]
    assert (await w.run("bob", CONFIRM, {"id": every["id"], "v": 1}))["confirmAnnouncement"][
        "__typename"
    ] == "ConfirmAnnouncementSuccess"
    assert len(await listed(w, "bob", pending=True)) == 1  # an old version does not count
    assert (await w.run("bob", CONFIRM, {"id": every["id"], "v": 3}))["confirmAnnouncement"][
        "code"
    ] == "INVALID_INPUT"
    await w.run("bob", CONFIRM, {"id": every["id"], "v": 2})
    assert await listed(w, "bob", pending=True) == []
    w.tokens["eve"], _ = await api.register("eve")
    assert (await w.run("eve", CONFIRM, {"id": every["id"], "v": 2}))["confirmAnnouncement"][
        "code"
    ] == "NOT_FOUND"

    confirmations = """query($id: ID!) { node(id: $id) { ... on Announcement { confirmations { totalCount
      edges { node { version user { username } confirmedAt } } } } } }"""
    seen = (await w.run("alice", confirmations, {"id": every["id"]}))["node"]["confirmations"]
    assert [(e["node"]["user"]["username"], e["node"]["version"]) for e in seen["edges"]] == [
        ("bob", 1),
        ("bob", 2),
    ]
    errors = await w.api.errors(confirmations, {"id": every["id"]}, w.tokens["bob"])
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_delete_announcement(api: Api) -> None:
    w, staff = await world(api)
    aid = (await publish(w, "alice", [staff]))["announcement"]["id"]
    delete = """mutation($id: ID!) { deleteAnnouncement(input: {id: $id}) { __typename } }"""
    assert (await w.run("bob", delete, {"id": aid}))["deleteAnnouncement"]["__typename"] == "NotFoundError"
    assert (await w.run("alice", delete, {"id": aid}))["deleteAnnouncement"][
        "__typename"
    ] == "DeleteAnnouncementSuccess"
    assert await listed(w, "bob") == []


async def test_the_gate_holds_users_until_they_confirm(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, announcement_gate=True))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        api = Api(client)
        w, staff = await world(api)
        aid = (await publish(w, "alice", [staff], confirmation=text("OK")))["announcement"]["id"]
        blocked = await w.send("bob", "/Private/bob", "hello")
        assert blocked["__typename"] == "ForbiddenError" and "pending announcements" in blocked["reason"]
        errors = await api.errors("{ messages { totalCount } }", token=w.tokens["bob"])
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert len(await listed(w, "bob", pending=True)) == 1  # reading them is allowed
        assert (await w.send("alice", "/Private/alice", "free"))["__typename"] == "Message"
        await w.run("bob", CONFIRM, {"id": aid, "v": 1})
        assert (await w.send("bob", "/Private/bob", "hello"))["__typename"] == "Message"
