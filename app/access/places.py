"""Authorization of reads and writes in places: topics, conversations, their messages.

Every `access_*` raises NotFound when the thing is missing or the viewer may not read it: the
two look the same to callers. The read rule itself (in memory and in SQL) is in read_rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.access.read_rules import (
    ADMIN,
    GROUP,
    NONE,
    READ,
    USER,
    WRITE,
    readable_message_ids,
    readable_topics_clause,
    topic_level,
    topic_levels,
)
from app.core.auth import Viewer
from app.domain.errors import Forbidden, NotFound, Unauthenticated
from app.domain.global_ids import to_global_id
from app.domain.topic_paths import ancestors, normalize
from app.models import Conversation, Message, Topic
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import topics as topic_store

__all__ = [
    "ADMIN",
    "GROUP",
    "NONE",
    "READ",
    "ROLE_NAMES",
    "USER",
    "WRITE",
    "Place",
    "access_conversation",
    "access_message",
    "access_placed_message",
    "access_topic",
    "access_topic_parent",
    "readable_message_ids",
    "readable_topics_clause",
    "require_viewer",
    "topic_level",
    "topic_levels",
]

ROLE_NAMES = {READ: "read", WRITE: "write", ADMIN: "admin"}


@dataclass(frozen=True)
class Place:
    """Where a message lives: its topic and the viewer's level there (None, 0: not a topic)."""

    topic: Topic | None
    level: int


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


async def access_topic(
    session: AsyncSession,
    viewer: Viewer | None,
    path: str,
    *,
    need: int = READ,
    field: str = "topic",
    to_change: bool = True,
) -> tuple[Topic, int]:
    """The topic and the viewer's level; NotFound when unreadable, Forbidden when below `need`.
    Without `to_change` the topic is a read-only record (app/store/rows.py): for callers that
    only read it, such as a send."""
    path = normalize(path, field=field)
    topic: Topic | None
    if to_change:
        topic = await topic_store.get_topic_by_path(session, path=path)
        level = (await topic_levels(session, viewer, [topic]))[topic.id] if topic else NONE  # type: ignore[index]
    else:
        found = await topic_store.topic_record_with_grants(session, path=path)
        topic = found[0] if found else None
        level = topic_level(viewer, *found) if found else NONE
    if topic is None or level < READ:
        raise NotFound(f"Topic {path} not found.", id=path)
    if level < need:
        if viewer is None:
            raise Unauthenticated()
        reason = (
            "it is read-only" if topic.read_only and need == WRITE else f"you lack {ROLE_NAMES[need]} access"
        )
        raise Forbidden(f"You may not do this in {path}: {reason}.", right=ROLE_NAMES[need])
    return topic, level


async def access_conversation(
    session: AsyncSession, viewer: Viewer | None, conversation_id: int
) -> Conversation:
    """The conversation when the viewer takes part in it; NotFound otherwise."""
    conversation = (
        await conversation_store.get_conversation_for(
            session, conversation_id=conversation_id, user_id=viewer.user_id
        )
        if viewer is not None
        else None
    )
    if conversation is None:
        raise NotFound("Conversation not found.", id=to_global_id("Conversation", conversation_id))
    return conversation


async def access_placed_message(
    session: AsyncSession, viewer: Viewer | None, message_id: int
) -> tuple[Message, Place]:
    """The message and its place when the viewer may read it; NotFound otherwise.

    A topic message's topic and grants are loaded once here, so callers that go on to check
    write rules (message_rules) need not load them again."""
    message = await message_store.get_message(session, message_id=message_id)
    if message is not None and message.topic_id is not None:
        topic = (await topic_store.topics_by_ids(session, ids=[message.topic_id])).get(message.topic_id)
        level = (await topic_levels(session, viewer, [topic]))[message.topic_id] if topic else NONE
        if topic is not None and level >= READ:
            return message, Place(topic, level)
    elif message is not None and message.id in await readable_message_ids(session, viewer, [message]):
        return message, Place(None, NONE)
    raise NotFound("Message not found.", id=to_global_id("Message", message_id))


async def access_message(session: AsyncSession, viewer: Viewer | None, message_id: int) -> Message:
    """The message when the viewer may read it; NotFound otherwise."""
    return (await access_placed_message(session, viewer, message_id))[0]


async def access_topic_parent(
    session: AsyncSession, viewer: Viewer, path: str, existing: dict[str, Topic]
) -> Topic | None:
    """The nearest existing ancestor of `path` (None: top level) when the viewer may create
    topics there: admin access on it, or the admin right for a top-level topic; NotFound when
    it is unreadable, Forbidden when below admin. `existing` maps paths to topics (ancestors of
    `path`, and `path` itself if it exists).

    Decided from the ancestors alone, before anything about `path` itself: whether a topic
    exists is told (as a conflict) only to those who may create topics where it is."""
    nearest = next((existing[p] for p in reversed(ancestors(path)) if p in existing), None)
    if nearest is None:
        if not viewer.is_admin:
            raise Forbidden("Only admins create top-level topics.", right="admin")
        return None
    level = (await topic_levels(session, viewer, [nearest]))[nearest.id]  # type: ignore[index]
    if level == NONE:
        raise NotFound(f"Topic {nearest.path} not found.", id=nearest.path)
    if level < ADMIN:
        raise Forbidden(f"Creating topics under {nearest.path} needs admin access there.", right="admin")
    return nearest
