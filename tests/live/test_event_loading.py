"""The live hub reads each batch of logged changes back in three statements (the events with their
messages and authors; the topics with their grants; the tags, labels, readers and task copies),
and translations only for messages that have some (app/store/live_batches.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.live.event_loading import LiveEvent, read_events
from app.store import events as event_store
from tests.conftest import Api

SEND = """mutation($t: String!, $x: String!) { sendMessage(input: {topic: $t, text: $x}) { __typename } }"""
SEND_TRANSLATED = """mutation($t: String!) { sendMessage(input: {topic: $t, text: "Hello",
  translations: [{locale: "de", text: "Hallo"}]}) { __typename } }"""


async def loaded_with_selects(app: Any) -> tuple[list[LiveEvent], int]:
    """The last logged event, loaded as the hub loads it, and the SELECTs that took."""
    db = app.state.services.db
    async with db.read() as session:
        rows = await event_store.events_after(session, position=0, limit=500)
        statements: list[str] = []

        def capture(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
        try:
            events = await read_events(session, after=rows[-1].position - 1, limit=500)
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    return events, len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


async def test_a_message_event_reads_each_relation_once_and_no_translations_it_has_not(
    app: Any, api: Api
) -> None:
    token, _ = await api.register("ann")
    await app.state.services.hub.stop()  # nothing else reads meanwhile
    data = await api.run(SEND, {"t": "/Private/ann", "x": "hello #news"}, token)
    assert data["sendMessage"]["__typename"] == "Message"
    (plain,), selects = await loaded_with_selects(app)
    # the event with its message and author; its topic with the grants; tags, labels, readers
    # and task copies: no translations (it has none)
    assert selects == 3
    assert plain.author is not None and plain.author.username == "ann"
    assert plain.facts is not None and plain.facts.tags == ("news",) and plain.translations == {}

    data = await api.run(SEND_TRANSLATED, {"t": "/Private/ann"}, token)
    assert data["sendMessage"]["__typename"] == "Message"
    (translated,), selects = await loaded_with_selects(app)
    assert selects == 4 and translated.translations == {"de": "Hallo"}
