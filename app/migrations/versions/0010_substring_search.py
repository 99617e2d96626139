"""Substring search index for `textContains`

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

`textContains` matches anywhere in the text, inside words too ("isk" finds "disk"),
case-insensitively. A B-tree cannot answer `LIKE '%isk%'`; a trigram index can:

- SQLite: `messages_trigram`, an external-content FTS5 table over `messages.text` with the
  `trigram` tokenizer (`case_sensitive 0`: Unicode simple case folding, diacritics kept). A
  pattern is searched as a phrase of its trigrams, i.e. as a substring. Three triggers ON
  `messages` (insert, delete, update of text) keep it in step, like `messages_fts` (0003, 0006).
  DEPENDENCY: SQLite drops a table's triggers with the table, so any migration after this one
  that rebuilds `messages` (batch mode, e.g. to change AUTOINCREMENT as 0008 does) must create
  TRIGGERS again, then run `INSERT INTO messages_trigram(messages_trigram) VALUES ('rebuild')`.
  This migration only names the table, so it does not care how 0008 left it.
- PostgreSQL: the pg_trgm extension (contrib, shipped with Debian's postgresql package; creating
  it needs a role allowed to) and a GIN index on `messages.text` with `gin_trgm_ops`, which
  serves `text ILIKE '%pattern%'`. Case folding follows the database's locale (C.UTF-8 or
  en_US.UTF-8: Unicode; plain C: ASCII only).

Both need a pattern of at least three characters to use the index; shorter ones are refused
(app.search.MIN_CONTAINS).
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DELETE_OLD = (
    "INSERT INTO messages_trigram(messages_trigram, rowid, text) VALUES ('delete', old.id, old.text);"
)
_INSERT_NEW = "INSERT INTO messages_trigram(rowid, text) VALUES (new.id, new.text);"
TRIGGERS = {
    "messages_trigram_insert": f"AFTER INSERT ON messages BEGIN {_INSERT_NEW} END",
    "messages_trigram_delete": f"AFTER DELETE ON messages BEGIN {_DELETE_OLD} END",
    "messages_trigram_update": f"AFTER UPDATE OF text ON messages BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
}
SQLITE_UP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_trigram USING fts5(text, content='messages', "
    "content_rowid='id', tokenize='trigram case_sensitive 0')",
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    *(f"CREATE TRIGGER {name} {body}" for name, body in TRIGGERS.items()),
    "INSERT INTO messages_trigram(messages_trigram) VALUES ('rebuild')",
]
SQLITE_DOWN = [*(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS), "DROP TABLE IF EXISTS messages_trigram"]
POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_messages_text_trgm ON messages USING gin (text gin_trgm_ops)",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_messages_text_trgm"]  # the extension may serve others


def upgrade() -> None:
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
