"""The viewer's inbox and the notices they sent."""

from __future__ import annotations

from app.access.places import (
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.pagination import Page, PageRequest
from app.filters import (
    MessageFilterSpec,
    filter_conditions,
)
from app.models import (
    Message,
)
from app.store import message_lists
from app.store import notices as notice_store
from app.store.notices import delivered_to


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
