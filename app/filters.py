"""MessageFilter -> SQL, in one place. Authorization is part of the SQL, never applied after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import readable_topics_clause
from app.auth import Viewer
from app.errors import InvalidInput
from app.models import ConversationParticipant, Message, MessageLabel, MessageRead, MessageTag, Topic, User
from app.store import topics as topic_store
from app.topic_paths import normalize, tasks_topic

TaskCopy = aliased(Message)


@dataclass(frozen=True)
class MessageFilterSpec:
    ids: tuple[int, ...] | None = None
    conversation: int | None = None
    topic: str | None = None
    topic_under: str | None = None
    authors: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    all_tags: tuple[str, ...] | None = None
    not_tags: tuple[str, ...] | None = None
    tag_prefixes: tuple[str, ...] | None = None
    labels: tuple[str, ...] | None = None
    all_labels: tuple[str, ...] | None = None
    not_labels: tuple[str, ...] | None = None
    label_prefixes: tuple[str, ...] | None = None
    in_reply_to: int | None = None
    root: int | None = None
    only_roots: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    min_votes_up: int | None = None
    max_votes_up: int | None = None
    min_votes_down: int | None = None
    max_votes_down: int | None = None
    min_replies: int | None = None
    max_replies: int | None = None
    min_likes: int | None = None
    unread: bool | None = None
    tasks: bool | None = None

    def check(self) -> None:
        for name in (
            "min_votes_up",
            "max_votes_up",
            "min_votes_down",
            "max_votes_down",
            "min_replies",
            "max_replies",
            "min_likes",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidInput(f"`{_camel(name)}` must not be negative.", field=_camel(name))
        for low, high in (("created_after", "created_before"), ("updated_after", "updated_before")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise InvalidInput(f"`{_camel(low)}` is after `{_camel(high)}`.", field=_camel(low))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def readable_messages_clause(viewer: Viewer | None) -> ColumnElement[bool]:
    topic_ok = and_(
        Message.topic_id.is_not(None),
        Message.topic_id.in_(select(Topic.id).where(readable_topics_clause(viewer))),
    )
    if viewer is None:
        return topic_ok
    in_conversation = and_(
        Message.conversation_id.is_not(None),
        exists().where(
            ConversationParticipant.conversation_id == Message.conversation_id,
            ConversationParticipant.user_id == viewer.user_id,
        ),
    )
    return or_(in_conversation, topic_ok)


def _has_tag(condition: Any) -> Any:
    return exists().where(MessageTag.message_id == Message.id, condition)


def _has_label(condition: Any) -> Any:
    return exists().where(MessageLabel.message_id == Message.id, condition)


def _unread(viewer: Viewer | None) -> Any:
    """By someone else and not marked read by the viewer (anonymous viewers read nothing)."""
    if viewer is None:
        return true()
    read = exists().where(MessageRead.user_id == viewer.user_id, MessageRead.message_id == Message.id)
    return and_(Message.author_id != viewer.user_id, ~read)


def _in_tasks(viewer: Viewer | None) -> Any:
    """In the viewer's task list: a task copy there, or a message copied there."""
    if viewer is None:
        return false()
    tasks = select(Topic.id).where(Topic.path == tasks_topic(viewer.username)).scalar_subquery()
    copied = exists().where(TaskCopy.copied_from_id == Message.id, TaskCopy.topic_id == tasks)
    return or_(Message.topic_id == tasks, copied)


async def filter_conditions(
    session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec
) -> list[Any]:
    """SQL conditions on Message for `spec`, the viewer's read access included."""
    spec.check()
    where: list[Any] = [readable_messages_clause(viewer)]
    if spec.ids is not None:
        where.append(Message.id.in_(spec.ids))
    if spec.conversation is not None:
        where.append(Message.conversation_id == spec.conversation)
    if spec.topic is not None:
        topic = await topic_store.get_topic_by_path(session, path=normalize(spec.topic, field="filter.topic"))
        if topic is None:
            raise InvalidInput(f"Unknown topic {spec.topic}.", field="filter.topic")
        where.append(Message.topic_id == topic.id)
    if spec.topic_under is not None:
        path = normalize(spec.topic_under, field="filter.topicUnder")
        if await topic_store.get_topic_by_path(session, path=path) is None:
            raise InvalidInput(f"Unknown topic {path}.", field="filter.topicUnder")
        under = select(Topic.id).where(
            or_(Topic.path == path, Topic.path.startswith(path + "/", autoescape=True))
        )
        where.append(Message.topic_id.in_(under))
    if spec.authors is not None:
        keys = [a.lower() for a in spec.authors]
        where.append(Message.author_id.in_(select(User.id).where(User.username_key.in_(keys))))
    if spec.tags is not None:
        where.append(_has_tag(MessageTag.tag.in_(spec.tags)) if spec.tags else false())
    for tag in spec.all_tags or ():
        where.append(_has_tag(MessageTag.tag == tag))
    if spec.not_tags:
        where.append(~_has_tag(MessageTag.tag.in_(spec.not_tags)))
    if spec.tag_prefixes is not None:
        where.append(
            or_(
                false(), *(_has_tag(MessageTag.tag.startswith(p, autoescape=True)) for p in spec.tag_prefixes)
            )
        )
    if spec.labels is not None:
        where.append(_has_label(MessageLabel.text.in_(spec.labels)) if spec.labels else false())
    for label in spec.all_labels or ():
        where.append(_has_label(MessageLabel.text == label))
    if spec.not_labels:
        where.append(~_has_label(MessageLabel.text.in_(spec.not_labels)))
    if spec.label_prefixes is not None:
        where.append(
            or_(
                false(),
                *(_has_label(MessageLabel.text.startswith(p, autoescape=True)) for p in spec.label_prefixes),
            )
        )
    if spec.in_reply_to is not None:
        where.append(Message.in_reply_to_id == spec.in_reply_to)
    if spec.root is not None:
        where.append(or_(Message.id == spec.root, Message.root_id == spec.root))
    if spec.only_roots:
        where.append(Message.root_id.is_(None))
    if spec.unread is not None:
        where.append(_unread(viewer) if spec.unread else ~_unread(viewer))
    if spec.tasks is not None:
        where.append(_in_tasks(viewer) if spec.tasks else ~_in_tasks(viewer))
    updated = func.coalesce(Message.updated_at, Message.created_at)
    for value, condition in (
        (spec.created_after, lambda v: Message.created_at >= v),
        (spec.created_before, lambda v: Message.created_at <= v),
        (spec.updated_after, lambda v: updated >= v),
        (spec.updated_before, lambda v: updated <= v),
        (spec.min_votes_up, lambda v: Message.votes_up >= v),
        (spec.max_votes_up, lambda v: Message.votes_up <= v),
        (spec.min_votes_down, lambda v: Message.votes_down >= v),
        (spec.max_votes_down, lambda v: Message.votes_down <= v),
        (spec.min_replies, lambda v: Message.reply_count >= v),
        (spec.max_replies, lambda v: Message.reply_count <= v),
        (spec.min_likes, lambda v: Message.like_count >= v),
    ):
        if value is not None:
            where.append(condition(value))
    return where
