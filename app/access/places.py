"""Authorization of reads and writes. "Missing" and "not yours" look the same to callers.

Topic levels: 0 none, 1 read, 2 write (implies read), 3 admin (implies write). A read-only
topic is readable by anyone, even anonymous, and writable by its admins only. System admins
administer every topic except other users' private spaces.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Viewer
from app.domain.errors import Forbidden, NotFound, Unauthenticated
from app.domain.topic_paths import normalize, private_owner
from app.models import Conversation, Message, Topic, TopicAccess
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import topics as topic_store

NONE, READ, WRITE, ADMIN = 0, 1, 2, 3
USER, GROUP = topic_store.USER, topic_store.GROUP  # kinds of principal in a grant
ROLE_NAMES = {READ: "read", WRITE: "write", ADMIN: "admin"}


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


def topic_level(viewer: Viewer | None, topic: Topic, grants: Sequence[TopicAccess]) -> int:
    level = NONE
    if viewer is not None:
        for g in grants:
            if (g.principal_kind == topic_store.USER and g.principal_id == viewer.user_id) or (
                g.principal_kind == topic_store.GROUP and g.principal_id in viewer.group_ids
            ):
                level = max(level, g.role)
        if viewer.is_admin and private_owner(topic.path) in (None, viewer.username):
            level = ADMIN
    if topic.read_only:
        level = ADMIN if level == ADMIN else READ
    return level


async def topic_levels(
    session: AsyncSession, viewer: Viewer | None, topics: Sequence[Topic]
) -> dict[int, int]:
    ids = [t.id for t in topics if t.id is not None]
    grants = await topic_store.grants_by_topic_ids(session, ids=ids)
    return {t.id: topic_level(viewer, t, grants.get(t.id, [])) for t in topics if t.id is not None}


async def access_topic(
    session: AsyncSession, viewer: Viewer | None, path: str, *, need: int = READ, field: str = "topic"
) -> tuple[Topic, int]:
    """The topic and the viewer's level; NotFound when unreadable, Forbidden when below `need`."""
    path = normalize(path, field=field)
    topic = await topic_store.get_topic_by_path(session, path=path)
    level = (await topic_levels(session, viewer, [topic]))[topic.id] if topic else NONE  # type: ignore[index]
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
) -> Conversation | None:
    if viewer is None:
        return None
    return await conversation_store.get_conversation_for(
        session, conversation_id=conversation_id, user_id=viewer.user_id
    )


async def access_message(session: AsyncSession, viewer: Viewer | None, message_id: int) -> Message | None:
    """The message when the viewer may read it, else None."""
    message = await message_store.get_message(session, message_id=message_id)
    if message is None:
        return None
    readable = await readable_message_ids(session, viewer, [message])
    return message if message.id in readable else None


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


def readable_topics_clause(viewer: Viewer | None) -> object:
    """The SQL twin of `topic_level(...) >= READ` over the topics table."""
    return topic_store.readable_topic_clause(
        viewer.user_id if viewer else None,
        sorted(viewer.group_ids) if viewer else [],
        admin_username=viewer.username if viewer is not None and viewer.is_admin else None,
    )
