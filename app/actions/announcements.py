"""Announcements (easydb system messages): publish in versions, confirm, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import require_viewer
from app.actions.validation import check_locale, check_text
from app.auth import SYSTEM_MESSAGE_RIGHT, Viewer
from app.db import UnitOfWork
from app.errors import Forbidden, InvalidInput, NotFound, OwnerMismatch
from app.ids import to_global_id
from app.models import Announcement, utcnow
from app.store import announcements as store
from app.store import events as event_store
from app.store import groups as group_store
from app.store import users as user_store

USER, GROUP = "user", "group"


@dataclass(frozen=True)
class AnnouncementDraft:
    title: Sequence[tuple[str, str]]
    body: Sequence[tuple[str, str]]
    confirmation: Sequence[tuple[str, str]] | None
    confirm_every_version: bool
    starts_at: datetime | None
    ends_at: datetime | None
    audience: Sequence[int]
    owner: tuple[str, int] | None


def _texts(part: str, values: Sequence[tuple[str, str]], *, required: bool) -> dict[str, str]:
    if required and not values:
        raise InvalidInput(f"`{part}` needs at least one translation.", field=part)
    out: dict[str, str] = {}
    for i, (locale, text) in enumerate(values):
        check_locale(locale, field=f"{part}[{i}].locale")
        check_text(text, field=f"{part}[{i}].text", max_length=10_000)
        out[locale] = text
    return out


async def may_manage(session: AsyncSession, viewer: Viewer, announcement: Announcement) -> bool:
    """The owner (the user, or a member of the owning group) or an admin."""
    if viewer.is_admin:
        return True
    if announcement.owner_kind == USER:
        return announcement.owner_id == viewer.user_id
    return announcement.owner_id in await group_store.group_ids_of_user(session, user_id=viewer.user_id)


async def _check_owner(uow: UnitOfWork, owner: tuple[str, int]) -> None:
    kind, pk = owner
    found = (
        (await user_store.users_by_ids(uow.session, ids=[pk]))
        if kind == USER
        else (await group_store.groups_by_ids(uow.session, ids=[pk]))
    )
    if pk not in found:
        raise NotFound("Unknown owner.", id=to_global_id("User" if kind == USER else "Group", pk))


async def do_publish(
    uow: UnitOfWork, viewer: Viewer | None, *, announcement_id: int | None, draft: AnnouncementDraft
) -> Announcement:
    viewer = require_viewer(viewer)
    if not viewer.has_right(SYSTEM_MESSAGE_RIGHT):
        raise Forbidden(
            "Publishing announcements needs the system.message right.", right=SYSTEM_MESSAGE_RIGHT
        )
    texts = {
        "title": _texts("title", draft.title, required=True),
        "body": _texts("body", draft.body, required=True),
    }
    if draft.confirmation:
        texts["confirmation"] = _texts("confirmation", draft.confirmation, required=False)
    if draft.starts_at and draft.ends_at and draft.starts_at >= draft.ends_at:
        raise InvalidInput("`endsAt` must come after `startsAt`.", field="endsAt")
    if not draft.audience:
        raise InvalidInput("Name at least one audience group.", field="audience")
    groups = await group_store.groups_by_ids(uow.session, ids=list(draft.audience))
    for g in draft.audience:
        if g not in groups:
            raise NotFound("Unknown audience group.", id=to_global_id("Group", g))
    now = utcnow()
    window = {
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "confirm_every_version": draft.confirm_every_version,
    }
    if announcement_id is None:
        if draft.owner is not None and draft.owner != (USER, viewer.user_id):
            raise OwnerMismatch("A new announcement is owned by its creator; change the owner afterwards.")
        announcement = await store.insert_announcement(
            uow.session,
            owner_kind=USER,
            owner_id=viewer.user_id,
            created_by=viewer.user_id,
            created_at=now,
            updated_at=now,
            version=1,
            **window,
        )
    else:
        found = await store.get_announcement(uow.session, announcement_id=announcement_id)
        if found is None:
            raise NotFound("Announcement not found.", id=to_global_id("Announcement", announcement_id))
        if not await may_manage(uow.session, viewer, found):
            raise Forbidden("Only the owner or an admin may publish a new version.", parameter="owner")
        announcement = found
        if draft.owner is not None and draft.owner != (announcement.owner_kind, announcement.owner_id):
            await _check_owner(uow, draft.owner)
            announcement.owner_kind, announcement.owner_id = draft.owner
        for name, value in window.items():
            setattr(announcement, name, value)
        announcement.version += 1
        announcement.updated_at = now
        await uow.session.flush()
    assert announcement.id is not None
    await store.set_texts(uow.session, announcement_id=announcement.id, texts=texts)
    await store.set_audience(uow.session, announcement_id=announcement.id, group_ids=list(draft.audience))
    await record_announcement(uow, announcement, viewer.user_id, "PUBLISHED")
    return announcement


async def record_announcement(uow: UnitOfWork, announcement: Announcement, actor_id: int, kind: str) -> None:
    rows = await event_store.append_events(
        uow.session,
        at=utcnow(),
        events=[
            {
                "kind": kind,
                "message_id": None,
                "announcement_id": announcement.id,
                "conversation_id": None,
                "topic_id": None,
                "actor_id": actor_id,
                "data": {"version": announcement.version},
            }
        ],
    )
    uow.note_event_position(rows[-1].position)


async def do_delete(uow: UnitOfWork, viewer: Viewer | None, *, announcement_id: int) -> int:
    viewer = require_viewer(viewer)
    found = await store.get_announcement(uow.session, announcement_id=announcement_id)
    if found is None or not await may_manage(uow.session, viewer, found):
        raise NotFound("Announcement not found.", id=to_global_id("Announcement", announcement_id))
    await record_announcement(uow, found, viewer.user_id, "WITHDRAWN")
    await store.delete_announcement(uow.session, announcement_id=announcement_id)
    return announcement_id


async def visible_to(session: AsyncSession, viewer: Viewer, announcement: Announcement) -> bool:
    """Its audience, its owner and admins see it."""
    assert announcement.id is not None
    audience = (await store.audience_by_ids(session, ids=[announcement.id]))[announcement.id]
    return bool(set(audience) & viewer.group_ids) or await may_manage(session, viewer, announcement)


async def do_confirm(
    uow: UnitOfWork, viewer: Viewer | None, *, announcement_id: int, version: int
) -> Announcement:
    viewer = require_viewer(viewer)
    found = await store.get_announcement(uow.session, announcement_id=announcement_id)
    if found is None or not await visible_to(uow.session, viewer, found):
        raise NotFound("Announcement not found.", id=to_global_id("Announcement", announcement_id))
    if not 1 <= version <= found.version:
        raise InvalidInput(
            f"Version {version} does not exist (the latest is {found.version}).", field="version"
        )
    await store.confirm(
        uow.session, announcement_id=announcement_id, user_id=viewer.user_id, version=version, now=utcnow()
    )
    return found
