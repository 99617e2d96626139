"""One DataLoader per relation, built per request (or per websocket, uncached).

Each batch opens its own short session; results are lined up with the keys. This is the only
GraphQL module that touches the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from app.access import readable_message_ids
from app.auth import Viewer
from app.db import Database
from app.models import Attachment, Conversation, Message, MessageRevision, Reaction, User
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import reactions as reaction_store
from app.store import reads as read_store
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
