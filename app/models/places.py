"""Where messages live: conversations and topics (with access grants)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlmodel import Column, Field, SQLModel

from app.models.base import NEVER_REUSED_IDS, empty_dict, fk, when


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    title: str | None = Field(default=None, max_length=200)
    direct_key: str | None = Field(default=None, max_length=64, unique=True)
    created_by: int = fk("users.id")
    created_at: datetime = when()
    last_activity_at: datetime = when(index=True)


class ConversationParticipant(SQLModel, table=True):
    __tablename__ = "conversation_participants"
    conversation_id: int = Field(
        sa_column=Column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    joined_at: datetime = when()
    read_up_to_id: int = Field(default=0)  # every message with id <= this is read


class Topic(SQLModel, table=True):
    """A hierarchical channel such as /Team/Ops/Alerts, with Tat's parameters."""

    __tablename__ = "topics"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=512, unique=True)
    parent_id: int | None = fk("topics.id", nullable=True, index=True)
    description: str | None = Field(default=None, max_length=500)
    read_only: bool = False
    created_at: datetime = when()
    max_length: int
    max_replies: int
    can_force_date: bool = False
    can_update_message: bool = True
    can_update_all_messages: bool = False
    can_delete_message: bool = True
    can_delete_all_messages: bool = False
    admin_can_update_all_messages: bool = True
    admin_can_delete_all_messages: bool = True
    extra: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))


class TopicAccess(SQLModel, table=True):
    """One grant: a user or group holds a role (1 read, 2 write, 3 admin) on a topic."""

    __tablename__ = "topic_access"
    topic_id: int = Field(sa_column=Column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True))
    principal_kind: str = Field(primary_key=True, max_length=8)  # "user" | "group"
    principal_id: int = Field(primary_key=True, index=True)
    role: int = Field(primary_key=True)
