"""Resolve a MessageRef: an id, or within a topic a tag, tag prefix, label or label prefix."""

from __future__ import annotations

from dataclasses import dataclass

from app.access.places import READ, Place, access_placed_message, access_topic
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.domain.errors import AmbiguousReference, InvalidInput, NotFound
from app.domain.global_ids import to_global_id
from app.domain.topic_paths import normalize
from app.models import Message
from app.store import messages as message_store
from app.store import refs as ref_store


@dataclass(frozen=True)
class Ref:
    id: int | None = None
    topic: str | None = None
    tag: str | None = None
    tag_prefix: str | None = None
    label: str | None = None
    label_prefix: str | None = None
    only_root: bool = True

    @property
    def by_reference(self) -> bool:
        return any(v is not None for v in (self.tag, self.tag_prefix, self.label, self.label_prefix))

    def describe(self) -> str:
        parts = [
            f"{k}={v!r}"
            for k, v in (
                ("tag", self.tag),
                ("tagPrefix", self.tag_prefix),
                ("label", self.label),
                ("labelPrefix", self.label_prefix),
            )
            if v
        ]
        return f"{' '.join(parts)} in {self.topic}"

    def check(self) -> None:
        forms = [v for v in (self.tag, self.tag_prefix, self.label, self.label_prefix) if v is not None]
        if self.id is not None and forms:
            raise InvalidInput("Address a message by `id` or by tag/label, not both.", field="ref")
        if self.id is None:
            if not forms:
                raise InvalidInput(
                    "Pass `id`, or `topic` with tag, tagPrefix, label or labelPrefix.", field="ref"
                )
            if self.topic is None:
                raise InvalidInput("A tag or label reference needs the `topic`.", field="ref.topic")
            if any(not v.strip() for v in forms):
                raise InvalidInput("A tag or label reference must not be empty.", field="ref")


async def find_ref(uow: UnitOfWork, viewer: Viewer | None, ref: Ref) -> Message | None:
    """The one message `ref` names, None when nothing matches; AmbiguousReference for several."""
    found = await find_placed_ref(uow, viewer, ref)
    return found[0] if found else None


async def find_placed_ref(uow: UnitOfWork, viewer: Viewer | None, ref: Ref) -> tuple[Message, Place] | None:
    """`find_ref` with the message's place, its topic and grants loaded once for both."""
    ref.check()
    if ref.id is not None:
        try:
            message, place = await access_placed_message(uow.session, viewer, ref.id)
        except NotFound:
            return None
        if ref.topic is not None:
            if place.topic is not None and place.topic.path == normalize(ref.topic, field="ref.topic"):
                return message, place
            topic, _ = await access_topic(uow.session, viewer, ref.topic, need=READ, field="ref.topic")
            if message.topic_id != topic.id:
                return None
        return message, place
    assert ref.topic is not None
    topic, level = await access_topic(uow.session, viewer, ref.topic, need=READ, field="ref.topic")
    assert topic.id is not None
    ids = await ref_store.find_by_reference(
        uow.session,
        topic_id=topic.id,
        tag=ref.tag,
        tag_prefix=ref.tag_prefix,
        label=ref.label,
        label_prefix=ref.label_prefix,
        only_root=ref.only_root,
    )
    if len(ids) > 1:
        raise AmbiguousReference(
            f"{len(ids)}{'+' if len(ids) == 20 else ''} messages match {ref.describe()}.",
            ids=[to_global_id("Message", i) for i in ids],
        )
    named = await message_store.get_message(uow.session, message_id=ids[0]) if ids else None
    return (named, Place(topic, level)) if named is not None else None


async def resolve_ref(uow: UnitOfWork, viewer: Viewer | None, ref: Ref) -> Message:
    message = await find_ref(uow, viewer, ref)
    if message is None:
        if ref.id is not None:
            raise NotFound("Message not found.", id=to_global_id("Message", ref.id))
        raise NotFound(f"No message matches {ref.describe()}.")
    return message
