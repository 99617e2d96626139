"""Strawberry's extension runner, without the per-result rediscovery of hooks.

For every result a subscription streams, strawberry builds a `StreamResultContextManager` that
looks up the `on_stream_result` hook of each of the operation's extensions (seven here), wraps
the ones it finds in context managers and enters them through an `AsyncExitStack`; then it awaits
`get_results()` of every extension, though only one of ours has results. Per live delivery that
was about a tenth of the server's CPU (py-spy, bench/fanout_latency.py).

`LeanExtensionsRunner` finds the hooks once per operation and, when every stream hook is a plain
generator (`yield` once, as strawberry's MaskErrors does), runs them directly: the code before the
`yield` on entry, the rest on exit. Other kinds of hooks keep strawberry's own context manager.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Generator
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext
from strawberry.utils.await_maybe import await_maybe


class _GeneratorHooks:
    """Enter and leave plain generator hooks for one result."""

    __slots__ = ("_hooks", "_result", "_running")

    def __init__(self, hooks: list[Callable[[Any], Generator[Any, None, None]]], result: Any) -> None:
        self._hooks = hooks
        self._result = result
        self._running: list[Generator[Any, None, None]] = []

    async def __aenter__(self) -> None:
        for hook in self._hooks:
            generator = hook(self._result)
            next(generator)
            self._running.append(generator)

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        for generator in reversed(self._running):
            if exc is not None:
                generator.close()
                continue
            try:
                next(generator)
            except StopIteration:
                continue
            raise RuntimeError(f"{generator.__qualname__} yielded more than once")


class LeanExtensionsRunner(SchemaExtensionsRunner):
    def __init__(self, execution_context: ExecutionContext, extensions: list[SchemaExtension] | None = None):
        super().__init__(execution_context, extensions)
        self._stream_hooks: list[Callable[[Any], Generator[Any, None, None]]] | None = None
        self._with_results = [
            e for e in self.extensions if type(e).get_results is not SchemaExtension.get_results
        ]

    def on_stream_result(self, result: Any) -> Any:
        if self._stream_hooks is None:
            self._stream_hooks = self._plain_stream_hooks()
        if self._stream_hooks is _NOT_PLAIN:
            return super().on_stream_result(result)
        return _GeneratorHooks(self._stream_hooks, result)

    def _plain_stream_hooks(self) -> list[Callable[[Any], Generator[Any, None, None]]]:
        hooks: list[Callable[[Any], Generator[Any, None, None]]] = []
        for extension in self.extensions:
            function = type(extension).on_stream_result
            if function is SchemaExtension.on_stream_result:
                continue
            if not inspect.isgeneratorfunction(function):
                return _NOT_PLAIN
            hooks.append(types.MethodType(function, extension))
        return hooks

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self._with_results:
            data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data


_NOT_PLAIN: list[Callable[[Any], Generator[Any, None, None]]] = []  # a marker, compared by identity
