"""Many requests with one token at once, with nothing cached: one read of its viewer, not one each
(a client opening hundreds of sockets at once ran the pool dry: bench/socket_caps.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from app.access.authentication import authenticate
from tests.conftest import Api


async def test_concurrent_lookups_of_one_token_share_one_read(app: Any, api: Api) -> None:
    token, _ = await api.register("walt")
    services = app.state.services
    services.viewer_cache.clear()  # as after a restart or a bus gap: nothing cached
    statements: list[str] = []
    engine = services.db.engine.sync_engine

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement.lstrip().split()[0].upper())

    event.listen(engine, "before_cursor_execute", capture)
    try:
        viewers = await asyncio.gather(
            *(authenticate(services.db, token, services.viewer_cache) for _ in range(50))
        )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert {v.username for v in viewers if v is not None} == {"walt"} and None not in viewers
    reads = [s for s in statements if s == "SELECT"]
    assert 1 <= len(reads) <= 3, statements  # one token row, its rights, its groups: once
    assert statements.count("UPDATE") <= 1, statements  # the last-activity touch at most once
