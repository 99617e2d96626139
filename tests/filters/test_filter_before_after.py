"""A subscriber of messageEvents(filter:) is notified of a change exactly when the message matched the
filter (by the SQL, the reference) before the change or after it, for random changes."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.actions.messages import tat
from app.actions.messages.bulk import do_mark_read
from app.actions.messages.edit_delete import do_edit_message
from app.actions.messages.refs import Ref
from app.core.auth import Viewer
from app.core.db import Database
from app.core.settings import Settings
from app.domain.errors import InvalidInput
from app.domain.event_kinds import MESSAGE_KINDS
from app.filters import MessageFilterSpec, filter_conditions
from app.graphql.subscriptions import message_predicate
from app.live.event_loading import LiveEvent, read_events
from app.models import Message, utcnow
from app.store import events as event_store
from tests.conftest import make_settings
from tests.filters.test_filter_equivalence import TOPICS, WORDS, build, random_spec

Pair = tuple[MessageFilterSpec, Viewer]


def specs(rnd: random.Random, viewers: list[Viewer], n: int) -> list[Pair]:
    out: list[Pair] = []
    while len(out) < n:
        spec = random_spec(rnd, utcnow())
        if spec.created_after is None and spec.created_within is None:  # no clock in this comparison
            out.append((spec, rnd.choice(viewers)))
    return out


async def compiled(db: Database, pairs: list[Pair]) -> list[tuple[Pair, list[Any]]]:
    """Each filter's SQL conditions for its viewer, leaving out filters refused to that viewer."""
    out = []
    async with db.read() as session:
        for spec, viewer in pairs:
            try:
                out.append(((spec, viewer), await filter_conditions(session, viewer, spec)))
            except InvalidInput:
                continue
    return out


async def matching(db: Database, filters: list[tuple[Pair, list[Any]]]) -> list[set[int]]:
    """Per filter and viewer, the ids the SQL filter returns now."""
    async with db.read() as session:
        return [
            set((await session.execute(select(Message.id).where(*where))).scalars()) for _, where in filters
        ]


async def change(db: Database, settings: Settings, rnd: random.Random, who: Viewer, target: int) -> str:
    ref = Ref(id=target)
    kind = rnd.choice(["label", "unlabel", "edit", "vote", "unvote", "like", "unlike", "move", "read"])
    label = f"l{rnd.randrange(4)}"
    async with db.write() as uow:
        if kind in ("label", "unlabel"):
            add, remove = ([(label, "#abc")], []) if kind == "label" else ([], [label])
            await tat.do_label(
                uow, who, ref=ref, add=add, remove=remove, replace_all=False, create_if_missing=None
            )
        elif kind == "edit":  # new words and tags
            words = rnd.sample(WORDS, 2) + [f"#t{rnd.randrange(5)}" for _ in range(rnd.randrange(3))]
            await do_edit_message(
                uow, settings, who, ref=ref, text=" ".join(words), append=None, attachments=None
            )
        elif kind in ("vote", "unvote"):
            direction = rnd.choice(["UP", "DOWN"]) if kind == "vote" else None
            await tat.do_vote(uow, who, ref=ref, direction=direction)
        elif kind in ("like", "unlike"):
            await tat.do_like(uow, who, ref=ref, liked=kind == "like")
        elif kind == "move":
            await tat.do_move(uow, who, ref=ref, to_topic=rnd.choice(TOPICS))
        else:
            await do_mark_read(uow, settings, who, ids=[target], spec=None)
    return kind


async def new_events(db: Database, after: int) -> list[LiveEvent]:
    async with db.read() as session:
        return await read_events(session, after=after, limit=500)


async def test_notified_exactly_when_the_message_matched_before_or_after_the_change(tmp_path: Path) -> None:
    rnd = random.Random(20261128)
    db, viewers = await build(tmp_path, rnd)
    settings = make_settings(tmp_path)
    seen: dict[str, int] = {"compared": 0, "only before": 0, "only after": 0}
    kinds: set[str] = set()
    try:
        async with db.read() as session:
            ids = list((await session.execute(select(Message.id))).scalars())
            position = await event_store.last_position(session)
        filters = await compiled(db, specs(rnd, viewers, 40))
        after = await matching(db, filters)
        for _ in range(120):
            before = after
            who = viewers[0] if rnd.random() < 0.6 else rnd.choice(viewers[1:])  # the admin may do anything
            try:
                kind = await change(db, settings, rnd, who, rnd.choice(ids))
            except Exception:  # not this user's to change: nothing happened
                continue
            after = await matching(db, filters)
            events = await new_events(db, position)
            position = max([position, *(e.position for e in events)])
            for event in events:
                assert event.message_id is not None
                kinds.add(event.kind)
                for ((spec, viewer), _), was, now in zip(filters, before, after, strict=True):
                    expected = event.message_id in was or event.message_id in now
                    if event.kind == "READ":  # read state in topics is the reader's alone
                        expected = expected and viewer.user_id == event.actor_id
                    notified = message_predicate(spec, lambda v=viewer: v, MESSAGE_KINDS)(event)
                    assert notified == expected, (kind, event.kind, spec, viewer.username, event.data)
                    seen["compared"] += 1
                    seen["only before"] += expected and event.message_id not in now
                    seen["only after"] += expected and event.message_id not in was
    finally:
        await db.dispose()
    assert kinds >= {"LABELED", "EDITED", "VOTED", "LIKED", "MOVED", "READ"}, kinds
    # the changes really made messages stop (and start) matching filters
    assert seen["compared"] > 1000 and seen["only before"] > 10 and seen["only after"] > 10, seen
