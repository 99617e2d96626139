"""Every date parameter of Tat's message list, mapped to MessageFilter, through GraphQL.

Messages are back-dated (the `system` right on a topic with `canForceDate`) to the seconds around
each window's bounds; both bounds are inclusive. Tat's "lastHour" counts hours, as in its examples
(`lastHourMinCreation=72` is three days).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.graphql.topic_helpers import World

LIST = """query($f: MessageFilter) { messages(filter: $f, first: 100) { edges { node { text } } } }"""
COUNT = """query($f: MessageFilter) { messageCount(filter: $f) }"""
GRANT_RIGHT = """mutation($u: ID!) { grantRight(input: {user: $u, right: "system"}) { __typename } }"""
EDIT = """mutation($id: ID!) { editMessage(input: {ref: {id: $id}, append: " (edited)"}) { __typename } }"""
DAY = 86400


@pytest.fixture
async def w(api: Api) -> World:
    world = await World(api).setup()
    await world.run("admin", GRANT_RIGHT, {"u": world.ids["alice"]})
    world.tokens["alice"] = (await api.login("alice", "password-123"))["token"]
    await world.grant("admin", "/Team", "WRITE", ["alice"])
    await world.params("admin", "/Team", canForceDate=True)
    return world


async def steady_now() -> datetime:
    """Now, at least 20 s before the next full hour: every calendar anchor stays put for the test."""
    now = datetime.now(UTC)
    left = 3600 - (now.minute * 60 + now.second + now.microsecond / 1e6)
    if left < 20:
        await asyncio.sleep(left + 0.5)
        now = datetime.now(UTC)
    return now


def anchor_of(name: str, now: datetime) -> datetime:
    hour = now.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    return {
        "NOW": now,
        "START_OF_HOUR": hour,
        "START_OF_DAY": day,
        "START_OF_WEEK": day - timedelta(days=day.weekday()),
        "START_OF_MONTH": day.replace(day=1),
    }[name]


async def place(w: World, at: dict[str, datetime]) -> dict[str, str]:
    """One message per label, created at its time; label -> message id."""
    ids = {}
    for text, when in at.items():
        ids[text] = (await w.send_ok("alice", "/Team", text, createdAt=when.isoformat()))["id"]
    return ids


async def chosen(w: World, f: dict[str, Any]) -> set[str]:
    data = await w.run("alice", LIST, {"f": {"topic": "/Team", **f}})
    found = {e["node"]["text"] for e in data["messages"]["edges"]}
    assert (await w.run("alice", COUNT, {"f": {"topic": "/Team", **f}}))["messageCount"] == len(found)
    return found


# (Tat parameters, anchor, the RelativeWindow, message offsets from the anchor in seconds -> chosen?)
# NOW-anchored windows keep a minute's margin: `now` moves while the test runs.
RELATIVE = [
    (
        "lastMinCreation=3600",
        "NOW",
        {"fromOffsetSeconds": -3600},
        {-3660: False, -3540: True, 0: True, 3600: True},
    ),
    (
        "lastMaxCreation=3600",
        "NOW",
        {"toOffsetSeconds": -3600},
        {-400 * DAY: True, -3660: True, -3540: False, 0: False},
    ),
    (
        "lastHourMinCreation=8",
        "START_OF_HOUR",
        {"fromOffsetSeconds": -8 * 3600},
        {-8 * 3600 - 1: False, -8 * 3600: True, -60: True, 0: True, DAY: True},
    ),
    (
        "lastHourMinCreation=72",
        "START_OF_HOUR",
        {"fromOffsetSeconds": -72 * 3600},
        {-72 * 3600 - 1: False, -72 * 3600: True, -DAY: True},
    ),
    (
        "lastHourMaxCreation=1",
        "START_OF_HOUR",
        {"toOffsetSeconds": -3600},
        {-400 * DAY: True, -3601: True, -3600: True, -3599: False, 0: False},
    ),
    (
        "dateRefCreation=BeginningOfMonth",
        "START_OF_MONTH",
        {},
        {-1: False, 0: True, 1: True, 40 * DAY: True},
    ),
    (
        "dateRefCreation=BeginningOfDay&dateRefDeltaMinCreation=-3600",
        "START_OF_DAY",
        {"fromOffsetSeconds": -3600},
        {-3601: False, -3600: True, 0: True, 2 * DAY: True},
    ),
    (
        "dateRefCreation=BeginningOfWeek&dateRefDeltaMaxCreation=172800",
        "START_OF_WEEK",
        {"toOffsetSeconds": 2 * DAY},
        {-400 * DAY: True, -1: True, 2 * DAY: True, 2 * DAY + 1: False},
    ),
    (
        "dateRefCreation=BeginningOfWeek&dateRefDeltaMinCreation=86400&dateRefDeltaMaxCreation=172800",
        "START_OF_WEEK",
        {"fromOffsetSeconds": DAY, "toOffsetSeconds": 2 * DAY},
        {DAY - 1: False, DAY: True, DAY + 3600: True, 2 * DAY: True, 2 * DAY + 1: False},
    ),
    (
        "dateRefCreation=BeginningOfHour&dateRefDeltaMinCreation=-7200&dateRefDeltaMaxCreation=-3600",
        "START_OF_HOUR",
        {"fromOffsetSeconds": -7200, "toOffsetSeconds": -3600},
        {-7201: False, -7200: True, -3600: True, -3599: False},
    ),
]


@pytest.mark.parametrize(
    ("tat", "anchor", "offsets", "expected"), RELATIVE, ids=[case[0] for case in RELATIVE]
)
async def test_relative_windows(
    w: World, tat: str, anchor: str, offsets: dict[str, int], expected: dict[int, bool]
) -> None:
    base = anchor_of(anchor, await steady_now())
    await place(w, {f"at {s:+d}": base + timedelta(seconds=s) for s in expected})
    window = {"anchor": anchor, **offsets}
    assert await chosen(w, {"createdWithin": window}) == {
        f"at {s:+d}" for s, inside in expected.items() if inside
    }
    # never edited: "updated" is the creation date, so the update variant chooses the same
    assert await chosen(w, {"updatedWithin": window}) == {
        f"at {s:+d}" for s, inside in expected.items() if inside
    }


async def test_date_min_and_max_creation(w: World) -> None:
    """dateMinCreation=1405544146&dateMaxCreation=1408222546: 16/7/2014 22:55:46 to 16/8/2014 22:55:46."""
    start, end = datetime.fromtimestamp(1405544146, UTC), datetime.fromtimestamp(1408222546, UTC)
    second = timedelta(seconds=1)
    await place(
        w,
        {
            "before": start - second,
            "first second": start,
            "between": start + timedelta(days=15),
            "last second": end,
            "after": end + second,
        },
    )
    both = {"createdAfter": start.isoformat(), "createdBefore": end.isoformat()}
    assert await chosen(w, both) == {"first second", "between", "last second"}
    assert await chosen(w, {"createdAfter": start.isoformat()}) == {
        "first second",
        "between",
        "last second",
        "after",
    }
    assert await chosen(w, {"createdBefore": end.isoformat()}) == {
        "before",
        "first second",
        "between",
        "last second",
    }


async def test_update_variants_follow_the_edit_not_the_creation(w: World) -> None:
    """dateMinUpdate / dateMaxUpdate, lastMinUpdate / lastMaxUpdate, lastHourMinUpdate /
    lastHourMaxUpdate, dateRefUpdate + dateRefDeltaMin/MaxUpdate: an edited old message counts
    as updated now; a never-edited one as updated when it was created."""
    now = await steady_now()
    hour = anchor_of("START_OF_HOUR", now)
    old = hour - timedelta(days=3)
    ids = await place(w, {"old": old, "old, edited": old, "recent": now - timedelta(minutes=1)})
    assert (await w.run("alice", EDIT, {"id": ids["old, edited"]}))["editMessage"]["__typename"] == "Message"
    edited = "old, edited (edited)"
    since_yesterday = (hour - timedelta(days=1)).isoformat()
    assert await chosen(w, {"updatedAfter": since_yesterday}) == {edited, "recent"}  # dateMinUpdate
    assert await chosen(w, {"updatedBefore": since_yesterday}) == {"old"}  # dateMaxUpdate
    assert await chosen(w, {"createdBefore": since_yesterday}) == {"old", edited}  # dateMaxCreation
    last_hour_max = {"anchor": "START_OF_HOUR", "toOffsetSeconds": -3600}  # lastHourMaxUpdate=1
    assert await chosen(w, {"updatedWithin": last_hour_max}) == {"old"}
    assert await chosen(w, {"createdWithin": last_hour_max}) == {"old", edited}
    last_hour_min = {"anchor": "START_OF_HOUR", "fromOffsetSeconds": -3600}  # lastHourMinUpdate=1
    assert await chosen(w, {"updatedWithin": last_hour_min}) == {edited, "recent"}
    last_max = {"anchor": "NOW", "toOffsetSeconds": -600}  # lastMaxUpdate=600
    assert await chosen(w, {"updatedWithin": last_max}) == {"old"}
    last_min = {"anchor": "NOW", "fromOffsetSeconds": -600}  # lastMinUpdate=600
    assert await chosen(w, {"updatedWithin": last_min}) == {edited, "recent"}
    day_before = {"anchor": "START_OF_DAY", "toOffsetSeconds": -DAY}  # dateRefUpdate + DeltaMax alone
    assert await chosen(w, {"updatedWithin": day_before}) == {"old"}
    # both kinds together: old messages edited in the last hour
    assert await chosen(w, {"createdWithin": last_hour_max, "updatedWithin": last_hour_min}) == {edited}
