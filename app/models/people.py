"""Users, their rights and tokens; groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlmodel import Column, Field, SQLModel

from app.models.base import NEVER_REUSED_IDS, fk, when


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40)
    username_key: str = Field(max_length=40, unique=True)  # lower-cased, for lookups
    display_name: str = Field(max_length=100)
    avatar_url: str | None = Field(default=None, max_length=2000)
    locale: str = Field(default="en", max_length=35)
    password_hash: str = Field(max_length=255)
    created_at: datetime = when()
    last_active_at: datetime | None = when(nullable=True)


class UserRight(SQLModel, table=True):
    __tablename__ = "user_rights"
    user_id: int = Field(sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    right: str = Field(primary_key=True, max_length=64)


class AuthToken(SQLModel, table=True):
    __tablename__ = "auth_tokens"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = fk("users.id", index=True)
    created_at: datetime = when()
    expires_at: datetime = when(index=True)


class Group(SQLModel, table=True):
    __tablename__ = "groups"
    __table_args__ = NEVER_REUSED_IDS
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    name_key: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(
        default=None, sa_column=Column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = when()


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"
    group_id: int = Field(sa_column=Column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(
        sa_column=Column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    is_admin: bool = False
