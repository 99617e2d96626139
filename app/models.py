"""Table models (SQLModel, table=True) and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Column, Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _fk(target: str, *, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        sa_column=Column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index),
        default=None if nullable else ...,
    )


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40)
    username_key: str = Field(max_length=40, unique=True)  # lower-cased, for lookups
    display_name: str = Field(max_length=100)
    avatar_url: str | None = Field(default=None, max_length=2000)
    locale: str = Field(default="en", max_length=35)
    password_hash: str = Field(max_length=255)
    created_at: datetime = _when()
    last_active_at: datetime | None = _when(nullable=True)


class UserRight(SQLModel, table=True):
    __tablename__ = "user_rights"
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    right: str = Field(primary_key=True, max_length=64)


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_tokens"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = _fk("users.id", index=True)
    created_at: datetime = _when()
    expires_at: datetime = _when(index=True)


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    id: int | None = Field(default=None, primary_key=True)
    title: str | None = Field(default=None, max_length=200)
    direct_key: str | None = Field(default=None, max_length=64, unique=True)
    created_by: int = _fk("users.id")
    created_at: datetime = _when()
    last_activity_at: datetime = _when(index=True)


class ConversationParticipant(SQLModel, table=True):
    __tablename__ = "conversation_participants"
    conversation_id: int = Field(
        sa_column=Column(ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    joined_at: datetime = _when()
    read_up_to_id: int = Field(default=0)  # every message with id <= this is read


class Group(SQLModel, table=True):
    __tablename__ = "groups"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    name_key: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(
        default=None, sa_column=Column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = _when()


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"
    group_id: int = Field(sa_column=Column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    is_admin: bool = False


class Topic(SQLModel, table=True):
    """A hierarchical channel such as /Team/Ops/Alerts, with Tat's parameters."""

    __tablename__ = "topics"
    id: int | None = Field(default=None, primary_key=True)
    path: str = Field(max_length=512, unique=True)
    parent_id: int | None = _fk("topics.id", nullable=True, index=True)
    description: str | None = Field(default=None, max_length=500)
    read_only: bool = False
    created_at: datetime = _when()
    max_length: int
    max_replies: int
    can_force_date: bool = False
    can_update_message: bool = True
    can_update_all_messages: bool = False
    can_delete_message: bool = True
    can_delete_all_messages: bool = False
    admin_can_update_all_messages: bool = True
    admin_can_delete_all_messages: bool = True
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class TopicAccess(SQLModel, table=True):
    """One grant: a user or group holds a role (1 read, 2 write, 3 admin) on a topic."""

    __tablename__ = "topic_access"
    topic_id: int = Field(sa_column=Column(ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True))
    principal_kind: str = Field(primary_key=True, max_length=8)  # "user" | "group"
    principal_id: int = Field(primary_key=True, index=True)
    role: int = Field(primary_key=True)


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("author_id", "client_mutation_id", name="uq_messages_client_mutation"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_topic_id_id", "topic_id", "id"),
        Index("ix_messages_root_id_id", "root_id", "id"),
        Index("ix_messages_topic_created", "topic_id", "created_at", "id"),
        Index("ix_messages_created_at_id", "created_at", "id"),
        Index("ix_messages_updated_created", "updated_at", "created_at"),
        Index("ix_messages_author_created", "author_id", "created_at", "id"),
        Index("ix_messages_votes_up", "votes_up"),
        Index("ix_messages_votes_down", "votes_down"),
        Index("ix_messages_like_count", "like_count"),
        Index("ix_messages_reply_count", "reply_count"),
    )
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = _fk("conversations.id", nullable=True)
    topic_id: int | None = _fk("topics.id", nullable=True)
    author_id: int = _fk("users.id", index=True)
    text: str
    created_at: datetime = _when()
    updated_at: datetime | None = _when(nullable=True)
    client_mutation_id: str | None = Field(default=None, max_length=128)
    in_reply_to_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("messages.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    root_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), nullable=True)
    )
    copied_from_id: int | None = Field(  # a task copy points at its original
        default=None,
        sa_column=Column(ForeignKey("messages.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    reply_count: int = 0  # direct replies
    like_count: int = 0
    votes_up: int = 0
    votes_down: int = 0
    urls: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    parameters: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MessageTranslation(SQLModel, table=True):
    __tablename__ = "message_translations"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    locale: str = Field(primary_key=True, max_length=35)
    text: str


class MessageRecipient(SQLModel, table=True):
    """Who a notice was addressed to, as sent (users and groups)."""

    __tablename__ = "message_recipients"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    principal_kind: str = Field(primary_key=True, max_length=8)
    principal_id: int = Field(primary_key=True)


class MessageDelivery(SQLModel, table=True):
    """A notice in one user's inbox (groups expanded once at send time)."""

    __tablename__ = "message_deliveries"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class MessageTag(SQLModel, table=True):
    __tablename__ = "message_tags"
    __table_args__ = (Index("ix_message_tags_tag_message", "tag", "message_id"),)
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    tag: str = Field(primary_key=True, max_length=100)
    position: int = 0  # order of appearance in the text


class MessageLabel(SQLModel, table=True):
    __tablename__ = "message_labels"
    __table_args__ = (Index("ix_message_labels_text_message", "text", "message_id"),)
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    text: str = Field(primary_key=True, max_length=100)
    color: str = Field(max_length=64)
    position: int = 0


class MessageMention(SQLModel, table=True):
    __tablename__ = "message_mentions"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class MessageLike(SQLModel, table=True):
    __tablename__ = "message_likes"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    created_at: datetime = _when()


class MessageVote(SQLModel, table=True):
    __tablename__ = "message_votes"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    direction: int  # +1 up, -1 down


class MessageRevision(SQLModel, table=True):
    __tablename__ = "message_revisions"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = _fk("messages.id", index=True)
    text: str
    editor_id: int = _fk("users.id")
    edited_at: datetime = _when()


class Reaction(SQLModel, table=True):
    __tablename__ = "reactions"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    content: str = Field(primary_key=True, max_length=64)
    created_at: datetime = _when()


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = _fk("messages.id", index=True)
    name: str = Field(max_length=255)
    url: str = Field(max_length=2000)
    mime_type: str = Field(max_length=255)
    size: int = Field(sa_type=BigInteger)


class MessageRead(SQLModel, table=True):
    __tablename__ = "message_reads"
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    message_id: int = Field(
        sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    read_at: datetime = _when()


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
    at: datetime = _when(index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EventCounter(SQLModel, table=True):
    """A single row; locking it in each writing transaction orders event positions."""

    __tablename__ = "event_counter"
    id: int = Field(primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)


class Announcement(SQLModel, table=True):
    """A system message its audience must see (and maybe confirm), in versions."""

    __tablename__ = "announcements"
    id: int | None = Field(default=None, primary_key=True)
    version: int = 1
    confirm_every_version: bool = False
    starts_at: datetime | None = _when(nullable=True, index=True)
    ends_at: datetime | None = _when(nullable=True, index=True)
    owner_kind: str = Field(max_length=8)  # "user" | "group"
    owner_id: int
    created_by: int = _fk("users.id")
    created_at: datetime = _when()
    updated_at: datetime = _when()


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
    confirmed_at: datetime = _when()
