"""A small world for action tests: a migrated database copied from the session template, four
users, a topic with grants, a conversation; and readers for the rows and the events that an
action left behind. Every import of an action module lives here and at the top of the test
files, so a move of app/actions/* touches one line each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from app.actions import topics
from app.actions.accounts import do_create_user
from app.actions.conversations import do_create_conversation
from app.core.auth import ADMIN_RIGHT, SYSTEM_MESSAGE_RIGHT, Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.core.settings import Settings
from app.models import Event
from tests.conftest import make_settings

TOPIC = "/Team"
OTHER_TOPIC = "/Other"


@dataclass
class World:
    settings: Settings
    db: Database
    root: Viewer  # admin and system.message
    ann: Viewer  # writes in /Team and /Other, in the conversation
    ben: Viewer  # writes in /Team, in the conversation
    cid: Viewer  # reads /Team only, in no conversation
    conversation_id: int

    async def position(self) -> int:
        """The position of the newest event: events an action records come after it."""
        async with self.db.read() as session:
            found = (await session.execute(select(func.max(Event.position)))).scalar()
        return int(found or 0)

    async def events_after(self, position: int) -> list[Event]:
        async with self.db.read() as session:
            query = select(Event).where(col(Event.position) > position).order_by(col(Event.position))
            return list((await session.execute(query)).scalars())

    async def kinds_after(self, position: int) -> list[tuple[str, int | None, int | None]]:
        """(kind, message id, actor id) of each event after `position`."""
        return [(e.kind, e.message_id, e.actor_id) for e in await self.events_after(position)]

    async def rows(self, model: type[SQLModel], **where: Any) -> list[Any]:
        async with self.db.read() as session:
            query = select(model).filter_by(**where)
            return list((await session.execute(query)).scalars())

    async def count(self, model: type[SQLModel], **where: Any) -> int:
        return len(await self.rows(model, **where))


async def build_world(tmp_path: Path, **overrides: Any) -> World:
    settings = make_settings(tmp_path, **overrides)
    db = Database(settings)
    await upgrade(db)
    passwords = Passwords(settings)
    viewers: dict[str, Viewer] = {}
    async with db.write() as uow:
        for name in ("root", "ann", "ben", "cid"):
            rights = (ADMIN_RIGHT, SYSTEM_MESSAGE_RIGHT) if name == "root" else ()
            user = await do_create_user(
                uow, passwords, settings, username=name, password="password-123", rights=rights
            )
            assert user.id is not None
            viewers[name] = Viewer(user_id=user.id, username=name, rights=frozenset(rights))
        root = viewers["root"]
        for path in (TOPIC, OTHER_TOPIC):
            await topics.do_create_topic(uow, settings, root, path=path, description=None, read_only=False)
        for name, path, role in (("ann", TOPIC, "WRITE"), ("ben", TOPIC, "WRITE"), ("cid", TOPIC, "READ")):
            await topics.do_set_topic_access(
                uow,
                root,
                path=path,
                role=role,
                user_ids=[viewers[name].user_id],
                group_ids=[],
                revoke=False,
                recursive=True,
            )
        await topics.do_set_topic_access(
            uow,
            root,
            path=OTHER_TOPIC,
            role="WRITE",
            user_ids=[viewers["ann"].user_id],
            group_ids=[],
            revoke=False,
            recursive=True,
        )
        conversation = await do_create_conversation(
            uow, settings, viewers["ann"], participant_ids=[viewers["ben"].user_id], title="pair"
        )
    assert conversation.id is not None
    return World(settings, db, root, viewers["ann"], viewers["ben"], viewers["cid"], conversation.id)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    built = await build_world(tmp_path)
    yield built
    await built.db.dispose()
