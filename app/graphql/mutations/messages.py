"""sendMessage, editMessage, deleteMessage, react, markRead."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.actions import messages as actions
from app.actions.messages import AttachmentData
from app.errors import InvalidInput
from app.graphql.context import Info
from app.graphql.errors import (
    ForbiddenError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    UnauthenticatedError,
)
from app.graphql.ids import expect_id, gid
from app.graphql.types.messages import Message


@strawberry.input(description="Address a message.")
class MessageRef:
    id: strawberry.ID | None = None

    def message_id(self) -> int:
        if self.id is None:
            raise InvalidInput("Pass the message `id`.", field="ref.id")
        return expect_id(self.id, "Message", field="ref.id")


@strawberry.input
class AttachmentInput:
    name: str
    url: str
    mime_type: str
    size: int

    def data(self) -> AttachmentData:
        return AttachmentData(name=self.name, url=self.url, mime_type=self.mime_type, size=self.size)


@strawberry.input
class SendMessageInput:
    conversation: strawberry.ID | None = None
    text: str
    attachments: list[AttachmentInput] | None = None
    client_mutation_id: str | None = strawberry.field(
        default=None,
        description="Idempotency key: a retry with the same key returns the first message.",
    )


@strawberry.type
class SendMessageSuccess:
    message: Message


@strawberry.input
class EditMessageInput:
    ref: MessageRef
    text: str | None = strawberry.field(default=None, description="Replace the text.")
    append: str | None = strawberry.field(default=None, description="Append to the text.")
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Replace the attachments."
    )


@strawberry.type
class EditMessageSuccess:
    message: Message


@strawberry.input
class DeleteMessageInput:
    ref: MessageRef


@strawberry.type
class DeleteMessageSuccess:
    deleted_ids: list[strawberry.ID]


@strawberry.input
class ReactInput:
    ref: MessageRef
    content: str
    remove: bool = False


@strawberry.type
class ReactSuccess:
    message: Message


@strawberry.input
class MarkReadInput:
    conversation: strawberry.ID | None = None
    up_to: strawberry.ID | None = strawberry.field(
        default=None, description="Mark read up to this message (default: the latest)."
    )


@strawberry.type
class MarkReadSuccess:
    count: int = strawberry.field(description="How many messages became read.")


_Errors = InvalidInputError | NotFoundError | ForbiddenError | LimitExceededError | UnauthenticatedError
SendMessageResult = Annotated[SendMessageSuccess | _Errors, strawberry.union("SendMessageResult")]
EditMessageResult = Annotated[EditMessageSuccess | _Errors, strawberry.union("EditMessageResult")]
DeleteMessageResult = Annotated[
    DeleteMessageSuccess | NotFoundError | ForbiddenError | InvalidInputError | UnauthenticatedError,
    strawberry.union("DeleteMessageResult"),
]
ReactResult = Annotated[
    ReactSuccess | NotFoundError | InvalidInputError | UnauthenticatedError,
    strawberry.union("ReactResult"),
]
MarkReadResult = Annotated[
    MarkReadSuccess | NotFoundError | InvalidInputError | UnauthenticatedError,
    strawberry.union("MarkReadResult"),
]


@strawberry.type
class MessageMutations:
    @strawberry.mutation
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessageResult:
        ctx = info.context
        if input.conversation is None:
            raise InvalidInput("Pass the destination `conversation`.", field="conversation")
        conversation_id = expect_id(input.conversation, "Conversation", field="conversation")
        async with ctx.db.write() as uow:
            row = await actions.do_send_message(
                uow,
                ctx.settings,
                ctx.viewer,
                conversation_id=conversation_id,
                text=input.text,
                attachments=[a.data() for a in input.attachments or []],
                client_mutation_id=input.client_mutation_id,
            )
        ctx.loaders.prime_message(row)
        return SendMessageSuccess(message=Message.from_row(row))

    @strawberry.mutation(description="Replace or append to the text (the author only); revisions are kept.")
    async def edit_message(self, info: Info, input: EditMessageInput) -> EditMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await actions.do_edit_message(
                uow,
                ctx.settings,
                ctx.viewer,
                message_id=input.ref.message_id(),
                text=input.text,
                append=input.append,
                attachments=None if input.attachments is None else [a.data() for a in input.attachments],
            )
        return EditMessageSuccess(message=Message.from_row(row))

    @strawberry.mutation(description="Delete permanently (the author or an admin).")
    async def delete_message(self, info: Info, input: DeleteMessageInput) -> DeleteMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            ids = await actions.do_delete_message(uow, ctx.viewer, message_id=input.ref.message_id())
        return DeleteMessageSuccess(deleted_ids=[gid("Message", i) for i in ids])

    @strawberry.mutation(description="Add or remove an emoji reaction.")
    async def react(self, info: Info, input: ReactInput) -> ReactResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await actions.do_react(
                uow,
                ctx.viewer,
                message_id=input.ref.message_id(),
                content=input.content,
                remove=input.remove,
            )
        return ReactSuccess(message=Message.from_row(row))

    @strawberry.mutation(description="Mark a conversation read up to a message.")
    async def mark_read(self, info: Info, input: MarkReadInput) -> MarkReadResult:
        ctx = info.context
        if input.conversation is None:
            raise InvalidInput("Pass the `conversation` to mark read.", field="conversation")
        conversation_id = expect_id(input.conversation, "Conversation", field="conversation")
        up_to = expect_id(input.up_to, "Message", field="upTo") if input.up_to else None
        async with ctx.db.write() as uow:
            count = await actions.do_mark_conversation_read(
                uow, ctx.viewer, conversation_id=conversation_id, up_to=up_to
            )
        return MarkReadSuccess(count=count)
