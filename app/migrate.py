"""Alembic migrations, run programmatically on the app's own engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.db import Database
from app.models import SQLModel

MIGRATIONS = Path(__file__).parent / "migrations"
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
    async with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            await conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK})
            await conn.commit()
        try:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), revision))
            await conn.commit()
        finally:
            if db.dialect == "postgresql":
                await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK})
                await conn.commit()


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
