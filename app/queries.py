"""Read use cases with authorization: what the GraphQL query side asks for beyond loaders."""

from __future__ import annotations

from app.access import (
    access_conversation,
    access_topic,
    readable_message_ids,
    readable_topics_clause,
    require_viewer,
)
from app.actions.announcements import may_manage, visible_to
from app.auth import Viewer
from app.db import Database
from app.errors import Forbidden, InvalidInput, NotFound
from app.filters import (
    MessageFilterSpec,
    filter_condition_forms,
    filter_conditions,
    readable_messages_clause,
    tagged_count,
)
from app.filters.text_count import text_count
from app.models import (
    Announcement,
    AnnouncementConfirmation,
    Conversation,
    Group,
    Message,
    Topic,
    User,
    utcnow,
)
from app.pagination import Page, PageRequest
from app.store import announcements as announcement_store
from app.store import conversations as conversation_store
from app.store import events as event_store
from app.store import groups as group_store
from app.store import message_lists
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import topics as topic_store
from app.store import users as user_store
from app.store.notices import delivered_to
from app.topic_paths import normalize, tasks_topic


async def conversation(db: Database, viewer: Viewer | None, conversation_id: int) -> Conversation | None:
    async with db.read() as session:
        return await access_conversation(session, viewer, conversation_id)


async def conversations(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Conversation]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await conversation_store.list_conversations_for(session, user_id=viewer.user_id, page=page)


async def conversation_messages(db: Database, conversation_id: int, page: PageRequest) -> Page[Message]:
    """Messages of a conversation the caller already got through `conversation()`."""
    async with db.read() as session:
        return await message_store.list_conversation_messages(
            session, conversation_id=conversation_id, page=page
        )


async def user_by_username(db: Database, viewer: Viewer | None, username: str) -> User | None:
    if viewer is None:
        return None
    async with db.read() as session:
        return await user_store.get_user_by_username(session, username=username)


async def users(db: Database, viewer: Viewer | None, search: str | None, page: PageRequest) -> Page[User]:
    require_viewer(viewer)
    async with db.read() as session:
        return await user_store.list_users(session, search=search, page=page)


async def topic(db: Database, viewer: Viewer | None, path: str) -> tuple[Topic, int] | None:
    """The topic and the viewer's level, or None when missing or unreadable."""
    async with db.read() as session:
        try:
            return await access_topic(session, viewer, path)
        except (NotFound, InvalidInput):
            return None


async def topics(db: Database, viewer: Viewer | None, under: str | None, page: PageRequest) -> Page[Topic]:
    async with db.read() as session:
        return await topic_store.list_readable_topics(
            session,
            readable=readable_topics_clause(viewer),
            under=normalize(under, field="under") if under else None,
            page=page,
        )


async def topic_children(
    db: Database, viewer: Viewer | None, topic_id: int, page: PageRequest
) -> Page[Topic]:
    async with db.read() as session:
        return await topic_store.list_children(
            session, parent_id=topic_id, readable=readable_topics_clause(viewer), page=page
        )


async def messages(
    db: Database,
    viewer: Viewer | None,
    spec: MessageFilterSpec,
    order: list[tuple[str, bool]],
    page: PageRequest,
) -> Page[Message]:
    if not order and spec.text is not None:
        order = [("RELEVANCE", True)]  # a text search ranks by relevance unless told otherwise
    async with db.read() as session:
        text_via_join = message_lists.ranked_join(order, spec.terms, session.get_bind().dialect.name)
        where, per_row = await filter_condition_forms(session, viewer, spec, text_via_join=text_via_join)
        walk = None
        if spec.selective and not spec.pinpoint and not order:  # try the first rows in date order
            walk = (per_row, db.settings.list_walk_rows)
        return await message_lists.list_messages(
            session,
            where=where,
            order=order,
            page=page,
            terms=spec.terms,
            selective=spec.selective,
            with_total=False,
            rank_window=db.settings.search_rank_window,
            readable=[readable_messages_clause(viewer)],
            walk=walk,
        )


async def event_position(db: Database) -> int:
    """The position of the latest event (0 before the first); in a snapshot, the one it shows."""
    async with db.read() as session:
        _, last = await event_store.log_bounds(session)
        return last


