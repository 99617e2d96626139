"""labelMessage, vote, like, react, setTask, moveMessage."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.actions.messages import bulk, reactions, tat
from app.graphql.context import Info
from app.graphql.error_types import (
    AmbiguousReferenceError,
    ForbiddenError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    UnauthenticatedError,
)
from app.graphql.filter_inputs import MessageFilter
from app.graphql.inputs import LabelInput, MessageRef
from app.graphql.types.message_parts import VoteDirection
from app.graphql.types.messages import Message


@strawberry.input
class LabelMessageInput:
    ref: MessageRef
    add: list[LabelInput] | None = strawberry.field(default=None, description="Labels to add (or recolour).")
    remove: list[str] | None = strawberry.field(default=None, description="Label texts to remove.")
    replace_all: bool = strawberry.field(default=False, description="Remove every label first.")
    create_if_missing: str | None = strawberry.field(
        default=None, description="Text of a message to create when a tag/label ref matches nothing."
    )


@strawberry.type
class LabelMessageSuccess:
    labeled: Message
    created: bool


@strawberry.input(description="Label every message a filter matches, in one transaction.")
class LabelMessagesInput:
    filter: MessageFilter
    add: list[LabelInput] | None = None
    remove: list[str] | None = None
    replace_all: bool = False


@strawberry.type
class LabelMessagesSuccess:
    count: int


@strawberry.input
class VoteInput:
    ref: MessageRef
    direction: VoteDirection | None = strawberry.field(default=None, description="null withdraws the vote.")


@strawberry.input
class LikeInput:
    ref: MessageRef
    liked: bool


@strawberry.input
class ReactInput:
    ref: MessageRef
    content: str
    remove: bool = False


@strawberry.input
class SetTaskInput:
    ref: MessageRef
    task: bool


@strawberry.input
class MoveMessageInput:
    ref: MessageRef
    to_topic: str


_Errors = InvalidInputError | NotFoundError | ForbiddenError | AmbiguousReferenceError | UnauthenticatedError
LabelMessageResult = Annotated[
    LabelMessageSuccess | LimitExceededError | _Errors, strawberry.union("LabelMessageResult")
]
LabelMessagesResult = Annotated[
    LabelMessagesSuccess | LimitExceededError | _Errors, strawberry.union("LabelMessagesResult")
]
VoteResult = Annotated[Message | _Errors, strawberry.union("VoteResult")]
LikeResult = Annotated[Message | _Errors, strawberry.union("LikeResult")]
ReactResult = Annotated[Message | _Errors, strawberry.union("ReactResult")]
SetTaskResult = Annotated[Message | _Errors, strawberry.union("SetTaskResult")]
MoveMessageResult = Annotated[Message | _Errors, strawberry.union("MoveMessageResult")]


@strawberry.type
class MessageActionMutations:
    @strawberry.mutation(
        description="Add, remove or replace labels; optionally create the message if missing."
    )
    async def label_message(self, info: Info, input: LabelMessageInput) -> LabelMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row, created = await tat.do_label(
                uow,
                ctx.viewer,
                ref=input.ref.to_ref(),
                add=[(a.text, a.color) for a in input.add or []],
                remove=list(input.remove or []),
                replace_all=input.replace_all,
                create_if_missing=input.create_if_missing,
            )
        return LabelMessageSuccess(labeled=Message.from_row(row), created=created)

    @strawberry.mutation(description="Add, remove or replace labels on every message a filter matches.")
    async def label_messages(self, info: Info, input: LabelMessagesInput) -> LabelMessagesResult:
        ctx = info.context
        spec = input.filter.to_spec()
        async with ctx.db.write() as uow:
            count = await bulk.do_label_messages(
                uow,
                ctx.settings,
                ctx.viewer,
                spec=spec,
                add=[(a.text, a.color) for a in input.add or []],
                remove=list(input.remove or []),
                replace_all=input.replace_all,
            )
        return LabelMessagesSuccess(count=count)

    @strawberry.mutation(description="Vote UP or DOWN (one vote per user; null withdraws).")
    async def vote(self, info: Info, input: VoteInput) -> VoteResult:
        ctx = info.context
        direction = input.direction.value if input.direction else None
        async with ctx.db.write() as uow:
            row = await tat.do_vote(uow, ctx.viewer, ref=input.ref.to_ref(), direction=direction)
        return Message.from_row(row)

    @strawberry.mutation(description="Like (liked: true) or unlike.")
    async def like(self, info: Info, input: LikeInput) -> LikeResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await tat.do_like(uow, ctx.viewer, ref=input.ref.to_ref(), liked=input.liked)
        return Message.from_row(row)

    @strawberry.mutation(description="Add or remove an emoji reaction.")
    async def react(self, info: Info, input: ReactInput) -> ReactResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await reactions.do_react(
                uow, ctx.viewer, ref=input.ref.to_ref(), content=input.content, remove=input.remove
            )
        return Message.from_row(row)

    @strawberry.mutation(description="Add to or remove from the viewer's tasks (/Private/<you>/Tasks).")
    async def set_task(self, info: Info, input: SetTaskInput) -> SetTaskResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await tat.do_set_task(uow, ctx.viewer, ref=input.ref.to_ref(), task=input.task)
        return Message.from_row(row)

    @strawberry.mutation(description="Move a root message and its thread to another topic.")
    async def move_message(self, info: Info, input: MoveMessageInput) -> MoveMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await tat.do_move(uow, ctx.viewer, ref=input.ref.to_ref(), to_topic=input.to_topic)
        return Message.from_row(row)
