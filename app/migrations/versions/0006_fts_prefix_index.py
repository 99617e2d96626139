"""Prefix indexes for full-text search on SQLite

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Every search term is a prefix (`"w12"*`). Without a prefix index FTS5 merges the posting list
of every word that starts with it (111 lists for `w12` in the benchmark); with one, a 2- or
3-character prefix reads a single list. The table is rebuilt from `messages`; the triggers of
0003 refer to it by name and keep working. PostgreSQL answers prefixes from its GIN index.
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _recreate(options: str) -> None:
    op.execute("DROP TABLE IF EXISTS messages_fts")
    op.execute(
        "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id', "
        f"tokenize='unicode61 remove_diacritics 2'{options})"
    )
    op.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate(", prefix='2 3'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("")
