"""Full-text index v2 on SQLite: prefix indexes and a place column

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

- Every search term is a prefix (`"w12"*`). Without a prefix index FTS5 merges the posting
  list of every word that starts with it (111 lists for `w12` in the benchmark); with one, a
  2- or 3-character prefix reads a single list.
- A second column, `place`, holds one token per message: `t<topic id>`, `p` (any topic under
  /Private/, whose readers are their owners), `c` (a conversation) or `n` (a notice).
  Counting the matches of a common word for a viewer can then leave out the few topics they
  cannot read inside the index (app.filters.text_count) instead of looking up every match's
  topic. Searches name the `text` column.
- The token of a topic message depends on its topic's path, looked up by the triggers. Topic
  paths never change and topics are never deleted; whatever deletes topics one day must
  delete their messages first, while the path can still be read.
- The table reads its content from the view `messages_fts_source` (for 'rebuild'); triggers
  keep it in step on insert, delete, and on changes of the text or the place.

PostgreSQL answers prefixes from its GIN index and is unchanged.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
TRIGGERS = ("messages_fts_insert", "messages_fts_delete", "messages_fts_update")


def _place(row: str) -> str:
    """The place token of a message row (`row` is new, old or the messages table itself)."""
    private = f"(SELECT path FROM topics WHERE topics.id = {row}.topic_id) LIKE '/Private/%'"
    return (
        f"CASE WHEN {row}.topic_id IS NOT NULL THEN (CASE WHEN {private} THEN 'p' ELSE 't' || {row}.topic_id END) "
        f"WHEN {row}.conversation_id IS NOT NULL THEN 'c' ELSE 'n' END"
    )


def _insert(row: str) -> str:
    return f"INSERT INTO messages_fts(rowid, text, place) VALUES ({row}.id, {row}.text, {_place(row)});"


def _delete(row: str) -> str:
    return (
        "INSERT INTO messages_fts(messages_fts, rowid, text, place) "
        f"VALUES ('delete', {row}.id, {row}.text, {_place(row)});"
    )


UPGRADE = [
    *(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS),
    "DROP TABLE IF EXISTS messages_fts",
    f"CREATE VIEW messages_fts_source AS SELECT id, text, {_place('messages')} AS place FROM messages",
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, place, content='messages_fts_source', "
    f"content_rowid='id', {TOKENIZE}, prefix='2 3')",
    f"CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN {_insert('new')} END",
    f"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN {_delete('old')} END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, topic_id, conversation_id ON messages "
    f"BEGIN {_delete('old')} {_insert('new')} END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
]

DOWNGRADE = [  # back to 0003's table and triggers
    *(f"DROP TRIGGER IF EXISTS {t}" for t in TRIGGERS),
    "DROP TABLE IF EXISTS messages_fts",
    "DROP VIEW IF EXISTS messages_fts_source",
    f"CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id', {TOKENIZE})",
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
    if op.get_bind().dialect.name == "sqlite":
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DOWNGRADE:
            op.execute(statement)
