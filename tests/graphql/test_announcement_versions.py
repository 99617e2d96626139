"""publishAnnouncement(id:) changes only the fields given; owners on creation; `managed` listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.graphql.test_announcements import GRANT, listed, text, world
from tests.graphql.topic_helpers import World

PUBLISH = """mutation($input: PublishAnnouncementInput!) { publishAnnouncement(input: $input) {
  __typename ... on Error { code reason: message } ... on InvalidInputError { field }
  ... on NotFoundError { ids }
  ... on PublishAnnouncementSuccess { announcement { id version title body confirmation confirmEveryVersion
    startsAt endsAt owner { __typename ... on User { username } ... on Group { name } } audience { name } } } } }"""
MANAGED = """query($pending: Boolean) { announcements(managed: true, pendingOnly: $pending) {
  totalCount edges { node { title } } } }"""


async def run(w: World, who: str, input: dict[str, Any]) -> dict[str, Any]:
    return (await w.run(who, PUBLISH, {"input": input}))["publishAnnouncement"]


async def created(w: World, staff: str, **extra: Any) -> dict[str, Any]:
    made = await run(
        w, "alice", {"title": text("Downtime"), "body": text("Sunday"), "audience": [staff], **extra}
    )
    assert made["__typename"] == "PublishAnnouncementSuccess", made
    return made["announcement"]


async def test_a_new_version_keeps_what_it_does_not_mention(api: Api) -> None:
    w, staff = await world(api)
    starts = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    ends = starts + timedelta(days=1)
    first = await created(
        w,
        staff,
        confirmation=text("Understood"),
        confirmEveryVersion=True,
        startsAt=starts.isoformat(),
        endsAt=ends.isoformat(),
    )
    second = (await run(w, "alice", {"id": first["id"], "body": text("Sunday, 2-4am")}))["announcement"]
    assert second["version"] == 2 and second["body"] == "Sunday, 2-4am"
    kept = ("title", "confirmation", "confirmEveryVersion", "startsAt", "endsAt", "owner", "audience")
    assert {k: second[k] for k in kept} == {k: first[k] for k in kept}
    assert second["confirmation"] == "Understood" and second["audience"] == [{"name": "staff"}]
    # so the audience still has it pending, for the new version
    pending = await listed(w, "bob", pending=True)
    assert [(a["title"], a["version"], a["viewerMustConfirm"]) for a in pending] == [("Downtime", 2, True)]


async def test_an_explicit_null_clears(api: Api) -> None:
    w, staff = await world(api)
    now = datetime.now(UTC)
    first = await created(
        w,
        staff,
        confirmation=text("Understood"),
        confirmEveryVersion=True,
        startsAt=(now - timedelta(hours=1)).isoformat(),
        endsAt=(now - timedelta(minutes=1)).isoformat(),
    )
    assert await listed(w, "bob") == []  # its window is over
    cleared = await run(
        w, "alice", {"id": first["id"], "confirmation": None, "endsAt": None, "confirmEveryVersion": None}
    )
    announcement = cleared["announcement"]
    assert announcement["confirmation"] is None and announcement["endsAt"] is None
    assert announcement["confirmEveryVersion"] is False
    assert announcement["startsAt"] == first["startsAt"]  # not mentioned: kept
    assert [a["title"] for a in await listed(w, "bob")] == ["Downtime"]  # open-ended now
    assert await listed(w, "bob", pending=True) == []  # nothing to confirm any more
    again = await run(w, "alice", {"id": first["id"], "confirmation": text("Agreed"), "startsAt": None})
    assert again["announcement"]["confirmation"] == "Agreed" and again["announcement"]["startsAt"] is None
    assert [a["version"] for a in await listed(w, "bob", pending=True)] == [3]
    emptied = await run(w, "alice", {"id": first["id"], "confirmation": []})
    assert emptied["announcement"]["confirmation"] is None


async def test_a_new_window_end_is_checked_against_the_kept_start(api: Api) -> None:
    w, staff = await world(api)
    now = datetime.now(UTC)
    first = await created(w, staff, startsAt=now.isoformat())
    inverted = await run(w, "alice", {"id": first["id"], "endsAt": (now - timedelta(hours=1)).isoformat()})
    assert inverted["__typename"] == "InvalidInputError" and inverted["field"] == "endsAt"


async def test_required_fields(api: Api) -> None:
    w, staff = await world(api)
    full = {"title": text("t"), "body": text("b"), "audience": [staff]}
    for name in ("title", "body", "audience"):
        for value in ("omitted", None):
            input = {k: v for k, v in full.items() if k != name}
            if value is None:
                input[name] = None
            refused = await run(w, "alice", input)
            assert refused["__typename"] == "InvalidInputError" and refused["field"] == name, (name, refused)
    aid = (await created(w, staff))["id"]
    for name in ("title", "body", "audience"):  # a new version may leave them out, not clear them
        refused = await run(w, "alice", {"id": aid, name: None})
        assert refused["__typename"] == "InvalidInputError" and refused["field"] == name, (name, refused)
    assert (await run(w, "alice", {"id": aid}))["announcement"][
        "version"
    ] == 2  # nothing given: a new version
    audience = (await run(w, "alice", {"id": aid, "audience": [staff]}))["announcement"]["audience"]
    assert audience == [{"name": "staff"}]


async def test_an_unknown_owner_is_not_found_on_creation_as_on_update(api: Api) -> None:
    w, staff = await world(api)
    base = {"title": text("t"), "body": text("b"), "audience": [staff]}
    for owner in ("VXNlcjo5OTk5", "R3JvdXA6OTk5OQ=="):  # User:9999, Group:9999
        missing = await run(w, "alice", {**base, "owner": owner})
        assert missing["__typename"] == "NotFoundError" and missing["ids"] == [owner], missing
    aid = (await created(w, staff))["id"]
    missing = await run(w, "alice", {"id": aid, "owner": "VXNlcjo5OTk5"})
    assert missing["__typename"] == "NotFoundError" and missing["ids"] == ["VXNlcjo5OTk5"]
    mismatch = await run(w, "alice", {**base, "owner": w.ids["bob"]})  # exists, but is not the creator
    assert mismatch["__typename"] == "OwnerMismatchError"


async def test_managed_lists_what_the_viewer_owns_or_may_manage(api: Api) -> None:
    w, staff = await world(api)
    editors = await w.group("admin", "editors", ["alice", "carol"])
    await w.run("admin", GRANT, {"u": w.ids["carol"]})
    w.tokens["carol"] = (await api.login("carol", "password-123"))["token"]
    w.tokens["alice"] = (await api.login("alice", "password-123"))["token"]  # now in editors
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await created(w, staff, title=text("alice's, not started"), startsAt=later)
    group_owned = await created(w, staff, title=text("the editors'"))
    assert (await run(w, "alice", {"id": group_owned["id"], "owner": editors}))["__typename"] == (
        "PublishAnnouncementSuccess"
    )
    await run(w, "carol", {"title": text("carol's"), "body": text("b"), "audience": [staff]})

    async def managed(who: str) -> list[str]:
        return sorted(e["node"]["title"] for e in (await w.run(who, MANAGED))["announcements"]["edges"])

    assert await managed("alice") == ["alice's, not started", "the editors'"]  # not in their audience
    assert await managed("carol") == ["carol's", "the editors'"]  # the group's, through membership
    assert await managed("admin") == ["alice's, not started", "carol's", "the editors'"]
    assert await managed("bob") == []  # the audience does not manage
    assert sorted(a["title"] for a in await listed(w, "bob")) == ["carol's", "the editors'"]
    assert await listed(w, "alice") == []  # the default list is still what is addressed to the viewer
