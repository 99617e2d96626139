"""The event log, and announcements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey
from sqlmodel import Column, Field, SQLModel

from app.models.base import NEVER_REUSED_IDS, empty_dict, fk, when


class Event(SQLModel, table=True):
    """The durable event log; `position` follows commit order (see store/events.py)."""

    __tablename__ = "events"
    position: int = Field(primary_key=True, sa_type=BigInteger)
    kind: str = Field(max_length=16)
    message_id: int | None = Field(default=None, index=True)
    announcement_id: int | None = Field(default=None, index=True)
    conversation_id: int | None = Field(default=None, index=True)
    topic_id: int | None = Field(default=None, index=True)
    actor_id: int | None = Field(default=None)
    at: datetime = when(index=True)
    data: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))


class EventCounter(SQLModel, table=True):
    """A single row; locking it in each writing transaction orders event positions."""

    __tablename__ = "event_counter"
    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)


class Announcement(SQLModel, table=True):
    """A system message its audience must see (and maybe confirm), in versions."""

    __tablename__ = "announcements"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    version: int = 1
    confirm_every_version: bool = False
    starts_at: datetime | None = when(nullable=True, index=True)
    ends_at: datetime | None = when(nullable=True, index=True)
    owner_kind: str = Field(max_length=8)  # "user" | "group"
    owner_id: int
    created_by: int = fk("users.id")
    created_at: datetime = when()
    updated_at: datetime = when()


class AnnouncementText(SQLModel, table=True):
    __tablename__ = "announcement_texts"
    announcement_id: int = Field(
        sa_column=Column(ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    )
    part: str = Field(primary_key=True, max_length=16)  # title | body | confirmation
    locale: str = Field(primary_key=True, max_length=35)
    text: str


class AnnouncementAudience(SQLModel, table=True):
    __tablename__ = "announcement_audience"
    announcement_id: int = Field(
        sa_column=Column(ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    )
    group_id: int = Field(
        sa_column=Column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class AnnouncementConfirmation(SQLModel, table=True):
    __tablename__ = "announcement_confirmations"
    announcement_id: int = Field(
        sa_column=Column(ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    version: int = Field(primary_key=True)
    confirmed_at: datetime = when()
