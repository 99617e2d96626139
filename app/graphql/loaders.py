"""One DataLoader per relation, built per request (or per websocket, uncached).

Each batch opens its own short session; results are lined up with the keys. This is the only
GraphQL module that touches the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from app.access.places import readable_message_ids, topic_levels
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.topic_paths import tasks_topic
from app.models import (
    Attachment,
    Conversation,
    Group,
    Message,
    MessageLabel,
    MessageRevision,
    Reaction,
    Topic,
    User,
)
from app.store import announcements as announcement_store
from app.store import conversations as conversation_store
from app.store import groups as group_store
from app.store import message_meta
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import reactions as reaction_store
from app.store import read_state as read_store
from app.store import topics as topic_store
from app.store import users as user_store

K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    def __init__(self, db: Database, viewer: Viewer | None, *, cache: bool = True) -> None:
        self._db = db
        self._cache = cache
        self.viewer = viewer
        self.user = self._make(self._users)
        self.rights = self._make(self._rights)
        self.conversation = self._make(self._conversations)
        self.participant_ids = self._make(self._participant_ids)
        self.last_message_id = self._make(self._last_message_ids)
        self.unread_count = self._make(self._unread_counts)
        self.message = self._make(self._readable_messages)
        self.reactions = self._make(self._reactions)
        self.attachments = self._make(self._attachments)
        self.revisions = self._make(self._revisions)
        self.read_at = self._make(self._read_at)
        self.topic = self._make(self._topics)
        self.topic_level = self._make(self._topic_levels)
        self.topic_grants = self._make(self._topic_grants)
        self.tags = self._make(self._tags)
        self.labels = self._make(self._labels)
        self.mention_ids = self._make(self._mention_ids)
        self.liker_ids = self._make(self._liker_ids)
        self.viewer_vote = self._make(self._viewer_votes)
        self.is_task = self._make(self._task_flags)
        self.group = self._make(self._groups)
        self.member_ids = self._make(self._member_ids)
        self.group_ids = self._make(self._group_ids)
        self.translations = self._make(self._translations)
        self.recipients = self._make(self._recipients)
        self.announcement_texts = self._make(self._announcement_texts)
        self.announcement_audience = self._make(self._announcement_audience)
        self.confirmed_versions = self._make(self._confirmed_versions)

    def _make(self, fn: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
        return DataLoader(load_fn=fn, cache=self._cache)

    def set_viewer(self, viewer: Viewer | None) -> None:
        """Websocket contexts learn the viewer at connection_init."""
        self.viewer = viewer

    def prime_message(self, message: Message) -> None:
        if self._cache and message.id is not None:
            self.message.prime(message.id, message)

    @property
    def _viewer_id(self) -> int | None:
        return self.viewer.user_id if self.viewer else None

    async def _users(self, ids: Sequence[int]) -> list[User | None]:
        async with self._db.read() as s:
            found = await user_store.users_by_ids(s, ids=ids)
        return [found.get(i) for i in ids]

    async def _rights(self, ids: Sequence[int]) -> list[list[str]]:
        async with self._db.read() as s:
            found = await user_store.rights_by_user_ids(s, ids=ids)
        return [found.get(i, []) for i in ids]

    async def _conversations(self, ids: Sequence[int]) -> list[Conversation | None]:
        async with self._db.read() as s:
            found = await conversation_store.conversations_by_ids(s, ids=ids)
        return [found.get(i) for i in ids]

    async def _participant_ids(self, ids: Sequence[int]) -> list[list[int]]:
        async with self._db.read() as s:
            found = await conversation_store.participant_ids_by_conversation_ids(s, ids=ids)
        return [found.get(i, []) for i in ids]

    async def _last_message_ids(self, ids: Sequence[int]) -> list[int | None]:
        async with self._db.read() as s:
            found = await message_store.last_message_ids_by_conversation_ids(s, ids=ids)
        return [found.get(i) for i in ids]

    async def _unread_counts(self, ids: Sequence[int]) -> list[int]:
        if self._viewer_id is None:
            return [0 for _ in ids]
        async with self._db.read() as s:
            found = await read_store.unread_counts_by_conversation_ids(s, user_id=self._viewer_id, ids=ids)
        return [found.get(i, 0) for i in ids]

    async def _readable_messages(self, ids: Sequence[int]) -> list[Message | None]:
        async with self._db.read() as s:
            found = await message_store.messages_by_ids(s, ids=ids)
            readable = await readable_message_ids(s, self.viewer, list(found.values()))
        return [found[i] if i in readable else None for i in ids]

    async def _reactions(self, ids: Sequence[int]) -> list[list[Reaction]]:
        return await self._grouped(reaction_store.reactions_by_message_ids, ids)

    async def _attachments(self, ids: Sequence[int]) -> list[list[Attachment]]:
        return await self._grouped(message_store.attachments_by_message_ids, ids)

    async def _revisions(self, ids: Sequence[int]) -> list[list[MessageRevision]]:
        return await self._grouped(message_store.revisions_by_message_ids, ids)

    async def _read_at(self, ids: Sequence[int]) -> list[datetime | None]:
        if self._viewer_id is None:
            return [None for _ in ids]
        async with self._db.read() as s:
            found = await read_store.read_at_by_message_ids(s, user_id=self._viewer_id, ids=ids)
        return [found.get(i) for i in ids]

    async def _grouped(
        self, fn: Callable[..., Awaitable[dict[int, list[Any]]]], ids: Sequence[int]
    ) -> list[list[Any]]:
        async with self._db.read() as s:
            found = await fn(s, ids=ids)
        return [found.get(i, []) for i in ids]

    async def _topics(self, ids: Sequence[int]) -> list[Topic | None]:
        async with self._db.read() as s:
            found = await topic_store.topics_by_ids(s, ids=ids)
        return [found.get(i) for i in ids]

    async def _topic_levels(self, ids: Sequence[int]) -> list[int]:
        async with self._db.read() as s:
            topics = await topic_store.topics_by_ids(s, ids=ids)
            levels = await topic_levels(s, self.viewer, list(topics.values()))
        return [levels.get(i, 0) for i in ids]

    async def _topic_grants(self, ids: Sequence[int]) -> list[list[Any]]:
        return await self._grouped(topic_store.grants_by_topic_ids, ids)

    async def _tags(self, ids: Sequence[int]) -> list[list[str]]:
        return await self._grouped(message_meta.tags_by_message_ids, ids)

    async def _labels(self, ids: Sequence[int]) -> list[list[MessageLabel]]:
        return await self._grouped(message_meta.labels_by_message_ids, ids)

    async def _mention_ids(self, ids: Sequence[int]) -> list[list[int]]:
        return await self._grouped(message_meta.mention_ids_by_message_ids, ids)

    async def _liker_ids(self, ids: Sequence[int]) -> list[list[int]]:
        return await self._grouped(message_meta.liker_ids_by_message_ids, ids)

    async def _viewer_votes(self, ids: Sequence[int]) -> list[int | None]:
        if self._viewer_id is None:
            return [None for _ in ids]
        async with self._db.read() as s:
            found = await message_meta.votes_of_user(s, user_id=self._viewer_id, ids=ids)
        return [found.get(i) for i in ids]

    async def _task_flags(self, ids: Sequence[int]) -> list[bool]:
        if self.viewer is None:
            return [False for _ in ids]
        async with self._db.read() as s:
            tasks = await topic_store.get_topic_by_path(s, path=tasks_topic(self.viewer.username))
            flags = (
                await message_store.task_flags(s, tasks_topic_id=tasks.id, ids=ids)
                if tasks and tasks.id
                else set()
            )
        return [i in flags for i in ids]

    async def _translations(self, ids: Sequence[int]) -> list[dict[str, str]]:
        async with self._db.read() as s:
            found = await notice_store.translations_by_message_ids(s, ids=ids)
        return [found.get(i, {}) for i in ids]

    async def _recipients(self, ids: Sequence[int]) -> list[list[tuple[str, int]]]:
        return await self._grouped(notice_store.recipients_by_message_ids, ids)

    async def _announcement_texts(self, ids: Sequence[int]) -> list[dict[str, dict[str, str]]]:
        async with self._db.read() as s:
            found = await announcement_store.texts_by_ids(s, ids=ids)
        return [found.get(i, {}) for i in ids]

    async def _announcement_audience(self, ids: Sequence[int]) -> list[list[int]]:
        return await self._grouped(announcement_store.audience_by_ids, ids)

    async def _confirmed_versions(self, ids: Sequence[int]) -> list[list[int]]:
        if self._viewer_id is None:
            return [[] for _ in ids]
        async with self._db.read() as s:
            found = await announcement_store.confirmed_versions(s, user_id=self._viewer_id, ids=ids)
        return [found.get(i, []) for i in ids]

    async def _groups(self, ids: Sequence[int]) -> list[Group | None]:
        async with self._db.read() as s:
            found = await group_store.groups_by_ids(s, ids=ids)
        return [found.get(i) for i in ids]

    async def _member_ids(self, ids: Sequence[int]) -> list[list[int]]:
        return await self._grouped(group_store.member_ids_by_group_ids, ids)

    async def _group_ids(self, ids: Sequence[int]) -> list[list[int]]:
        return await self._grouped(group_store.group_ids_by_user_ids, ids)
