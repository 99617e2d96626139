"""Read-only records (app/store/rows.py) read exactly like the model instances they stand for,
on either database: every column, the same value and type (UTC datetimes, JSON lists, booleans)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.actions.accounts import do_create_user
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.domain.pagination import PageRequest
from app.models import Message, User
from app.store import message_lists, users
from app.store import messages as message_store
from app.store.rows import record_type
from tests.conftest import make_settings


async def test_records_read_like_the_models_and_cannot_be_changed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = Database(settings)
    try:
        async with db.write() as uow:
            user = await do_create_user(
                uow, Passwords(settings), settings, username="ann", password="password-123"
            )
            assert user.id is not None
            viewer = Viewer(user_id=user.id, username="ann")
            message = await do_send_message(
                uow,
                settings,
                viewer,
                MessageDraft(destination="/Private/ann", text="see https://example.com #news"),
            )
        message_id = message.id
        assert message_id is not None
        async with db.read() as session:
            model = await session.get(Message, message_id)
            author = await session.get(User, user.id)
            session.expunge_all()
        async with db.read() as session:
            record = (await message_store.message_records_by_ids(session, ids=[message_id]))[message_id]
            user_record = (await users.user_records_by_ids(session, ids=[user.id]))[user.id]
            listed = await message_lists.list_messages(
                session,
                where=[Message.id == message_id],
                order=[],
                page=PageRequest.build(first=10, after=None, last=None, before=None, default=10, cap=10),
                with_total=False,
            )
        for column in Message.__table__.columns:  # type: ignore[attr-defined]
            assert getattr(record, column.name) == getattr(model, column.name), column.name
            assert getattr(listed.items[0], column.name) == getattr(model, column.name), column.name
        for column in User.__table__.columns:  # type: ignore[attr-defined]
            assert getattr(user_record, column.name) == getattr(author, column.name), column.name
        assert record.created_at.tzinfo is not None and record.urls == ["https://example.com"]
        assert isinstance(record, record_type(Message)) and not isinstance(record, Message)
        with pytest.raises(AttributeError):
            record.text = "changed"  # type: ignore[misc]
    finally:
        await db.dispose()
