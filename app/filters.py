"""MessageFilter -> SQL, in one place. Authorization is part of the SQL, never applied after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import access_conversation, access_topic, readable_topics_clause
from app.auth import Viewer
from app.errors import InvalidInput, NotFound
from app.models import (
    ConversationParticipant,
    Message,
    MessageLabel,
    MessageRead,
    MessageTag,
    Topic,
    User,
    utcnow,
)
from app.search import query_terms, text_matches
from app.store.notices import delivered_to
from app.store.search import starts_with, text_match
from app.topic_paths import is_under, normalize, tasks_topic
from app.windows import RelativeWindow

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
    text: str | None = None
    created_within: RelativeWindow | None = None
    updated_within: RelativeWindow | None = None

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
        for name in ("created_within", "updated_within"):
            window = getattr(self, name)
            if window is not None:
                window.check(f"filter.{_camel(name)}")
        if self.text is not None:
            query_terms(self.text)

    @property
    def selective(self) -> bool:
        """Some indexed condition likely narrows the set below what an ordered index walk would pass.

        topic, conversation, authors and created-at bounds are left out: their indexes give the order.
        """
        narrowing = (
            self.ids,
            self.topic_under,
            self.tags,
            self.all_tags,
            self.tag_prefixes,
            self.labels,
            self.all_labels,
            self.label_prefixes,
            self.in_reply_to,
            self.root,
            self.text,
            self.updated_after,
            self.updated_before,
            self.updated_within,
        )
        thresholds = (self.min_votes_up, self.min_votes_down, self.min_replies, self.min_likes)
        return any(v is not None for v in narrowing) or any(v for v in thresholds)

    @property
    def terms(self) -> list[str] | None:
        return query_terms(self.text) if self.text is not None else None

    def bounds(self, now: datetime) -> dict[str, datetime | None]:
        """Absolute created/updated bounds, windows resolved at `now` (the tighter bound wins)."""
        out = {
            "created_after": self.created_after,
            "created_before": self.created_before,
            "updated_after": self.updated_after,
            "updated_before": self.updated_before,
        }
        for prefix, window in (("created", self.created_within), ("updated", self.updated_within)):
            if window is not None:
                start, end = window.bounds(now)
                if start is not None:
                    current = out[f"{prefix}_after"]
                    out[f"{prefix}_after"] = start if current is None else max(current, start)
                if end is not None:
                    current = out[f"{prefix}_before"]
                    out[f"{prefix}_before"] = end if current is None else min(current, end)
        return out


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
    notice_ok = and_(
        Message.conversation_id.is_(None),
        Message.topic_id.is_(None),
        or_(Message.author_id == viewer.user_id, delivered_to(viewer.user_id)),
    )
    return or_(in_conversation, topic_ok, notice_ok)


def _tagged(owner: Any, value: Any, dialect: str) -> Any:
    """Conditions for the any / all / none / prefix operators over tags or labels (index-driven)."""

    def having(condition: Any) -> Any:
        return Message.id.in_(select(owner).where(condition))

    def conditions(
        any_of: tuple[str, ...] | None,
        all_of: tuple[str, ...] | None,
        none_of: tuple[str, ...] | None,
        prefixes: tuple[str, ...] | None,
    ) -> list[Any]:
        out = []
        if any_of is not None:
            out.append(having(value.in_(any_of)))
        out += [having(value == v) for v in all_of or ()]
        if none_of:
            out.append(~having(value.in_(none_of)))
        if prefixes is not None:
            out.append(having(or_(false(), *(starts_with(value, p, dialect) for p in prefixes))))
        return out

    return conditions


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


async def _known_topic(session: AsyncSession, viewer: Viewer | None, path: str, field: str) -> Topic:
    """A topic the viewer may read; an unreadable one is as unknown as a missing one."""
    try:
        topic, _ = await access_topic(session, viewer, path, field=field)
    except NotFound:
        raise InvalidInput(f"Unknown topic {path}.", field=field) from None
    return topic


async def filter_conditions(
    session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec, *, now: datetime | None = None
) -> list[Any]:
    """SQL conditions on Message for `spec`, the viewer's read access included."""
    spec.check()
    bounds = spec.bounds(now or utcnow())
    dialect = session.get_bind().dialect.name
    where: list[Any] = [readable_messages_clause(viewer)]
    if spec.ids is not None:
        where.append(Message.id.in_(spec.ids))
    if spec.conversation is not None:
        if await access_conversation(session, viewer, spec.conversation) is None:
            raise InvalidInput("Unknown conversation.", field="filter.conversation")
        where.append(Message.conversation_id == spec.conversation)
    if spec.topic is not None:
        topic = await _known_topic(session, viewer, spec.topic, "filter.topic")
        where.append(Message.topic_id == topic.id)
    if spec.topic_under is not None:
        path = (await _known_topic(session, viewer, spec.topic_under, "filter.topicUnder")).path
        under = select(Topic.id).where(
            or_(Topic.path == path, Topic.path.startswith(path + "/", autoescape=True))
        )
        where.append(Message.topic_id.in_(under))
    if spec.authors is not None:
        keys = [a.lower() for a in spec.authors]
        where.append(Message.author_id.in_(select(User.id).where(User.username_key.in_(keys))))
    tagged = _tagged(MessageTag.message_id, MessageTag.tag, dialect)
    labelled = _tagged(MessageLabel.message_id, MessageLabel.text, dialect)
    where += tagged(spec.tags, spec.all_tags, spec.not_tags, spec.tag_prefixes)
    where += labelled(spec.labels, spec.all_labels, spec.not_labels, spec.label_prefixes)
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
    if spec.terms is not None:
        where.append(text_match(dialect, spec.terms))
    # "updated" is updated_at, or created_at for a message never changed: split so indexes serve it
    never = Message.updated_at.is_(None)
    for value, condition in (
        (bounds["created_after"], lambda v: Message.created_at >= v),
        (bounds["created_before"], lambda v: Message.created_at <= v),
        (
            bounds["updated_after"],
            lambda v: or_(Message.updated_at >= v, and_(never, Message.created_at >= v)),
        ),
        (
            bounds["updated_before"],
            lambda v: or_(Message.updated_at <= v, and_(never, Message.created_at <= v)),
        ),
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


@dataclass(frozen=True)
class MessageFacts:
    """What the live predicate needs to know of one message (loaded once per event batch)."""

    message: Message
    topic_path: str | None
    author_key: str
    tags: tuple[str, ...]
    labels: tuple[str, ...]
    reader_ids: frozenset[int]  # users who marked it read
    task_owner_keys: frozenset[str]  # users (lower-cased names) with a task copy of it


def matches(spec: MessageFilterSpec, facts: MessageFacts, viewer: Viewer | None, now: datetime) -> bool:
    """The Python twin of `filter_conditions` for one message (read access checked elsewhere)."""
    m = facts.message
    bounds = spec.bounds(now)
    updated = m.updated_at or m.created_at
    tags, labels = set(facts.tags), set(facts.labels)
    checks = [
        spec.ids is None or m.id in spec.ids,
        spec.conversation is None or m.conversation_id == spec.conversation,
        spec.topic is None or facts.topic_path == normalize(spec.topic),
        spec.topic_under is None
        or (facts.topic_path is not None and is_under(facts.topic_path, normalize(spec.topic_under))),
        spec.authors is None or facts.author_key in {a.lower() for a in spec.authors},
        spec.tags is None or bool(tags & set(spec.tags)),
        all(t in tags for t in spec.all_tags or ()),
        not tags & set(spec.not_tags or ()),
        spec.tag_prefixes is None or any(t.startswith(p) for t in tags for p in spec.tag_prefixes),
        spec.labels is None or bool(labels & set(spec.labels)),
        all(t in labels for t in spec.all_labels or ()),
        not labels & set(spec.not_labels or ()),
        spec.label_prefixes is None or any(t.startswith(p) for t in labels for p in spec.label_prefixes),
        spec.in_reply_to is None or m.in_reply_to_id == spec.in_reply_to,
        spec.root is None or spec.root in (m.id, m.root_id),
        not spec.only_roots or m.root_id is None,
        bounds["created_after"] is None or m.created_at >= bounds["created_after"],
        bounds["created_before"] is None or m.created_at <= bounds["created_before"],
        bounds["updated_after"] is None or updated >= bounds["updated_after"],
        bounds["updated_before"] is None or updated <= bounds["updated_before"],
        spec.min_votes_up is None or m.votes_up >= spec.min_votes_up,
        spec.max_votes_up is None or m.votes_up <= spec.max_votes_up,
        spec.min_votes_down is None or m.votes_down >= spec.min_votes_down,
        spec.max_votes_down is None or m.votes_down <= spec.max_votes_down,
        spec.min_replies is None or m.reply_count >= spec.min_replies,
        spec.max_replies is None or m.reply_count <= spec.max_replies,
        spec.min_likes is None or m.like_count >= spec.min_likes,
        spec.terms is None or text_matches(m.text, spec.terms),
    ]
    if not all(checks):
        return False
    if spec.unread is not None:
        unread = viewer is None or (m.author_id != viewer.user_id and viewer.user_id not in facts.reader_ids)
        if unread != spec.unread:
            return False
    if spec.tasks is not None:
        in_tasks = viewer is not None and (
            facts.topic_path == tasks_topic(viewer.username)
            or viewer.username.lower() in facts.task_owner_keys
        )
        if in_tasks != spec.tasks:
            return False
    return True


def matches_place(spec: MessageFilterSpec, conversation_id: int | None, topic_path: str | None) -> bool:
    """For an event whose message is gone: only the place fields of the filter can be checked."""
    return (
        (spec.conversation is None or conversation_id == spec.conversation)
        and (spec.topic is None or topic_path == normalize(spec.topic))
        and (
            spec.topic_under is None
            or (topic_path is not None and is_under(topic_path, normalize(spec.topic_under)))
        )
    )
