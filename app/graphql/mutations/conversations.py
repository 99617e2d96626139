"""createConversation."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.access.places import require_viewer
from app.actions import conversations
from app.graphql.context import Info
from app.graphql.error_types import (
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    UnauthenticatedError,
)
from app.graphql.id_args import expect_id
from app.graphql.types.conversations import Conversation


@strawberry.input
class CreateConversationInput:
    participants: list[strawberry.ID] = strawberry.field(
        description="Other users; the viewer is always a participant. One user and no title "
        "makes (or returns) the direct conversation of the pair."
    )
    title: str | None = None


@strawberry.type
class CreateConversationSuccess:
    conversation: Conversation


CreateConversationResult = Annotated[
    CreateConversationSuccess | InvalidInputError | NotFoundError | LimitExceededError | UnauthenticatedError,
    strawberry.union("CreateConversationResult"),
]


@strawberry.type
class ConversationMutations:
    @strawberry.mutation
    async def create_conversation(
        self, info: Info, input: CreateConversationInput
    ) -> CreateConversationResult:
        ctx = info.context
        viewer = require_viewer(ctx.viewer)
        ids = [expect_id(p, "User", field="participants") for p in input.participants]
        async with ctx.db.write() as uow:
            row = await conversations.do_create_conversation(
                uow, ctx.settings, viewer, participant_ids=ids, title=input.title
            )
        return CreateConversationSuccess(conversation=Conversation.from_row(row))
