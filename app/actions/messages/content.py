"""What a message carries besides its place, checked and written the same way by every write:
attachments, labels, translations and parameters, and the tags, mentions and urls in its text.

Sending (to a conversation, a topic or an inbox), editing, labelling and task copies all use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.actions.validation import check_locale, check_text, check_url
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import InvalidInput, LimitExceeded
from app.domain.message_text import (
    MAX_LABELS_PER_MESSAGE,
    check_color,
    check_label_text,
    parse_mentions,
    parse_tags,
    parse_urls,
)
from app.models import Message, Topic, utcnow
from app.store import message_meta
from app.store import messages as message_store
from app.store import notices as notice_store
from app.store import users as user_store

MAX_PARAMETERS = 20


@dataclass(frozen=True)
class AttachmentData:
    name: str
    url: str
    mime_type: str
    size: int

    def checked(self, index: int) -> dict[str, object]:
        field = f"attachments[{index}]"
        check_text(self.name, field=f"{field}.name", max_length=255)
        check_url(self.url, field=f"{field}.url")
        check_text(self.mime_type, field=f"{field}.mimeType", max_length=255)
        if "/" not in self.mime_type:
            raise InvalidInput(f"`{field}.mimeType` must look like 'image/png'.", field=field)
        if self.size < 0:
            raise InvalidInput(f"`{field}.size` must not be negative.", field=field)
        return {"name": self.name, "url": self.url, "mime_type": self.mime_type, "size": self.size}


def checked_attachments(settings: Settings, attachments: Sequence[AttachmentData]) -> list[dict[str, object]]:
    if len(attachments) > settings.max_attachments:
        raise LimitExceeded(
            f"A message has at most {settings.max_attachments} attachments.",
            limit=settings.max_attachments,
            field="attachments",
        )
    return [a.checked(i) for i, a in enumerate(attachments)]


def too_many_labels(field: str) -> LimitExceeded:
    limit = MAX_LABELS_PER_MESSAGE
    return LimitExceeded(f"A message has at most {limit} labels.", limit=limit, field=field)


def checked_labels(labels: Sequence[tuple[str, str]], *, field: str = "labels") -> list[tuple[str, str]]:
    if len(labels) > MAX_LABELS_PER_MESSAGE:
        raise LimitExceeded(
            f"A message has at most {MAX_LABELS_PER_MESSAGE} labels.",
            limit=MAX_LABELS_PER_MESSAGE,
            field=field,
        )
    return [
        (check_label_text(text, field=f"{field}[{i}].text"), check_color(color, field=f"{field}[{i}].color"))
        for i, (text, color) in enumerate(labels)
    ]


def checked_localized(
    settings: Settings, translations: Sequence[tuple[str, str]], parameters: Sequence[str]
) -> tuple[dict[str, str], list[str]]:
    """The text in other locales (each locale once, in any case) and the values for {0}, {1} ...;
    readers get them rendered by `app.domain.translations`."""
    out: dict[str, str] = {}
    for i, (locale, text) in enumerate(translations):
        check_locale(locale, field=f"translations[{i}].locale")
        check_text(text, field=f"translations[{i}].text", max_length=settings.max_message_length)
        if locale.lower() in {k.lower() for k in out}:
            raise InvalidInput(f"Locale {locale!r} is given twice.", field=f"translations[{i}].locale")
        out[locale] = text
    if len(parameters) > MAX_PARAMETERS:
        raise LimitExceeded(f"At most {MAX_PARAMETERS} parameters.", limit=MAX_PARAMETERS, field="parameters")
    for i, parameter in enumerate(parameters):
        check_text(parameter, field=f"parameters[{i}]", max_length=1000, allow_empty=True)
    return out, list(parameters)


async def write_translations(uow: UnitOfWork, message: Message, translations: dict[str, str]) -> None:
    """The text of a new message in other locales (inserted with `translated` set when any)."""
    assert message.id is not None
    if translations:
        await notice_store.set_translations(uow.session, message_id=message.id, translations=translations)


async def write_parsed(uow: UnitOfWork, message: Message, *, new: bool = False) -> None:
    """Tags, mentions and urls from the text (on create and on every text edit). A `new`
    message, inserted in this transaction with its urls, has no rows to replace and cannot have
    been moved by anyone else: its tags and mentions are only added."""
    assert message.id is not None
    tags = parse_tags(message.text)
    if new:
        await message_meta.add_tags(uow.session, message_id=message.id, tags=tags, topic_id=message.topic_id)
    else:
        await message_meta.set_tags(uow.session, message_id=message.id, tags=tags)
    names = parse_mentions(message.text)
    user_ids = await user_store.user_ids_by_usernames(uow.session, usernames=names)
    if new:
        await message_meta.add_mentions(uow.session, message_id=message.id, user_ids=user_ids)
    else:
        await message_meta.set_mentions(uow.session, message_id=message.id, user_ids=user_ids)
    urls = parse_urls(message.text)
    if urls != list(message.urls):
        message.urls = urls
        await message_store.set_parsed(uow.session, message_id=message.id, urls=urls)


async def insert_topic_message(
    uow: UnitOfWork,
    viewer: Viewer,
    topic: Topic,
    text: str,
    *,
    parent: Message | None = None,
    labels: Sequence[tuple[str, str]] = (),
    attachments: Sequence[dict[str, object]] = (),
    created_at: datetime | None = None,
    client_mutation_id: str | None = None,
    author_id: int | None = None,
    copied_from_id: int | None = None,
    translations: dict[str, str] | None = None,
    parameters: Sequence[str] = (),
) -> Message:
    """A message row in `topic` with its parsed text, translations, labels and attachments (no
    event recorded), as a read-only record."""
    message = await message_store.insert_message(
        uow.session,
        author_id=author_id or viewer.user_id,
        text=text,
        now=created_at or utcnow(),
        topic_id=topic.id,
        in_reply_to=parent,
        client_mutation_id=client_mutation_id,
        copied_from_id=copied_from_id,
        urls=parse_urls(text),
        parameters=parameters,
        translated=bool(translations),
    )
    assert message.id is not None
    await write_translations(uow, message, translations or {})
    await write_parsed(uow, message, new=True)
    if labels:
        await message_meta.add_labels(uow.session, message_id=message.id, labels=labels)
    if attachments:
        await message_store.insert_attachments(uow.session, message_id=message.id, attachments=attachments)
    return message
