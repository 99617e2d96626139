"""The small types hanging off a Message: labels, reactions, attachments, revisions, translations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app.graphql.context import Info
from app.graphql.loaders import NOT_LOADED
from app.graphql.types.users import User, load_user


@strawberry.enum
class VoteDirection(Enum):
    UP = "UP"
    DOWN = "DOWN"


@strawberry.type
class Translation:
    locale: str
    text: str


def viewer_locale(info: Info) -> str | None:
    """The viewer's locale, as read when they authenticated (no query per rendered message)."""
    viewer = info.context.viewer
    return viewer.locale if viewer is not None else None


@strawberry.type
class Label:
    text: str
    color: str


@strawberry.type
class Reaction:
    content: str
    user_id: strawberry.Private[int]
    created_at: datetime

    @strawberry.field
    def user(self, info: Info) -> User:
        row = info.context.loaders.loaded("user", self.user_id)
        if row is NOT_LOADED:
            return load_user(info, self.user_id)  # type: ignore[return-value]  # awaited by graphql-core
        return User.from_row(row)


@strawberry.type
class ReactionGroup:
    content: str
    count: int
    user_ids: strawberry.Private[list[int]]
    viewer_has_reacted: bool
    reactions: list[Reaction] = strawberry.field(description="Who reacted and when, oldest first.")

    @strawberry.field
    def users(self, info: Info) -> list[User]:
        rows = [info.context.loaders.loaded("user", i) for i in self.user_ids]
        if any(r is NOT_LOADED for r in rows):
            return self._load_users(info)  # type: ignore[return-value]  # awaited by graphql-core
        return [User.from_row(r) for r in rows if r is not None]

    async def _load_users(self, info: Info) -> list[User]:
        rows = await info.context.loaders.user.load_many(self.user_ids)
        return [User.from_row(r) for r in rows if r is not None]


@strawberry.type
class Attachment:
    id: strawberry.ID
    name: str
    url: str
    mime_type: str
    size: int


@strawberry.type
class MessageRevision:
    text: str
    editor_id: strawberry.Private[int]
    edited_at: datetime

    @strawberry.field
    async def editor(self, info: Info) -> User:
        row = await info.context.loaders.user.load(self.editor_id)
        assert row is not None
        return User.from_row(row)
