"""messages.translated: whether a message has translations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28

Rendering a message's text looked its translations up for every message, although few have
any: one statement per request on every read. The flag lets a message without translations
render without it. A plain ADD COLUMN with a default (no table rebuild), then the flag set for
the messages that have translations.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has_column() -> bool:
    return "translated" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("messages")}


def upgrade() -> None:
    if not _has_column():  # a rebuild of the table in 0008 from the current models may have made it
        op.add_column(
            "messages", sa.Column("translated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE messages SET translated = true"
        " WHERE id IN (SELECT message_id FROM message_translations)"
    )


def downgrade() -> None:
    if _has_column():
        op.drop_column("messages", "translated")
