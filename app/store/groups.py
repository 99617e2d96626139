"""Groups and their members."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.pagination import Page, PageRequest
from app.models import Group, GroupMember
from app.store.keyset import SortKey, paginate


async def insert_group(session: AsyncSession, *, name: str, created_by: int, now: datetime) -> Group:
    group = Group(name=name, name_key=name.lower(), created_by=created_by, created_at=now)
    session.add(group)
    await session.flush()
    return group


async def get_group_by_name(session: AsyncSession, *, name: str) -> Group | None:
    return (await session.execute(select(Group).where(Group.name_key == name.lower()))).scalar_one_or_none()


async def groups_by_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Group]:
    if not ids:
        return {}
    rows = (await session.execute(select(Group).where(Group.id.in_(set(ids))))).scalars()
    return {g.id: g for g in rows if g.id is not None}


async def list_groups(session: AsyncSession, *, page: PageRequest) -> Page[Group]:
    return await paginate(
        session,
        select(Group),
        keys=[SortKey(Group.name_key, False), SortKey(Group.id, False)],
        key_of=lambda g: (g.name_key, g.id),
        page=page,
        with_total=True,
    )


async def group_ids_of_user(session: AsyncSession, *, user_id: int) -> list[int]:
    stmt = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    return list((await session.execute(stmt)).scalars())


async def group_ids_by_user_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = select(GroupMember.user_id, GroupMember.group_id).where(GroupMember.user_id.in_(set(ids)))
    for user_id, group_id in (await session.execute(stmt)).all():
        out.setdefault(user_id, []).append(group_id)
    return out


async def member_ids_by_group_ids(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(GroupMember.group_id, GroupMember.user_id)
        .where(GroupMember.group_id.in_(set(ids)))
        .order_by(GroupMember.user_id)
    )
    for group_id, user_id in (await session.execute(stmt)).all():
        out.setdefault(group_id, []).append(user_id)
    return out


async def get_membership(session: AsyncSession, *, group_id: int, user_id: int) -> GroupMember | None:
    return await session.get(GroupMember, (group_id, user_id))


async def add_members(
    session: AsyncSession, *, group_id: int, user_ids: Sequence[int], admin: bool = False
) -> None:
    for user_id in user_ids:
        existing = await session.get(GroupMember, (group_id, user_id))
        if existing is None:
            session.add(GroupMember(group_id=group_id, user_id=user_id, is_admin=admin))
        elif admin:
            existing.is_admin = True
    await session.flush()


async def remove_members(session: AsyncSession, *, group_id: int, user_ids: Sequence[int]) -> None:
    if user_ids:
        await session.execute(
            delete(GroupMember).where(
                GroupMember.group_id == group_id, GroupMember.user_id.in_(set(user_ids))
            )
        )
