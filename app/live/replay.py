"""Resumable event streams: replay the log after a cursor, then go live, with no gap and no duplicate.

A stream registers with the live hub first (remembering the hub's position P), replays the log
from its cursor up to P in pages, then takes live events (all after P). When its queue overflows
(a slow consumer), it does not buffer without bound: it drops the live queue and goes back to
reading the log from its last delivered position.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, overload

from app.core.db import Database
from app.domain.errors import CursorExpired, InvalidInput
from app.live.event_loading import LiveEvent, read_events
from app.live.hub import BATCH, LiveHub, LiveSubscription, SubscriptionClosed
from app.models import utcnow
from app.store import events as event_store

_PREFIX = "ev1:"
EXPIRED = "Events after this cursor are no longer kept: refetch, then subscribe without `after`."


def encode_event_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode()


def decode_event_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith(_PREFIX) or not raw[len(_PREFIX) :].isdigit():
        raise InvalidInput("This is not a cursor of this server's event stream.", field="after")
    return int(raw[len(_PREFIX) :])


async def check_cursor(db: Database, position: int) -> None:
    """InvalidInput for a position never handed out; CursorExpired when events after it were pruned."""
    async with db.read() as session:
        oldest, last = await event_store.log_bounds(session)
    if position > last:
        raise InvalidInput(
            "This cursor is ahead of the event log: it is not from this server.", field="after"
        )
    if position < last and (oldest is None or oldest > position + 1):
        raise CursorExpired(EXPIRED)


async def replay_log(
    db: Database, after: int, until: int, accepts: Callable[[LiveEvent], bool]
) -> AsyncIterator[LiveEvent]:
    position = after
    while position < until:
        async with db.read() as session:
            events = await read_events(session, after=position, limit=BATCH, until=until)
        if not events or events[0].position != position + 1:
            # positions have no holes but the pruned prefix: the next one is gone, so was pruned
            # since the cursor was checked (or while a slow subscriber was away)
            raise CursorExpired(EXPIRED)
        for event in events:
            position = event.position
            if accepts(event):
                yield event


@dataclass(frozen=True, slots=True)
class Handoff:
    """The end of a stream that hands its live part over (app.live.direct): the hub's
    subscription, and the position of the last event the stream gave or passed over."""

    subscription: LiveSubscription
    position: int


@overload
def event_stream(
    db: Database,
    hub: LiveHub,
    accepts: Callable[[LiveEvent], bool],
    *,
    after: int | None,
    hand_off: Literal[False] = False,
) -> AsyncIterator[LiveEvent]: ...


@overload
def event_stream(
    db: Database, hub: LiveHub, accepts: Callable[[LiveEvent], bool], *, after: int | None, hand_off: bool
) -> AsyncIterator[LiveEvent | Handoff]: ...


async def event_stream(  # type: ignore[misc]
    db: Database,
    hub: LiveHub,
    accepts: Callable[[LiveEvent], bool],
    *,
    after: int | None,
    hand_off: bool = False,
) -> AsyncIterator[LiveEvent | Handoff]:
    """Every accepted event after `after` (or from now), in log order, exactly once; with
    `hand_off`, the replayed ones, then a Handoff for whoever takes the live ones."""
    position = after
    while True:
        subscription = hub.subscribe(accepts)
        if position is None:
            position = subscription.after
        try:
            async for event in replay_log(db, position, subscription.after, accepts):
                position = event.position
                yield event
            position = max(position, subscription.after)
            if hand_off:
                yield Handoff(subscription, position)
                return
            async for event in subscription:
                position = event.position
                yield event
        except SubscriptionClosed:
            continue  # fell behind: read the log from `position` again, then rejoin
        finally:
            subscription.close()


async def prune(db: Database, retention_seconds: float, *, now: datetime | None = None) -> int:
    """Forget the prefix of the log older than the retention (by position, see prune_before); a
    cursor inside it then gets CURSOR_EXPIRED, one at its boundary resumes with nothing missing."""
    async with db.write() as uow:
        return await event_store.prune_before(
            uow.session, before=(now or utcnow()) - timedelta(seconds=retention_seconds)
        )
