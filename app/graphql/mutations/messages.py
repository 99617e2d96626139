"""sendMessage(s), editMessage, deleteMessage(s), markRead."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from app.actions.messages import bulk, edit_delete
from app.actions.messages.send import MessageDraft, Reply, do_send_message
from app.domain.errors import DomainError, InvalidInput, LimitExceeded
from app.graphql.context import Context, Info
from app.graphql.error_types import (
    AmbiguousReferenceError,
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    error_result,
)
from app.graphql.filter_inputs import MessageFilter
from app.graphql.id_args import expect_id, gid
from app.graphql.inputs import AttachmentInput, LabelInput, MessageRef, TranslationInput
from app.graphql.types.messages import Message
from app.models import Message as MessageRow


@strawberry.input(description="A reply created with the message it answers, with its own labels.")
class ReplyInput:
    text: str
    labels: list[LabelInput] | None = None


@strawberry.input(description="Exactly one destination: conversation or topic.")
class SendMessageInput:
    conversation: strawberry.ID | None = None
    topic: str | None = None
    text: str
    in_reply_to: MessageRef | None = strawberry.field(
        default=None,
        description="Reply to this message (in a conversation: by id, in the same conversation).",
    )
    create_root_if_missing: bool = strawberry.field(
        default=False,
        description="With inReplyTo by tag or label: when no root matches, create it from `text`. "
        "With `replies` too, an existing root just gets the replies.",
    )
    replies: list[str] | None = strawberry.field(
        default=None, description="Replies created with it, in one go."
    )
    reply_messages: list[ReplyInput] | None = strawberry.field(
        default=None,
        description="Replies created with it, each with its labels (Tat's `messages: [{text, labels}]`), "
        "all or nothing. Not together with `replies`.",
    )
    labels: list[LabelInput] | None = None
    attachments: list[AttachmentInput] | None = None
    translations: list[TranslationInput] | None = strawberry.field(
        default=None, description="The text in other locales; readers get the best match for theirs."
    )
    parameters: list[str] | None = strawberry.field(
        default=None, description="Fill {0}, {1} ... in the text."
    )
    created_at: datetime | None = strawberry.field(
        default=None, description="Back-date: system users on topics with canForceDate."
    )
    client_mutation_id: str | None = strawberry.field(
        default=None, description="Idempotency key: a retry with the same key returns the first message."
    )


@strawberry.input
class EditMessageInput:
    ref: MessageRef
    text: str | None = strawberry.field(default=None, description="Replace the text.")
    append: str | None = strawberry.field(default=None, description="Append to the text (Tat's concat).")
    attachments: list[AttachmentInput] | None = strawberry.field(
        default=None, description="Replace the attachments."
    )


@strawberry.enum
class DeleteCascade(Enum):
    NONE = "NONE"
    REPLIES = "REPLIES"
    FORCE = "FORCE"


@strawberry.input
class DeleteMessageInput:
    ref: MessageRef
    cascade: DeleteCascade = strawberry.field(
        default=DeleteCascade.NONE,
        description="NONE: refused while it has replies (in a conversation it becomes a tombstone instead, "
        "see Message.deleted); REPLIES: the thread too; FORCE: and every task copy.",
    )


@strawberry.type
class DeleteMessageSuccess:
    deleted_ids: list[strawberry.ID] = strawberry.field(
        description="Gone for good (with a cascade, the thread; also tombstones left without replies)."
    )
    tombstones: list[Message] = strawberry.field(
        description="Kept as tombstones (`deleted: true`) because replies hang off them; not in deletedIds."
    )


@strawberry.input
class DeleteMessagesInput:
    filter: MessageFilter
    cascade: DeleteCascade = DeleteCascade.NONE


@strawberry.type
class DeleteMessagesSuccess:
    count: int = strawberry.field(description="How many messages were deleted, tombstones included.")
    tombstone_count: int = strawberry.field(
        description="How many of them stay as tombstones (conversation messages with replies, cascade NONE)."
    )


@strawberry.input(description="One of: `ids`, a `filter`, or a `conversation` (up to a message).")
class MarkReadInput:
    ids: list[strawberry.ID] | None = None
    filter: MessageFilter | None = None
    conversation: strawberry.ID | None = None
    up_to: strawberry.ID | None = strawberry.field(
        default=None, description="With `conversation`: mark read up to this message (default: the latest)."
    )


@strawberry.type
class MarkReadSuccess:
    count: int = strawberry.field(description="How many messages became read.")


_Errors = (
    InvalidInputError
    | NotFoundError
    | ForbiddenError
    | LimitExceededError
    | AmbiguousReferenceError
    | UnauthenticatedError
    | RateLimitedError
)
SendMessageResult = Annotated[Message | ConflictError | _Errors, strawberry.union("SendMessageResult")]
EditMessageResult = Annotated[Message | _Errors, strawberry.union("EditMessageResult")]
DeleteMessageResult = Annotated[
    DeleteMessageSuccess | ConflictError | _Errors, strawberry.union("DeleteMessageResult")
]
DeleteMessagesResult = Annotated[
    DeleteMessagesSuccess | ConflictError | _Errors, strawberry.union("DeleteMessagesResult")
]
MarkReadResult = Annotated[
    MarkReadSuccess | NotFoundError | InvalidInputError | UnauthenticatedError,
    strawberry.union("MarkReadResult"),
]


async def send(ctx: Context, input: SendMessageInput) -> MessageRow:
    draft = MessageDraft(
        destination=_destination(input),
        text=input.text,
        in_reply_to=input.in_reply_to.to_ref("inReplyTo") if input.in_reply_to else None,
        create_root_if_missing=input.create_root_if_missing,
        replies=input.replies,
        reply_messages=None
        if input.reply_messages is None
        else [Reply(r.text, _labels(r.labels)) for r in input.reply_messages],
        labels=_labels(input.labels),
        attachments=[a.data() for a in input.attachments or []],
        created_at=input.created_at,
        client_mutation_id=input.client_mutation_id,
        translations=[(t.locale, t.text) for t in input.translations or []],
        parameters=list(input.parameters or []),
    )
    if ctx.viewer is not None:
        ctx.services.send_rate.take(ctx.viewer.user_id)  # RATE_LIMITED past the sender's rate
    return await ctx.db.write_retrying(lambda uow: do_send_message(uow, ctx.settings, ctx.viewer, draft))


def _destination(input: SendMessageInput) -> int | str:
    """A conversation id or a topic path: the action applies what each destination allows."""
    if (input.conversation is None) == (input.topic is None):
        raise InvalidInput("Pass exactly one destination: `conversation` or `topic`.", field="conversation")
    if input.conversation is None:
        assert input.topic is not None
        return input.topic
    return expect_id(input.conversation, "Conversation", field="conversation")


def _labels(labels: list[LabelInput] | None) -> list[tuple[str, str]]:
    return [(label.text, label.color) for label in labels or []]


@strawberry.type
class MessageMutations:
    @strawberry.mutation(description="Send to a conversation or a topic.")
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessageResult:
        row = await send(info.context, input)
        info.context.loaders.prime_message(row)
        return Message.from_row(row)

    @strawberry.mutation(description="Send many; one result per input, each on its own.")
    async def send_messages(self, info: Info, inputs: list[SendMessageInput]) -> list[SendMessageResult]:
        cap = info.context.settings.max_bulk_items
        if len(inputs) > cap:
            raise LimitExceeded(f"At most {cap} messages per call.", limit=cap, field="inputs")
        results: list[SendMessageResult] = []
        for item in inputs:
            try:
                results.append(Message.from_row(await send(info.context, item)))
            except DomainError as exc:
                results.append(error_result(exc))
        return results

    @strawberry.mutation(description="Replace or append to the text; revisions are kept; tags re-parsed.")
    async def edit_message(self, info: Info, input: EditMessageInput) -> EditMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            row = await edit_delete.do_edit_message(
                uow,
                ctx.settings,
                ctx.viewer,
                ref=input.ref.to_ref(),
                text=input.text,
                append=input.append,
                attachments=None if input.attachments is None else [a.data() for a in input.attachments],
            )
        return Message.from_row(row)

    @strawberry.mutation(
        description="Delete, with a cascade mode; a conversation message with replies becomes a tombstone."
    )
    async def delete_message(self, info: Info, input: DeleteMessageInput) -> DeleteMessageResult:
        ctx = info.context
        async with ctx.db.write() as uow:
            done = await edit_delete.do_delete_message(
                uow, ctx.viewer, ref=input.ref.to_ref(), cascade=edit_delete.Cascade(input.cascade.value)
            )
        return DeleteMessageSuccess(
            deleted_ids=[gid("Message", i) for i in done.deleted_ids],
            tombstones=[Message.from_row(row) for row in done.tombstones],
        )

    @strawberry.mutation(description="Delete what a filter matches (all or nothing), with a cascade mode.")
    async def delete_messages(self, info: Info, input: DeleteMessagesInput) -> DeleteMessagesResult:
        ctx = info.context
        spec = input.filter.to_spec()
        async with ctx.db.write() as uow:
            done = await edit_delete.do_delete_messages(
                uow, ctx.settings, ctx.viewer, spec=spec, cascade=edit_delete.Cascade(input.cascade.value)
            )
        count = len(done.deleted_ids) + len(done.tombstones)
        return DeleteMessagesSuccess(count=count, tombstone_count=len(done.tombstones))

    @strawberry.mutation(
        description="Mark messages read: by ids, by filter, or a conversation up to a message."
    )
    async def mark_read(self, info: Info, input: MarkReadInput) -> MarkReadResult:
        ctx = info.context
        chosen = [input.ids is not None, input.filter is not None, input.conversation is not None]
        if sum(chosen) != 1:
            raise InvalidInput("Pass exactly one of `ids`, `filter` or `conversation`.", field="ids")
        if input.conversation is None:
            ids = [expect_id(i, "Message", field="ids") for i in input.ids] if input.ids is not None else None
            spec = input.filter.to_spec() if input.filter is not None else None
            async with ctx.db.write() as uow:
                count = await bulk.do_mark_read(uow, ctx.settings, ctx.viewer, ids=ids, spec=spec)
            return MarkReadSuccess(count=count)
        conversation_id = expect_id(input.conversation, "Conversation", field="conversation")
        up_to = expect_id(input.up_to, "Message", field="upTo") if input.up_to else None
        async with ctx.db.write() as uow:
            count = await bulk.do_mark_conversation_read(
                uow, ctx.viewer, conversation_id=conversation_id, up_to=up_to
            )
        return MarkReadSuccess(count=count)
