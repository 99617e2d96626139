"""createTopic, setTopicAccess, setTopicParameters."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from app.access.places import ADMIN
from app.actions import topics as actions
from app.graphql.context import Info
from app.graphql.error_types import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    UnauthenticatedError,
)
from app.graphql.id_args import expect_id
from app.graphql.types.topics import Topic


@strawberry.enum
class TopicRole(Enum):
    READ = "READ"
    WRITE = "WRITE"
    ADMIN = "ADMIN"


@strawberry.input
class CreateTopicInput:
    path: str = strawberry.field(description="e.g. /Team/Ops/Alerts; missing ancestors are created.")
    description: str | None = None
    read_only: bool = False


@strawberry.type
class CreateTopicSuccess:
    topic: Topic


@strawberry.input
class SetTopicAccessInput:
    topic: str
    role: TopicRole
    users: list[strawberry.ID] | None = None
    groups: list[strawberry.ID] | None = None
    revoke: bool = False
    recursive: bool = strawberry.field(
        default=False, description="Also every descendant the viewer administers."
    )


@strawberry.type
class SetTopicAccessSuccess:
    topic: Topic
    topic_count: int = strawberry.field(description="How many topics the change applied to.")


@strawberry.input
class SetTopicParametersInput:
    topic: str
    max_length: int | None = None
    max_replies: int | None = None
    can_force_date: bool | None = None
    can_update_message: bool | None = None
    can_update_all_messages: bool | None = None
    can_delete_message: bool | None = None
    can_delete_all_messages: bool | None = None
    admin_can_update_all_messages: bool | None = None
    admin_can_delete_all_messages: bool | None = None
    extra: JSON | None = None


@strawberry.type
class SetTopicParametersSuccess:
    topic: Topic


_Errors = InvalidInputError | NotFoundError | ForbiddenError | UnauthenticatedError
CreateTopicResult = Annotated[
    CreateTopicSuccess | ConflictError | _Errors, strawberry.union("CreateTopicResult")
]
SetTopicAccessResult = Annotated[SetTopicAccessSuccess | _Errors, strawberry.union("SetTopicAccessResult")]
SetTopicParametersResult = Annotated[
    SetTopicParametersSuccess | LimitExceededError | _Errors, strawberry.union("SetTopicParametersResult")
]


@strawberry.type
class TopicMutations:
    @strawberry.mutation(description="Create a topic (and its missing ancestors, where allowed).")
    async def create_topic(self, info: Info, input: CreateTopicInput) -> CreateTopicResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await actions.do_create_topic(
                uow,
                ctx.settings,
                ctx.viewer,
                path=input.path,
                description=input.description,
                read_only=input.read_only,
            )
        return CreateTopicSuccess(topic=Topic.from_row(row, ADMIN))

    @strawberry.mutation(description="Grant or revoke READ, WRITE or ADMIN to users and groups.")
    async def set_topic_access(self, info: Info, input: SetTopicAccessInput) -> SetTopicAccessResult:
        ctx = info.context
        users = [expect_id(u, "User", field="users") for u in input.users or []]
        groups = [expect_id(g, "Group", field="groups") for g in input.groups or []]
        async with ctx.db.write() as uow:
            row, count = await actions.do_set_topic_access(
                uow,
                ctx.viewer,
                path=input.topic,
                role=input.role.value,
                user_ids=users,
                group_ids=groups,
                revoke=input.revoke,
                recursive=input.recursive,
            )
        from app.graphql.types.topics import load_topic

        topic = await load_topic(info, row.id)  # type: ignore[arg-type]
        return SetTopicAccessSuccess(topic=topic or Topic.from_row(row, 0), topic_count=count)

    @strawberry.mutation(description="Change a topic's parameters (topic admins).")
    async def set_topic_parameters(
        self, info: Info, input: SetTopicParametersInput
    ) -> SetTopicParametersResult:
        ctx = info.context
        values = {
            name: getattr(input, name)
            for name in ("max_length", "max_replies", "extra", *actions.BOOLEAN_PARAMETERS)
        }
        async with ctx.db.write() as uow:
            row = await actions.do_set_topic_parameters(
                uow, ctx.settings, ctx.viewer, path=input.topic, values=values
            )
        return SetTopicParametersSuccess(topic=Topic.from_row(row, ADMIN))
