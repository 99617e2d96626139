"""One DataLoader per relation, generated from a table; built per request (or per websocket, uncached).

Each line of `Loaders` names a loader and the store function that answers a batch of keys with
{key: value}; a key it leaves out gets the default. Each batch opens its own short session; results
are lined up with the keys. This is the only GraphQL module that touches the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Generic, Literal, TypeVar, overload

from strawberry.dataloader import DataLoader

from app.access import read_rules
from app.access.places import topic_levels
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.topic_paths import tasks_topic
from app.models import Message
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
ViewerArg = Literal["viewer", "user", "user_id"] | None
Session = Any  # the batch's AsyncSession, passed through to the store (graphql/ names no SQL library)


NOT_LOADED: Any = object()


def _none() -> None:
    return None


class Relation(Generic[K, V]):
    """A loader of `Loaders`: `fetch(session, ids=keys)` answers {key: value}; the others get `default()`.

    `viewer` says what else the fetch takes: "viewer" the viewer (None when anonymous), "user" the
    signed-in viewer, "user_id" their id; with "user" and "user_id" an anonymous viewer gets the
    defaults without a query."""

    @overload
    def __init__(
        self: Relation[K, V | None],
        fetch: Callable[..., Awaitable[Mapping[K, V]]],
        *,
        viewer: ViewerArg = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Relation[K, V],
        fetch: Callable[..., Awaitable[Mapping[K, V]]],
        *,
        default: Callable[[], object],  # of type V (not checked: mypy would widen V to fit `list`)
        viewer: ViewerArg = None,
    ) -> None: ...

    def __init__(
        self,
        fetch: Callable[..., Awaitable[Mapping[Any, Any]]],
        *,
        default: Callable[[], Any] = _none,
        viewer: ViewerArg = None,
    ) -> None:
        self.fetch = fetch
        self.default = default
        self.viewer = viewer
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, loaders: None, owner: type) -> Relation[K, V]: ...

    @overload
    def __get__(self, loaders: Loaders, owner: type) -> DataLoader[K, V]: ...

    def __get__(self, loaders: Loaders | None, owner: type) -> Relation[K, V] | DataLoader[K, V]:
        """The loader of this request, made on first use and then found in the instance's dict."""
        if loaders is None:
            return self
        loader: DataLoader[K, V] = DataLoader(load_fn=partial(loaders.batch, self), cache=loaders.cache)
        loaders.__dict__[self.name] = loader
        return loader


async def readable_messages_by_ids(
    session: Session, *, ids: Sequence[int], viewer: Viewer | None
) -> dict[int, Message]:
    return await read_rules.readable_messages_by_ids(session, viewer, ids)


async def topic_levels_by_ids(
    session: Session, *, ids: Sequence[int], viewer: Viewer | None
) -> dict[int, int]:
    topics = await topic_store.topics_by_ids(session, ids=ids)
    return await topic_levels(session, viewer, list(topics.values()))


async def task_flags_by_ids(session: Session, *, ids: Sequence[int], viewer: Viewer) -> dict[int, bool]:
    tasks = await topic_store.get_topic_by_path(session, path=tasks_topic(viewer.username))
    if tasks is None or tasks.id is None:
        return {}
    return dict.fromkeys(await message_store.task_flags(session, tasks_topic_id=tasks.id, ids=ids), True)


