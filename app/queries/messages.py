"""Messages chosen by filter, counted, by id, in threads, in the viewer's tasks."""

from __future__ import annotations

from app.access.places import (
    readable_message_ids,
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.pagination import Page, PageRequest
from app.domain.topic_paths import tasks_topic
from app.filters import (
    MessageFilterSpec,
    filter_condition_forms,
    filter_conditions,
    readable_messages_clause,
    tagged_count,
)
from app.filters.text_count import text_count
from app.models import (
    Message,
)
from app.queries.walk_misses import list_key, walk_misses
from app.store import message_lists
from app.store import messages as message_store


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
        misses, key = walk_misses(db), None
        if spec.selective and not spec.pinpoint and not order:  # try the first rows in date order
            key = list_key(viewer, spec, page, db.settings.list_walk_rows)
            if not misses.recent(key):  # unless that missed for this list a moment ago
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
            on_walk_miss=lambda: misses.record(key),
        )


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


async def trees(db: Database, root_ids: list[int], *, full: bool) -> dict[int, list[Message]]:
    """Replies under roots the caller already read (a thread shares its root's topic)."""
    async with db.read() as session:
        return await message_store.trees_by_root_ids(session, ids=root_ids, full=full)


async def check_filter(db: Database, viewer: Viewer | None, spec: MessageFilterSpec) -> None:
    """Raise the typed error a query with this filter would raise (unknown topic, bad window...)."""
    async with db.read() as session:
        await filter_conditions(session, viewer, spec)


async def messages_by_ids(db: Database, viewer: Viewer | None, ids: list[int]) -> dict[int, Message]:
    async with db.read() as session:
        found = await message_store.messages_by_ids(session, ids=ids)
        readable = await readable_message_ids(session, viewer, list(found.values()))
    return {i: m for i, m in found.items() if i in readable}
