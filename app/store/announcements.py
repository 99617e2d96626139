"""Announcements: texts per part and locale, audience groups, confirmations per version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import Announcement, AnnouncementAudience, AnnouncementConfirmation, AnnouncementText
from app.store.keyset import SortKey, paginate


async def insert_announcement(session: AsyncSession, announcement: Announcement) -> Announcement:
    session.add(announcement)
    await session.flush()
    return announcement


async def get_announcement(session: AsyncSession, *, announcement_id: int) -> Announcement | None:
    return await session.get(Announcement, announcement_id)


async def announcements_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Announcement]:
    if not ids:
        return {}
    rows = (await session.execute(select(Announcement).where(Announcement.id.in_(set(ids))))).scalars()
    return {a.id: a for a in rows if a.id is not None}


async def set_texts(session: AsyncSession, *, announcement_id: int, texts: dict[str, dict[str, str]]) -> None:
    await session.execute(delete(AnnouncementText).where(AnnouncementText.announcement_id == announcement_id))
    session.add_all(
        AnnouncementText(announcement_id=announcement_id, part=part, locale=locale, text=text)
        for part, by_locale in texts.items()
        for locale, text in by_locale.items()
    )
    await session.flush()


async def texts_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, dict[str, dict[str, str]]]:
    out: dict[int, dict[str, dict[str, str]]] = {i: {} for i in ids}
    if ids:
        stmt = select(AnnouncementText).where(AnnouncementText.announcement_id.in_(set(ids)))
        for row in (await session.execute(stmt)).scalars():
            out.setdefault(row.announcement_id, {}).setdefault(row.part, {})[row.locale] = row.text
    return out


async def set_audience(session: AsyncSession, *, announcement_id: int, group_ids: Sequence[int]) -> None:
    await session.execute(
        delete(AnnouncementAudience).where(AnnouncementAudience.announcement_id == announcement_id)
    )
    session.add_all(
        AnnouncementAudience(announcement_id=announcement_id, group_id=g) for g in dict.fromkeys(group_ids)
    )
    await session.flush()


async def audience_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        stmt = select(AnnouncementAudience).where(AnnouncementAudience.announcement_id.in_(set(ids)))
        for row in (await session.execute(stmt)).scalars():
            out.setdefault(row.announcement_id, []).append(row.group_id)
    return out


async def delete_announcement(session: AsyncSession, *, announcement_id: int) -> None:
    await session.execute(delete(Announcement).where(Announcement.id == announcement_id))


async def confirm(
    session: AsyncSession, *, announcement_id: int, user_id: int, version: int, now: datetime
) -> bool:
    key = (announcement_id, user_id, version)
    if await session.get(AnnouncementConfirmation, key) is not None:
        return False
    session.add(
        AnnouncementConfirmation(
            announcement_id=announcement_id, user_id=user_id, version=version, confirmed_at=now
        )
    )
    await session.flush()
    return True


async def confirmed_versions(
    session: AsyncSession, *, user_id: int, ids: Sequence[int]
) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        stmt = select(AnnouncementConfirmation).where(
            AnnouncementConfirmation.user_id == user_id,
            AnnouncementConfirmation.announcement_id.in_(set(ids)),
        )
        for row in (await session.execute(stmt)).scalars():
            out.setdefault(row.announcement_id, []).append(row.version)
    return out


async def list_confirmations(
    session: AsyncSession, *, announcement_id: int, page: PageRequest
) -> Page[AnnouncementConfirmation]:
    stmt = select(AnnouncementConfirmation).where(AnnouncementConfirmation.announcement_id == announcement_id)
    keys = [
        SortKey(AnnouncementConfirmation.confirmed_at, False),
        SortKey(AnnouncementConfirmation.user_id, False),
        SortKey(AnnouncementConfirmation.version, False),
    ]
    return await paginate(
        session,
        stmt,
        keys=keys,
        key_of=lambda c: (c.confirmed_at, c.user_id, c.version),
        page=page,
        with_total=True,
    )


def _visible(user_id: int, group_ids: Sequence[int], now: datetime) -> list[Any]:
    audience = exists().where(
        AnnouncementAudience.announcement_id == Announcement.id,
        AnnouncementAudience.group_id.in_(list(group_ids)) if group_ids else false(),
    )
    return [
        audience,
        or_(Announcement.starts_at.is_(None), Announcement.starts_at <= now),
        or_(Announcement.ends_at.is_(None), Announcement.ends_at > now),
    ]


def _pending(user_id: int) -> Any:
    asks = exists().where(
        AnnouncementText.announcement_id == Announcement.id, AnnouncementText.part == "confirmation"
    )
    done = exists().where(
        AnnouncementConfirmation.announcement_id == Announcement.id,
        AnnouncementConfirmation.user_id == user_id,
        or_(
            Announcement.confirm_every_version.is_(False),
            AnnouncementConfirmation.version == Announcement.version,
        ),
    )
    return and_(asks, ~done)


def _managed(user_id: int, group_ids: Sequence[int], is_admin: bool) -> Any:
    """Owned by the user or by one of their groups; admins manage every announcement."""
    if is_admin:
        return true()
    by_group = (
        and_(Announcement.owner_kind == "group", Announcement.owner_id.in_(list(group_ids)))
        if group_ids
        else false()
    )
    return or_(and_(Announcement.owner_kind == "user", Announcement.owner_id == user_id), by_group)


async def list_for_user(
    session: AsyncSession,
    *,
    user_id: int,
    group_ids: Sequence[int],
    now: datetime,
    pending_only: bool,
    page: PageRequest,
    managed: bool = False,
    is_admin: bool = False,
) -> Page[Announcement]:
    """Active ones addressed to the user's groups; with `managed`, those the user may manage
    instead, whatever their window and audience."""
    where = [_managed(user_id, group_ids, is_admin)] if managed else _visible(user_id, group_ids, now)
    stmt = select(Announcement).where(*where)
    if pending_only:
        stmt = stmt.where(_pending(user_id))
    return await paginate(
        session,
        stmt,
        keys=[SortKey(Announcement.updated_at, True), SortKey(Announcement.id, True)],
        key_of=lambda a: (a.updated_at, a.id),
        page=page,
        with_total=True,
    )


async def pending_count(
    session: AsyncSession, *, user_id: int, group_ids: Sequence[int], now: datetime
) -> int:
    from sqlalchemy import func

    stmt = (
        select(func.count())
        .select_from(Announcement)
        .where(*_visible(user_id, group_ids, now), _pending(user_id))
    )
    return int((await session.execute(stmt)).scalar_one())
