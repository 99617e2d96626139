"""Seed the benchmark's SQLite database and write the fixture every server and client reads.

Migrations, users and their rights go through Parley's own code (so the schema is the one
`parley serve` expects); the bulk rows (messages, reactions, tags, grants) are plain sqlite3
inserts, as in bench/filter_speed.py. Tokens are inserted as Parley stores them (SHA-256).

Data:
- users `admin` (right admin), `bench` and user0..user19; a token for `admin` and `bench`
- conversation "page": bench, user0, user1, user2; 200 messages, each with 0-3 reactions
- conversation "send": bench and user0, a few messages (the sendMessage target)
- topic /Tags: N messages (100k; 1M with --large) with 1-3 tags among tag0..tag499, readable by
  `bench` through the group `readers`
- topic /Fan: read-only (anyone reads, the admin writes): the fan-out target
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores DateTime on SQLite
REACTIONS = ["👍", "🎉", "❤️"]
TAG_QUERY = ["tag42", "tag7"]


def ts(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).strftime(FMT)


async def _prepare(path: Path) -> dict[str, int]:
    from app.actions.accounts import do_create_user
    from app.core.auth import ADMIN_RIGHT, Passwords
    from app.core.db import Database
    from app.core.migrate import upgrade
    from app.core.settings import load_settings

    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{path}", argon2_time_cost=1, argon2_memory_kib=64
    )
    db = Database(settings)
    await upgrade(db)
    ids: dict[str, int] = {}
    passwords = Passwords(settings)
    async with db.write() as uow:
        for name in ["admin", "bench", *(f"user{i}" for i in range(20))]:
            user = await do_create_user(
                uow,
                passwords,
                settings,
                username=name,
                password="bench-password-123",
                rights=(ADMIN_RIGHT,) if name == "admin" else (),
            )
            assert user.id is not None
            ids[name] = user.id
    await db.dispose()
    return ids


def _insert_messages(db: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO messages(id, conversation_id, topic_id, author_id, text, created_at, "
        "reply_count, like_count, votes_up, votes_down, urls, parameters) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, '[]', '[]')",
        rows,
    )


def seed(path: Path, messages: int, seed_value: int = 7) -> dict[str, object]:
    """Create the database at `path`; returns the fixture (ids, tokens, variables)."""
    from app.core.auth import new_token
    from app.domain.global_ids import to_global_id

    started = time.perf_counter()
    users = asyncio.run(_prepare(path))
    rnd = random.Random(seed_value)
    now = datetime.now(UTC)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    # the seeded users were just active: Parley touches last_active_at at most once a minute
    db.execute("UPDATE users SET last_active_at = ?", (ts(now),))
    tokens = {}
    for name in ("admin", "bench"):
        token, token_hash = new_token()
        db.execute(
            "INSERT INTO auth_tokens(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash, users[name], ts(now), ts(now + timedelta(days=30))),
        )
        tokens[name] = token

    def conversation(title: str, members: list[str]) -> int:
        cur = db.execute(
            "INSERT INTO conversations(title, created_by, created_at, last_activity_at) VALUES (?, ?, ?, ?)",
            (title, users[members[0]], ts(now - timedelta(days=2)), ts(now)),
        )
        cid = int(cur.lastrowid or 0)
        db.executemany(
            "INSERT INTO conversation_participants(conversation_id, user_id, joined_at, read_up_to_id) "
            "VALUES (?, ?, ?, 0)",
            [(cid, users[m], ts(now - timedelta(days=2))) for m in members],
        )
        return cid

    page_members = ["bench", "user0", "user1", "user2"]
    page_conv = conversation("page", page_members)
    send_conv = conversation("send", ["bench", "user0"])
    next_id = 1
    rows, reactions = [], []
    start = now - timedelta(days=1)
    for i in range(200):
        created = start + timedelta(seconds=60 * i, microseconds=rnd.randrange(1, 999_999))
        rows.append((next_id, page_conv, None, users[page_members[i % 4]], f"page message {i}", ts(created)))
        for j, member in enumerate(rnd.sample(page_members, rnd.randrange(4))):
            reactions.append(
                (next_id, users[member], REACTIONS[j % 3], ts(created + timedelta(seconds=j + 1)))
            )
        next_id += 1
    for i in range(5):
        created = start + timedelta(seconds=60 * i, microseconds=rnd.randrange(1, 999_999))
        rows.append((next_id, send_conv, None, users["bench"], f"send message {i}", ts(created)))
        next_id += 1
    _insert_messages(db, rows)
    db.executemany(
        "INSERT INTO reactions(message_id, user_id, content, created_at) VALUES (?, ?, ?, ?)", reactions
    )
    by_id_message = 150  # a conversation message with an author (case 1)

    def topic(path_: str, read_only: bool) -> int:
        cur = db.execute(
            "INSERT INTO topics(path, created_at, max_length, max_replies, read_only, can_force_date, "
            "can_update_message, can_update_all_messages, can_delete_message, can_delete_all_messages, "
            "admin_can_update_all_messages, admin_can_delete_all_messages, extra) "
            "VALUES (?, ?, 4000, 1000, ?, 0, 1, 0, 1, 0, 1, 1, '{}')",
            (path_, ts(now - timedelta(days=400)), int(read_only)),
        )
        return int(cur.lastrowid or 0)

    tags_topic = topic("/Tags", False)
    fan_topic = topic("/Fan", True)
    cur = db.execute(
        "INSERT INTO groups(name, name_key, created_at) VALUES ('readers', 'readers', ?)", (ts(now),)
    )
    group_id = int(cur.lastrowid or 0)
    db.execute(
        "INSERT INTO group_members(group_id, user_id, is_admin) VALUES (?, ?, 0)", (group_id, users["bench"])
    )
    db.execute(
        "INSERT INTO topic_access(topic_id, principal_kind, principal_id, role) VALUES (?, 'group', ?, 1)",
        (tags_topic, group_id),
    )
    authors = [users[f"user{i}"] for i in range(20)]
    batch, tags = [], []
    for n in range(messages):
        created = now - timedelta(seconds=rnd.randrange(365 * 86400), microseconds=rnd.randrange(1, 999_999))
        chosen = sorted({rnd.randrange(500) for _ in range(rnd.randrange(1, 4))})
        text = f"tagged message {n} " + " ".join(f"#tag{t}" for t in chosen)
        batch.append((next_id, None, tags_topic, rnd.choice(authors), text, ts(created)))
        tags += [(next_id, f"tag{t}", i, tags_topic) for i, t in enumerate(chosen)]
        next_id += 1
        if len(batch) == 20000 or n == messages - 1:
            _insert_messages(db, batch)
            db.executemany(
                "INSERT INTO message_tags(message_id, tag, position, topic_id) VALUES (?, ?, ?, ?)", tags
            )
            db.commit()
            batch, tags = [], []
            print(f"\r  seeded {n + 1:,} topic messages", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    matching = (
        sqlite3.connect(path)
        .execute(
            "SELECT count(DISTINCT message_id) FROM message_tags "
            f"WHERE tag IN ({','.join('?' * len(TAG_QUERY))})",
            TAG_QUERY,
        )
        .fetchone()[0]
    )
    return {
        "database": str(path),
        "seconds": round(time.perf_counter() - started, 1),
        "topic_messages": messages,
        "tag_matches": matching,
        "users": users,
        "tokens": tokens,
        "page_conversation": to_global_id("Conversation", page_conv),
        "send_conversation": to_global_id("Conversation", send_conv),
        "message": to_global_id("Message", by_id_message),
        "tags": TAG_QUERY,
        "tags_topic": "/Tags",
        "fan_topic": "/Fan",
        "fan_topic_id": fan_topic,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--fixture", type=Path, help="write the fixture JSON here")
    args = parser.parse_args()
    if args.path.exists():
        sys.exit(f"{args.path} exists: seed a fresh file")
    fixture = seed(args.path, args.messages)
    text = json.dumps(fixture, indent=2)
    if args.fixture:
        args.fixture.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
