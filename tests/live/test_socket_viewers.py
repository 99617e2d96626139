"""The users of all open websockets are re-read together: three SELECTs for any number of sockets,
fresh groups handed to each, and sockets whose token no longer holds closed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event

from app.access.authentication import authenticate
from app.actions.accounts import do_create_user, do_issue_token, logout
from app.actions.groups import do_create_group
from app.core.auth import Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.live.socket_viewers import SocketViewers
from tests.conftest import make_settings


async def test_one_refresh_reads_every_socket_in_three_selects(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    db = Database(settings)
    await upgrade(db)
    tokens, user_ids = [], []
    async with db.write() as uow:
        for i in range(6):
            user = await do_create_user(
                uow, Passwords(settings), settings, username=f"u{i}", password="password-123"
            )
            tokens.append((await do_issue_token(uow, settings, user=user)).token)
            assert user.id is not None
            user_ids.append(user.id)
    first = await authenticate(db, tokens[0])
    assert first is not None and first.group_ids == frozenset()
    async with db.write() as uow:  # u0 joins a group after "connecting"
        group = await do_create_group(uow, first, name="ops", member_ids=[first.user_id])
    assert await logout(db, await authenticate(db, tokens[1]) or first)  # u1 logs out

    sockets = SocketViewers(db, period_seconds=3600)
    seen: dict[int, Viewer] = {}
    closed: list[int] = []
    keys = []
    for i, token in enumerate(tokens):

        async def close(i: int = i) -> None:
            closed.append(i)

        keys.append(sockets.add(token, user_ids[i], lambda viewer, i=i: seen.__setitem__(i, viewer), close))
    assert len(set(keys)) == len(keys)
    selects: list[str] = []

    def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await sockets.refresh()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    await db.dispose()
    assert len(selects) == 3, selects
    assert closed == [1] and sorted(seen) == [0, 2, 3, 4, 5]
    assert seen[0].group_ids == frozenset({group.id})  # the group joined since connecting
    assert [seen[k].username for k in (2, 3)] == ["u2", "u3"]
