"""Typed event records and the one `record` every action uses to append them to the durable log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.db import UnitOfWork
from app.domain.event_kinds import ANNOUNCEMENT_KINDS, MESSAGE_KINDS, EventKind
from app.filters.before_facts import Snapshot, note_before
from app.models import Event, Message
from app.store import events as event_store

__all__ = ["AnnouncementEventDraft", "EventKind", "MessageEventDraft", "record"]


@dataclass(frozen=True)
class MessageEventDraft:
    kind: EventKind
    message: Message
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        assert self.message.id is not None and self.kind in MESSAGE_KINDS, self.kind
        return {
            "kind": self.kind.value,
            "message_id": self.message.id,
            "conversation_id": self.message.conversation_id,
            "topic_id": self.message.topic_id,
            "actor_id": self.actor_id,
            "data": self.data,
        }


@dataclass(frozen=True)
class AnnouncementEventDraft:
    """`data` carries the audience and owner of that moment: a withdrawn announcement's rows are gone
    when the live path reads the event, and its audience must still hear of it."""

    kind: EventKind
    announcement_id: int
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        assert self.kind in ANNOUNCEMENT_KINDS, self.kind
        return {
            "kind": self.kind.value,
            "message_id": None,
            "announcement_id": self.announcement_id,
            "conversation_id": None,
            "topic_id": None,
            "actor_id": self.actor_id,
            "data": self.data,
        }


async def record(
    uow: UnitOfWork,
    drafts: Sequence[MessageEventDraft | AnnouncementEventDraft],
    *,
    at: datetime,
    before: dict[int, Snapshot] | None = None,
) -> list[Event]:
    """Append events in the caller's transaction; the hint is published after commit.

    `before`: the filter facts of the changed messages taken before the change (filters.changes);
    each event keeps what differs now, so filters can match the message as it was."""
    events = [d.as_row() for d in drafts]
    if before:
        await note_before(uow.session, events, before)
    rows = await event_store.append_events(uow.session, events=events, at=at)
    if rows:
        uow.note_event_position(rows[-1].position)
    return rows
