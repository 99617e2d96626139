"""Announcement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from app import models
from app.domain.translations import locale_chain, pick_translation
from app.graphql.context import Info
from app.graphql.types.common import Connection
from app.graphql.types.event_kinds import AnnouncementEventKind
from app.graphql.types.groups import Group
from app.graphql.types.message_parts import viewer_locale
from app.graphql.types.principals import Principal, load_principals
from app.graphql.types.users import User
from app.queries import announcements as announcements_queries


@strawberry.type
class AnnouncementConfirmation(relay.Node):
    id: relay.NodeID[str]
    user_id: strawberry.Private[int]
    version: int
    confirmed_at: datetime

    @strawberry.field
    async def user(self, info: Info) -> User:
        row = await info.context.loaders.user.load(self.user_id)
        assert row is not None
        return User.from_row(row)


@strawberry.type(name="Announcement")
class Announcement(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[models.Announcement]
    version: int
    confirm_every_version: bool
    starts_at: datetime | None
    ends_at: datetime | None

    @classmethod
    def from_row(cls, row: models.Announcement) -> Announcement:
        assert row.id is not None
        return cls(
            id=row.id,
            row=row,
            version=row.version,
            confirm_every_version=row.confirm_every_version,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
        )

    async def _part(self, info: Info, part: str, locale: str | None) -> str | None:
        texts = (await info.context.loaders.announcement_texts.load(self.id)).get(part)
        if not texts:
            return None
        chain = locale_chain(locale, viewer_locale(info), "en")
        first = next(iter(sorted(texts.items())))[1]
        return pick_translation(first, texts, chain)

    @strawberry.field(description="In `locale` (default: the viewer's), falling back to English, then any.")
    async def title(self, info: Info, locale: str | None = None) -> str:
        return await self._part(info, "title", locale) or ""

    @strawberry.field
    async def body(self, info: Info, locale: str | None = None) -> str:
        return await self._part(info, "body", locale) or ""

    @strawberry.field(description="If set, recipients must confirm.")
    async def confirmation(self, info: Info, locale: str | None = None) -> str | None:
        return await self._part(info, "confirmation", locale)

    @strawberry.field
    async def owner(self, info: Info) -> Principal:
        found = await load_principals(info, [(self.row.owner_kind, self.row.owner_id)])
        return found[0]

    @strawberry.field
    async def audience(self, info: Info) -> list[Group]:
        ids = await info.context.loaders.announcement_audience.load(self.id)
        return [Group.from_row(g) for g in await info.context.loaders.group.load_many(ids) if g is not None]

    @strawberry.field(description="The newest version the viewer confirmed.")
    async def viewer_confirmed_version(self, info: Info) -> int | None:
        versions = await info.context.loaders.confirmed_versions.load(self.id)
        return max(versions) if versions else None

    @strawberry.field(
        description="Waits for the viewer's confirmation (of this version if confirmEveryVersion)."
    )
    async def viewer_must_confirm(self, info: Info) -> bool:
        if await self.confirmation(info) is None:
            return False
        versions = await info.context.loaders.confirmed_versions.load(self.id)
        return self.version not in versions if self.confirm_every_version else not versions

    @strawberry.field(description="Who confirmed which version and when (owner and admins only).")
    async def confirmations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AnnouncementConfirmation]:
        page = info.context.page(first=first, after=after)
        result = await announcements_queries.confirmations(
            info.context.db, info.context.viewer, self.row, page
        )
        return Connection.of(
            result,
            lambda c: AnnouncementConfirmation(
                id=f"{c.announcement_id}:{c.user_id}:{c.version}",
                user_id=c.user_id,
                version=c.version,
                confirmed_at=c.confirmed_at,
            ),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_announcement(info, int(i)) for i in node_ids]


async def load_announcement(info: Info, announcement_id: int) -> Announcement | None:
    row = await announcements_queries.announcement(info.context.db, info.context.viewer, announcement_id)
    return Announcement.from_row(row) if row else None


@strawberry.type
class AnnouncementEvent:
    cursor: str = strawberry.field(description="Resume point: pass it as `after` after a reconnect.")
    kind: AnnouncementEventKind
    announcement_id: strawberry.ID
    version: int = strawberry.field(description="The version published, or the last one when withdrawn.")
    announcement: Announcement | None = strawberry.field(
        description="Its current state; null once withdrawn (or no longer visible to the viewer)."
    )
    actor_id: strawberry.Private[int | None]
    at: datetime

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        row = await info.context.loaders.user.load(self.actor_id) if self.actor_id is not None else None
        return User.from_row(row) if row else None
