"""Events as the live path sees them: each log row with its message, audience and filter facts.

Everything is loaded once per batch of log rows, in three statements (app/store/live_batches.py)
and one per relation that only some events have, so a subscription only runs predicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.read_rules import TopicAudience, event_readable_by, event_readable_where
from app.core.auth import Viewer
from app.domain.topic_paths import private_owner
from app.filters import MessageFacts
from app.filters.before_facts import facts_before
from app.models import Message, Topic, User
from app.store import announcements as announcement_store
from app.store import conversations as conversation_store
from app.store import live_batches
from app.store import notices as notice_store
from app.store import topics as topic_store
from app.store import users as user_store


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
        """The read rule for live events lives in access.read_rules, beside its message twins."""
        return event_readable_by(self, viewer)

    def readable_where(self, viewer: Viewer | None, *, before: bool) -> bool:
        """readable_by, in one place only: a moved message where it is now, or where it was."""
        return event_readable_where(self, viewer, before=before)


async def read_events(
    session: AsyncSession, *, after: int, limit: int, until: int | None = None
) -> list[LiveEvent]:
    """The events after position `after` (at most `limit`, none past `until`), each with its
    message, audience and filter facts: three statements for the batch (app/store/live_batches.py),
    and one per relation that only some events have (participants, notices, translations,
    announcements)."""
    read = await live_batches.events_with_messages_after(session, position=after, limit=limit)
    if until is not None:
        read = [entry for entry in read if entry[0].position <= until]
    if not read:
        return []
    rows = [r for r, _, _ in read]
    messages = {m.id: m for _, m, _ in read if m is not None and m.id is not None}
    authors = {u.id: u for _, _, u in read if u is not None and u.id is not None}
    participants = await conversation_store.participant_ids_by_conversation_ids(
        session, ids=[r.conversation_id for r in rows if r.conversation_id is not None]
    )
    notices = [m for m in messages.values() if m.conversation_id is None and m.topic_id is None]
    delivered = await notice_store.delivered_user_ids(
        session, ids=[m.id for m in notices if m.id is not None]
    )
    topic_ids = {r.topic_id for r in rows if r.topic_id is not None}
    topic_ids |= {r.data["fromTopicId"] for r in rows if r.data.get("fromTopicId")}
    with_grants = await topic_store.topics_with_grants_by_ids(session, ids=list(topic_ids))
    topics = {i: topic for i, (topic, _) in with_grants.items()}
    facts = await load_facts(session, list(messages.values()), topics, authors)
    translations = await notice_store.translations_by_message_ids(
        session,
        ids=[i for i, m in messages.items() if m.translated],  # the flag says whether any exist
    )
    announcement_groups = await announcement_store.audience_by_ids(
        session, ids=[r.announcement_id for r in rows if r.announcement_id is not None]
    )
    audiences = {i: TopicAudience(t, tuple(grants)) for i, (t, grants) in with_grants.items()}
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
    session: AsyncSession,
    messages: list[Message],
    topics: dict[int, Topic] | None = None,
    authors: dict[int, User] | None = None,
) -> dict[int, MessageFacts]:
    """What the filter predicate needs of each message: one statement for its tags, labels, readers
    and task copies, and none for the topics and authors given."""
    ids = [m.id for m in messages if m.id is not None]
    if not ids:
        return {}
    missing = [m.topic_id for m in messages if m.topic_id is not None and m.topic_id not in (topics or {})]
    topics = {**(topics or {}), **await topic_store.topic_records_by_ids(session, ids=missing)}
    missing_authors = [m.author_id for m in messages if m.author_id not in (authors or {})]
    authors = {**(authors or {}), **await user_store.user_records_by_ids(session, ids=missing_authors)}
    rows = await live_batches.fact_rows_by_message_ids(session, ids=ids)
    return {
        m.id: MessageFacts(
            message=m,
            topic_path=topics[m.topic_id].path if m.topic_id in topics else None,
            author_key=authors[m.author_id].username_key if m.author_id in authors else "",
            tags=tuple(rows.tags.get(m.id, ())),
            labels=tuple(rows.labels.get(m.id, ())),
            reader_ids=frozenset(rows.readers.get(m.id, ())),
            task_owner_keys=frozenset(
                (private_owner(p) or "").lower()
                for p in rows.task_paths.get(m.id, ())
                if p.endswith("/Tasks")
            ),
        )
        for m in messages
        if m.id is not None
    }
