"""Live delivery: one log reader per process fans events out to local subscriptions.

The hub reads the event log once per hint (or per safety tick) and hands each event, with
the message row and the audience already loaded, to every subscription; a subscription only
runs a cheap predicate. Nothing here re-executes per subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import READ, topic_level
from app.auth import Viewer
from app.db import Database
from app.filters import MessageFacts
from app.models import Message, Topic, TopicAccess
from app.store import conversations as conversation_store
from app.store import events as event_store
from app.store import message_meta
from app.store import messages as message_store
from app.store import reads as read_store
from app.store import topics as topic_store
from app.store import users as user_store
from app.topic_paths import private_owner

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class LiveEvent:
    position: int
    kind: str
    message_id: int
    conversation_id: int | None
    actor_id: int | None
    at: datetime
    data: dict[str, Any]
    message: Message | None  # the current row; None once deleted
    audience: frozenset[int]  # conversation events: the participants
    topics: tuple[TopicAudience, ...] = ()  # topic events: the topic (and, when moved, the old one)
    facts: MessageFacts | None = None  # what filters look at; None once deleted

    def readable_by(self, viewer: Viewer | None) -> bool:
        if self.conversation_id is not None:
            return viewer is not None and viewer.user_id in self.audience
        return any(topic_level(viewer, t.topic, t.grants) >= READ for t in self.topics)


@dataclass(frozen=True)
class TopicAudience:
    topic: Topic
    grants: tuple[TopicAccess, ...]


class SubscriptionClosed(Exception):
    """The subscription fell too far behind; resubscribe (from a cursor once supported)."""


class LiveSubscription:
    def __init__(self, hub: LiveHub, accepts: Callable[[LiveEvent], bool], after: int, size: int) -> None:
        self._hub = hub
        self._accepts = accepts
        self.after = after
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def offer(self, event: LiveEvent) -> None:
        if event.position <= self.after or self.overflowed or not self._accepts(event):
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            self._queue = asyncio.Queue(maxsize=1)
            self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[LiveEvent]:
        try:
            while True:
                event = await self._queue.get()
                if event is None:
                    raise SubscriptionClosed("The subscriber fell behind and was closed.")
                yield event
        finally:
            self._hub._subscriptions.discard(self)


class LiveHub:
    def __init__(self, db: Database, *, poll_seconds: float, queue_size: int) -> None:
        self._db = db
        self._poll_seconds = poll_seconds
        self._queue_size = queue_size
        self._subscriptions: set[LiveSubscription] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.position = 0

    async def start(self) -> None:
        async with self._db.read() as session:
            self.position = await event_store.last_position(session)
        self._task = asyncio.create_task(self._run(), name="parley-live-hub")

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def hint(self, position: int) -> None:
        if position > self.position:
            self._wake.set()

    def gap(self) -> None:
        self._wake.set()

    def subscribe(self, accepts: Callable[[LiveEvent], bool]) -> LiveSubscription:
        sub = LiveSubscription(self, accepts, self.position, self._queue_size)
        self._subscriptions.add(sub)
        return sub

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                async with asyncio.timeout(self._poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.catch_up()
            except Exception:
                log.exception("live hub failed to read the event log; retrying")
                await asyncio.sleep(min(self._poll_seconds, 1.0))

    async def catch_up(self) -> None:
        while True:
            events = await self._load(self.position)
            for event in events:
                for sub in list(self._subscriptions):
                    sub.offer(event)
                self.position = event.position
            if len(events) < BATCH:
                return

    async def _load(self, after: int) -> list[LiveEvent]:
        async with self._db.read() as session:
            rows = await event_store.events_after(session, position=after, limit=BATCH)
            if not rows:
                return []
            messages = await message_store.messages_by_ids(session, ids=[r.message_id for r in rows])
            participants = await conversation_store.participant_ids_by_conversation_ids(
                session, ids=[r.conversation_id for r in rows if r.conversation_id is not None]
            )
            topic_ids = {r.topic_id for r in rows if r.topic_id is not None}
            topic_ids |= {r.data["fromTopicId"] for r in rows if r.data.get("fromTopicId")}
            topics = await topic_store.topics_by_ids(session, ids=list(topic_ids))
            grants = await topic_store.grants_by_topic_ids(session, ids=list(topics))
            facts = await load_facts(session, list(messages.values()), topics)
        audiences = {i: TopicAudience(t, tuple(grants.get(i, ()))) for i, t in topics.items()}
        return [
            LiveEvent(
                position=r.position,
                kind=r.kind,
                message_id=r.message_id,
                conversation_id=r.conversation_id,
                actor_id=r.actor_id,
                at=r.at,
                data=r.data,
                message=messages.get(r.message_id),
                audience=frozenset(participants.get(r.conversation_id, ()))
                if r.conversation_id
                else frozenset(),
                topics=tuple(
                    audiences[i]
                    for i in (r.topic_id, r.data.get("fromTopicId"))
                    if i is not None and i in audiences
                ),
                facts=facts.get(r.message_id),
            )
            for r in rows
        ]


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
