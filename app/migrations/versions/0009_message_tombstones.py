"""Conversation tombstones: messages.deleted_at

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28

A conversation message deleted while replies hang off it stays as a tombstone: its text and
everything hanging off it go, its place in the thread (id, author, createdAt, conversation,
reply links) stays, and `deleted_at` says when it was deleted (`Message.deleted`). A plain
ADD COLUMN on both SQLite and PostgreSQL (no table rebuild); the FTS5 view and triggers of
0006 name their columns, so they are untouched.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has_column() -> bool:
    return "deleted_at" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("messages")}


def upgrade() -> None:
    if not _has_column():  # a rebuild of the table in 0008 from the current models may have made it
        op.add_column(
            "messages", sa.Column("deleted_at", app.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    if _has_column():
        op.drop_column("messages", "deleted_at")
