"""Sends that queue on SQLite share a commit (app/core/write_batches.py) through the whole app:
each is answered with its own result (a message, a typed error, the first message again for a
retried idempotency key), nothing of a failed one stays, and every message has its event."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, select

from app.core.settings import Settings
from app.domain.global_ids import parse_global_id
from app.models import Event, Message
from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send
from tests.live.test_direct_delivery import until

pytestmark = pytest.mark.once  # SQLite's writers queue and batch in the process; PostgreSQL's do not


async def test_queued_sends_share_a_commit_and_each_gets_its_own_answer(
    app: Any, api: Api, settings: Settings
) -> None:
    db = app.state.services.db
    batches = db._batches
    alice, _ = await api.register("alice")
    _, bob_id = await api.register("bob")
    conversation = await create_conversation(api, alice, [bob_id])
    commits: list[int] = []
    event.listen(db.engine.sync_engine, "commit", lambda _conn: commits.append(1))

    gate = asyncio.Event()

    async def hold_the_turn() -> None:
        async with db.write():
            await gate.wait()

    holder = asyncio.create_task(hold_the_turn())
    await until(lambda: batches._busy)
    inputs: list[dict[str, Any]] = [{"text": f"m{n}"} for n in range(6)]
    inputs.append({"text": "x" * (settings.max_message_length + 1)})  # fails in its write
    inputs += [
        {"text": "once", "clientMutationId": "key-1"},
        {"text": "once", "clientMutationId": "key-1"},  # a retry: the first message again
        {"text": "other", "clientMutationId": "key-1"},  # the key with another text
    ]
    sends = [asyncio.create_task(send(api, alice, conversation, **given)) for given in inputs]
    await until(lambda: len(batches._waiters) >= len(inputs))  # all in line behind the holder
    gate.set()
    results = await asyncio.gather(*sends)
    await holder

    plain, too_long, first, retry, other = results[:6], results[6], results[7], results[8], results[9]
    assert [r["__typename"] for r in plain] == ["Message"] * 6
    assert [r["text"] for r in plain] == [f"m{n}" for n in range(6)]
    assert too_long["__typename"] == "LimitExceededError" and too_long["field"] == "text"
    assert first["__typename"] == "Message" and retry["__typename"] == "Message"
    assert retry["id"] == first["id"]
    assert other["code"] == "CONFLICT"
    assert len(commits) < 4  # ten sends; a last-activity write of the user may commit alone

    sent = set()
    for answer in [*plain, first]:
        parsed = parse_global_id(answer["id"])
        assert parsed is not None
        sent.add(parsed[1])
    async with db.read() as session:
        stored = set(
            (await session.execute(select(Message.id).where(Message.conversation_id.is_not(None)))).scalars()
        )
        added = list(
            (
                await session.execute(
                    select(Event.message_id).where(Event.kind == "ADDED").order_by(Event.position)
                )
            ).scalars()
        )
    assert stored == sent  # nothing of the failed sends
    assert sorted(added) == sorted(sent)  # one event each
