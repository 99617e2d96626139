"""Message and the small types hanging off it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from app import models
from app.domain.global_ids import to_global_id
from app.domain.translations import locale_chain, render
from app.graphql.context import Info
from app.graphql.loaders import NOT_LOADED
from app.graphql.types.message_parts import (
    Attachment,
    Label,
    MessageRevision,
    Reaction,
    ReactionGroup,
    Translation,
    VoteDirection,
    viewer_locale,
)
from app.graphql.types.users import User, load_user

if TYPE_CHECKING:
    from app.graphql.types.conversations import Conversation
    from app.graphql.types.message_connection import MessageConnection
    from app.graphql.types.principals import Principal
    from app.graphql.types.topics import Topic


@strawberry.type(name="Message")
class Message(relay.Node):
    id: relay.NodeID[int]
    row: strawberry.Private[models.Message]
    raw_text: str
    created_at: datetime
    updated_at: datetime | None
    # given when already loaded (the live path loads them once for every subscriber)
    known_translations: strawberry.Private[dict[str, str] | None] = None
    known_author: strawberry.Private[models.User | None] = None

    @classmethod
    def from_row(
        cls,
        row: models.Message,
        *,
        translations: dict[str, str] | None = None,
        author: models.User | None = None,
    ) -> Message:
        assert row.id is not None
        return cls(
            id=row.id,
            row=row,
            raw_text=row.text,
            created_at=row.created_at,
            updated_at=row.updated_at,
            known_translations=translations,
            known_author=author,
        )

    async def _translations(self, info: Info) -> dict[str, str]:
        if self.known_translations is not None:
            return self.known_translations
        if not self.row.translated:  # nothing to look up
            return {}
        return await info.context.loaders.translations.load(self.id)

    @strawberry.field(
        description="Rendered: the best translation for `locale` (default: the viewer's locale; de-CH falls "
        "back to de, then to the base text), with {0}, {1} ... filled from `parameters`."
    )
    def text(self, info: Info, locale: str | None = None) -> str:
        # synchronous unless translations must be loaded (see app.graphql.prefetch)
        if self.known_translations is None and self.row.translated:
            return self._text_translated(info, locale)  # type: ignore[return-value]  # awaited by graphql-core
        return self._render(info, locale, self.known_translations or {})

    async def _text_translated(self, info: Info, locale: str | None) -> str:
        return self._render(info, locale, await self._translations(info))

    def _render(self, info: Info, locale: str | None, translations: dict[str, str]) -> str:
        if not translations and not self.row.parameters:  # nothing to pick or fill in
            return self.row.text
        chain = locale_chain(locale, viewer_locale(info))
        return render(self.row.text, translations, list(self.row.parameters or []), chain)

    @strawberry.field
    async def translations(self, info: Info) -> list[Translation]:
        found = await self._translations(info)
        return [Translation(locale=k, text=v) for k, v in sorted(found.items())]

    @strawberry.field(description="Positional values for the {0}, {1} ... placeholders.")
    def parameters(self) -> list[str]:
        return list(self.row.parameters or [])

    @strawberry.field(description="For notices: the users and groups it was sent to.")
    async def recipients(
        self, info: Info
    ) -> list[Annotated[Principal, strawberry.lazy("app.graphql.types.principals")]]:
        from app.graphql.types.principals import load_principals

        return await load_principals(info, await info.context.loaders.recipients.load(self.id))

    @strawberry.field
    def author(self, info: Info) -> User:
        row = self.known_author or info.context.loaders.loaded("user", self.row.author_id)
        if row is NOT_LOADED:
            return load_user(info, self.row.author_id)  # type: ignore[return-value]  # awaited by graphql-core
        return User.from_row(row)

    @strawberry.field
    async def conversation(
        self, info: Info
    ) -> Annotated[Conversation, strawberry.lazy("app.graphql.types.conversations")] | None:
        from app.graphql.types.conversations import Conversation

        if self.row.conversation_id is None:
            return None
        row = await info.context.loaders.conversation.load(self.row.conversation_id)
        return Conversation.from_row(row) if row else None

    @strawberry.field
    async def topic(self, info: Info) -> Annotated[Topic, strawberry.lazy("app.graphql.types.topics")] | None:
        from app.graphql.types.topics import load_topic

        return await load_topic(info, self.row.topic_id) if self.row.topic_id is not None else None

    @strawberry.field
    async def in_reply_to(self, info: Info) -> Message | None:
        return await load_message(info, self.row.in_reply_to_id) if self.row.in_reply_to_id else None

    @strawberry.field(description="The first message of the thread (null for a root).")
    async def root(self, info: Info) -> Message | None:
        return await load_message(info, self.row.root_id) if self.row.root_id else None

    @strawberry.field(description="Direct replies, oldest first.")
    async def replies(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[MessageConnection, strawberry.lazy("app.graphql.types.message_connection")]:
        from app.filters import MessageFilterSpec
        from app.graphql.types.message_connection import message_connection

        page = info.context.page(first=first, after=after)
        spec = MessageFilterSpec(in_reply_to=self.id)
        return await message_connection(info, spec, [("CREATED_AT", False)], page)

    @strawberry.field(
        description="A tombstone: a conversation message deleted while replies hung off it, kept with "
        "its id, author, createdAt, conversation and thread links; its text is empty, its translations, "
        "parameters, attachments, reactions, likes, votes and revisions gone; it goes with its last reply."
    )
    def deleted(self) -> bool:
        return self.row.deleted_at is not None

    @strawberry.field(description="When it became a tombstone (null unless `deleted`).")
    def deleted_at(self) -> datetime | None:
        return self.row.deleted_at

    @strawberry.field(description="Number of direct replies.")
    def reply_count(self) -> int:
        return self.row.reply_count

    @strawberry.field(description="Parsed from #hashtags in the text.")
    async def tags(self, info: Info) -> list[str]:
        return await info.context.loaders.tags.load(self.id)

    @strawberry.field
    async def labels(self, info: Info) -> list[Label]:
        return [Label(text=r.text, color=r.color) for r in await info.context.loaders.labels.load(self.id)]

    @strawberry.field(description="Users named with @username.")
    async def mentions(self, info: Info) -> list[User]:
        ids = await info.context.loaders.mention_ids.load(self.id)
        return [User.from_row(r) for r in await info.context.loaders.user.load_many(ids) if r is not None]

    @strawberry.field
    def urls(self) -> list[str]:
        return list(self.row.urls or [])

    @strawberry.field
    def like_count(self) -> int:
        return self.row.like_count

    @strawberry.field
    async def likers(self, info: Info) -> list[User]:
        ids = await info.context.loaders.liker_ids.load(self.id)
        return [User.from_row(r) for r in await info.context.loaders.user.load_many(ids) if r is not None]

    @strawberry.field
    async def viewer_has_liked(self, info: Info) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.user_id in await info.context.loaders.liker_ids.load(self.id)

    @strawberry.field
    def votes_up(self) -> int:
        return self.row.votes_up

    @strawberry.field
    def votes_down(self) -> int:
        return self.row.votes_down

    @strawberry.field
    async def viewer_vote(self, info: Info) -> VoteDirection | None:
        vote = await info.context.loaders.viewer_vote.load(self.id)
        return None if vote is None else (VoteDirection.UP if vote > 0 else VoteDirection.DOWN)

    @strawberry.field(description="In the viewer's task list.")
    async def is_task(self, info: Info) -> bool:
        return await info.context.loaders.is_task.load(self.id)

    @strawberry.field
    def reactions(self, info: Info) -> list[ReactionGroup]:
        rows = info.context.loaders.loaded("reactions", self.id)
        if rows is NOT_LOADED:
            return self._load_reactions(info)  # type: ignore[return-value]  # awaited by graphql-core
        return self._reaction_groups(info, rows)

    async def _load_reactions(self, info: Info) -> list[ReactionGroup]:
        return self._reaction_groups(info, await info.context.loaders.reactions.load(self.id))

    def _reaction_groups(self, info: Info, rows: list[Any]) -> list[ReactionGroup]:  # store ReactionRow
        viewer_id = info.context.viewer.user_id if info.context.viewer else None
        groups: dict[str, list[Reaction]] = {}
        for r in rows:
            groups.setdefault(r.content, []).append(
                Reaction(content=r.content, user_id=r.user_id, created_at=r.created_at)
            )
        return [
            ReactionGroup(
                content=c,
                count=len(rs),
                user_ids=[r.user_id for r in rs],
                viewer_has_reacted=any(r.user_id == viewer_id for r in rs),
                reactions=rs,
            )
            for c, rs in groups.items()
        ]

    @strawberry.field
    async def attachments(self, info: Info) -> list[Attachment]:
        rows = await info.context.loaders.attachments.load(self.id)
        return [
            Attachment(
                id=strawberry.ID(to_global_id("Attachment", a.id or 0)),
                name=a.name,
                url=a.url,
                mime_type=a.mime_type,
                size=a.size,
            )
            for a in rows
        ]

    @strawberry.field(description="When the viewer read it (null: unread, or the viewer's own).")
    async def read_at(self, info: Info) -> datetime | None:
        return await info.context.loaders.read_at.load(self.id)

    @strawberry.field(description="Edit history: the text before each edit, who, when.")
    async def revisions(self, info: Info) -> list[MessageRevision]:
        rows = await info.context.loaders.revisions.load(self.id)
        return [MessageRevision(text=r.text, editor_id=r.editor_id, edited_at=r.edited_at) for r in rows]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        return [await load_message(info, int(i)) for i in node_ids]


async def load_message(info: Info, message_id: int) -> Message | None:
    row = await info.context.loaders.message.load(message_id)
    return Message.from_row(row) if row else None
