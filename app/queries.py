"""Read use cases with authorization: what the GraphQL query side asks for beyond loaders."""

from __future__ import annotations

from app.access import access_conversation, require_viewer
from app.auth import Viewer
from app.db import Database
from app.models import Conversation, Message, User
from app.pagination import Page, PageRequest
from app.store import conversations as conversation_store
from app.store import messages as message_store
from app.store import users as user_store


async def conversation(db: Database, viewer: Viewer | None, conversation_id: int) -> Conversation | None:
    async with db.read() as session:
        return await access_conversation(session, viewer, conversation_id)


async def conversations(db: Database, viewer: Viewer | None, page: PageRequest) -> Page[Conversation]:
    viewer = require_viewer(viewer)
    async with db.read() as session:
        return await conversation_store.list_conversations_for(session, user_id=viewer.user_id, page=page)


async def conversation_messages(db: Database, conversation_id: int, page: PageRequest) -> Page[Message]:
    """Messages of a conversation the caller already got through `conversation()`."""
    async with db.read() as session:
        return await message_store.list_conversation_messages(
            session, conversation_id=conversation_id, page=page
        )


async def user_by_username(db: Database, viewer: Viewer | None, username: str) -> User | None:
    if viewer is None:
        return None
    async with db.read() as session:
        return await user_store.get_user_by_username(session, username=username)


async def users(db: Database, viewer: Viewer | None, search: str | None, page: PageRequest) -> Page[User]:
    require_viewer(viewer)
    async with db.read() as session:
        return await user_store.list_users(session, search=search, page=page)
