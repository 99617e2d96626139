"""The reads of a batch of log events (app/live/event_loading.py), merged into few statements.

The live hub reads every batch of events with their messages, authors, topics, grants, tags,
labels, readers and task copies. One statement per relation cost about 0.15-0.2 ms of CPU each
(nine per batch: 1.4-2.2 ms; three: 0.7). Here they are three, each built once (app/store/rows.py):

- the events, each with its message and the message's author (LEFT JOINs: a deleted message or
  an event with no message gives NULLs);
- the topics, each with its grants (a LEFT JOIN: `topics_with_grants_by_ids` of app/store/topics.py,
  which shares its statement with a send's access check);
- the filter facts of the messages: tags, labels, readers and task copies, one UNION ALL whose
  first column says which.

Each returns the same read-only records as one read per relation (tests/store/test_live_batches.py
compares them on both databases).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, String, bindparam, literal_column, null, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Event, Message, MessageLabel, MessageRead, MessageTag, Topic, User
from app.store.rows import record_type

_EVENTS, _MESSAGES, _USERS = Event.__table__, Message.__table__, User.__table__  # type: ignore[attr-defined]
_TOPICS = Topic.__table__  # type: ignore[attr-defined]
_TAGS, _LABELS, _READS = MessageTag.__table__, MessageLabel.__table__, MessageRead.__table__  # type: ignore[attr-defined]

_EVENT_COLUMNS, _MESSAGE_COLUMNS = list(_EVENTS.columns), list(_MESSAGES.columns)
_EVENTS_WITH_MESSAGES_AFTER = (
    select(*_EVENT_COLUMNS, *_MESSAGE_COLUMNS, *_USERS.columns)
    .select_from(_EVENTS)
    .outerjoin(_MESSAGES, _MESSAGES.c.id == _EVENTS.c.message_id)
    .outerjoin(_USERS, _USERS.c.id == _MESSAGES.c.author_id)
    .where(_EVENTS.c.position > bindparam("position"))
    .order_by(_EVENTS.c.position)
    .limit(bindparam("limit"))
)

TAG, LABEL, READER, TASK = 0, 1, 2, 3
_IDS: Any = bindparam("ids", expanding=True)
_NO_TEXT, _NO_NUMBER = type_coerce(null(), String), type_coerce(null(), Integer)
_copies = _MESSAGES.alias("copies")


def _fact(kind: int, message_id: Any, text: Any, number: Any) -> Any:
    return select(
        literal_column(str(kind), Integer).label("kind"),
        message_id.label("message_id"),
        text.label("text"),
        number.label("number"),
    )


_FACTS = union_all(
    _fact(TAG, _TAGS.c.message_id, _TAGS.c.tag, _TAGS.c.position).where(_TAGS.c.message_id.in_(_IDS)),
    _fact(LABEL, _LABELS.c.message_id, _LABELS.c.text, _LABELS.c.position).where(
        _LABELS.c.message_id.in_(_IDS)
    ),
    _fact(READER, _READS.c.message_id, _NO_TEXT, _READS.c.user_id).where(_READS.c.message_id.in_(_IDS)),
    _fact(TASK, _copies.c.copied_from_id, _TOPICS.c.path, _NO_NUMBER)
    .join(_TOPICS, _TOPICS.c.id == _copies.c.topic_id)
    .where(_copies.c.copied_from_id.in_(_IDS)),
).order_by(  # tags and labels in their order: position, then text
    literal_column("kind"), literal_column("message_id"), literal_column("number"), literal_column("text")
)


async def events_with_messages_after(
    session: AsyncSession, *, position: int, limit: int
) -> list[tuple[Event, Message | None, User | None]]:
    """The events after `position` in log order, each with its message (None once deleted, or for
    an event with none) and the message's author, as read-only records."""
    rows = (await session.execute(_EVENTS_WITH_MESSAGES_AFTER, {"position": position, "limit": limit})).all()
    event, message, user = record_type(Event)._make, record_type(Message)._make, record_type(User)._make
    first, second = len(_EVENT_COLUMNS), len(_EVENT_COLUMNS) + len(_MESSAGE_COLUMNS)
    out = []
    for row in rows:
        has_message = row[first] is not None  # the message's id
        out.append(
            (
                event(row[:first]),
                message(row[first:second]) if has_message else None,
                user(row[second:]) if has_message and row[second] is not None else None,
            )
        )
    return out


@dataclass
class FactRows:
    """What filters look at of each message, beside its columns."""

    tags: dict[int, list[str]] = field(default_factory=dict)  # by position: as they appear in the text
    labels: dict[int, list[str]] = field(default_factory=dict)  # label texts, by position, then text
    readers: dict[int, set[int]] = field(default_factory=dict)
    task_paths: dict[int, set[str]] = field(default_factory=dict)  # topics holding a task copy


async def fact_rows_by_message_ids(session: AsyncSession, *, ids: Sequence[int]) -> FactRows:
    """Tags, labels, readers and task copies of these messages, in one statement."""
    out = FactRows()
    if not ids:
        return out
    for kind, message_id, text, number in (await session.execute(_FACTS, {"ids": list(set(ids))})).all():
        if kind == TAG:
            out.tags.setdefault(message_id, []).append(text)
        elif kind == LABEL:
            out.labels.setdefault(message_id, []).append(text)
        elif kind == READER:
            out.readers.setdefault(message_id, set()).add(number)
        else:
            out.task_paths.setdefault(message_id, set()).add(text)
    return out
