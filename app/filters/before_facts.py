"""What a change replaced, so a live filter can look at the message as it was before.

A subscriber of `messageEvents(filter:)` hears of a change exactly when the message matched the
filter before it OR after it: a label removed under a `labels` filter, a tag edited away, a vote
that takes it below `minVotesUp`. The message as loaded with the event is the "after"; for the
"before", an action snapshots the filter facts of the messages it is about to change
(`snapshot`), `record` keeps in the event what differs afterwards (`data["before"]`,
`note_before`), and the live path lays that over the current facts (`facts_before`). Nothing here
names a filter field: whatever `matches` reads of a message, its columns, topic, tags or labels,
is compared as a whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.event_kinds import EventKind
from app.filters.predicate import MessageFacts
from app.models import Message
from app.store import message_meta
from app.store.rows import with_columns

Snapshot = dict[str, Any]  # JSON: {"message": {column: value}, "topic_path", "tags", "labels"}
_NOT_FILTERED = {"urls", "parameters", "client_mutation_id"}
_TIMES = {"created_at", "updated_at"}


async def snapshot(session: AsyncSession, *, ids: Sequence[int]) -> dict[int, Snapshot]:
    """The filter facts of these messages as the transaction sees them now."""
    rows = await message_meta.filter_rows_by_message_ids(session, ids=ids)
    tags = await message_meta.tags_by_message_ids(session, ids=list(rows))
    labels = await message_meta.labels_by_message_ids(session, ids=list(rows))
    out: dict[int, Snapshot] = {}
    for i, row in rows.items():
        columns = {k: v for k, v in row.items() if k in Message.model_fields and k not in _NOT_FILTERED}
        out[i] = {
            "message": {k: v.isoformat() if isinstance(v, datetime) else v for k, v in columns.items()},
            "topic_path": row["topic_path"],
            "tags": sorted(tags.get(i, ())),
            "labels": sorted(label.text for label in labels.get(i, ())),
        }
    return out


def changed(before: Snapshot, after: Snapshot) -> Snapshot:
    """The parts of `before` that differ in `after` (empty when the change touched no filter fact)."""
    out: Snapshot = {}
    columns = {k: v for k, v in before["message"].items() if after["message"].get(k) != v}
    if columns:
        out["message"] = columns
    out.update({k: v for k, v in before.items() if k != "message" and after.get(k) != v})
    return out


async def note_before(
    session: AsyncSession, rows: Sequence[dict[str, Any]], before: dict[int, Snapshot]
) -> None:
    """Keep in each event row (dicts of Event fields) what its change replaced."""
    after = await snapshot(session, ids=[i for i in before if any(r["message_id"] == i for r in rows)])
    for row in rows:
        i = row["message_id"]
        if i in before and i in after:
            diff = changed(before[i], after[i])
            if diff:
                row["data"] = {**row["data"], "before": diff}


def facts_before(
    facts: MessageFacts, data: dict[str, Any], *, kind: str, actor_id: int | None
) -> MessageFacts | None:
    """The facts as they were before the event's change, or None when nothing filterable changed.

    A READ event (only ever recorded for a fresh read) means its actor had not read it before; a
    TASK event (only recorded when the task list changed) flips its owner's task."""
    before: Snapshot | None = data.get("before")
    if kind == EventKind.READ and actor_id is not None and actor_id in facts.reader_ids:
        facts = dataclasses.replace(facts, reader_ids=facts.reader_ids - {actor_id})
        if not before:
            return facts
    owner = data.get("taskOwner")
    if kind == EventKind.TASK and isinstance(owner, str):
        owners = facts.task_owner_keys - {owner} if data.get("task") else facts.task_owner_keys | {owner}
        facts = dataclasses.replace(facts, task_owner_keys=owners)
        if not before:
            return facts
    if not before:
        return None
    columns = {
        k: (datetime.fromisoformat(v) if k in _TIMES and isinstance(v, str) else v)
        for k, v in before.get("message", {}).items()
    }
    message = with_columns(facts.message, columns) if columns else facts.message
    return dataclasses.replace(
        facts,
        message=message,
        topic_path=before.get("topic_path", facts.topic_path),
        tags=tuple(before.get("tags", facts.tags)),
        labels=tuple(before.get("labels", facts.labels)),
    )
