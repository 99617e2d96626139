"""The event log's resume point."""

from __future__ import annotations

from app.core.db import Database
from app.store import events as event_store


async def event_position(db: Database) -> int:
    """The position of the latest event (0 before the first); in a snapshot, the one it shows."""
    async with db.read() as session:
        _, last = await event_store.log_bounds(session)
        return last
