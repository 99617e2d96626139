"""The Python twin of the SQL filter, for one message of a live event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.core.auth import Viewer
from app.domain.search_terms import contains, text_matches
from app.domain.topic_paths import is_under, normalize, tasks_topic
from app.filters.spec import MessageFilterSpec
from app.models import Message


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


_NO_BOUNDS: dict[str, datetime | None] = dict.fromkeys(
    ("created_after", "created_before", "updated_after", "updated_before")
)


def matches(spec: MessageFilterSpec, facts: MessageFacts, viewer: Viewer | None, now: datetime) -> bool:
    """The Python twin of `filter_conditions` for one message (read access checked elsewhere). The
    checks stop at the first that fails: live subscriptions run this per event and subscriber."""
    m = facts.message
    bounds = spec.bounds(now) if spec.has_time_bounds else _NO_BOUNDS
    updated = m.updated_at or m.created_at
    tags, labels = set(facts.tags), set(facts.labels)
    if not (
        (spec.ids is None or m.id in spec.ids)
        and (spec.conversation is None or m.conversation_id == spec.conversation)
        and (spec.topic is None or facts.topic_path == normalize(spec.topic))
        and (
            spec.topic_under is None
            or (facts.topic_path is not None and is_under(facts.topic_path, normalize(spec.topic_under)))
        )
        and (spec.authors is None or facts.author_key in {a.lower() for a in spec.authors})
        and (spec.tags is None or bool(tags & set(spec.tags)))
        and (all(t in tags for t in spec.all_tags or ()))
        and (not tags & set(spec.not_tags or ()))
        and (spec.tag_prefixes is None or any(t.startswith(p) for t in tags for p in spec.tag_prefixes))
        and (spec.labels is None or bool(labels & set(spec.labels)))
        and (all(t in labels for t in spec.all_labels or ()))
        and (not labels & set(spec.not_labels or ()))
        and (spec.label_prefixes is None or any(t.startswith(p) for t in labels for p in spec.label_prefixes))
        and (spec.in_reply_to is None or m.in_reply_to_id == spec.in_reply_to)
        and (spec.root is None or spec.root in (m.id, m.root_id))
        and (not spec.only_roots or m.root_id is None)
        and (bounds["created_after"] is None or m.created_at >= bounds["created_after"])
        and (bounds["created_before"] is None or m.created_at <= bounds["created_before"])
        and (bounds["updated_after"] is None or updated >= bounds["updated_after"])
        and (bounds["updated_before"] is None or updated <= bounds["updated_before"])
        and (spec.min_votes_up is None or m.votes_up >= spec.min_votes_up)
        and (spec.max_votes_up is None or m.votes_up <= spec.max_votes_up)
        and (spec.min_votes_down is None or m.votes_down >= spec.min_votes_down)
        and (spec.max_votes_down is None or m.votes_down <= spec.max_votes_down)
        and (spec.min_replies is None or m.reply_count >= spec.min_replies)
        and (spec.max_replies is None or m.reply_count <= spec.max_replies)
        and (spec.min_likes is None or m.like_count >= spec.min_likes)
        and (spec.max_likes is None or m.like_count <= spec.max_likes)
        and (spec.terms is None or text_matches(m.text, spec.terms))
        and (spec.text_contains is None or contains(m.text, spec.text_contains))
    ):
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
