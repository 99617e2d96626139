"""Counting the matches of a text or substring search without a lookup per match (SQLite).

The FTS5 index holds one place token per message (migration 0006): `t<topic id>`, `p` for a
private space (/Private/...), `c` for a conversation, `n` for a notice; the trigram index of
substring search holds the same places (migration 0010). For a filter that is only `text`, or
only `textContains`, the count is the matches in the shared topics the viewer reads, counted
inside the index by naming those topics or by leaving out the ones they cannot read (whichever
list is short), plus the matches in private spaces, conversations and inboxes, each checked
against the viewer's access like any filter.

None when neither list is short, or for any other filter: the caller counts the usual way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.access.places import readable_topics_clause
from app.core.auth import Viewer
from app.domain.search_terms import fts5_place_query, trigram_place_query
from app.domain.topic_paths import PRIVATE_ROOT
from app.filters.spec import MessageFilterSpec
from app.filters.sql import readable_messages_clause
from app.models import Topic
from app.store import text_search as search_store
from app.store import topics as topic_store

CHECKED_ONE_BY_ONE = ["c", "n", "p"]  # conversations, notices, private spaces


async def text_count(
    session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec, *, named_max: int
) -> int | None:
    """`named_max`: the most topics named in one FTS5 query (each is a posting list to merge)."""
    if session.get_bind().dialect.name != "sqlite" or spec.given() not in ({"text"}, {"text_contains"}):
        return None
    spec.check()
    trigram = spec.text_contains is not None

    def query(places: list[str], *, inside: bool) -> str:
        if spec.text_contains is not None:
            return trigram_place_query(spec.text_contains, places, inside=inside)
        assert spec.terms is not None
        return fts5_place_query(spec.terms, places, inside=inside)

    readable: Any = readable_topics_clause(viewer)
    shared = ~col(Topic.path).like(PRIVATE_ROOT + "/%")  # as the triggers tell `t<id>` from `p`
    total, reads = await topic_store.count_topics(session, readable=readable, among=shared)
    if total - reads <= min(reads, named_max):
        hidden = await topic_store.topic_ids(session, where=and_(shared, ~readable))
        places = CHECKED_ONE_BY_ONE + [f"t{i}" for i in hidden]
        in_topics = await search_store.count_matches(session, query(places, inside=False), trigram=trigram)
    elif reads <= named_max:
        shown = await topic_store.topic_ids(session, where=and_(shared, readable))
        named = query([f"t{i}" for i in shown], inside=True)
        in_topics = await search_store.count_matches(session, named, trigram=trigram) if shown else 0
    else:
        return None
    elsewhere = await search_store.count_matches(
        session,
        query(CHECKED_ONE_BY_ONE, inside=True),
        where=[readable_messages_clause(viewer)],
        trigram=trigram,
    )
    return in_topics + elsewhere
