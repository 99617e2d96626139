"""Inbox notices to users and groups (translated and parameterized like any message)."""

from __future__ import annotations

from collections.abc import Sequence

from app.access.places import require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.content import checked_localized, write_translations
from app.actions.validation import check_text
from app.core.auth import SYSTEM_MESSAGE_RIGHT, Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Forbidden, InvalidInput, NotFound
from app.domain.global_ids import to_global_id
from app.models import Message, utcnow
from app.store import groups as group_store
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import users as user_store


async def do_send_notice(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    user_ids: Sequence[int],
    group_ids: Sequence[int],
    text: str,
    translations: Sequence[tuple[str, str]],
    parameters: Sequence[str],
) -> tuple[Message, int]:
    """Deliver to every user and every member of every group, once each; nothing on any error."""
    viewer = require_viewer(viewer)
    if not user_ids and not group_ids:
        raise InvalidInput("Name at least one user or group.", field="users")
    check_text(text, field="text", max_length=settings.max_message_length)
    localized, params = checked_localized(settings, translations, parameters)
    users = await user_store.users_by_ids(uow.session, ids=list(user_ids))
    missing = [to_global_id("User", u) for u in user_ids if u not in users]
    groups = await group_store.groups_by_ids(uow.session, ids=list(group_ids))
    missing += [to_global_id("Group", g) for g in group_ids if g not in groups]
    if missing:
        raise NotFound(f"Unknown recipients: {', '.join(missing)}.", id=missing[0])
    if group_ids and not viewer.has_right(SYSTEM_MESSAGE_RIGHT):
        mine = set(await group_store.group_ids_of_user(uow.session, user_id=viewer.user_id))
        foreign = [g for g in group_ids if g not in mine]
        if foreign:
            raise Forbidden(
                "Sending to a group you are not in needs the system.message right.",
                right=SYSTEM_MESSAGE_RIGHT,
            )
    members = await group_store.member_ids_by_group_ids(uow.session, ids=list(group_ids))
    everyone = list(dict.fromkeys([*user_ids, *(m for g in group_ids for m in members.get(g, []))]))
    message = await message_store.insert_message(
        uow.session,
        author_id=viewer.user_id,
        text=text,
        now=utcnow(),
        parameters=params,
        translated=bool(localized),
    )
    assert message.id is not None
    await write_translations(uow, message, localized)
    principals = [("user", u) for u in dict.fromkeys(user_ids)] + [
        ("group", g) for g in dict.fromkeys(group_ids)
    ]
    await notice_store.add_recipients(
        uow.session, message_id=message.id, principals=principals, user_ids=everyone
    )
    await record(uow, [MessageEventDraft(EventKind.ADDED, message, viewer.user_id)], at=message.created_at)
    return message, len(everyone)
