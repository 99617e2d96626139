"""SharedResults: one execution per key, shared while in flight; errors and cancellations are never shared."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import ExecutionResult, GraphQLError

from app.graphql.executor import SharedResults


def executor(result: ExecutionResult, calls: list[int], gate: asyncio.Event | None = None) -> Any:
    async def run() -> ExecutionResult:
        calls.append(1)
        if gate is not None:
            await gate.wait()
        return result

    return run


async def test_subscribers_waiting_for_an_execution_in_flight_get_its_result() -> None:
    cache, calls, gate = SharedResults(), [], asyncio.Event()
    ok = ExecutionResult({"x": 1})
    tasks = [asyncio.ensure_future(cache.run("k", executor(ok, calls, gate))) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    assert [await t for t in tasks] == [ok] * 5
    assert calls == [1] and (cache.executions, cache.reuses) == (1, 4)
    assert cache.run("k", executor(ok, calls)) is ok  # after it finished: at once, no await
    assert calls == [1]


async def test_a_result_with_errors_is_not_shared() -> None:
    cache, calls, gate = SharedResults(), [], asyncio.Event()
    failed = ExecutionResult(None, [GraphQLError("boom")])
    tasks = [asyncio.ensure_future(cache.run("k", executor(failed, calls, gate))) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    assert [await t for t in tasks] == [failed] * 3
    assert len(calls) == 3 and cache.reuses == 0


async def test_the_others_execute_on_their_own_when_the_first_is_cancelled() -> None:
    cache, calls, gate = SharedResults(), [], asyncio.Event()
    ok = ExecutionResult({"x": 1})
    first = asyncio.ensure_future(cache.run("k", executor(ok, calls, gate)))
    await asyncio.sleep(0)
    second = asyncio.ensure_future(cache.run("k", executor(ok, calls)))
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second is ok
    assert len(calls) == 2


async def test_it_keeps_only_the_latest_keys() -> None:
    cache = SharedResults(size=2)
    for key in ("a", "b", "c"):
        cache.run(key, lambda: ExecutionResult({"k": 1}))
    calls: list[int] = []
    cache.run("a", lambda: calls.append(1) or ExecutionResult({"k": 2}))
    assert calls == [1]  # "a" was evicted
