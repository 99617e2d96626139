"""Who may read what, in both its forms side by side: in memory (Python) and in SQL.

Topic levels: 0 none, 1 read, 2 write (implies read), 3 admin (implies write). A read-only
topic is readable by anyone, even anonymous, and writable by its admins only. System admins
administer every topic except other users' private spaces.

- A topic message: whoever has at least read level on its topic (`topic_level`,
  `readable_topics_clause`).
- A conversation message: the conversation's participants.
- A notice (neither topic nor conversation): its author and its recipients.
- A live event: as its message, where it is now or (moved) where it was; read state and task
  lists only to their owner; announcement events to the audience, the owner and admins.

Each in-memory rule has its SQL twin just below it; change them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import ADMIN_RIGHT, Viewer
from app.domain.event_kinds import EventKind
from app.domain.topic_paths import PRIVATE_ROOT, private_owner
from app.models import ConversationParticipant, Message, Topic, TopicAccess
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import topics as topic_store

NONE, READ, WRITE, ADMIN = 0, 1, 2, 3
USER, GROUP = topic_store.USER, topic_store.GROUP  # kinds of principal in a grant


def topic_level(viewer: Viewer | None, topic: Topic, grants: Sequence[TopicAccess]) -> int:
    level = NONE
    if viewer is not None:
        for g in grants:
            if (g.principal_kind == USER and g.principal_id == viewer.user_id) or (
                g.principal_kind == GROUP and g.principal_id in viewer.group_ids
            ):
                level = max(level, g.role)
        if viewer.is_admin and private_owner(topic.path) in (None, viewer.username):
            level = ADMIN
    if topic.read_only:
        level = ADMIN if level == ADMIN else READ
    return level


def may_see_groups(viewer: Viewer | None) -> bool:
    """Group names and memberships are a directory for signed-in users (as in Tat: any user may
    grant a topic to any group); anonymous readers of public topics see none of it."""
    return viewer is not None


def _who(viewer: Viewer | None) -> Viewer | None:
    """The viewer as far as a read rule's SQL depends on it (its cache key): no token, no locale,
    of the rights only admin."""
    if viewer is None:
        return None
    rights = frozenset({ADMIN_RIGHT}) if viewer.is_admin else frozenset()
    return Viewer(user_id=viewer.user_id, username=viewer.username, rights=rights, group_ids=viewer.group_ids)


def readable_topics_clause(viewer: Viewer | None) -> ColumnElement[bool]:
    """The SQL twin of `topic_level(...) >= READ` over the topics table (Topic.id).

    Built once per kind of viewer and reused (an immutable expression): building it cost more
    than the query it goes into, and a reused expression keeps SQLAlchemy's cache key memoized."""
    return _readable_topics_clause(_who(viewer))


@lru_cache(maxsize=4096)
def _readable_topics_clause(viewer: Viewer | None) -> ColumnElement[bool]:
    grants = []
    if viewer is not None:
        grants.append(and_(TopicAccess.principal_kind == USER, TopicAccess.principal_id == viewer.user_id))
    if viewer is not None and viewer.group_ids:
        grants.append(
            and_(TopicAccess.principal_kind == GROUP, TopicAccess.principal_id.in_(sorted(viewer.group_ids)))
        )
    clauses: list[ColumnElement[bool]] = [Topic.read_only.is_(True)]
    if grants:
        clauses.append(exists().where(TopicAccess.topic_id == Topic.id, or_(*grants)))
    if viewer is not None and viewer.is_admin:  # every topic but other users' private spaces
        mine = f"{PRIVATE_ROOT}/{viewer.username}"
        clauses.append(
            or_(
                ~Topic.path.startswith(PRIVATE_ROOT + "/", autoescape=True),
                Topic.path == mine,
                Topic.path.startswith(mine + "/", autoescape=True),
            )
        )
    return or_(*clauses)


async def topic_levels(
    session: AsyncSession, viewer: Viewer | None, topics: Sequence[Topic]
) -> dict[int, int]:
    ids = [t.id for t in topics if t.id is not None]
    grants = await topic_store.grants_by_topic_ids(session, ids=ids)
    return {t.id: topic_level(viewer, t, grants.get(t.id, [])) for t in topics if t.id is not None}


