"""sendNotice, publishAnnouncement, deleteAnnouncement, confirmAnnouncement."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import UNSET

from app.actions import announcements as announcement_actions
from app.actions.notices import do_send_notice
from app.domain.errors import InvalidInput
from app.graphql.context import Info
from app.graphql.error_types import (
    ForbiddenError,
    InvalidInputError,
    LimitExceededError,
    NotFoundError,
    OwnerMismatchError,
    RateLimitedError,
    UnauthenticatedError,
)
from app.graphql.id_args import expect_id, gid, parse_global_id
from app.graphql.inputs import TranslationInput
from app.graphql.types.announcements import Announcement
from app.graphql.types.messages import Message


@strawberry.input(description="To any mix of users and groups; each member of each group gets it once.")
class SendNoticeInput:
    users: list[strawberry.ID] | None = None
    groups: list[strawberry.ID] | None = None
    text: str
    translations: list[TranslationInput] | None = None
    parameters: list[str] | None = strawberry.field(
        default=None, description="Fill {0}, {1} ... in the text."
    )


@strawberry.type
class SendNoticeSuccess:
    notice: Message
    recipient_count: int


ANNOUNCEMENT_FIELDS = (
    "title",
    "body",
    "confirmation",
    "confirm_every_version",
    "starts_at",
    "ends_at",
    "audience",
)


@strawberry.input(
    description="Without `id`: a new announcement (title, body and audience required). With `id`: a new "
    "version that changes only the fields given (easydb POST semantics): an omitted field keeps its "
    "value, an explicit null clears it (confirmation, startsAt, endsAt; confirmEveryVersion back to "
    "false). title, body and audience cannot be cleared."
)
class PublishAnnouncementInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="Publish a new version of this one."
    )
    title: list[TranslationInput] | None = strawberry.field(
        default=UNSET, description="Required on creation; omitted on a new version: unchanged."
    )
    body: list[TranslationInput] | None = strawberry.field(
        default=UNSET, description="Required on creation; omitted on a new version: unchanged."
    )
    confirmation: list[TranslationInput] | None = strawberry.field(
        default=UNSET,
        description="If set, the audience must confirm. Omitted on a new version: unchanged; "
        "null or []: no confirmation any more.",
    )
    confirm_every_version: bool | None = strawberry.field(
        default=UNSET,
        description="Each version needs its own confirmation. Omitted: false on creation, unchanged "
        "on a new version; null: false.",
    )
    starts_at: datetime | None = strawberry.field(
        default=UNSET, description="Omitted on a new version: unchanged; null: no start."
    )
    ends_at: datetime | None = strawberry.field(
        default=UNSET, description="Omitted on a new version: unchanged; null: no end."
    )
    audience: list[strawberry.ID] | None = strawberry.field(
        default=UNSET,
        description="Groups; required on creation; omitted on a new version: unchanged.",
    )
    owner: strawberry.ID | None = strawberry.field(
        default=None,
        description="A user or group; on creation it must be the creator. Omitted or null: unchanged.",
    )

    def to_draft(self) -> announcement_actions.AnnouncementDraft:
        given = {name: getattr(self, name) for name in ANNOUNCEMENT_FIELDS}
        given = {name: value for name, value in given.items() if value is not UNSET}

        def texts(name: str) -> list[tuple[str, str]] | None:
            values = given.get(name)
            return [(t.locale, t.text) for t in values] if values is not None else None

        audience = given.get("audience")
        return announcement_actions.AnnouncementDraft(
            title=texts("title"),
            body=texts("body"),
            confirmation=texts("confirmation"),
            confirm_every_version=given.get("confirm_every_version"),
            starts_at=given.get("starts_at"),
            ends_at=given.get("ends_at"),
            audience=[expect_id(g, "Group", field="audience") for g in audience] if audience else audience,
            owner=_principal(self.owner, "owner") if self.owner else None,
            given=frozenset([*given, "owner"]),
        )


@strawberry.type
class PublishAnnouncementSuccess:
    announcement: Announcement


@strawberry.input
class DeleteAnnouncementInput:
    id: strawberry.ID


@strawberry.type
class DeleteAnnouncementSuccess:
    deleted_id: strawberry.ID


@strawberry.input
class ConfirmAnnouncementInput:
    id: strawberry.ID
    version: int


@strawberry.type
class ConfirmAnnouncementSuccess:
    announcement: Announcement


_Errors = InvalidInputError | NotFoundError | ForbiddenError | UnauthenticatedError
SendNoticeResult = Annotated[
    SendNoticeSuccess | LimitExceededError | RateLimitedError | _Errors, strawberry.union("SendNoticeResult")
]
PublishAnnouncementResult = Annotated[
    PublishAnnouncementSuccess | OwnerMismatchError | _Errors, strawberry.union("PublishAnnouncementResult")
]
DeleteAnnouncementResult = Annotated[
    DeleteAnnouncementSuccess | _Errors, strawberry.union("DeleteAnnouncementResult")
]
ConfirmAnnouncementResult = Annotated[
    ConfirmAnnouncementSuccess | _Errors, strawberry.union("ConfirmAnnouncementResult")
]


def _principal(value: str, field: str) -> tuple[str, int]:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in ("User", "Group"):
        raise InvalidInput(f"`{field}` is not a User or Group id.", field=field)
    return parsed[0].lower(), parsed[1]


@strawberry.type
class NoticeMutations:
    @strawberry.mutation(description="Send an inbox notice (with translations and parameters).")
    async def send_notice(self, info: Info, input: SendNoticeInput) -> SendNoticeResult:
        ctx = info.context
        users = [expect_id(u, "User", field="users") for u in input.users or []]
        groups = [expect_id(g, "Group", field="groups") for g in input.groups or []]
        if ctx.viewer is not None:
            ctx.services.send_rate.take(ctx.viewer.user_id, "notices")
        async with ctx.db.write() as uow:
            row, count = await do_send_notice(
                uow,
                ctx.settings,
                ctx.viewer,
                user_ids=users,
                group_ids=groups,
                text=input.text,
                translations=[(t.locale, t.text) for t in input.translations or []],
                parameters=list(input.parameters or []),
            )
        return SendNoticeSuccess(notice=Message.from_row(row), recipient_count=count)

    @strawberry.mutation(
        description="Create an announcement, or a new version of one (right system.message)."
    )
    async def publish_announcement(
        self, info: Info, input: PublishAnnouncementInput
    ) -> PublishAnnouncementResult:
        ctx = info.context
        draft = input.to_draft()
        announcement_id = expect_id(input.id, "Announcement", field="id") if input.id else None
        async with ctx.db.write() as uow:
            row = await announcement_actions.do_publish(
                uow, ctx.viewer, announcement_id=announcement_id, draft=draft
            )
        return PublishAnnouncementSuccess(announcement=Announcement.from_row(row))

    @strawberry.mutation(description="Withdraw an announcement (its owner or an admin).")
    async def delete_announcement(
        self, info: Info, input: DeleteAnnouncementInput
    ) -> DeleteAnnouncementResult:
        ctx = info.context
        announcement_id = expect_id(input.id, "Announcement", field="id")
        async with ctx.db.write() as uow:
            await announcement_actions.do_delete(uow, ctx.viewer, announcement_id=announcement_id)
        return DeleteAnnouncementSuccess(deleted_id=gid("Announcement", announcement_id))

    @strawberry.mutation(description="Confirm having read a version of an announcement.")
    async def confirm_announcement(
        self, info: Info, input: ConfirmAnnouncementInput
    ) -> ConfirmAnnouncementResult:
        ctx = info.context
        announcement_id = expect_id(input.id, "Announcement", field="id")
        async with ctx.db.write() as uow:
            row = await announcement_actions.do_confirm(
                uow, ctx.viewer, announcement_id=announcement_id, version=input.version
            )
        return ConfirmAnnouncementSuccess(announcement=Announcement.from_row(row))
