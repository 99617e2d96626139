"""MessageFilterSpec: the filter language's value, validated, with its windows resolved."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from app.domain.errors import InvalidInput
from app.domain.search_terms import check_contains, query_terms
from app.domain.windows import RelativeWindow


@dataclass(frozen=True, slots=True)
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
    max_likes: int | None = None
    unread: bool | None = None
    tasks: bool | None = None
    text: str | None = None
    text_contains: str | None = None
    created_within: RelativeWindow | None = None
    updated_within: RelativeWindow | None = None

    def given(self) -> set[str]:
        """The names of the fields set (not None)."""
        return {f.name for f in fields(self) if getattr(self, f.name) is not None}

    def check(self) -> None:
        for name in (
            "min_votes_up",
            "max_votes_up",
            "min_votes_down",
            "max_votes_down",
            "min_replies",
            "max_replies",
            "min_likes",
            "max_likes",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InvalidInput(f"`{camel(name)}` must not be negative.", field=camel(name))
        for low, high in (("created_after", "created_before"), ("updated_after", "updated_before")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise InvalidInput(f"`{camel(low)}` is after `{camel(high)}`.", field=camel(low))
        for name in ("created_within", "updated_within"):
            window = getattr(self, name)
            if window is not None:
                window.check(f"filter.{camel(name)}")
        if self.text is not None:
            query_terms(self.text)
        if self.text_contains is not None:
            check_contains(self.text_contains)

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
            self.text_contains,
            self.updated_after,
            self.updated_before,
            self.updated_within,
        )
        thresholds = (self.min_votes_up, self.min_votes_down, self.min_replies, self.min_likes)
        return any(v is not None for v in narrowing) or any(v for v in thresholds)

    @property
    def pinpoint(self) -> bool:
        """Names a handful of messages (ids, one thread, one message's replies): never worth a walk."""
        return self.ids is not None or self.root is not None or self.in_reply_to is not None

    @property
    def terms(self) -> list[str] | None:
        return query_terms(self.text) if self.text is not None else None

    @property
    def has_time_bounds(self) -> bool:
        return not (
            self.created_after is None
            and self.created_before is None
            and self.updated_after is None
            and self.updated_before is None
            and self.created_within is None
            and self.updated_within is None
        )

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


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
