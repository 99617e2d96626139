"""Tag and label rows carry their message's topic; the date index covers the access check

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

- `message_tags.topic_id` / `message_labels.topic_id`: a copy of the message's topic (written
  with the row, rewritten when a message moves), so counting a tag or label filter reads one
  index (tag, topic, message) and never the messages.
- `ix_messages_created_at_id` also holds the columns of the read-access check, so a walk down
  the dates to fill a page reads no message rows.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACED = {  # table: (value column, old index, new index)
    "message_tags": ("tag", "ix_message_tags_tag_message", "ix_message_tags_tag_topic"),
    "message_labels": ("text", "ix_message_labels_text_message", "ix_message_labels_text_topic"),
}
DATE_COLUMNS = ["created_at", "id", "topic_id", "conversation_id", "author_id"]


def upgrade() -> None:
    for table, (value, old, new) in PLACED.items():
        op.add_column(table, sa.Column("topic_id", sa.Integer(), nullable=True))
        op.execute(
            f"UPDATE {table} SET topic_id = (SELECT m.topic_id FROM messages m WHERE m.id = {table}.message_id)"
        )
        op.drop_index(old, table)
        op.create_index(new, table, [value, "topic_id", "message_id"])
    op.drop_index("ix_messages_created_at_id", "messages")
    op.create_index("ix_messages_created_at_id", "messages", DATE_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_messages_created_at_id", "messages")
    op.create_index("ix_messages_created_at_id", "messages", ["created_at", "id"])
    for table, (value, old, new) in PLACED.items():
        op.drop_index(new, table)
        op.create_index(old, table, [value, "message_id"])
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("topic_id")
