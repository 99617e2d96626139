"""Topics the viewer may read, their children."""

from __future__ import annotations

from app.access.places import (
    access_topic,
    readable_topics_clause,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.errors import InvalidInput, NotFound
from app.domain.pagination import Page, PageRequest
from app.domain.topic_paths import normalize
from app.models import (
    Topic,
)
from app.store import topics as topic_store


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
