"""Announcements (easydb system messages): publish in versions, confirm, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.access.announcements import USER, may_manage, visible_to
from app.access.places import require_viewer
from app.actions.event_log import AnnouncementEventDraft, EventKind, record
from app.actions.validation import check_locale, check_text
from app.core.auth import SYSTEM_MESSAGE_RIGHT, Viewer
from app.core.db import UnitOfWork
from app.domain.errors import Forbidden, InvalidInput, NotFound, OwnerMismatch
from app.domain.global_ids import to_global_id
from app.models import Announcement, utcnow
from app.store import announcements as store
from app.store import groups as group_store
from app.store import users as user_store

DRAFT_FIELDS = (
    "title",
    "body",
    "confirmation",
    "confirm_every_version",
    "starts_at",
    "ends_at",
    "audience",
    "owner",
)


@dataclass(frozen=True)
class AnnouncementDraft:
    """What a publish asks for. `given` names the fields the client sent (an explicit null
    included): on a new version the others keep their current value (easydb POST semantics)."""

    title: Sequence[tuple[str, str]] | None = None
    body: Sequence[tuple[str, str]] | None = None
    confirmation: Sequence[tuple[str, str]] | None = None
    confirm_every_version: bool | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    audience: Sequence[int] | None = None
    owner: tuple[str, int] | None = None
    given: frozenset[str] = frozenset(DRAFT_FIELDS)


def _texts(part: str, values: Sequence[tuple[str, str]], *, required: bool) -> dict[str, str]:
    if required and not values:
        raise InvalidInput(f"`{part}` needs at least one translation.", field=part)
    out: dict[str, str] = {}
    for i, (locale, text) in enumerate(values):
        check_locale(locale, field=f"{part}[{i}].locale")
        check_text(text, field=f"{part}[{i}].text", max_length=10_000)
        out[locale] = text
    return out


async def _check_owner(uow: UnitOfWork, owner: tuple[str, int]) -> None:
    kind, pk = owner
    found = (
        (await user_store.users_by_ids(uow.session, ids=[pk]))
        if kind == USER
        else (await group_store.groups_by_ids(uow.session, ids=[pk]))
    )
    if pk not in found:
        raise NotFound("Unknown owner.", id=to_global_id("User" if kind == USER else "Group", pk))


def _merged_texts(draft: AnnouncementDraft, current: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """title and body as given, else as they are; confirmation as given (null or [] clears it)."""
    texts = {part: dict(v) for part, v in current.items()}
    for part in ("title", "body"):
        if part in draft.given:
            texts[part] = _texts(part, getattr(draft, part) or (), required=True)
        elif part not in texts:
            raise InvalidInput(f"A new announcement needs a `{part}`.", field=part)
    if "confirmation" in draft.given:
        texts.pop("confirmation", None)
        if draft.confirmation:
            texts["confirmation"] = _texts("confirmation", draft.confirmation, required=False)
    return texts


async def _checked_audience(uow: UnitOfWork, draft: AnnouncementDraft) -> list[int] | None:
    """The new audience, or None to keep it (an update that does not name one)."""
    if "audience" not in draft.given:
        return None
    if not draft.audience:
        raise InvalidInput("Name at least one audience group.", field="audience")
    groups = await group_store.groups_by_ids(uow.session, ids=list(draft.audience))
    for g in draft.audience:
        if g not in groups:
            raise NotFound("Unknown audience group.", id=to_global_id("Group", g))
    return list(draft.audience)


async def do_publish(
    uow: UnitOfWork, viewer: Viewer | None, *, announcement_id: int | None, draft: AnnouncementDraft
) -> Announcement:
    """A new announcement (title, body and audience required), or a new version of one: the
    fields the draft does not give keep their values; a given null clears confirmation and the
    window (confirmEveryVersion back to false)."""
    viewer = require_viewer(viewer)
    if not viewer.has_right(SYSTEM_MESSAGE_RIGHT):
        raise Forbidden(
            "Publishing announcements needs the system.message right.", right=SYSTEM_MESSAGE_RIGHT
        )
    now = utcnow()
    if announcement_id is None:
        if "audience" not in draft.given:
            raise InvalidInput("A new announcement needs an `audience`.", field="audience")
        if draft.owner is not None:
            await _check_owner(uow, draft.owner)
            if draft.owner != (USER, viewer.user_id):
                raise OwnerMismatch(
                    "A new announcement is owned by its creator; change the owner afterwards."
                )
        announcement = Announcement(
            owner_kind=USER, owner_id=viewer.user_id, created_by=viewer.user_id, created_at=now, version=0
        )
        current: dict[str, dict[str, str]] = {}
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
        current = (await store.texts_by_ids(uow.session, ids=[announcement_id]))[announcement_id]
    texts = _merged_texts(draft, current)
    for name in ("starts_at", "ends_at"):
        if name in draft.given:
            setattr(announcement, name, getattr(draft, name))
    if "confirm_every_version" in draft.given:
        announcement.confirm_every_version = bool(draft.confirm_every_version)
    if announcement.starts_at and announcement.ends_at and announcement.starts_at >= announcement.ends_at:
        raise InvalidInput("`endsAt` must come after `startsAt`.", field="endsAt")
    audience = await _checked_audience(uow, draft)
    announcement.version += 1
    announcement.updated_at = now
    if announcement.id is None:
        announcement = await store.insert_announcement(uow.session, announcement)
    else:
        await uow.session.flush()
    assert announcement.id is not None
    await store.set_texts(uow.session, announcement_id=announcement.id, texts=texts)
    if audience is not None:
        await store.set_audience(uow.session, announcement_id=announcement.id, group_ids=audience)
    await record_announcement(uow, announcement, viewer.user_id, EventKind.PUBLISHED)
    return announcement


async def record_announcement(
    uow: UnitOfWork, announcement: Announcement, actor_id: int, kind: EventKind
) -> None:
    """PUBLISHED or WITHDRAWN, with the audience and owner of that moment."""
    assert announcement.id is not None
    audience = (await store.audience_by_ids(uow.session, ids=[announcement.id]))[announcement.id]
    data = {
        "version": announcement.version,
        "audienceGroups": sorted(audience),
        "owner": [announcement.owner_kind, announcement.owner_id],
    }
    await record(uow, [AnnouncementEventDraft(kind, announcement.id, actor_id, data)], at=utcnow())


async def do_delete(uow: UnitOfWork, viewer: Viewer | None, *, announcement_id: int) -> int:
    viewer = require_viewer(viewer)
    found = await store.get_announcement(uow.session, announcement_id=announcement_id)
    if found is None or not await may_manage(uow.session, viewer, found):
        raise NotFound("Announcement not found.", id=to_global_id("Announcement", announcement_id))
    await record_announcement(uow, found, viewer.user_id, EventKind.WITHDRAWN)
    await store.delete_announcement(uow.session, announcement_id=announcement_id)
    return announcement_id


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
