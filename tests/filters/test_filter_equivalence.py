"""One predicate, two implementations: the SQL filter and the live-event predicate agree on random data.

The same data also checks every faster path against that answer: counts (tag and label counts
read only their index), the per-row form of the SQL, and whole lists paged with cursors, with
a walk and a ranking window small enough that pages come from both sides of them.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.access.places import readable_message_ids
from app.actions import topics
from app.actions.accounts import do_create_user
from app.actions.messages import tat
from app.actions.messages.bulk import do_mark_read
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.core.auth import ADMIN_RIGHT, Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.domain.pagination import PageRequest
from app.domain.windows import RelativeWindow
from app.filters import MessageFilterSpec, filter_conditions, matches
from app.live.event_loading import load_facts
from app.models import Message, utcnow
from app.queries import messages as messages_queries
from tests.conftest import make_settings

WORDS = ["alpha", "beta", "gamma", "delta", "deploy", "database", "disk"]
TOPICS = ["/T", "/T/A", "/T/B", "/U"]


async def build(tmp_path: Path, rnd: random.Random) -> tuple[Database, list[Viewer]]:
    settings = make_settings(tmp_path, list_walk_rows=6, search_rank_window=5)
    db = Database(settings)
    await upgrade(db)
    passwords = Passwords(settings)
    viewers = []
    async with db.write() as uow:
        for i, name in enumerate(["root", "ann", "ben", "cid"]):
            user = await do_create_user(
                uow,
                passwords,
                settings,
                username=name,
                password="password-123",
                rights=(ADMIN_RIGHT,) if i == 0 else (),
            )
            assert user.id is not None
            viewers.append(
                Viewer(user_id=user.id, username=name, rights=frozenset({ADMIN_RIGHT} if i == 0 else ()))
            )
        for path in TOPICS:
            await topics.do_create_topic(
                uow, settings, viewers[0], path=path, description=None, read_only=False
            )
        for viewer, path, role in (
            (viewers[1], "/T", "WRITE"),
            (viewers[2], "/T", "WRITE"),
            (viewers[3], "/T/A", "READ"),
            (viewers[2], "/U", "WRITE"),
        ):
            await topics.do_set_topic_access(
                uow,
                viewers[0],
                path=path,
                role=role,
                user_ids=[viewer.user_id],
                group_ids=[],
                revoke=False,
                recursive=True,
            )
    writers = viewers[:3]
    ids: list[int] = []
    for _ in range(70):
        who = rnd.choice(writers)
        path = rnd.choice(["/T", "/T/A", "/T/B"] if who is not viewers[2] else TOPICS)
        words = rnd.sample(WORDS, 2) + [f"#t{rnd.randrange(5)}" for _ in range(rnd.randrange(3))]
        labels = [(f"l{rnd.randrange(4)}", "#abc") for _ in range(rnd.randrange(3))]
        parent = Ref(id=rnd.choice(ids), only_root=False) if ids and rnd.random() < 0.3 else None
        async with db.write() as uow:
            try:
                message = await do_send_message(
                    uow,
                    settings,
                    who,
                    MessageDraft(destination=path, text=" ".join(words), labels=labels, in_reply_to=parent),
                )
            except Exception:  # a reply across topics is refused: fine, skip it
                continue
        assert message.id is not None
        ids.append(message.id)
    for _ in range(60):
        who, target = rnd.choice(viewers[1:]), rnd.choice(ids)
        action = rnd.choice(["like", "vote", "read", "task", "move"])
        async with db.write() as uow:
            try:
                if action == "like":
                    await tat.do_like(uow, who, ref=Ref(id=target), liked=True)
                elif action == "vote":
                    await tat.do_vote(uow, who, ref=Ref(id=target), direction=rnd.choice(["UP", "DOWN"]))
                elif action == "read":
                    await do_mark_read(uow, settings, who, ids=[target], spec=None)
                elif action == "move":  # its tag and label rows must follow it
                    to = rnd.choice(["/T", "/T/A", "/T/B"])
                    await tat.do_move(uow, who, ref=Ref(id=target), to_topic=to)
                else:
                    await tat.do_set_task(uow, who, ref=Ref(id=target), task=True)
            except Exception:  # not readable by this user: nothing to do
                continue
    return db, viewers


def random_spec(rnd: random.Random, now: Any) -> MessageFilterSpec:
    choices: dict[str, Any] = {
        "topic": lambda: rnd.choice(TOPICS),
        "topic_under": lambda: rnd.choice(["/T", "/T/A", "/U"]),
        "authors": lambda: tuple(rnd.sample(["ann", "BEN", "root", "zed"], 2)),
        "tags": lambda: tuple(f"t{rnd.randrange(5)}" for _ in range(rnd.randrange(3))),
        "all_tags": lambda: tuple(f"t{rnd.randrange(5)}" for _ in range(2)),
        "not_tags": lambda: (f"t{rnd.randrange(5)}",),
        "tag_prefixes": lambda: (rnd.choice(["t", "t1", "x"]),),
        "labels": lambda: (f"l{rnd.randrange(4)}",),
        "all_labels": lambda: ("l0", f"l{rnd.randrange(4)}"),
        "not_labels": lambda: (f"l{rnd.randrange(4)}",),
        "label_prefixes": lambda: (rnd.choice(["l", "l2", "z"]),),
        "only_roots": lambda: True,
        "min_votes_up": lambda: rnd.randrange(3),
        "max_votes_down": lambda: rnd.randrange(2),
        "min_replies": lambda: rnd.randrange(2),
        "max_replies": lambda: rnd.randrange(2),
        "min_likes": lambda: rnd.randrange(3),
        "max_likes": lambda: rnd.randrange(3),
        "unread": lambda: rnd.random() < 0.5,
        "tasks": lambda: rnd.random() < 0.5,
        "text": lambda: " ".join(
            w[: rnd.randrange(2, len(w) + 1)] for w in rnd.sample(WORDS, rnd.randrange(1, 3))
        ),
        "text_contains": lambda: random_substring(rnd),
        "created_after": lambda: now - timedelta(seconds=rnd.randrange(0, 5)),
        "created_within": lambda: RelativeWindow("NOW", from_offset_seconds=-rnd.randrange(1, 100)),
    }
    picked = rnd.sample(sorted(choices), rnd.randrange(1, 4))
    return MessageFilterSpec(**{name: choices[name]() for name in picked})


def random_substring(rnd: random.Random) -> str:
    """3 to 6 characters of two words as messages hold them (inside a word, across the space, or
    the start of a tag), in random case; now and then with a LIKE wildcard that must stay literal."""
    source = " ".join(rnd.sample(WORDS, 2)) + f" #t{rnd.randrange(5)}"
    start = rnd.randrange(len(source) - 3)
    piece = source[start : start + rnd.randrange(3, 7)]
    piece = "".join(c.upper() if rnd.random() < 0.3 else c for c in piece)
    return piece if len(piece) >= 3 and rnd.random() > 0.1 else rnd.choice(["a%a", "e_t", "%%%"])


async def test_sql_and_event_predicate_agree(tmp_path: Path) -> None:
    rnd = random.Random(20261122)
    db, viewers = await build(tmp_path, rnd)
    now = utcnow()
    compared = nonempty = 0
    async with db.read() as session:
        messages = list((await session.execute(select(Message))).scalars())
        facts = await load_facts(session, messages)
        for _ in range(300):
            spec = random_spec(rnd, now)
            viewer = rnd.choice(viewers)
            try:
                where = await filter_conditions(session, viewer, spec, now=now)
            except Exception as exc:  # e.g. a topic this viewer cannot see: both sides must refuse
                assert type(exc).__name__ == "InvalidInput", exc
                continue
            by_sql = set((await session.execute(select(Message.id).where(*where))).scalars())
            readable = await readable_message_ids(session, viewer, messages)
            by_event = {
                m.id for m in messages if m.id in readable and matches(spec, facts[m.id], viewer, now)
            }
            assert by_sql == by_event, (spec, viewer.username)
            per_row = await filter_conditions(session, viewer, spec, now=now, correlated=True)
            assert set((await session.execute(select(Message.id).where(*per_row))).scalars()) == by_sql
            compared += 1
            nonempty += bool(by_sql)
            if compared % 3 == 0:  # the slower whole-list checks on a third of the filters
                await same_through_queries(db, viewer, spec, by_sql, rnd)
    await db.dispose()
    assert compared > 150 and nonempty > 60  # the data exercises the filters, not just empty answers


async def same_through_queries(
    db: Database, viewer: Viewer, spec: MessageFilterSpec, expected: set[int], rnd: random.Random
) -> None:
    """messageCount, and every page of `messages` forward then backward, give exactly `expected`."""
    if spec.created_after is not None or spec.created_within is not None:
        return  # their bounds move with the clock: compared above with a fixed `now`
    assert await messages_queries.message_count(db, viewer, spec) == len(expected), spec
    size = rnd.choice([1, 2, 3, 5])
    forward: list[int] = []
    page = await messages_queries.messages(db, viewer, spec, [], PageRequest(first=size))
    while True:
        forward += [m.id for m in page.items if m.id is not None]
        if not page.has_next_page:
            break
        page = await messages_queries.messages(
            db, viewer, spec, [], PageRequest(first=size, after=page.cursors[-1])
        )
    assert len(forward) == len(set(forward)) and set(forward) == expected, spec
    if spec.text is None:  # newest first, the id breaking ties
        async with db.read() as session:
            rows = (await session.execute(select(Message).where(Message.id.in_(expected)))).scalars()
            assert forward == [m.id for m in sorted(rows, key=lambda m: (m.created_at, m.id), reverse=True)]
    backward: list[int] = []
    page = await messages_queries.messages(db, viewer, spec, [], PageRequest(last=size))
    while True:
        backward = [m.id for m in page.items if m.id is not None] + backward
        if not page.has_previous_page:
            break
        page = await messages_queries.messages(
            db, viewer, spec, [], PageRequest(last=size, before=page.cursors[0])
        )
    assert backward == forward, spec
