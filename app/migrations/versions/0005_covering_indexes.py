"""Narrow covering indexes for counts and sorts over many matches

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_messages_id_place": ["id", "topic_id", "conversation_id", "author_id", "created_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "messages", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "messages")
