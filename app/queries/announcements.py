"""Announcements the viewer sees or manages, and who confirmed them."""

from __future__ import annotations

from app.access.announcements import may_manage, pending_confirmations, visible_to
from app.access.places import (
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.errors import Forbidden
from app.domain.pagination import Page, PageRequest
from app.models import (
    Announcement,
    AnnouncementConfirmation,
    utcnow,
)
from app.store import announcements as announcement_store


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
        return await pending_confirmations(session, viewer)


async def confirmations(
    db: Database, viewer: Viewer | None, row: Announcement, page: PageRequest
) -> Page[AnnouncementConfirmation]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        if not await may_manage(session, viewer, row):
            raise Forbidden("Only the owner or an admin sees confirmations.", parameter="owner")
        assert row.id is not None
        return await announcement_store.list_confirmations(session, announcement_id=row.id, page=page)
