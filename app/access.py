"""Authorization of reads and writes. "Missing" and "not yours" look the same to callers."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Viewer
from app.errors import NotFound, Unauthenticated
from app.models import Conversation, Message
from app.store import conversations as conversation_store
from app.store import messages as message_store


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


async def access_conversation(
    session: AsyncSession, viewer: Viewer | None, conversation_id: int
) -> Conversation | None:
    if viewer is None:
        return None
    return await conversation_store.get_conversation_for(
        session, conversation_id=conversation_id, user_id=viewer.user_id
    )


async def access_message(session: AsyncSession, viewer: Viewer | None, message_id: int) -> Message | None:
    """The message when the viewer may read it, else None."""
    message = await message_store.get_message(session, message_id=message_id)
    if message is None:
        return None
    readable = await readable_message_ids(session, viewer, [message])
    return message if message.id in readable else None


async def readable_message_ids(
    session: AsyncSession, viewer: Viewer | None, messages: list[Message]
) -> set[int]:
    """Ids of those `messages` the viewer may read (one query per kind of place)."""
    if viewer is None:
        return set()
    conversation_ids = {m.conversation_id for m in messages if m.conversation_id is not None}
    participants = await conversation_store.participant_ids_by_conversation_ids(
        session, ids=list(conversation_ids)
    )
    return {
        m.id
        for m in messages
        if m.id is not None
        and m.conversation_id is not None
        and viewer.user_id in participants.get(m.conversation_id, ())
    }


def require_found(value: object, what: str, id: str | None = None) -> None:
    if value is None:
        raise NotFound(f"{what} not found.", id=id)
