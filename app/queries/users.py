"""Users, found by name or search."""

from __future__ import annotations

from app.access.places import (
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.pagination import Page, PageRequest
from app.models import (
    User,
)
from app.store import users as user_store


async def user_by_username(db: Database, viewer: Viewer | None, username: str) -> User | None:
    if viewer is None:
        return None
    async with db.read() as session:
        return await user_store.get_user_by_username(session, username=username)


async def users(db: Database, viewer: Viewer | None, search: str | None, page: PageRequest) -> Page[User]:
    require_viewer(viewer)
    async with db.read() as session:
        return await user_store.list_users(session, search=search, page=page)