async def readable_message_ids(
    session: AsyncSession, viewer: Viewer | None, messages: list[Message]
) -> set[int]:
    """Ids of those `messages` the viewer may read (one query per kind of place)."""
    conversation_ids = {m.conversation_id for m in messages if m.conversation_id is not None}
    participants = (
        await conversation_store.participant_ids_by_conversation_ids(session, ids=list(conversation_ids))
        if viewer is not None
        else {}
    )
    notice_ids = [
        m.id for m in messages if m.conversation_id is None and m.topic_id is None and m.id is not None
    ]
    delivered = (
        await notice_store.delivered_user_ids(session, ids=notice_ids) if viewer and notice_ids else {}
    )
    topic_ids = {m.topic_id for m in messages if m.topic_id is not None}
    topics = await topic_store.topics_by_ids(session, ids=list(topic_ids))
    levels = await topic_levels(session, viewer, list(topics.values()))
    out: set[int] = set()
    for m in messages:
        if m.id is None:
            continue
        if m.conversation_id is not None and viewer is not None:
            if viewer.user_id in participants.get(m.conversation_id, ()):
                out.add(m.id)
        elif m.topic_id is not None and levels.get(m.topic_id, NONE) >= READ:
            out.add(m.id)
        elif (
            m.conversation_id is None
            and m.topic_id is None
            and viewer is not None
            and (m.author_id == viewer.user_id or viewer.user_id in delivered.get(m.id, ()))
        ):
            out.add(m.id)  # a notice: its author and recipients
    return out


async def readable_messages_by_ids(
    session: AsyncSession, viewer: Viewer | None, ids: Sequence[int]
) -> dict[int, Message]:
    """The messages among `ids` the viewer may read, in one statement (the SQL rule below), as
    read-only records (app/store/rows.py)."""
    return await message_store.message_records_by_ids(
        session, ids=ids, where=readable_messages_clause(viewer)
    )


def readable_messages_clause(viewer: Viewer | None) -> ColumnElement[bool]:
    """The SQL twin of `readable_message_ids` over the messages table (built once per kind of
    viewer, like readable_topics_clause)."""
    return _readable_messages_clause(_who(viewer))


@lru_cache(maxsize=4096)
def _readable_messages_clause(viewer: Viewer | None) -> ColumnElement[bool]:
    topic_ok = and_(
        Message.topic_id.is_not(None),
        Message.topic_id.in_(select(Topic.id).where(readable_topics_clause(viewer))),
    )
    if viewer is None:
        return topic_ok
    in_conversation = and_(
        Message.conversation_id.is_not(None),
        exists().where(
            ConversationParticipant.conversation_id == Message.conversation_id,
            ConversationParticipant.user_id == viewer.user_id,
        ),
    )
    notice_ok = and_(
        Message.conversation_id.is_(None),
        Message.topic_id.is_(None),
        or_(Message.author_id == viewer.user_id, notice_store.delivered_to(viewer.user_id)),
    )
    return or_(in_conversation, topic_ok, notice_ok)


@dataclass(frozen=True)
class TopicAudience:
    """A topic and its grants, loaded once for every subscriber of a live event."""

    topic: Topic
    grants: tuple[TopicAccess, ...]

    def readable_by(self, viewer: Viewer | None) -> bool:
        return topic_level(viewer, self.topic, self.grants) >= READ


class ReadableEvent(Protocol):
    """What the read rule looks at in a live event (app.live.event_loading.LiveEvent)."""

    @property
    def kind(self) -> str: ...
    @property
    def conversation_id(self) -> int | None: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def announcement_id(self) -> int | None: ...
    @property
    def audience_groups(self) -> frozenset[int]: ...
    @property
    def announcement_owner(self) -> tuple[str, int]: ...
    @property
    def topics(self) -> tuple[TopicAudience, ...]: ...
    @property
    def audience(self) -> frozenset[int]: ...


def event_readable_by(event: ReadableEvent, viewer: Viewer | None) -> bool:
    """The in-memory rule for live events (there is no SQL twin: the live path filters in memory)."""
    if (event.kind == EventKind.READ and event.conversation_id is None) or event.kind == EventKind.TASK:
        # read state in topics and inboxes is private, and so is a task list; in
        # conversations a READ is a read receipt
        if viewer is None or viewer.user_id != event.actor_id:
            return False
        if event.kind == EventKind.READ:
            return True
    if event.announcement_id is not None:  # its audience, its owner (user or group) and admins
        owner_kind, owner_id = event.announcement_owner
        return viewer is not None and (
            bool(event.audience_groups & viewer.group_ids)
            or viewer.is_admin
            or (owner_kind, owner_id) == ("user", viewer.user_id)
            or (owner_kind == "group" and owner_id in viewer.group_ids)
        )
    if event.topics:
        return any(t.readable_by(viewer) for t in event.topics)
    return viewer is not None and viewer.user_id in event.audience


def event_readable_where(event: ReadableEvent, viewer: Viewer | None, *, before: bool) -> bool:
    """`event_readable_by`, in one place only: a moved message where it is now, or where it was."""
    if len(event.topics) < 2 or event.kind != EventKind.MOVED:
        return event_readable_by(event, viewer)
    return (event.topics[-1] if before else event.topics[0]).readable_by(viewer)
