"""createGroup, setGroupMembers, grantRight."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.actions import groups as actions
from app.graphql.context import Info
from app.graphql.error_types import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from app.graphql.id_args import expect_id
from app.graphql.types.groups import Group
from app.graphql.types.users import User


@strawberry.input
class CreateGroupInput:
    name: str
    members: list[strawberry.ID] | None = None


@strawberry.type
class CreateGroupSuccess:
    group: Group


@strawberry.input
class SetGroupMembersInput:
    group: strawberry.ID
    add: list[strawberry.ID] | None = None
    remove: list[strawberry.ID] | None = None


@strawberry.type
class SetGroupMembersSuccess:
    group: Group


@strawberry.input
class GrantRightInput:
    user: strawberry.ID
    right: str
    revoke: bool = False


@strawberry.type
class GrantRightSuccess:
    user: User


_Errors = InvalidInputError | NotFoundError | ForbiddenError | UnauthenticatedError
CreateGroupResult = Annotated[
    CreateGroupSuccess | ConflictError | _Errors, strawberry.union("CreateGroupResult")
]
SetGroupMembersResult = Annotated[SetGroupMembersSuccess | _Errors, strawberry.union("SetGroupMembersResult")]
GrantRightResult = Annotated[GrantRightSuccess | _Errors, strawberry.union("GrantRightResult")]


def _users(ids: list[strawberry.ID] | None, field: str) -> list[int]:
    return [expect_id(i, "User", field=field) for i in ids or []]


@strawberry.type
class GroupMutations:
    @strawberry.mutation(
        description="Create a group whose members are exactly `members` (the creator only if listed); "
        "the creator manages its members."
    )
    async def create_group(self, info: Info, input: CreateGroupInput) -> CreateGroupResult:
        ctx = info.context
        members = _users(input.members, "members")
        async with ctx.db.write() as uow:
            row = await actions.do_create_group(uow, ctx.viewer, name=input.name, member_ids=members)
        return CreateGroupSuccess(group=Group.from_row(row))

    @strawberry.mutation(
        description="Add or remove members (the group's creator, its admins or system admins)."
    )
    async def set_group_members(self, info: Info, input: SetGroupMembersInput) -> SetGroupMembersResult:
        ctx = info.context
        group_id = expect_id(input.group, "Group", field="group")
        add, remove = _users(input.add, "add"), _users(input.remove, "remove")
        async with ctx.db.write() as uow:
            row = await actions.do_set_group_members(
                uow, ctx.viewer, group_id=group_id, add=add, remove=remove
            )
        return SetGroupMembersSuccess(group=Group.from_row(row))

    @strawberry.mutation(
        description='Grant or revoke a system right such as "admin" or "system.message" (admins).'
    )
    async def grant_right(self, info: Info, input: GrantRightInput) -> GrantRightResult:
        ctx = info.context
        user_id = expect_id(input.user, "User", field="user")
        async with ctx.db.write() as uow:
            row = await actions.do_grant_right(
                uow, ctx.viewer, user_id=user_id, right=input.right, revoke=input.revoke
            )
        return GrantRightSuccess(user=User.from_row(row))
