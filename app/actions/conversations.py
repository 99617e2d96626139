"""Conversations: direct (two people, no title, one per pair) or group."""

from __future__ import annotations

from collections.abc import Sequence

from app.actions.validation import check_optional_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.models import Conversation, utcnow
from app.store import conversations as conversation_store
from app.store import users as user_store


async def do_create_conversation(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer,
    *,
    participant_ids: Sequence[int],
    title: str | None,
) -> Conversation:
    others = sorted({p for p in participant_ids if p != viewer.user_id})
    if not others:
        raise InvalidInput("Name at least one other participant.", field="participants")
    if len(others) + 1 > settings.max_participants:
        raise LimitExceeded(
            f"A conversation has at most {settings.max_participants} participants.",
            limit=settings.max_participants,
            field="participants",
        )
    title = check_optional_text(title, field="title", max_length=200)
    found = await user_store.users_by_ids(uow.session, ids=others)
    missing = [p for p in others if p not in found]
    if missing:
        raise NotFound("Unknown participant.", id=to_global_id("User", missing[0]))
    direct_key = None
    if len(others) == 1 and title is None:
        direct_key = f"{min(viewer.user_id, others[0])}:{max(viewer.user_id, others[0])}"
        existing = await conversation_store.get_direct_conversation(uow.session, direct_key=direct_key)
        if existing is not None:
            return existing
    return await conversation_store.insert_conversation(
        uow.session,
        title=title,
        direct_key=direct_key,
        created_by=viewer.user_id,
        participant_ids=[viewer.user_id, *others],
        now=utcnow(),
    )