class Loaders:
    user = Relation(user_store.user_records_by_ids)
    rights = Relation(user_store.rights_by_user_ids, default=list)
    conversation = Relation(conversation_store.conversations_by_ids)
    participant_ids = Relation(conversation_store.participant_ids_by_conversation_ids, default=list)
    last_message_id = Relation(message_store.last_message_ids_by_conversation_ids)
    unread_count = Relation(read_store.unread_counts_by_conversation_ids, default=int, viewer="user_id")
    message = Relation(readable_messages_by_ids, viewer="viewer")
    reactions = Relation(reaction_store.reactions_by_message_ids, default=list)
    attachments = Relation(message_store.attachments_by_message_ids, default=list)
    revisions = Relation(message_store.revisions_by_message_ids, default=list)
    read_at = Relation(read_store.read_at_by_message_ids, viewer="user_id")
    topic = Relation(topic_store.topics_by_ids)
    topic_level = Relation(topic_levels_by_ids, default=int, viewer="viewer")
    topic_grants = Relation(topic_store.grants_by_topic_ids, default=list)
    tags = Relation(message_meta.tags_by_message_ids, default=list)
    labels = Relation(message_meta.labels_by_message_ids, default=list)
    mention_ids = Relation(message_meta.mention_ids_by_message_ids, default=list)
    liker_ids = Relation(message_meta.liker_ids_by_message_ids, default=list)
    viewer_vote = Relation(message_meta.votes_of_user, viewer="user_id")
    is_task = Relation(task_flags_by_ids, default=bool, viewer="user")
    group = Relation(group_store.groups_by_ids)
    member_ids = Relation(group_store.member_ids_by_group_ids, default=list)
    group_ids = Relation(group_store.group_ids_by_user_ids, default=list)
    translations = Relation(notice_store.translations_by_message_ids, default=dict)
    recipients = Relation(notice_store.recipients_by_message_ids, default=list)
    announcement_texts = Relation(announcement_store.texts_by_ids, default=dict)
    announcement_audience = Relation(announcement_store.audience_by_ids, default=list)
    confirmed_versions = Relation(announcement_store.confirmed_versions, default=list, viewer="user_id")

    def __init__(self, db: Database, viewer: Viewer | None, *, cache: bool = True) -> None:
        self._db = db
        self.cache = cache
        self.viewer = viewer

    def set_viewer(self, viewer: Viewer | None) -> None:
        """Websocket contexts learn the viewer at connection_init."""
        self.viewer = viewer

    def release(self) -> None:
        """Drop this request's loaders and what they hold, once it is answered. A loader calls
        back into its Loaders (a reference cycle), so without this a request's messages, rows and
        futures waited for the cyclic garbage collector: about a tenth of a page's CPU."""
        for name, value in list(vars(self).items()):
            if isinstance(value, DataLoader):
                del self.__dict__[name]

    def loaded(self, name: str, key: Any) -> Any:
        """The value of `key` when the loader `name` of this request already holds it, else
        NOT_LOADED (nothing is loaded here)."""
        loader = self.__dict__.get(name)
        if loader is None or not self.cache:
            return NOT_LOADED
        future = loader.cache_map.get(key)
        if future is None or not future.done() or future.cancelled() or future.exception() is not None:
            return NOT_LOADED
        return future.result()

    async def fetch_many(self, name: str, keys: Sequence[Any]) -> list[Any]:
        """`load_many` for a prefetch: the keys not held yet are fetched at once in one batch and
        primed; no future per key and no gather (a fifth of a page's loader time went there)."""
        loader = getattr(self, name)
        missing = [k for k in dict.fromkeys(keys) if self.loaded(name, k) is NOT_LOADED]
        if missing:
            values = await self.batch(getattr(type(self), name), missing)
            loader.prime_many(dict(zip(missing, values, strict=True)))
        return [self.loaded(name, k) for k in keys]

    def prime_message(self, message: Message) -> None:
        if self.cache and message.id is not None:
            self.message.prime(message.id, message)

    async def batch(self, relation: Relation[Any, Any], keys: Sequence[Any]) -> list[Any]:
        viewer = self.viewer
        given: dict[str, Any] = {}
        if relation.viewer == "viewer":
            given["viewer"] = viewer
        elif relation.viewer is not None:
            if viewer is None:
                return [relation.default() for _ in keys]
            given = {"user_id": viewer.user_id} if relation.viewer == "user_id" else {"viewer": viewer}
        async with self._db.read() as s:
            found = await relation.fetch(s, ids=keys, **given)
        return [found[k] if k in found else relation.default() for k in keys]
