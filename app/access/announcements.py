"""Who sees an announcement, who may manage it, and who is held until they confirm theirs."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Viewer
from app.models import Announcement, utcnow
from app.store import announcements as store
from app.store import groups as group_store

USER, GROUP = "user", "group"  # kinds of owner


async def may_manage(session: AsyncSession, viewer: Viewer, announcement: Announcement) -> bool:
    """The owner (the user, or a member of the owning group) or an admin."""
    if viewer.is_admin:
        return True
    if announcement.owner_kind == USER:
        return announcement.owner_id == viewer.user_id
    return announcement.owner_id in await group_store.group_ids_of_user(session, user_id=viewer.user_id)


async def visible_to(session: AsyncSession, viewer: Viewer, announcement: Announcement) -> bool:
    """Its audience, its owner and admins see it."""
    assert announcement.id is not None
    audience = (await store.audience_by_ids(session, ids=[announcement.id]))[announcement.id]
    return bool(set(audience) & viewer.group_ids) or await may_manage(session, viewer, announcement)


async def pending_confirmations(session: AsyncSession, viewer: Viewer) -> int:
    """How many announcements addressed to the viewer wait for their confirmation."""
    return await store.pending_count(
        session, user_id=viewer.user_id, group_ids=sorted(viewer.group_ids), now=utcnow()
    )


def held_by_announcements(viewer: Viewer | None, pending: int | None) -> bool:
    """The announcement gate's rule: a signed-in user with announcements pending is held (may only
    read and confirm them); anonymous callers and users with none pending are not."""
    return viewer is not None and bool(pending)
