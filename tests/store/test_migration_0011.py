"""Migration 0011 flags the messages that have translations, on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.core.db import Database
from app.core.migrate import upgrade
from tests.conftest import database_url, make_settings


async def test_the_flag_is_set_for_messages_with_translations_only(tmp_path: Path) -> None:
    db = Database(make_settings(tmp_path, database_url=database_url(tmp_path / "empty", migrated=False)))
    await upgrade(db, "0010")
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, username, username_key, display_name, password_hash, created_at, locale)"
                " VALUES (1, 'ann', 'ann', 'Ann', 'x', '2026-01-01 00:00:00', 'en')"
            )
        )
        for message_id in (1, 2):
            await conn.execute(
                text(
                    "INSERT INTO messages (id, author_id, text, created_at, reply_count, like_count,"
                    " votes_up, votes_down, urls, parameters)"
                    " VALUES (:id, 1, 'hello', '2026-01-01 00:00:00', 0, 0, 0, 0, '[]', '[]')"
                ),
                {"id": message_id},
            )
        await conn.execute(
            text("INSERT INTO message_translations (message_id, locale, text) VALUES (2, 'fr', 'salut')")
        )
    await upgrade(db)
    async with db.read() as session:
        flags = dict((await session.execute(text("SELECT id, translated FROM messages ORDER BY id"))).all())
    await db.dispose()
    assert {k: bool(v) for k, v in flags.items()} == {1: False, 2: True}
