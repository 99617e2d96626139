"""Typed event records and the API actions use to append them to the durable log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.core.db import UnitOfWork
from app.filters.before_facts import Snapshot, note_before
from app.models import Event, Message
from app.store import events as event_store


class EventKind(StrEnum):
    ADDED = "ADDED"
    EDITED = "EDITED"
    MOVED = "MOVED"
    DELETED = "DELETED"
    LABELED = "LABELED"
    REACTED = "REACTED"
    LIKED = "LIKED"
    VOTED = "VOTED"
    READ = "READ"
    TASK = "TASK"  # the actor's task list gained or lost a copy of the message (private to them)


@dataclass(frozen=True)
class MessageEventDraft:
    kind: EventKind
    message: Message
    actor_id: int | None
    data: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        assert self.message.id is not None
        return {
            "kind": self.kind.value,
            "message_id": self.message.id,
            "conversation_id": self.message.conversation_id,
            "topic_id": self.message.topic_id,
            "actor_id": self.actor_id,
            "data": self.data,
        }


async def record(
    uow: UnitOfWork,
    drafts: list[MessageEventDraft],
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
