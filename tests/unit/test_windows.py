"""app/windows.py on its own: the bounds of every shape of RelativeWindow at a fixed `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import InvalidInput
from app.domain.windows import ANCHORS, RelativeWindow, anchor_time

NOW = datetime(2026, 11, 26, 15, 42, 17, 123456, tzinfo=UTC)  # a Thursday
HOUR = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_anchors() -> None:
    assert anchor_time("NOW", NOW) == NOW
    assert anchor_time("START_OF_MINUTE", NOW) == datetime(2026, 11, 26, 15, 42, tzinfo=UTC)
    assert anchor_time("START_OF_HOUR", NOW) == HOUR
    assert anchor_time("START_OF_DAY", NOW) == datetime(2026, 11, 26, tzinfo=UTC)
    assert anchor_time("START_OF_WEEK", NOW) == datetime(2026, 11, 23, tzinfo=UTC)  # Monday
    assert anchor_time("START_OF_MONTH", NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    assert anchor_time("START_OF_QUARTER", NOW) == datetime(2026, 10, 1, tzinfo=UTC)
    assert anchor_time("START_OF_YEAR", NOW) == datetime(2026, 1, 1, tzinfo=UTC)


def test_only_to_opens_the_start() -> None:
    """lastHourMaxCreation=1: up to an hour before the start of the hour, however old."""
    assert RelativeWindow("START_OF_HOUR", None, -3600).bounds(NOW) == (None, HOUR - timedelta(hours=1))
    assert RelativeWindow("NOW", None, -60).bounds(NOW) == (None, NOW - timedelta(seconds=60))
    week = datetime(2026, 11, 23, tzinfo=UTC)
    assert RelativeWindow("START_OF_WEEK", None, 172800).bounds(NOW) == (None, week + timedelta(days=2))


def test_only_from_opens_the_end() -> None:
    """lastHourMinCreation=8: from eight hours before the start of the hour on, future included."""
    assert RelativeWindow("START_OF_HOUR", -28800, None).bounds(NOW) == (HOUR - timedelta(hours=8), None)
    assert RelativeWindow("NOW", -3600, None).bounds(NOW) == (NOW - timedelta(hours=1), None)


def test_both_offsets_close_both_sides() -> None:
    week = datetime(2026, 11, 23, tzinfo=UTC)
    assert RelativeWindow("START_OF_WEEK", 86400, 172800).bounds(NOW) == (
        week + timedelta(days=1),
        week + timedelta(days=2),
    )
    assert RelativeWindow("START_OF_HOUR", -7200, -3600).bounds(NOW) == (
        HOUR - timedelta(hours=2),
        HOUR - timedelta(hours=1),
    )
    assert RelativeWindow("NOW", 0, 0).bounds(NOW) == (NOW, NOW)


@pytest.mark.parametrize("anchor", [a for a in ANCHORS if a != "NOW"])
def test_a_calendar_anchor_alone_means_since_then(anchor: str) -> None:
    window = RelativeWindow(anchor)
    window.check("w")
    assert window.bounds(NOW) == (anchor_time(anchor, NOW), None)


def test_bad_windows() -> None:
    for window in (
        RelativeWindow("NOW"),  # since now: nothing yet
        RelativeWindow("START_OF_DAY", 10, 5),  # ends before it starts
        RelativeWindow("START_OF_FORTNIGHT", -1),
    ):
        with pytest.raises(InvalidInput) as error:
            window.check("filter.createdWithin")
        assert error.value.field == "filter.createdWithin"
    RelativeWindow("START_OF_DAY", None, -5).check("w")  # one side alone is fine, negative or not
    RelativeWindow("NOW", 5, None).check("w")
