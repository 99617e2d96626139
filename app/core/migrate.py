"""Alembic migrations, run programmatically on the app's own engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.db import Database
from app.models import SQLModel

MIGRATIONS = Path(__file__).parents[1] / "migrations"
_PG_LOCK = 7_430_112  # advisory lock id: one migrator at a time across instances


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out what migrations create by hand for search (FTS5 tables, the tsvector column,
    the trigram index)."""
    if type_ == "table" and name is not None and name.startswith(("messages_fts", "messages_trigram")):
        return False
    if type_ == "index" and name in ("ix_messages_search", "ix_messages_text_trgm"):
        return False
    return not (
        type_ == "column"
        and name == "search"
        and getattr(obj, "table", None) is not None
        and obj.table.name == "messages"
    )


def alembic_config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    await _run(db, lambda c: command.upgrade(alembic_config(c), revision))


async def downgrade(db: Database, revision: str) -> None:
    await _run(db, lambda c: command.downgrade(alembic_config(c), revision))


async def _run(db: Database, migrate: Callable[[Any], None]) -> None:
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK})
            await conn.commit()
        else:
            await _sqlite_foreign_keys(conn, on=False)
        try:
            await conn.run_sync(migrate)
            if db.dialect == "sqlite":
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left rows whose foreign keys point nowhere: {broken[:5]}")
            await conn.commit()
        finally:
            if db.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK})
                await conn.commit()
            else:
                await conn.rollback()
                await _sqlite_foreign_keys(conn, on=True)


async def _sqlite_foreign_keys(conn: AsyncConnection, *, on: bool) -> None:
    """Rebuilding a table (drop, then rename a copy) must not cascade to its children: SQLite
    migrations run with foreign keys off, checked before commit. The pragma is ignored inside a
    transaction, so it goes to the driver before SQLAlchemy begins one."""
    raw = await conn.get_raw_connection()
    await raw.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")  # type: ignore[union-attr]


async def pending_model_changes(db: Database) -> list[Any]:
    """Differences between the models and the migrated database (empty when in sync)."""

    def compare(connection: Any) -> list[Any]:
        ctx = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(ctx, SQLModel.metadata))

    async with db.engine.connect() as conn:
        return await conn.run_sync(compare)


async def autogenerate(db: Database, message: str) -> None:
    """Developer helper: write a new revision from the model changes."""
    async with db.engine.connect() as conn:
        await conn.run_sync(lambda c: command.revision(alembic_config(c), message=message, autogenerate=True))
