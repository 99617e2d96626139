"""Inputs shared by several mutations."""

from __future__ import annotations

import strawberry

from app.actions.messages.content import AttachmentData
from app.actions.messages.refs import Ref
from app.graphql.id_args import expect_id


@strawberry.input(
    description="Address a message by id, or within a topic by tag or label (Tat references). "
    "Several matches give AmbiguousReferenceError, none NotFoundError."
)
class MessageRef:
    id: strawberry.ID | None = None
    topic: str | None = strawberry.field(default=None, description="Required with the tag and label forms.")
    tag: str | None = None
    tag_prefix: str | None = None
    label: str | None = None
    label_prefix: str | None = None
    only_root: bool = strawberry.field(default=True, description="Match root messages only.")

    def to_ref(self, field: str = "ref") -> Ref:
        return Ref(
            id=expect_id(self.id, "Message", field=f"{field}.id") if self.id is not None else None,
            topic=self.topic,
            tag=self.tag,
            tag_prefix=self.tag_prefix,
            label=self.label,
            label_prefix=self.label_prefix,
            only_root=self.only_root,
        )


@strawberry.input
class LabelInput:
    text: str
    color: str = strawberry.field(description="#rgb, #rrggbb (with optional alpha) or rgba(r,g,b,a).")


@strawberry.input
class AttachmentInput:
    name: str
    url: str
    mime_type: str
    size: int

    def data(self) -> AttachmentData:
        return AttachmentData(name=self.name, url=self.url, mime_type=self.mime_type, size=self.size)


@strawberry.input
class TranslationInput:
    locale: str
    text: str
