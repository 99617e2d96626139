"""The live hub reads each batch of logged changes back with one statement per relation it needs:
authors once (the filter facts and the rendering share them), translations only for messages
that have some."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.live.event_loading import LiveEvent, load_events
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
            events = await load_events(session, rows[-1:])
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
    # the message, its topic and grants, tags, labels, author, readers, task copies: no
    # translations (it has none) and the author read once
    assert selects == 8
    assert plain.author is not None and plain.author.username == "ann"
    assert plain.facts is not None and plain.facts.tags == ("news",) and plain.translations == {}

    data = await api.run(SEND_TRANSLATED, {"t": "/Private/ann"}, token)
    assert data["sendMessage"]["__typename"] == "Message"
    (translated,), selects = await loaded_with_selects(app)
    assert selects == 9 and translated.translations == {"de": "Hallo"}
