"""Substring search index for `textContains`

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

`textContains` matches anywhere in the text, inside words too ("isk" finds "disk"),
case-insensitively. A B-tree cannot answer `LIKE '%isk%'`; a trigram index can:

- SQLite: `messages_trigram`, an external-content FTS5 table with the `trigram` tokenizer
  (`case_sensitive 0`: Unicode simple case folding, diacritics kept). A pattern is searched as
  a phrase of its trigrams in the `text` column, i.e. as a substring. A second column, `place`,
  holds the message's place like 0006's FTS index (`<t12>`, `<p>`, `<c>`, `<n>`), so counting a
  common substring for a viewer leaves out unreadable topics inside the index
  (app.filters.text_count). It reads its content from the view `messages_trigram_source`;
  three triggers ON `messages` (insert, delete, update of text or place) keep it in step, like
  `messages_fts`. Topic paths never change (see 0006).
  DEPENDENCY: SQLite drops a table's triggers with the table, so any migration after this one
  that rebuilds `messages` (batch mode, e.g. to change AUTOINCREMENT as 0008 does) must create
  TRIGGERS again, then run `INSERT INTO messages_trigram(messages_trigram) VALUES ('rebuild')`.
  This migration only names the table (the view and triggers select from `messages` by name),
  so it does not care how 0008 built it.
- PostgreSQL: the pg_trgm extension (contrib, shipped with Debian's postgresql package; creating
  it needs a role allowed to) and a GIN index on `messages.text` with `gin_trgm_ops`, which
  serves `text ILIKE '%pattern%'`. Case folding follows the database's locale (C.UTF-8 or
  en_US.UTF-8: Unicode; plain C: ASCII only).

Both need a pattern of at least three characters to use the index; shorter ones are refused
(app.domain.search_terms.MIN_CONTAINS).
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _place(row: str) -> str:
    """The place of a message row as one delimited value: `<t12>` (topic 12), `<p>` (a private
    space), `<c>` (a conversation), `<n>` (a notice); the same places as 0006's FTS index. The
    trigram tokenizer indexes substrings, so the delimiters make a phrase match a whole value."""
    private = f"(SELECT path FROM topics WHERE topics.id = {row}.topic_id) LIKE '/Private/%'"
    return (
        f"'<' || CASE WHEN {row}.topic_id IS NOT NULL "
        f"THEN (CASE WHEN {private} THEN 'p' ELSE 't' || {row}.topic_id END) "
        f"WHEN {row}.conversation_id IS NOT NULL THEN 'c' ELSE 'n' END || '>'"
    )


def _insert(row: str) -> str:
    return f"INSERT INTO messages_trigram(rowid, text, place) VALUES ({row}.id, {row}.text, {_place(row)});"


def _delete(row: str) -> str:
    return (
        "INSERT INTO messages_trigram(messages_trigram, rowid, text, place) "
        f"VALUES ('delete', {row}.id, {row}.text, {_place(row)});"
    )


TRIGGERS = {
    "messages_trigram_insert": f"AFTER INSERT ON messages BEGIN {_insert('new')} END",
    "messages_trigram_delete": f"AFTER DELETE ON messages BEGIN {_delete('old')} END",
    "messages_trigram_update": "AFTER UPDATE OF text, topic_id, conversation_id ON messages "
    f"BEGIN {_delete('old')} {_insert('new')} END",
}
SQLITE_UP = [
    "DROP VIEW IF EXISTS messages_trigram_source",
    f"CREATE VIEW messages_trigram_source AS SELECT id, text, {_place('messages')} AS place FROM messages",
    "CREATE VIRTUAL TABLE IF NOT EXISTS messages_trigram USING fts5(text, place, "
    "content='messages_trigram_source', content_rowid='id', tokenize='trigram case_sensitive 0')",
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    *(f"CREATE TRIGGER {name} {body}" for name, body in TRIGGERS.items()),
    "INSERT INTO messages_trigram(messages_trigram) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    "DROP TABLE IF EXISTS messages_trigram",
    "DROP VIEW IF EXISTS messages_trigram_source",
]
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
