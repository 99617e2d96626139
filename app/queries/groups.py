"""Groups, found by name or listed."""

from __future__ import annotations

from app.access.places import (
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.pagination import Page, PageRequest
from app.models import (
    Group,
)
from app.store import groups as group_store


async def group_by_name(db: Database, viewer: Viewer | None, name: str) -> Group | None:
    if viewer is None:
        return None
    async with db.read() as session:
        return await group_store.get_group_by_name(session, name=name)


async def groups(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Group]:
    require_viewer(viewer)
    async with db.read() as session:
        return await group_store.list_groups(session, page=page)
