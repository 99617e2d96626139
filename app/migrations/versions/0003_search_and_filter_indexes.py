"""Full-text search (SQLite FTS5 / PostgreSQL tsvector) and indexes for the filter language

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

On SQLite, `messages_fts` is an external-content FTS5 table kept in step by triggers. A later
migration that rebuilds `messages` in batch mode drops those triggers: recreate them there.
On PostgreSQL, `messages.search` is a generated tsvector column with a GIN index.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_messages_topic_created": ["topic_id", "created_at", "id"],
    "ix_messages_created_at_id": ["created_at", "id"],
    "ix_messages_updated_created": ["updated_at", "created_at"],
    "ix_messages_author_created": ["author_id", "created_at", "id", "topic_id", "conversation_id"],
    "ix_messages_votes_up": ["votes_up"],
    "ix_messages_votes_down": ["votes_down"],
    "ix_messages_like_count": ["like_count"],
    "ix_messages_reply_count": ["reply_count"],
}

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "messages", columns)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        # case and accents folded like SQLite's unicode61 remove_diacritics (unaccent ships with
        # PostgreSQL; creating the extension needs a role allowed to)
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            "CREATE OR REPLACE FUNCTION parley_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
            "STRICT AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$"
        )
        op.execute(
            "ALTER TABLE messages ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', parley_fold(text))) STORED"
        )
        op.execute("CREATE INDEX ix_messages_search ON messages USING gin (search)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS messages_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_search")
        op.execute("ALTER TABLE messages DROP COLUMN IF EXISTS search")
        op.execute("DROP FUNCTION IF EXISTS parley_fold(text)")
    for name in INDEXES:
        op.drop_index(name, "messages")
