"""Migration 0008 rebuilds SQLite's id tables with AUTOINCREMENT and loses nothing on the way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.actions import topics
from app.actions.accounts import do_create_user
from app.actions.messages.edit_delete import Cascade, do_delete_message
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import ADMIN_RIGHT, Passwords, Viewer
from app.core.db import Database
from app.core.migrate import downgrade, upgrade
from app.core.settings import Settings
from tests.conftest import make_settings

pytestmark = pytest.mark.sqlite_only

ID_TABLES = ["users", "auth_tokens", "groups", "topics", "conversations", "messages", "attachments"]


async def schema_and_rows(db: Database) -> dict[str, Any]:
    """Everything a rebuild could lose: rows with their ids, indexes, foreign keys, triggers."""
    out: dict[str, Any] = {}
    async with db.read() as s:
        tables = (
            await s.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'")
            )
        ).scalars()
        for table in sorted(tables):
            if table.startswith("messages_fts") or table == "alembic_version":
                continue
            out[f"rows {table}"] = sorted(
                map(tuple, (await s.execute(text(f'SELECT * FROM "{table}"'))).all())
            )
            out[f"fks {table}"] = sorted(  # (table, from, to, on update, on delete, match); not the numbering
                tuple(r[2:]) for r in (await s.execute(text(f"PRAGMA foreign_key_list('{table}')"))).all()
            )
        out["indexes"] = sorted(
            map(
                tuple,
                (
                    await s.execute(text("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"))
                ).all(),
            )
        )
        out["triggers and views"] = sorted(
            map(
                tuple,
                (
                    await s.execute(
                        text("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'view')")
                    )
                ).all(),
            )
        )
    return out


async def seed(db: Database, settings: Settings) -> tuple[Viewer, int]:
    """A topic with tagged, labelled messages and a reply; the newest message deleted. Returns its id."""
    async with db.write() as uow:
        user = await do_create_user(
            uow,
            Passwords(settings),
            settings,
            username="root",
            password="password-123",
            rights=(ADMIN_RIGHT,),
        )
        assert user.id is not None
        viewer = Viewer(user_id=user.id, username="root", rights=frozenset({ADMIN_RIGHT}))
        await topics.do_create_topic(uow, settings, viewer, path="/T", description=None, read_only=False)
    ids = []
    for i, words in enumerate(["alpha #one", "beta #two", "gamma deploy", "doomed newest"]):
        async with db.write() as uow:
            reply = Ref(id=ids[0]) if i == 2 else None
            sent = await do_send_message(
                uow,
                settings,
                viewer,
                MessageDraft(destination="/T", text=words, labels=[(f"l{i}", "#abc")], in_reply_to=reply),
            )
        assert sent.id is not None
        ids.append(sent.id)
    async with db.write() as uow:
        await do_delete_message(uow, viewer, ref=Ref(id=ids[-1]), cascade=Cascade.NONE)
    return viewer, ids[-1]


async def search_ids(db: Database, term: str) -> list[int]:
    async with db.read() as s:
        rows = await s.execute(
            text("SELECT rowid FROM messages_fts WHERE messages_fts MATCH :q"), {"q": term}
        )
        return sorted(r[0] for r in rows)


async def test_rebuild_keeps_rows_ids_indexes_keys_and_search_and_never_reuses_an_id(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = Database(settings)
    try:
        await upgrade(db, "0007")
        viewer, deleted = await seed(db, settings)
        before = await schema_and_rows(db)
        assert await search_ids(db, "alpha") == [1]

        await upgrade(db)

        assert await schema_and_rows(db) == before  # same rows and ids, indexes, keys, FTS triggers and view
        async with db.read() as s:
            for table in ID_TABLES:
                sql = (
                    await s.execute(text(f"SELECT sql FROM sqlite_master WHERE name = '{table}'"))
                ).scalar_one()
                assert "AUTOINCREMENT" in sql, table
            assert (await s.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1  # back on after migrating
        assert await search_ids(db, "alpha") == [1] and await search_ids(db, "doomed") == []
        async with db.write() as uow:  # the FTS triggers work on the rebuilt table
            sent = await do_send_message(
                uow, settings, viewer, MessageDraft(destination="/T", text="delta #x")
            )
        # ids handed out before the migration (even deleted ones) are not handed out again
        assert sent.id is not None and sent.id > deleted
        assert await search_ids(db, "delta") == [sent.id]
        async with db.write() as uow:  # foreign keys still cascade: the root takes its reply and labels
            await do_delete_message(uow, viewer, ref=Ref(id=1), cascade=Cascade.REPLIES)
        async with db.read() as s:
            assert (
                await s.execute(text("SELECT count(*) FROM message_labels WHERE message_id IN (1, 3)"))
            ).scalar_one() == 0
            assert (await s.execute(text("SELECT count(*) FROM messages WHERE id = 3"))).scalar_one() == 0
        assert await search_ids(db, "alpha") == []

        await downgrade(db, "0007")  # and back: plain rowid tables with the same content
        async with db.read() as s:
            sql = (
                await s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'messages'"))
            ).scalar_one()
            assert "AUTOINCREMENT" not in sql
        assert await search_ids(db, "delta") == [sent.id]
    finally:
        await db.dispose()


async def test_every_table_the_models_mark_never_reused_is_autoincrement_after_all_migrations(
    tmp_path: Path,
) -> None:
    """Batch mode does not reflect AUTOINCREMENT: a later migration that rebuilds one of these
    tables must pass table_kwargs={"sqlite_autoincrement": True}, or this fails."""
    from app.models import SQLModel

    marked = sorted(
        t.name for t in SQLModel.metadata.tables.values() if t.dialect_options["sqlite"]["autoincrement"]
    )
    assert set(ID_TABLES) <= set(marked)
    db = Database(make_settings(tmp_path))
    try:
        await upgrade(db)
        async with db.read() as s:
            for table in marked:
                sql = (
                    await s.execute(text(f"SELECT sql FROM sqlite_master WHERE name = '{table}'"))
                ).scalar_one()
                assert "AUTOINCREMENT" in sql, table
    finally:
        await db.dispose()
