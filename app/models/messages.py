"""Messages and everything hanging off them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, UniqueConstraint, false
from sqlmodel import Column, Field, SQLModel

from app.models.base import NEVER_REUSED_IDS, empty_list, fk, when


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("author_id", "client_mutation_id", name="uq_messages_client_mutation"),
        Index("ix_messages_conversation_id_id", "conversation_id", "id"),
        Index("ix_messages_topic_id_id", "topic_id", "id"),
        Index("ix_messages_root_id_id", "root_id", "id"),
        Index("ix_messages_topic_created", "topic_id", "created_at", "id"),
        # with the place columns, a walk down the dates checks read access from the index alone
        Index("ix_messages_created_at_id", "created_at", "id", "topic_id", "conversation_id", "author_id"),
        Index("ix_messages_updated_created", "updated_at", "created_at"),
        # with the place columns, one index serves an author's timeline in order and its count
        Index("ix_messages_author_created", "author_id", "created_at", "id", "topic_id", "conversation_id"),
        # a narrow copy of what the read-access check and the default order need, so counts and
        # sorts over many matches read index pages instead of whole rows
        Index("ix_messages_id_place", "id", "topic_id", "conversation_id", "author_id", "created_at"),
        Index("ix_messages_votes_up", "votes_up"),
        Index("ix_messages_votes_down", "votes_down"),
        Index("ix_messages_like_count", "like_count"),
        Index("ix_messages_reply_count", "reply_count"),
        NEVER_REUSED_IDS,
    )
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = fk("conversations.id", nullable=True)
    topic_id: int | None = fk("topics.id", nullable=True)
    author_id: int = fk("users.id", index=True)
    text: str
    created_at: datetime = when()
    updated_at: datetime | None = when(nullable=True)
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
    urls: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    parameters: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # set: a conversation message deleted while replies hang off it, kept as an empty tombstone
    deleted_at: datetime | None = when(nullable=True)
    # has rows in message_translations: a message without needs no query to render its text
    translated: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


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
    __table_args__ = (Index("ix_message_tags_tag_topic", "tag", "topic_id", "message_id"),)
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    tag: str = Field(primary_key=True, max_length=100)
    position: int = 0  # order of appearance in the text
    # a copy of the message's topic, so a tag count checks read access from this index alone
    topic_id: int | None = None


class MessageLabel(SQLModel, table=True):
    __tablename__ = "message_labels"
    __table_args__ = (Index("ix_message_labels_text_topic", "text", "topic_id", "message_id"),)
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    text: str = Field(primary_key=True, max_length=100)
    color: str = Field(max_length=64)
    position: int = 0
    topic_id: int | None = None  # a copy of the message's topic, as on MessageTag


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
    created_at: datetime = when()


class MessageVote(SQLModel, table=True):
    __tablename__ = "message_votes"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    direction: int  # +1 up, -1 down


class MessageRevision(SQLModel, table=True):
    __tablename__ = "message_revisions"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = fk("messages.id", index=True)
    text: str
    editor_id: int = fk("users.id")
    edited_at: datetime = when()


class Reaction(SQLModel, table=True):
    __tablename__ = "reactions"
    message_id: int = Field(sa_column=Column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    content: str = Field(primary_key=True, max_length=64)
    created_at: datetime = when()


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = fk("messages.id", index=True)
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
    read_at: datetime = when()
