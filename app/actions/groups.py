"""Groups (created by any user, managed by group admins or system admins) and system rights."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.access.places import require_viewer
from app.core.auth import KNOWN_RIGHTS, Viewer
from app.core.db import UnitOfWork
from app.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.domain.global_ids import to_global_id
from app.models import Group, User, utcnow
from app.store import groups as group_store
from app.store import users as user_store

GROUP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


async def _existing_users(uow: UnitOfWork, ids: Sequence[int]) -> list[int]:
    found = await user_store.users_by_ids(uow.session, ids=list(ids))
    for i in ids:
        if i not in found:
            raise NotFound("Unknown user.", id=to_global_id("User", i))
    return list(dict.fromkeys(ids))


async def do_create_group(
    uow: UnitOfWork, viewer: Viewer | None, *, name: str, member_ids: Sequence[int]
) -> Group:
    viewer = require_viewer(viewer)
    if not GROUP_NAME.match(name):
        raise InvalidInput("A group name has 1-64 letters, digits, '.', '_' or '-'.", field="name")
    if await group_store.get_group_by_name(uow.session, name=name) is not None:
        raise Conflict(f"The group {name!r} exists.", field="name")
    members = await _existing_users(uow, member_ids)
    uow.note_users_changed(members)
    group = await group_store.insert_group(uow.session, name=name, created_by=viewer.user_id, now=utcnow())
    assert group.id is not None
    # exactly the listed users; the creator manages the group without being made a member
    # (listed, they are an admin member)
    await group_store.add_members(
        uow.session, group_id=group.id, user_ids=[m for m in members if m == viewer.user_id], admin=True
    )
    await group_store.add_members(
        uow.session, group_id=group.id, user_ids=[m for m in members if m != viewer.user_id]
    )
    return group


async def do_set_group_members(
    uow: UnitOfWork, viewer: Viewer | None, *, group_id: int, add: Sequence[int], remove: Sequence[int]
) -> Group:
    viewer = require_viewer(viewer)
    groups = await group_store.groups_by_ids(uow.session, ids=[group_id])
    if group_id not in groups:
        raise NotFound("Group not found.", id=to_global_id("Group", group_id))
    membership = await group_store.get_membership(uow.session, group_id=group_id, user_id=viewer.user_id)
    creator = groups[group_id].created_by == viewer.user_id
    if not (viewer.is_admin or creator or (membership is not None and membership.is_admin)):
        raise Forbidden(
            "Only the group's creator, its admins or system admins manage its members.", right="admin"
        )
    if not add and not remove:
        raise InvalidInput("Pass users to add or remove.", field="add")
    adding, removing = await _existing_users(uow, add), await _existing_users(uow, remove)
    uow.note_users_changed([*adding, *removing])
    await group_store.add_members(uow.session, group_id=group_id, user_ids=adding)
    await group_store.remove_members(uow.session, group_id=group_id, user_ids=removing)
    return groups[group_id]


async def do_grant_right(
    uow: UnitOfWork, viewer: Viewer | None, *, user_id: int, right: str, revoke: bool
) -> User:
    viewer = require_viewer(viewer)
    if not viewer.is_admin:
        raise Forbidden("Only admins grant rights.", right="admin")
    if right not in KNOWN_RIGHTS:
        raise InvalidInput(
            f"Unknown right {right!r}; known: {', '.join(sorted(KNOWN_RIGHTS))}.", field="right"
        )
    user = await user_store.get_user(uow.session, user_id=user_id)
    if user is None:
        raise NotFound("Unknown user.", id=to_global_id("User", user_id))
    if revoke and right == "admin" and user_id == viewer.user_id:
        raise Forbidden("Admins cannot revoke their own admin right.", right="admin")
    uow.note_users_changed([user_id])
    await user_store.set_right(uow.session, user_id=user_id, right=right, granted=not revoke)
    return user