async def message_count(db: Database, viewer: Viewer | None, spec: MessageFilterSpec) -> int:
    async with db.read() as session:
        from_tags = await tagged_count(session, viewer, spec)
        if from_tags is not None:
            return await message_lists.count_by(session, from_tags)
        from_text_index = await text_count(
            session, viewer, spec, named_max=db.settings.search_count_named_topics
        )
        if from_text_index is not None:
            return from_text_index
        joined = spec.terms if session.get_bind().dialect.name == "sqlite" else None
        where = await filter_conditions(session, viewer, spec, text_via_join=bool(joined))
        return await message_lists.count_messages(session, where=where, joined_terms=joined)


async def tasks(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Message]:
    viewer = require_viewer(viewer)
    return await messages(db, viewer, MessageFilterSpec(topic=tasks_topic(viewer.username)), [], page)


async def group_by_name(db: Database, viewer: Viewer | None, name: str) -> Group | None:
    if viewer is None:
        return None
    async with db.read() as session:
        return await group_store.get_group_by_name(session, name=name)


async def groups(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Group]:
    require_viewer(viewer)
    async with db.read() as session:
        return await group_store.list_groups(session, page=page)


async def trees(db: Database, root_ids: list[int], *, full: bool) -> dict[int, list[Message]]:
    """Replies under roots the caller already read (a thread shares its root's topic)."""
    async with db.read() as session:
        return await message_store.trees_by_root_ids(session, ids=root_ids, full=full)


async def check_filter(db: Database, viewer: Viewer | None, spec: MessageFilterSpec) -> None:
    """Raise the typed error a query with this filter would raise (unknown topic, bad window...)."""
    async with db.read() as session:
        await filter_conditions(session, viewer, spec)


async def announcement(db: Database, viewer: Viewer | None, announcement_id: int) -> Announcement | None:
    """Visible to its audience, its owner and admins."""
    if viewer is None:
        return None
    async with db.read() as session:
        found = await announcement_store.get_announcement(session, announcement_id=announcement_id)
        return found if found is not None and await visible_to(session, viewer, found) else None


async def announcements(
    db: Database, viewer: Viewer | None, *, pending_only: bool, page: PageRequest, managed: bool = False
) -> Page[Announcement]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await announcement_store.list_for_user(
            session,
            user_id=viewer.user_id,
            group_ids=sorted(viewer.group_ids),
            now=utcnow(),
            pending_only=pending_only,
            page=page,
            managed=managed,
            is_admin=viewer.is_admin,
        )


async def pending_announcements(db: Database, viewer: Viewer) -> int:
    async with db.read() as session:
        return await announcement_store.pending_count(
            session, user_id=viewer.user_id, group_ids=sorted(viewer.group_ids), now=utcnow()
        )


async def confirmations(
    db: Database, viewer: Viewer | None, row: Announcement, page: PageRequest
) -> Page[AnnouncementConfirmation]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        if not await may_manage(session, viewer, row):
            raise Forbidden("Only the owner or an admin sees confirmations.", parameter="owner")
        assert row.id is not None
        return await announcement_store.list_confirmations(session, announcement_id=row.id, page=page)


async def inbox(
    db: Database, viewer: Viewer | None, *, unread_only: bool, page: PageRequest
) -> Page[Message]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        where = [delivered_to(viewer.user_id)]
        if unread_only:
            where += await filter_conditions(session, viewer, MessageFilterSpec(unread=True))
        return await message_lists.list_messages(session, where=where, order=[], page=page)


async def inbox_unread_count(db: Database, viewer: Viewer | None) -> int:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await notice_store.count_unread_inbox(session, user_id=viewer.user_id)


async def sent_notices(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Message]:
    """The viewer's own notices, newest first; totalCount counted only when asked for."""
    viewer = require_viewer(viewer)
    async with db.read() as session:
        where = notice_store.sent_by(viewer.user_id)
        return await message_lists.list_messages(session, where=where, order=[], page=page, with_total=False)


async def sent_notice_count(db: Database, viewer: Viewer | None) -> int:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await message_lists.count_messages(session, where=notice_store.sent_by(viewer.user_id))


async def messages_by_ids(db: Database, viewer: Viewer | None, ids: list[int]) -> dict[int, Message]:
    async with db.read() as session:
        found = await message_store.messages_by_ids(session, ids=ids)
        readable = await readable_message_ids(session, viewer, list(found.values()))
    return {i: m for i, m in found.items() if i in readable}
