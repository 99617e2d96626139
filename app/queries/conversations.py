"""Conversations the viewer takes part in, and their messages."""

from __future__ import annotations

from app.access.places import (
    access_conversation,
    require_viewer,
)
from app.core.auth import Viewer
from app.core.db import Database
from app.domain.errors import NotFound
from app.domain.pagination import Page, PageRequest
from app.models import (
    Conversation,
    Message,
)
from app.store import conversations as conversation_store
from app.store import messages as message_store


async def conversation(db: Database, viewer: Viewer | None, conversation_id: int) -> Conversation | None:
    """The conversation when the viewer takes part in it, else None."""
    async with db.read() as session:
        try:
            return await access_conversation(session, viewer, conversation_id)
        except NotFound:
            return None


async def conversations(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Conversation]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await conversation_store.list_conversations_for(session, user_id=viewer.user_id, page=page)


async def conversation_messages(db: Database, conversation_id: int, page: PageRequest) -> Page[Message]:
    """Messages of a conversation the caller already got through `conversation()` (not counted:
    see conversation_message_count)."""
    async with db.read() as session:
        return await message_store.list_conversation_messages(
            session, conversation_id=conversation_id, page=page
        )


async def conversation_message_count(db: Database, conversation_id: int) -> int:
    async with db.read() as session:
        return await message_store.count_conversation_messages(session, conversation_id=conversation_id)
