"""The generated loaders: cached per request, uncached per websocket, no query for an anonymous viewer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.core.auth import Viewer
from app.domain.global_ids import parse_global_id
from app.graphql.loaders import Loaders, Relation
from app.models import Message, utcnow
from tests.conftest import Api


class Statements:
    def __init__(self, app: Any) -> None:
        self.engine = app.state.services.db.engine.sync_engine
        self.seen: list[str] = []

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self.capture)
        return self.seen

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self.capture)

    def capture(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            self.seen.append(statement)


async def user_id(api: Api, name: str) -> int:
    _, gid = await api.register(name)
    parsed = parse_global_id(gid)
    assert parsed is not None
    return parsed[1]


async def test_a_request_loads_a_key_once_and_a_websocket_each_time(app: Any, api: Api) -> None:
    ann = await user_id(api, "ann")
    await app.state.services.hub.stop()
    db = app.state.services.db
    for cache, batches in ((True, 1), (False, 2)):
        loaders = Loaders(db, None, cache=cache)
        with Statements(app) as seen:
            first = await loaders.user.load(ann)
            again = await loaders.user.load(ann)
        assert first is not None and again is not None and first.username == again.username == "ann"
        assert len(seen) == batches, (cache, seen)
        assert loaders.user is loaders.user  # one loader per Loaders, made on first use


async def test_keys_not_found_get_the_default(app: Any, api: Api) -> None:
    ann = await user_id(api, "ann")
    loaders = Loaders(app.state.services.db, None)
    assert await loaders.user.load_many([ann, 999_999]) == [await loaders.user.load(ann), None]
    assert await loaders.rights.load(999_999) == []
    assert await loaders.translations.load(999_999) == {}
    assert await loaders.topic_level.load(999_999) == 0


async def test_an_anonymous_viewer_gets_the_defaults_of_personal_relations_without_a_query(
    app: Any, api: Api
) -> None:
    await user_id(api, "ann")
    await app.state.services.hub.stop()
    loaders = Loaders(app.state.services.db, None)
    with Statements(app) as seen:
        assert await loaders.unread_count.load_many([1, 2]) == [0, 0]
        assert await loaders.read_at.load(1) is None
        assert await loaders.viewer_vote.load(1) is None
        assert await loaders.is_task.load(1) is False
        assert await loaders.confirmed_versions.load(1) == []
    assert seen == []


async def test_a_request_primes_what_it_wrote_and_a_websocket_keeps_nothing() -> None:
    message = Message(id=5, author_id=1, text="hi", created_at=utcnow())
    viewer = Viewer(user_id=1, username="ann")
    request = Loaders(None, viewer)  # type: ignore[arg-type]  # no database: a query would fail
    request.prime_message(message)
    assert await request.message.load(5) is message
    socket = Loaders(None, viewer, cache=False)  # type: ignore[arg-type]
    socket.prime_message(message)
    assert socket.message.cache is False


def test_the_table_names_the_loaders_the_types_use() -> None:
    names = {n for n, v in vars(Loaders).items() if isinstance(v, Relation)}
    assert len(names) == 28
    assert {"user", "message", "topic_level", "is_task", "translations", "confirmed_versions"} <= names


PAGE = """query($c: ID!) { conversation(id: $c) { messages(first: 50) {
  edges { node { id text author { username } reactions { content } } } } } }"""


async def test_an_answered_request_frees_what_its_loaders_held_without_the_collector(api: Api) -> None:
    """A loader calls back into its Loaders (a cycle): the request's messages and users must go
    when it is answered, not wait for the cyclic garbage collector (a tenth of a page's CPU)."""
    import gc

    from app.models import User
    from tests.graphql.helpers import create_conversation, send_ok

    ann, _ = await api.register("ann")
    _, ben = await api.register("ben")
    conversation = await create_conversation(api, ann, [ben])
    for n in range(5):
        await send_ok(api, ann, conversation, f"m{n}")

    def alive() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, Message | User))

    gc.collect()
    gc.disable()
    try:
        before = alive()
        for _ in range(3):
            page = await api.run(PAGE, {"c": conversation}, ann)
            assert len(page["conversation"]["messages"]["edges"]) == 5
        after = alive()
    finally:
        gc.enable()
    assert after - before < 5, (before, after)  # 3 x (5 messages + 1 author) before the fix
