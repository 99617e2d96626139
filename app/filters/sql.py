"""MessageFilter -> SQL conditions on Message; the viewer's read access is part of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, distinct, exists, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access.places import access_conversation, access_topic
from app.access.read_rules import readable_messages_clause, readable_topics_clause
from app.core.auth import Viewer
from app.domain.errors import InvalidInput, NotFound
from app.domain.topic_paths import tasks_topic
from app.filters.spec import MessageFilterSpec
from app.models import (
    Message,
    MessageLabel,
    MessageRead,
    MessageTag,
    Topic,
    User,
    utcnow,
)
from app.store.text_search import contains_match, starts_with, text_match

TaskCopy = aliased(Message)


def _tagged(owner: Any, value: Any, dialect: str, correlated: bool) -> Any:
    """Conditions for the any / all / none / prefix operators over tags or labels.

    Uncorrelated (`id IN (...)`), the tag index drives the query; correlated (`EXISTS`), each
    candidate row is checked by one primary-key seek, for a walk over few candidates."""

    def having(condition: Any) -> Any:
        if correlated:
            return exists().where(owner == Message.id, condition)
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


async def _topic_conditions(
    session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec, topic_id: Any
) -> list[Any]:
    """The topic and topicUnder conditions on a topic id column."""
    out = []
    if spec.topic is not None:
        topic = await _known_topic(session, viewer, spec.topic, "filter.topic")
        out.append(topic_id == topic.id)
    if spec.topic_under is not None:
        path = (await _known_topic(session, viewer, spec.topic_under, "filter.topicUnder")).path
        under = select(Topic.id).where(
            or_(Topic.path == path, Topic.path.startswith(path + "/", autoescape=True))
        )
        out.append(topic_id.in_(under))
    return out


_PLACED = (  # the rows that copy their message's topic, the value column, the operators it serves
    (MessageTag, MessageTag.tag, "tags", "tag_prefixes"),
    (MessageLabel, MessageLabel.text, "labels", "label_prefixes"),
)


async def tagged_count(session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec) -> Any | None:
    """For a filter made of one tags / tagPrefixes / labels / labelPrefixes condition, maybe with
    topic or topicUnder: a count statement that reads only that index (its rows carry their
    message's topic, see migration 0007). None for any other filter.

    A message tagged twice within the condition counts once; rows outside topics (none are
    written today) fall back to the message's own read-access check.
    """
    given = spec.given() - {"topic", "topic_under"}
    for table, value, any_name, prefix_name in _PLACED:
        if given not in ({any_name}, {prefix_name}):
            continue
        spec.check()
        (name,) = given
        wanted: tuple[str, ...] = getattr(spec, name)
        dialect = session.get_bind().dialect.name
        if name == any_name:
            condition = value.in_(wanted)
        else:
            condition = or_(false(), *(starts_with(value, p, dialect) for p in wanted))
        readable = or_(
            table.topic_id.in_(select(Topic.id).where(readable_topics_clause(viewer))),
            and_(
                table.topic_id.is_(None),
                exists().where(Message.id == table.message_id, readable_messages_clause(viewer)),
            ),
        )
        where = [condition, readable, *await _topic_conditions(session, viewer, spec, table.topic_id)]
        once = name == any_name and len(wanted) == 1  # one value: no message twice
        counted = func.count() if once else func.count(distinct(table.message_id))
        return select(counted).select_from(table).where(*where)
    return None


async def filter_conditions(
    session: AsyncSession,
    viewer: Viewer | None,
    spec: MessageFilterSpec,
    *,
    now: datetime | None = None,
    text_via_join: bool = False,
    correlated: bool = False,
) -> list[Any]:
    """SQL conditions on Message for `spec`, the viewer's read access included.

    `correlated`: tag and label conditions checked per row (see _tagged)."""
    common, driven, per_row = await _conditions(session, viewer, spec, now, text_via_join)
    return common + (per_row if correlated else driven)


async def filter_condition_forms(
    session: AsyncSession, viewer: Viewer | None, spec: MessageFilterSpec, *, text_via_join: bool = False
) -> tuple[list[Any], list[Any]]:
    """Both forms of filter_conditions (index-driven, per-row), checking the filter once."""
    common, driven, per_row = await _conditions(session, viewer, spec, None, text_via_join)
    return common + driven, common + per_row


async def _conditions(
    session: AsyncSession,
    viewer: Viewer | None,
    spec: MessageFilterSpec,
    now: datetime | None,
    text_via_join: bool,
) -> tuple[list[Any], list[Any], list[Any]]:
    """(the other conditions; those on tags, labels and substrings index-driven; the same per row)"""
    spec.check()
    bounds = spec.bounds(now or utcnow())
    dialect = session.get_bind().dialect.name
    where: list[Any] = [readable_messages_clause(viewer)]
    if spec.ids is not None:
        where.append(Message.id.in_(spec.ids))
    if spec.conversation is not None:
        try:
            await access_conversation(session, viewer, spec.conversation)
        except NotFound:
            raise InvalidInput("Unknown conversation.", field="filter.conversation") from None
        where.append(Message.conversation_id == spec.conversation)
    where += await _topic_conditions(session, viewer, spec, Message.topic_id)
    if spec.authors is not None:
        keys = [a.lower() for a in spec.authors]
        where.append(Message.author_id.in_(select(User.id).where(User.username_key.in_(keys))))
    forms = []
    for correlated in (False, True):
        tagged = _tagged(MessageTag.message_id, MessageTag.tag, dialect, correlated)
        labelled = _tagged(MessageLabel.message_id, MessageLabel.text, dialect, correlated)
        forms.append(
            tagged(spec.tags, spec.all_tags, spec.not_tags, spec.tag_prefixes)
            + labelled(spec.labels, spec.all_labels, spec.not_labels, spec.label_prefixes)
        )
        if spec.text_contains is not None:
            forms[-1].append(contains_match(dialect, spec.text_contains, per_row=correlated))
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
    if spec.terms is not None and not text_via_join:  # else the caller joins the ranked FTS query
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
        (spec.max_likes, lambda v: Message.like_count <= v),
    ):
        if value is not None:
            where.append(condition(value))
    return where, forms[0], forms[1]
