"""Load N messages over T topics, then time each filter kind and its count against a PK lookup.

Run: scripts/bench-filters [--messages 1000000] [--topics 1000] [--repeat 15]
Every figure is the median over --repeat runs through the app's own query path (filter ->
SQL -> rows) with a non-admin viewer who reads every topic through a group grant. The baseline
is a primary-key lookup through the same session machinery, timed in turn with each filter's
page and count, so each ratio compares runs made side by side on a noisy machine.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.auth import Viewer  # noqa: E402
from app.core.db import Database  # noqa: E402
from app.core.migrate import upgrade  # noqa: E402
from app.core.settings import load_settings  # noqa: E402
from app.domain.pagination import PageRequest  # noqa: E402
from app.domain.windows import RelativeWindow  # noqa: E402
from app.filters import MessageFilterSpec  # noqa: E402
from app.models import Message  # noqa: E402
from app.queries import messages as message_queries  # noqa: E402

VOCABULARY = [f"w{i}" for i in range(2000)] + ["deploy", "database", "disk", "incident", "release"]


def load(path: Path, messages: int, topics: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    now = datetime.now(UTC)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    db.execute(
        "INSERT INTO groups(name, name_key, created_at) VALUES ('readers', 'readers', ?)",
        (now.strftime(fmt),),
    )
    group_id = db.execute("SELECT id FROM groups").fetchone()[0]
    users = [r[0] for r in db.execute("SELECT id FROM users")]
    bench_user = db.execute("SELECT id FROM users WHERE username = 'bench'").fetchone()[0]
    db.execute(
        "INSERT INTO group_members(group_id, user_id, is_admin) VALUES (?, ?, 0)", (group_id, bench_user)
    )
    db.execute(
        "INSERT INTO topics(path, created_at, max_length, max_replies, read_only, can_force_date, "
        "can_update_message, can_update_all_messages, can_delete_message, can_delete_all_messages, "
        "admin_can_update_all_messages, admin_can_delete_all_messages, extra) "
        "VALUES ('/B', ?, 4000, 1000, 0, 0, 1, 0, 1, 0, 1, 1, '{}')",
        (now.strftime(fmt),),
    )
    root_id = db.execute("SELECT id FROM topics WHERE path = '/B'").fetchone()[0]
    for i in range(topics):
        db.execute(
            "INSERT INTO topics(path, parent_id, created_at, max_length, max_replies, read_only, "
            "can_force_date, can_update_message, can_update_all_messages, can_delete_message, "
            "can_delete_all_messages, admin_can_update_all_messages, admin_can_delete_all_messages, extra) "
            "VALUES (?, ?, ?, 4000, 1000, 0, 0, 1, 0, 1, 0, 1, 1, '{}')",
            (f"/B/T{i}", root_id, now.strftime(fmt)),
        )
    topic_ids = [r[0] for r in db.execute("SELECT id FROM topics WHERE path LIKE '/B/%'")]
    db.executemany(
        "INSERT INTO topic_access(topic_id, principal_kind, principal_id, role) VALUES (?, 'group', ?, 1)",
        [(t, group_id) for t in [root_id, *topic_ids]],
    )
    batch, tags, labels = [], [], []
    roots_by_topic: dict[int, list[int]] = {}
    for mid in range(1, messages + 1):
        topic = rnd.choice(topic_ids)
        created = now - timedelta(seconds=rnd.randrange(365 * 86400))
        parent = None
        if roots_by_topic.get(topic) and rnd.random() < 0.1:
            parent = rnd.choice(roots_by_topic[topic])
        else:
            roots_by_topic.setdefault(topic, []).append(mid)
        text = " ".join(rnd.choice(VOCABULARY) for _ in range(8)) + (" deploy" if rnd.random() < 0.3 else "")
        up = int(rnd.expovariate(1.0)) if rnd.random() < 0.3 else 0
        batch.append(
            (
                mid,
                topic,
                rnd.choice(users),
                text,
                created.strftime(fmt),
                (created + timedelta(hours=1)).strftime(fmt) if rnd.random() < 0.1 else None,
                parent,
                parent,
                up,
                int(rnd.random() < 0.05),
                int(rnd.expovariate(2.0)),
                0,
            )
        )
        tags += [
            (mid, f"tag{t}", i, topic)
            for i, t in enumerate(set(rnd.randrange(500) for _ in range(rnd.randrange(1, 4))))
        ]
        labels += [
            (mid, f"label{t}", "#abc", i, topic)
            for i, t in enumerate(set(rnd.randrange(50) for _ in range(rnd.randrange(3))))
        ]
        if len(batch) == 20000 or mid == messages:
            db.executemany(
                "INSERT INTO messages(id, topic_id, author_id, text, created_at, updated_at, in_reply_to_id, "
                "root_id, votes_up, votes_down, like_count, reply_count, urls) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')",
                batch,
            )
            db.executemany(
                "INSERT INTO message_tags(message_id, tag, position, topic_id) VALUES (?, ?, ?, ?)", tags
            )
            db.executemany(
                "INSERT INTO message_labels(message_id, text, color, position, topic_id) "
                "VALUES (?, ?, ?, ?, ?)",
                labels,
            )
            db.commit()
            batch, tags, labels = [], [], []
            print(f"\rloaded {mid:,} messages", end="", file=sys.stderr, flush=True)
    db.execute(
        "UPDATE messages SET reply_count = "
        "(SELECT count(*) FROM messages r WHERE r.in_reply_to_id = messages.id) WHERE root_id IS NULL"
    )
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.close()
    print(file=sys.stderr)


def cases(now: datetime) -> dict[str, MessageFilterSpec]:
    return {
        "topic": MessageFilterSpec(topic="/B/T17"),
        "topicUnder": MessageFilterSpec(topic_under="/B/T17"),
        "authors": MessageFilterSpec(authors=("user3",)),
        "tags": MessageFilterSpec(tags=("tag42",)),
        "allTags": MessageFilterSpec(all_tags=("tag42", "tag7")),
        "tagPrefixes": MessageFilterSpec(tag_prefixes=("tag42",)),
        "labels": MessageFilterSpec(labels=("label9",)),
        "labelPrefixes": MessageFilterSpec(label_prefixes=("label9",)),
        "inReplyTo": MessageFilterSpec(in_reply_to=12345),
        "root": MessageFilterSpec(root=12345),
        "ids": MessageFilterSpec(ids=(1, 500, 99999)),
        "createdAfter": MessageFilterSpec(created_after=now - timedelta(hours=6)),
        "createdWithin": MessageFilterSpec(created_within=RelativeWindow("START_OF_DAY", -86400, 0)),
        "updatedAfter": MessageFilterSpec(updated_after=now - timedelta(hours=6)),
        "minVotesUp": MessageFilterSpec(min_votes_up=5),
        "minVotesDown": MessageFilterSpec(min_votes_down=1, topic="/B/T3"),
        "minReplies": MessageFilterSpec(min_replies=8),
        "minLikes": MessageFilterSpec(min_likes=4),
        "text": MessageFilterSpec(text="incident"),
        "text (prefix, 2 words)": MessageFilterSpec(text="incid w12"),
        "text (common word)": MessageFilterSpec(text="deploy"),
        "textContains": MessageFilterSpec(text_contains="cide"),
        "textContains (in words)": MessageFilterSpec(text_contains="ISK"),
        "textContains (2 words)": MessageFilterSpec(text_contains="base w19"),
        "textContains (common)": MessageFilterSpec(text_contains="eplo"),
        "textContains + topic": MessageFilterSpec(text_contains="isk", topic="/B/T17"),
        "maxLikes": MessageFilterSpec(max_likes=0, topic="/B/T17"),
    }


async def timed(fns, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Median milliseconds of each of `fns`, run in turn `repeat` times (interleaved, so a
    slow spell of the shared machine hits the baseline and the filter alike)."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            await fn()
            samples[i].append(time.perf_counter() - start)
    return [statistics.median(s) * 1000 for s in samples]


async def measure(
    path: Path, repeat: int, only: list[str] | None = None
) -> list[tuple[str, float, float, float, int]]:
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{path}")
    db = Database(settings)
    await upgrade(db)  # a kept --db file may predate the latest migration
    await db.refresh_statistics()  # as the server does at start
    async with db.read() as session:
        user = (await session.execute(select(Message.author_id).limit(1))).scalar_one()
    from app.store import groups as group_store
    from app.store import users as user_store

    async with db.read() as session:
        bench = await user_store.get_user_by_username(session, username="bench")
        assert bench is not None and bench.id is not None
        groups = await group_store.group_ids_of_user(session, user_id=bench.id)
    viewer = Viewer(user_id=bench.id, username="bench", group_ids=frozenset(groups))
    del user

    async def pk_lookup() -> None:
        async with db.read() as session:
            await session.execute(select(Message).where(Message.id == 424242))

    page = PageRequest(first=20)
    rows = []
    now = datetime.now(UTC)
    for name, spec in cases(now).items():
        if only and not any(name.startswith(o) for o in only):
            continue

        async def listing(spec: MessageFilterSpec = spec) -> None:
            await message_queries.messages(db, viewer, spec, [], page)

        async def counting(spec: MessageFilterSpec = spec) -> None:
            await message_queries.message_count(db, viewer, spec)

        print(f"  {name} ...", end="", file=sys.stderr, flush=True)
        total = await message_queries.message_count(db, viewer, spec)
        pk_ms, page_ms, count_ms = await timed([pk_lookup, listing, counting], repeat)
        rows.append((name, pk_ms, page_ms, count_ms, total))
        print(f" {page_ms:.1f} ms", file=sys.stderr, flush=True)
    await db.dispose()
    return rows


async def prepare(path: Path, messages: int, topics: int) -> None:
    from app.actions.accounts import do_create_user
    from app.core.auth import Passwords

    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{path}", argon2_time_cost=1, argon2_memory_kib=64
    )
    db = Database(settings)
    await upgrade(db)
    async with db.write() as uow:
        for name in ["bench", *(f"user{i}" for i in range(20))]:
            await do_create_user(uow, Passwords(settings), settings, username=name, password="password-123")
    await db.dispose()
    load(path, messages, topics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", type=Path, help="reuse or create this SQLite file")
    parser.add_argument("--only", help="comma-separated filter names (or their starts) to time")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "bench.db"
    started = time.perf_counter()
    if not path.exists():
        asyncio.run(prepare(path, args.messages, args.topics))
    loaded = time.perf_counter() - started
    print(f"data: {args.messages:,} messages over {args.topics:,} topics ({loaded:.0f}s to load)")
    rows = asyncio.run(measure(path, args.repeat, args.only.split(",") if args.only else None))
    pks = [r[1] for r in rows]
    print(
        f"primary-key lookup: median {statistics.median(pks):.2f} ms "
        f"(per filter {min(pks):.2f} to {max(pks):.2f} ms); each ratio uses its own interleaved lookups"
    )
    print(f"{'filter':24} {'matches':>9} {'pk':>7} {'page of 20':>11} {'x pk':>6} {'count':>9} {'x pk':>6}")
    for name, pk_ms, page_ms, count_ms, total in rows:
        print(
            f"{name:24} {total:9,} {pk_ms:5.2f}ms {page_ms:9.2f}ms {page_ms / pk_ms:6.1f} "
            f"{count_ms:7.2f}ms {count_ms / pk_ms:6.1f}"
        )


if __name__ == "__main__":
    main()
