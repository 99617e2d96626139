"""Users and their system rights."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import User, UserRight
from app.store.keyset import SortKey, paginate
from app.store.rows import records, select_records

_USERS = User.__table__  # type: ignore[attr-defined]


async def get_user(session: AsyncSession, *, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_username(session: AsyncSession, *, username: str) -> User | None:
    stmt = select(User).where(User.username_key == username.lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def users_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = (await session.execute(select(User).where(User.id.in_(set(ids))))).scalars()
    return {u.id: u for u in rows if u.id is not None}


_USER_RECORDS = select_records(User).where(_USERS.c.id.in_(bindparam("ids", expanding=True)))


async def user_records_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, User]:
    """users_by_ids for reading only: read-only records (app/store/rows.py)."""
    if not ids:
        return {}
    found = records(User, (await session.execute(_USER_RECORDS, {"ids": list(set(ids))})).all())
    return {user.id: user for user in found if user.id is not None}


_IDS_BY_KEYS = select(_USERS.c.id).where(_USERS.c.username_key.in_(bindparam("keys", expanding=True)))


async def user_ids_by_usernames(session: AsyncSession, *, usernames: Sequence[str]) -> list[int]:
    """The ids of the users with these usernames (any case), those that exist."""
    keys = {u.lower() for u in usernames}
    if not keys:
        return []
    return list((await session.execute(_IDS_BY_KEYS, {"keys": list(keys)})).scalars())


async def insert_user(
    session: AsyncSession,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    locale: str,
    avatar_url: str | None,
    now: datetime,
) -> User:
    user = User(
        username=username,
        username_key=username.lower(),
        display_name=display_name,
        password_hash=password_hash,
        locale=locale,
        avatar_url=avatar_url,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    return user


async def list_users(session: AsyncSession, *, search: str | None, page: PageRequest) -> Page[User]:
    stmt = select(User)
    if search:
        like = "%" + search.lower().replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(
            or_(
                User.username_key.like(like, escape="\\"),
                User.display_name.ilike(like, escape="\\"),
            )
        )
    return await paginate(
        session,
        stmt,
        keys=[SortKey(User.username_key, False), SortKey(User.id, False)],
        key_of=lambda u: (u.username_key, u.id),
        page=page,
        with_total=True,
    )


async def touch_last_active(session: AsyncSession, *, user_id: int, now: datetime) -> None:
    await session.execute(update(User).where(User.id == user_id).values(last_active_at=now))


async def set_password_hash(session: AsyncSession, *, user_id: int, password_hash: str) -> None:
    await session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


async def rights_by_user_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = select(UserRight).where(UserRight.user_id.in_(set(ids))).order_by(UserRight.right)
    for row in (await session.execute(stmt)).scalars():
        out.setdefault(row.user_id, []).append(row.right)
    return out


async def set_right(session: AsyncSession, *, user_id: int, right: str, granted: bool) -> None:
    await session.execute(delete(UserRight).where(UserRight.user_id == user_id, UserRight.right == right))
    if granted:
        session.add(UserRight(user_id=user_id, right=right))
        await session.flush()
