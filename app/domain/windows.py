"""Calendar-relative time windows (Tat's last*, lastHour* and dateRef* + deltas), in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.errors import InvalidInput

ANCHORS = (
    "NOW",
    "START_OF_MINUTE",
    "START_OF_HOUR",
    "START_OF_DAY",
    "START_OF_WEEK",
    "START_OF_MONTH",
    "START_OF_QUARTER",
    "START_OF_YEAR",
)


@dataclass(frozen=True)
class RelativeWindow:
    anchor: str = "NOW"
    from_offset_seconds: int | None = None
    to_offset_seconds: int | None = None

    def check(self, field: str) -> None:
        if self.anchor not in ANCHORS:
            raise InvalidInput(f"Unknown anchor {self.anchor}.", field=field)
        if self.anchor == "NOW" and self.from_offset_seconds is None and self.to_offset_seconds is None:
            raise InvalidInput(
                "A window anchored at NOW needs fromOffsetSeconds or toOffsetSeconds.", field=field
            )
        if (
            self.from_offset_seconds is not None
            and self.to_offset_seconds is not None
            and self.from_offset_seconds > self.to_offset_seconds
        ):
            raise InvalidInput("The window ends before it starts.", field=field)

    def bounds(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """[start, end] at `now`; None is open.

        An offset given alone leaves the other side open (Tat's `lastHourMaxCreation` and
        `dateRefDeltaMax*` alone mean "up to", `lastHourMinCreation` and `dateRefDeltaMin*` "from");
        without offsets a calendar anchor means "since then" (Tat's `dateRefCreation` alone)."""
        base = anchor_time(self.anchor, now)
        start_offset, end_offset = self.from_offset_seconds, self.to_offset_seconds
        if start_offset is None and end_offset is None:
            start_offset = 0  # a calendar anchor alone (NOW alone is refused by `check`)
        start = base + timedelta(seconds=start_offset) if start_offset is not None else None
        end = base + timedelta(seconds=end_offset) if end_offset is not None else None
        return start, end


def anchor_time(anchor: str, now: datetime) -> datetime:
    if anchor == "NOW":
        return now
    t = now.replace(second=0, microsecond=0)
    if anchor == "START_OF_MINUTE":
        return t
    t = t.replace(minute=0)
    if anchor == "START_OF_HOUR":
        return t
    t = t.replace(hour=0)
    if anchor == "START_OF_DAY":
        return t
    if anchor == "START_OF_WEEK":
        return t - timedelta(days=t.weekday())  # weeks start on Monday
    if anchor == "START_OF_MONTH":
        return t.replace(day=1)
    if anchor == "START_OF_QUARTER":
        return t.replace(day=1, month=(t.month - 1) // 3 * 3 + 1)
    return t.replace(day=1, month=1)
