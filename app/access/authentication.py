"""Who is asking: the viewer a bearer token stands for, one token or many at once."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import cast

from app.core.auth import Viewer, hash_token
from app.core.db import Database
from app.core.viewer_cache import ViewerCache
from app.models import utcnow
from app.store import groups as group_store
from app.store import tokens as token_store
from app.store import users as user_store

ACTIVE_TOUCH_INTERVAL = timedelta(seconds=60)


async def authenticate(db: Database, token: str, cache: ViewerCache | None = None) -> Viewer | None:
    """The viewer a bearer token stands for, or None for an unknown or expired token: from the
    cache when it holds the token (no query), else read and cached. Concurrent lookups of one
    token share a single read: a client opening hundreds of sockets at once with one token cost
    hundreds of reads and last-activity writes, and ran the pool dry (bench/socket_caps.py)."""
    token_hash = hash_token(token)
    now = utcnow()
    entry = cache.get(token_hash, now) if cache is not None else None
    if entry is not None:
        if entry.last_active_at is None or now - entry.last_active_at > ACTIVE_TOUCH_INTERVAL:
            entry.last_active_at = now  # before the write: the requests meanwhile need not touch too
            await _touch(db, entry.viewer.user_id, now)
        return entry.viewer
    if cache is None:
        return await _read_viewer(db, token_hash, now, None)
    pending = cache.in_flight.get(token_hash)
    if pending is not None:
        shared = await asyncio.shield(pending)
        if shared is not _FAILED:
            return cast(Viewer | None, shared)
        return await _read_viewer(db, token_hash, now, cache)  # the shared read failed: try on our own
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    cache.in_flight[token_hash] = future
    try:
        viewer = await _read_viewer(db, token_hash, now, cache)
    except BaseException:
        future.set_result(_FAILED)
        raise
    else:
        future.set_result(viewer)
    finally:
        if cache.in_flight.get(token_hash) is future:
            del cache.in_flight[token_hash]
    return viewer


_FAILED = object()


async def _read_viewer(
    db: Database, token_hash: str, now: datetime, cache: ViewerCache | None
) -> Viewer | None:
    generation = cache.generation if cache is not None else 0
    async with db.read() as session:
        found = await token_store.get_token_user(session, token_hash=token_hash, now=now)
        if found is None:
            return None
        token_row, user = found
        assert user.id is not None
        rights = await user_store.rights_by_user_ids(session, ids=[user.id])
        group_ids = await group_store.group_ids_of_user(session, user_id=user.id)
    last_active = user.last_active_at
    if last_active is None or now - last_active > ACTIVE_TOUCH_INTERVAL:
        await _touch(db, user.id, now)
        last_active = now
    viewer = Viewer(
        user_id=user.id,
        username=user.username,
        rights=frozenset(rights.get(user.id, [])),
        group_ids=frozenset(group_ids),
        token_hash=token_hash,
        locale=user.locale,
    )
    if cache is not None:
        cache.put(
            token_hash,
            viewer,
            expires_at=_aware(token_row.expires_at),
            last_active_at=_aware(last_active),
            generation=generation,
        )
    return viewer


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def _touch(db: Database, user_id: int, now: datetime) -> None:
    async with db.write(bookkeeping=True) as uow:  # a query keeps its deadline
        await user_store.touch_last_active(uow.session, user_id=user_id, now=now)


async def authenticate_many(db: Database, tokens: Collection[str], chunk: int = 1000) -> dict[str, Viewer]:
    """The viewers of the tokens still valid (app.live.socket_viewers): three queries per `chunk` tokens
    (bound parameters stay far below the databases' limits)."""
    out: dict[str, Viewer] = {}
    ordered = list(tokens)
    for start in range(0, len(ordered), chunk):
        out.update(await _authenticate_chunk(db, ordered[start : start + chunk]))
    return out


async def _authenticate_chunk(db: Database, tokens: list[str]) -> dict[str, Viewer]:
    by_hash = {hash_token(t): t for t in tokens}
    async with db.read() as session:
        users = await token_store.token_users(session, token_hashes=list(by_hash), now=utcnow())
        ids = [u.id for u in users.values() if u.id is not None]
        rights = await user_store.rights_by_user_ids(session, ids=ids)
        groups = await group_store.group_ids_by_user_ids(session, ids=ids)
    return {
        by_hash[h]: Viewer(
            user_id=u.id,
            username=u.username,
            rights=frozenset(rights.get(u.id, [])),
            group_ids=frozenset(groups.get(u.id, [])),
            token_hash=h,
            locale=u.locale,
        )
        for h, u in users.items()
        if u.id is not None
    }
