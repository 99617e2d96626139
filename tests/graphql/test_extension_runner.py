"""LeanExtensionsRunner runs the same hooks as strawberry's runner, found once per operation."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import StreamResultContextManager

from app.graphql.extensions.runner import LeanExtensionsRunner, _GeneratorHooks

seen: list[str] = []


class Tracing(SchemaExtension):
    def on_stream_result(self, result: Any) -> Iterator[None]:
        seen.append(f"enter {result.data}")
        yield
        seen.append("exit")

    def get_results(self) -> dict[str, Any]:
        return {"traced": True}


class AsyncHook(SchemaExtension):
    async def on_stream_result(self, result: Any) -> None:  # type: ignore[override]
        seen.append("async hook")


class Quiet(SchemaExtension):  # no hooks: must not add results
    pass


@strawberry.type
class Query:
    hello: str = "hi"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self) -> AsyncGenerator[int, None]:
        for n in range(3):
            yield n


class LeanSchema(strawberry.Schema):
    def create_extensions_runner(self, execution_context: Any, extensions: Any) -> Any:
        return LeanExtensionsRunner(execution_context, extensions)


async def _stream(extensions: list[type[SchemaExtension]]) -> list[Any]:
    schema = LeanSchema(query=Query, subscription=Subscription, extensions=extensions)
    stream = await schema.subscribe("subscription { count }")
    return [result async for result in stream]  # type: ignore[union-attr]


async def test_generator_hooks_run_around_every_result_and_only_real_results_are_merged() -> None:
    seen.clear()
    results = await _stream([Tracing, Quiet])
    assert [r.data for r in results] == [{"count": 0}, {"count": 1}, {"count": 2}]
    assert all(r.extensions == {"traced": True} for r in results)
    assert seen == ["enter {'count': 0}", "exit", "enter {'count': 1}", "exit", "enter {'count': 2}", "exit"]


async def test_other_kinds_of_hooks_keep_strawberrys_context_manager() -> None:
    seen.clear()
    results = await _stream([Tracing, AsyncHook])
    assert len(results) == 3
    assert seen.count("async hook") == 3 and seen.count("exit") == 3


def test_the_lean_path_is_taken_only_for_plain_generator_hooks() -> None:
    lean = LeanExtensionsRunner(None, [Tracing(), Quiet()])  # type: ignore[arg-type]
    assert isinstance(lean.on_stream_result(object()), _GeneratorHooks)
    mixed = LeanExtensionsRunner(None, [Tracing(), AsyncHook()])  # type: ignore[arg-type]
    assert isinstance(mixed.on_stream_result(object()), StreamResultContextManager)
