"""Read-only records (app/store/rows.py) read exactly like the model instances they stand for,
on either database: every column, the same value and type (UTC datetimes, JSON lists, booleans)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.actions.accounts import do_create_user
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.domain.pagination import PageRequest
from app.models import Message, MessageLabel, Topic, TopicAccess, User
from app.store import message_lists, message_meta, topics, users
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
                MessageDraft(
                    destination="/Private/ann",
                    text="see https://example.com #news",
                    labels=[("urgent", "#ff0000")],
                ),
            )
            topic_id = message.topic_id
            assert topic_id is not None
            await topics.grant(
                uow.session, topic_ids=[topic_id], kind=topics.USER, principal_ids=[user.id], role=2
            )
        message_id = message.id
        assert message_id is not None
        async with db.read() as session:
            model = await session.get(Message, message_id)
            author = await session.get(User, user.id)
            topic = await session.get(Topic, topic_id)
            grants = list(
                (await session.execute(select(TopicAccess).where(TopicAccess.topic_id == topic_id))).scalars()
            )
            label = (await session.execute(select(MessageLabel))).scalar_one()
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
            topic_records = [
                (await topics.topic_records_by_ids(session, ids=[topic_id]))[topic_id],
            ]
            with_grants = await topics.topic_record_with_grants(session, path="/Private/ann")
            assert with_grants is not None
            topic_records.append(with_grants[0])
            assert await topics.topic_record_with_grants(session, path="/Private/nobody") is None
            grant_records = (await topics.grants_by_topic_ids(session, ids=[topic_id]))[topic_id]
            label_record = (await message_meta.labels_by_message_ids(session, ids=[message_id]))[message_id][
                0
            ]
        for column in Message.__table__.columns:  # type: ignore[attr-defined]
            assert getattr(record, column.name) == getattr(model, column.name), column.name
            # the record an insert returns (INSERT ... RETURNING) holds the row as stored
            assert getattr(message, column.name) == getattr(model, column.name), column.name
            assert getattr(listed.items[0], column.name) == getattr(model, column.name), column.name
        for column in User.__table__.columns:  # type: ignore[attr-defined]
            assert getattr(user_record, column.name) == getattr(author, column.name), column.name
        for column in Topic.__table__.columns:  # type: ignore[attr-defined]
            for topic_record in topic_records:
                assert getattr(topic_record, column.name) == getattr(topic, column.name), column.name
        for column in MessageLabel.__table__.columns:  # type: ignore[attr-defined]
            assert getattr(label_record, column.name) == getattr(label, column.name), column.name
        columns = [c.name for c in TopicAccess.__table__.columns]  # type: ignore[attr-defined]
        for listed in (grant_records, with_grants[1]):
            assert sorted(tuple(getattr(g, c) for c in columns) for g in listed) == sorted(
                tuple(getattr(g, c) for c in columns) for g in grants
            )
        assert label_record.text == "urgent" and (topic_id, topics.USER, user.id, 2) in {
            (g.topic_id, g.principal_kind, g.principal_id, g.role) for g in grant_records
        }
        assert record.created_at.tzinfo is not None and record.urls == ["https://example.com"]
        assert isinstance(record, record_type(Message)) and not isinstance(record, Message)
        with pytest.raises(AttributeError):
            record.text = "changed"  # type: ignore[misc]
    finally:
        await db.dispose()
