"""Emoji reactions on a message, in conversations and topics alike."""

from __future__ import annotations

from app.access.places import require_viewer
from app.actions.event_log import EventKind, MessageEventDraft, record
from app.actions.messages.refs import Ref, resolve_ref
from app.actions.messages.tombstones import check_not_deleted
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.domain.errors import InvalidInput
from app.domain.message_text import has_hidden_controls
from app.models import Message, utcnow
from app.store import reactions as reaction_store


async def do_react(
    uow: UnitOfWork, viewer: Viewer | None, *, ref: Ref, content: str, remove: bool
) -> Message:
    viewer = require_viewer(viewer)
    content = content.strip()
    if not content or len(content) > 64 or any(c.isspace() for c in content) or has_hidden_controls(content):
        raise InvalidInput(
            "A reaction is 1-64 characters without spaces, e.g. '👍' or ':tada:'.", field="content"
        )
    message = await resolve_ref(uow, viewer, ref)
    check_not_deleted(message)
    assert message.id is not None
    now = utcnow()
    if remove:
        changed = await reaction_store.remove_reaction(
            uow.session, message_id=message.id, user_id=viewer.user_id, content=content
        )
    else:
        changed = await reaction_store.add_reaction(
            uow.session, message_id=message.id, user_id=viewer.user_id, content=content, now=now
        )
    if changed:
        data = {"content": content, "removed": remove}
        await record(uow, [MessageEventDraft(EventKind.REACTED, message, viewer.user_id, data)], at=now)
    return message
