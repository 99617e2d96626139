"""Events as the live path sees them: each log row with its message, audience and filter facts.

Everything is loaded once per batch of log rows, in one query per relation, so a subscription
only runs predicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.places import READ, topic_level
from app.core.auth import Viewer
from app.domain.event_kinds import EventKind
from app.domain.topic_paths import private_owner
from app.filters import MessageFacts
from app.filters.before_facts import facts_before
from app.models import Event, Message, Topic, TopicAccess, User
from app.store import announcements as announcement_store
from app.store import conversations as conversation_store
from app.store import message_meta
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import read_state as read_store
from app.store import topics as topic_store
from app.store import users as user_store


@dataclass(frozen=True)
class TopicAudience:
    topic: Topic
    grants: tuple[TopicAccess, ...]


@dataclass(frozen=True)
class LiveEvent:
    position: int
    kind: str
    message_id: int | None
    conversation_id: int | None
    actor_id: int | None
    at: datetime
    data: dict[str, Any]
    message: Message | None = None  # the current row; None once deleted
    audience: frozenset[int] = frozenset()  # conversation participants, or a notice's author and recipients
    topics: tuple[TopicAudience, ...] = ()  # topic events: the topic (and, when moved, the old one)
    facts: MessageFacts | None = None  # what filters look at; None once deleted
    facts_before: MessageFacts | None = None  # the same before the change, when it changed any
    translations: dict[str, str] | None = None  # the message's, loaded once for every subscriber
    author: User | None = None  # likewise
    announcement_id: int | None = None
    audience_groups: frozenset[int] = frozenset()  # announcement events: its audience then
    announcement_owner: tuple[str, int] = ("", 0)  # and its owner then ("user" | "group", id)

    @property
    def topic_path(self) -> str | None:
        return self.topics[0].topic.path if self.topics else None

    def readable_by(self, viewer: Viewer | None) -> bool:
        if (self.kind == EventKind.READ and self.conversation_id is None) or self.kind == EventKind.TASK:
            # read state in topics and inboxes is private, and so is a task list; in
            # conversations a READ is a read receipt
            if viewer is None or viewer.user_id != self.actor_id:
                return False
            if self.kind == EventKind.READ:
                return True
        if self.announcement_id is not None:  # its audience, its owner (user or group) and admins
            return viewer is not None and (
                bool(self.audience_groups & viewer.group_ids)
                or viewer.is_admin
                or self.announcement_owner == ("user", viewer.user_id)
                or (self.announcement_owner[0] == "group" and self.announcement_owner[1] in viewer.group_ids)
            )
        if self.topics:
            return any(topic_level(viewer, t.topic, t.grants) >= READ for t in self.topics)
        return viewer is not None and viewer.user_id in self.audience

    def readable_where(self, viewer: Viewer | None, *, before: bool) -> bool:
        """readable_by, in one place only: a moved message where it is now, or where it was."""
        if len(self.topics) < 2 or self.kind != EventKind.MOVED:
            return self.readable_by(viewer)
        place = self.topics[-1] if before else self.topics[0]
        return topic_level(viewer, place.topic, place.grants) >= READ


async def load_events(session: AsyncSession, rows: list[Event]) -> list[LiveEvent]:
    if not rows:
        return []
    message_ids = [r.message_id for r in rows if r.message_id is not None]
    messages = await message_store.messages_by_ids(session, ids=message_ids)
    participants = await conversation_store.participant_ids_by_conversation_ids(
        session, ids=[r.conversation_id for r in rows if r.conversation_id is not None]
    )
    notices = [m for m in messages.values() if m.conversation_id is None and m.topic_id is None]
    delivered = await notice_store.delivered_user_ids(
        session, ids=[m.id for m in notices if m.id is not None]
    )
    topic_ids = {r.topic_id for r in rows if r.topic_id is not None}
    topic_ids |= {r.data["fromTopicId"] for r in rows if r.data.get("fromTopicId")}
    topics = await topic_store.topics_by_ids(session, ids=list(topic_ids))
    grants = await topic_store.grants_by_topic_ids(session, ids=list(topics))
    facts = await load_facts(session, list(messages.values()), topics)
    translations = await notice_store.translations_by_message_ids(session, ids=list(messages))
    authors = await user_store.users_by_ids(session, ids=list({m.author_id for m in messages.values()}))
    announcement_groups = await announcement_store.audience_by_ids(
        session, ids=[r.announcement_id for r in rows if r.announcement_id is not None]
    )
    audiences = {i: TopicAudience(t, tuple(grants.get(i, ()))) for i, t in topics.items()}
    events = []
    for r in rows:
        current = facts.get(r.message_id) if r.message_id is not None else None
        message = messages.get(r.message_id) if r.message_id is not None else None
        if r.data.get("inboxOnly"):  # a notice one recipient deleted: gone for them alone
            message = None
        if r.conversation_id is not None:
            audience = frozenset(participants.get(r.conversation_id, ()))
        elif message is not None and message.id in delivered:
            audience = frozenset({message.author_id, *delivered[message.id]})
        elif message is None and r.data.get("audience"):  # a deleted notice: who had it
            audience = frozenset(r.data["audience"])
        else:
            audience = frozenset()
        events.append(
            LiveEvent(
                position=r.position,
                kind=r.kind,
                message_id=r.message_id,
                conversation_id=r.conversation_id,
                actor_id=r.actor_id,
                at=r.at,
                data=r.data,
                message=message,
                audience=audience,
                topics=tuple(audiences[i] for i in (r.topic_id, r.data.get("fromTopicId")) if i in audiences),
                facts=current if message is not None else None,
                facts_before=facts_before(current, r.data, kind=r.kind, actor_id=r.actor_id)
                if message is not None and current is not None
                else None,
                translations=translations.get(message.id or 0, {}) if message is not None else None,
                author=authors.get(message.author_id) if message is not None else None,
                announcement_id=r.announcement_id,
                audience_groups=frozenset(
                    r.data.get("audienceGroups", announcement_groups.get(r.announcement_id, ()))
                )
                if r.announcement_id
                else frozenset(),
                announcement_owner=(str(owner[0]), int(owner[1]))
                if (owner := r.data.get("owner"))
                else ("", 0),
            )
        )
    return events


async def load_facts(
    session: AsyncSession, messages: list[Message], topics: dict[int, Topic] | None = None
) -> dict[int, MessageFacts]:
    """What the filter predicate needs of each message, in one query per relation."""
    ids = [m.id for m in messages if m.id is not None]
    if not ids:
        return {}
    missing = [m.topic_id for m in messages if m.topic_id is not None and m.topic_id not in (topics or {})]
    topics = {**(topics or {}), **await topic_store.topics_by_ids(session, ids=missing)}
    tags = await message_meta.tags_by_message_ids(session, ids=ids)
    labels = await message_meta.labels_by_message_ids(session, ids=ids)
    authors = await user_store.users_by_ids(session, ids=[m.author_id for m in messages])
    readers = await read_store.reader_ids_by_message_ids(session, ids=ids)
    task_paths = await message_meta.task_paths_by_message_ids(session, ids=ids)
    return {
        m.id: MessageFacts(
            message=m,
            topic_path=topics[m.topic_id].path if m.topic_id in topics else None,
            author_key=authors[m.author_id].username_key if m.author_id in authors else "",
            tags=tuple(tags.get(m.id, ())),
            labels=tuple(label.text for label in labels.get(m.id, ())),
            reader_ids=frozenset(readers.get(m.id, ())),
            task_owner_keys=frozenset(
                (private_owner(p) or "").lower() for p in task_paths.get(m.id, ()) if p.endswith("/Tasks")
            ),
        )
        for m in messages
        if m.id is not None
    }
