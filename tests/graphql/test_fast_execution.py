"""Planned field execution (app.graphql.fast_execution): leaves answered without graphql-core's
per-field machinery, everything else completed as graphql-core does.

The page test counts the leaves the shortcut answered for a real page. The equivalence test
runs one document through ParleyExecutor and through strawberry's stock executor on the same
schema (the same resolvers, direct ones included) and wants the same data and the same errors,
messages, paths and locations, including the cases the shortcut hands back to graphql-core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.graphql.executor import ParleyExecutor
from app.graphql.fast_resolvers import call_resolvers_directly
from app.graphql.field_plans import fast_stats
from tests.conftest import Api
from tests.graphql.helpers import create_conversation, send_ok

PAGE = """query($id: ID!) { conversation(id: $id) { messages(first: 10) {
  edges { node { id text createdAt author { username } reactions { content count users { username } } } }
  pageInfo { hasNextPage } } } }"""
REACT = """mutation($id: ID!, $c: String!) { react(input: {ref: {id: $id}, content: $c}) { __typename } }"""


def _leaves(value: Any, skip: str) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v, skip) for k, v in value.items() if k != skip)
    if isinstance(value, list):
        return sum(_leaves(v, skip) for v in value)
    return 1


async def test_a_page_answers_its_attribute_leaves_and_ids_by_the_shortcut(app: Any, api: Api) -> None:
    users = [await api.register(f"user{i}") for i in range(3)]
    conversation = await create_conversation(api, users[0][0], [u[1] for u in users[1:]])
    for i in range(10):
        message = await send_ok(api, users[i % 3][0], conversation, f"message {i}")
        for who in range(i % 3):
            await api.run(REACT, {"id": message, "c": "👍" if who else "🎉"}, users[who][0])
    stats = fast_stats(app.state.websockets.app.schema._schema)
    before = (stats.shortcuts, stats.fallbacks)
    data = await api.run(PAGE, {"id": conversation}, users[0][0])
    edges = data["conversation"]["messages"]["edges"]
    assert len(edges) == 10
    assert sum(len(e["node"]["reactions"]) for e in edges) == 9
    # every leaf but `text` (a resolver with an argument): id, createdAt, username, content,
    # count, the users' usernames and hasNextPage
    assert stats.shortcuts - before[0] == _leaves(data, skip="text") == 10 * 3 + 9 * 2 + 9 + 1
    assert stats.fallbacks == before[1]


NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@strawberry.type
class Item(relay.Node):
    key: relay.NodeID[int]
    name: str
    size: int
    note: str | None
    when: datetime
    labels: list[str]
    friend: Item | None = None

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError(f"broken {self.key}")

    @strawberry.field
    async def later(self) -> int:
        return self.size

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return self.name.upper() + suffix


def _items() -> list[Item]:
    good = Item(key=1, name="a", size=1, note=None, when=NOW, labels=["x", "y"])
    no_name = Item(key=2, name=None, size=2, note="n", when=NOW, labels=[])  # type: ignore[arg-type]
    too_big = Item(key=3, name="c", size=2**40, note="n", when=NOW, labels=["z"])
    good.friend = too_big
    too_big.friend = no_name
    return [good, no_name, too_big]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return list(_items())

    @strawberry.field
    def strict(self) -> list[Item] | None:
        return list(_items())

    @strawberry.field
    def one(self) -> Item:
        return _items()[0]

    @strawberry.field
    def maybe(self) -> Item | None:
        return Item(key=4, name="d", size=4, note=None, when=NOW, labels=["z", None])  # type: ignore[list-item]


DOCUMENT = """{
  one { id key: id name size note when labels later shout shout2: shout(suffix: "?") friend { id size } }
  items { id name size note when labels later broken friend { name friend { id name } } }
  strict { id name }
  maybe { id labels }
}"""


def _schema(executor: type) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    call_resolvers_directly(schema)
    return schema


def _errors(result: Any) -> list[tuple[str, Any, Any]]:
    return sorted(
        (e.message, e.path, [(loc.line, loc.column) for loc in e.locations or []])
        for e in result.errors or []
    )


async def test_the_same_data_and_errors_as_graphql_cores_own_execution() -> None:
    fast, stock = _schema(ParleyExecutor), _schema(StrawberryGraphQLCoreExecutionContext)
    ours = await fast.execute(DOCUMENT)
    theirs = await stock.execute(DOCUMENT)
    assert ours.data == theirs.data
    assert _errors(ours) == _errors(theirs)
    paths = [error[1] for error in _errors(ours)]
    assert ["items", 1, "name"] in paths  # null for a non-null leaf, where it happened
    assert ["items", 2, "size"] in paths  # a value the scalar refuses
    assert ["maybe", "labels", 1] in paths  # null in a list of non-null strings
    assert ["items", 0, "broken"] in paths  # a resolver that raises
    assert ["items", 0, "friend", "friend", "name"] in paths
    assert ours.data is not None and ours.data["strict"] is None  # the null went up to the list
    assert ours.data["items"][1] is None and ours.data["maybe"] is None
    assert ours.data["one"]["id"] == relay.to_base64("Item", 1)
    stats = fast_stats(fast._schema)
    # id, name, size, note, when and ids of the friends, as far as each object got before it
    # failed: `one` 6 + its friend's id; items[0] 5, its friend's name and its friend's id;
    # items[1] its id; items[2] id and name; strict[0] id and name, strict[1] id; maybe's id
    assert stats.shortcuts == 7 + 7 + 1 + 2 + 3 + 1
    # handed back to graphql-core: the missing names (items[1], strict[1], items[0]'s friend's
    # friend) and the refused sizes (items[2], one's friend)
    assert stats.fallbacks == 5
