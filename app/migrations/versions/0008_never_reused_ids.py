"""Ids are never reused: SQLite tables with a surrogate id become AUTOINCREMENT

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28

Without AUTOINCREMENT SQLite hands out max(rowid) + 1, so deleting the newest message and
sending again gave the new message the deleted one's id: its DELETED and ADDED events, and
every client cache keyed by the global id, mixed two messages. With it, SQLite remembers the
largest id ever used (in `sqlite_sequence`).

SQLite cannot change a table's primary key in place: each table is rebuilt (create a copy with
AUTOINCREMENT, copy the rows with their ids, drop, rename; alembic's batch mode). app.core.migrate
runs SQLite migrations with foreign keys off (a DROP TABLE would otherwise cascade to the
children) and checks them afterwards. The FTS triggers on `messages` and the view they read
(0006) go with the old table and are recreated; the FTS index keeps its rows, keyed by the
unchanged ids. Indexes, unique constraints and foreign keys are copied by the rebuild. Each
counter starts above the largest id still in the table or named by the event log, so a message
deleted shortly before the upgrade does not lend its id to the next one either.

Alembic's batch mode does not reflect AUTOINCREMENT: a later migration that rebuilds one of these
tables must pass `table_kwargs={"sqlite_autoincrement": True}` (tests/test_migration_0008.py
checks every table the models mark after all migrations).

PostgreSQL's sequences never hand out a number twice: nothing to do there.
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# every table whose integer id is handed out by the database (the ids reach clients, or may)
TABLES = (
    "users",
    "auth_tokens",
    "groups",
    "topics",
    "conversations",
    "messages",
    "message_revisions",
    "attachments",
    "announcements",
)

# ids the event log still names may belong to rows deleted before this migration: start above them
LOGGED = {
    "messages": "message_id",
    "announcements": "announcement_id",
    "conversations": "conversation_id",
    "topics": "topic_id",
    "users": "actor_id",
}

_fts = importlib.import_module("app.migrations.versions.0006_fts_prefixes_and_places")
FTS_TRIGGERS = _fts.TRIGGERS
FTS_VIEW_AND_TRIGGERS = [s for s in _fts.UPGRADE if s.startswith(("CREATE VIEW", "CREATE TRIGGER"))]


def _rebuild(autoincrement: bool) -> None:
    for statement in (*(f"DROP TRIGGER IF EXISTS {t}" for t in FTS_TRIGGERS), "DROP VIEW IF EXISTS messages_fts_source"):
        op.execute(statement)
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
    for statement in FTS_VIEW_AND_TRIGGERS:
        op.execute(statement)
    if autoincrement:
        for table, column in LOGGED.items():
            logged = f"(SELECT coalesce(max({column}), 0) FROM events)"
            op.execute(f"UPDATE sqlite_sequence SET seq = max(seq, {logged}) WHERE name = '{table}'")
            op.execute(
                f"INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', {logged} "
                f"WHERE {logged} > 0 AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{table}')"
            )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(autoincrement=False)
