"""Direct delivery: a live subscription as a small record the hub sends to, with no task of its own.

A subscription used to be a task per subscriber, woken for each event it accepted, that ran a
chain of async generators (the hub's queue, the event stream, the resolver, graphql-core's and
strawberry's streams, the transport's loop) to render and send one frame. At a thousand
subscribers that chain, not the sockets, was most of a delivery's CPU, and each idle
subscription kept the whole chain in memory.

A `DirectDelivery` is what is left once a subscription has replayed what it asked for and gone
live: its predicate, a `render(event, shared)` that returns the frame's text (subscribers that
get the same result share one rendering through `shared`, one dict per event), and the
socket's `send`. The hub calls `take` for every event the delivery wants, in log order.

A send usually completes at once (the socket's buffer has room), so it is started right there
(`start`): no task, no wake-up. A send that has to wait (the client reads slowly) finishes in a
task and the next frames queue behind it; a delivery more than `limit` frames behind drops
them and re-reads the log from its last frame (as event streams do), so a slow client costs a
bounded buffer and still misses nothing.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Generator, Hashable
from typing import Any, Protocol

from app.core.db import Database
from app.domain.errors import DomainError
from app.live.event_loading import LiveEvent
from app.live.replay import replay_log

log = logging.getLogger(__name__)

Render = Callable[[LiveEvent, dict[Any, Any]], "str | None | Awaitable[str | None]"]

LIVE, RECOVERING, CLOSED = "live", "recovering", "closed"
_FRAME = "frame"  # keys a group's frame in an event's shared renders


class OwnText(str):
    """A rendered text that is this subscriber's alone (an error naming its request id): the
    other deliveries of its group render their own."""

    __slots__ = ()


class DirectHub(Protocol):
    """What a delivery needs of app.live.hub.LiveHub (kept apart, so the hub imports nothing here)."""

    position: int

    @property
    def db(self) -> Database: ...

    def drop(self, delivery: DirectDelivery) -> None: ...


class DirectDelivery:
    __slots__ = (
        "_hub",
        "_accepts",
        "_group",
        "_group_now",
        "_render",
        "_prefix",
        "_send",
        "_send_now",
        "_on_end",
        "_limit",
        "position",
        "state",
        "_backlog",
        "_task",
    )

    def __init__(
        self,
        hub: DirectHub,
        *,
        accepts: Callable[[LiveEvent], bool],
        group: Callable[[], Hashable] | None = None,
        render: Render,
        prefix: str,
        send: Callable[[str], Coroutine[Any, Any, None]],
        send_now: Callable[[str], bool] | None = None,
        on_end: Callable[[DomainError | None], Coroutine[Any, Any, None]],
        limit: int,
        position: int,
    ) -> None:
        self._hub = hub
        self._accepts = accepts
        self._group = group  # deliveries in one group (same filter, same visibility) accept alike
        self._group_now: Hashable | None = None  # its value when `wants` last said yes
        self._render = render
        self._prefix = prefix  # the frame up to its payload: '{"id":"1","type":"next","payload":'
        self._send = send
        self._send_now = send_now  # writes a frame at once, or says False when `send` must wait
        self._on_end = on_end  # the delivery stopped by itself: the socket went away, or the log
        self._limit = limit
        self.position = position  # the last event sent (or queued), or skipped by the predicate
        self.state = LIVE
        self._backlog: deque[tuple[int, str]] | None = None
        self._task: asyncio.Task[None] | None = None

    def catch_up(self) -> None:
        """Called once the hub holds the delivery: read what the log has beyond `position`."""
        if self.position < self._hub.position:
            self.state = RECOVERING
            self._task = asyncio.get_running_loop().create_task(self._drain(None))

    def wants(self, event: LiveEvent, memo: dict[Hashable, bool]) -> bool:
        """Whether to take `event`; `memo` (one per event) holds the answers of each group."""
        if self.state is not LIVE or event.position <= self.position:
            return False
        if self._group is None:
            return self._accepts(event)
        group = self._group_now = self._group()
        accepted = memo.get(group)
        if accepted is None:
            accepted = memo[group] = self._accepts(event)
        return accepted

    def take(self, event: LiveEvent, shared: dict[Any, Any]) -> Awaitable[None] | None:
        """Render and send one event; an awaitable when rendering has to wait (a loader).

        Deliveries of one group (same operation and variables, same visibility: what the result
        depends on) get the same text, so the first renders the frame and the others send it
        (`shared` is the event's: one dict per event)."""
        group, self._group_now = self._group_now, None
        key = (_FRAME, group, self._prefix) if group is not None else None
        if key is not None:
            frame = shared.get(key)
            if frame is not None:
                self._push_frame(event.position, frame)
                return None
        try:
            text = self._render(event, shared)
        except Exception:
            log.exception("rendering a live event failed; the subscriber skips it")
            return None
        if inspect.isawaitable(text):
            return self._take_later(event.position, text, shared, key)
        if text is not None:
            self._push_text(event.position, text, shared, key)
        return None

    async def _take_later(
        self, position: int, pending: Awaitable[str | None], shared: dict[Any, Any], key: Hashable | None
    ) -> None:
        try:
            text = await pending
        except Exception:
            log.exception("rendering a live event failed; the subscriber skips it")
            return
        if text is not None:
            self._push_text(position, text, shared, key)

    def _push_text(self, position: int, text: str, shared: dict[Any, Any], key: Hashable | None) -> None:
        frame = self._prefix + text + "}"
        if key is not None and not isinstance(text, OwnText):
            shared[key] = frame  # the hub awaits a render before the next delivery's: it finds this
        self._push_frame(position, frame)

    def _push_frame(self, position: int, frame: str) -> None:
        if self.state is not LIVE:
            return  # closed, or went back to the log, while this event rendered
        if self._task is not None:  # a send still waits: queue behind it, in order
            backlog = self._backlog
            if backlog is None:
                backlog = self._backlog = deque()
            if len(backlog) >= self._limit:
                self._fall_behind()
                return
            backlog.append((position, frame))
            self.position = position
            return
        self.position = position
        try:
            if self._send_now is not None and self._send_now(frame):
                return
            waiting = start(self._send(frame))
        except Exception:
            self._stop(None)  # the socket is gone; its own close removes the operation
            return
        if waiting is not None:
            self._task = asyncio.get_running_loop().create_task(self._drain(waiting))

    def _fall_behind(self) -> None:
        backlog = self._backlog
        assert backlog
        self.position = backlog[0][0] - 1  # resend from the first frame not sent, read from the log
        self._backlog = None
        self.state = RECOVERING  # the task finishing the send in flight goes on to read the log

    async def _drain(self, waiting: Awaitable[None] | None) -> None:
        """Finish the send in flight and the frames queued behind it, then read the log if the
        delivery fell behind meanwhile (or started behind: `waiting` None)."""
        try:
            if waiting is not None:
                await waiting
            while self._backlog and self.state is LIVE:
                _position, frame = self._backlog.popleft()
                await self._send(frame)
            self._backlog = None
            if self.state is RECOVERING:
                await self._recover_in_task()
        except asyncio.CancelledError:
            raise
        except Exception:
            self._stop(None)
        finally:
            if asyncio.current_task() is self._task:
                self._task = None

    async def _recover_in_task(self) -> None:
        """Send what the log holds after `position`, then go live again at the hub's position:
        the hub updates its position with no await between it and handing out an event, so
        an event is either read here or handed to `take`, never both, never neither."""
        while self.state is RECOVERING:
            until = self._hub.position
            try:
                async for event in replay_log(self._hub.db, self.position, until, self._accepts):
                    text = self._render(event, {})
                    if inspect.isawaitable(text):
                        text = await text
                    if text is not None:
                        await self._send(self._prefix + text + "}")
                    self.position = event.position
            except DomainError as error:  # CURSOR_EXPIRED: the log was pruned past this subscriber
                self._stop(error)
                return
            if self.state is not RECOVERING:
                return
            self.position = max(self.position, until)
            if self._hub.position == until:
                self.state = LIVE

    def _stop(self, error: DomainError | None) -> None:
        if self.state is CLOSED:
            return
        self.close()
        asyncio.get_running_loop().create_task(self._on_end(error))

    def close(self) -> None:
        """The operation ended (`complete`, or its socket closed): leave the hub, stop sending."""
        self.state = CLOSED
        self._backlog = None
        self._hub.drop(self)
        task = self._task
        if task is not None and task is not asyncio.current_task():
            task.cancel()


def start(coroutine: Coroutine[Any, Any, None]) -> Awaitable[None] | None:
    """Run a coroutine until it first waits; None when it finished without waiting, else an
    awaitable that finishes it. A send to a socket with room in its buffer never waits, so most
    sends cost no task and no trip through the event loop."""
    try:
        waiting = coroutine.send(None)
    except StopIteration:
        return None
    return _Resume(coroutine, _taken(waiting))


class _Resume:
    """The rest of a coroutine `start` began (not a coroutine itself: one never awaited, its
    task cancelled before it ran, leaves no "never awaited" warning behind)."""

    __slots__ = ("_coroutine", "_waiting")

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
        self._coroutine = coroutine
        self._waiting = waiting

    def __await__(self) -> Generator[Any, None, None]:
        return _finish(self._coroutine, self._waiting).__await__()


def _taken(waiting: Any) -> Any:
    """What a task does with a future its coroutine yields: mark it taken, so that the next
    coroutine awaiting it may yield it too."""
    if getattr(waiting, "_asyncio_future_blocking", False):
        waiting._asyncio_future_blocking = False
    return waiting


async def _finish(coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
    """Go on with a coroutine `start` began: wait for what it waits for, then resume it, as a
    task would have (its cancellation is passed on to the coroutine)."""
    while True:
        try:
            if waiting is None:
                await asyncio.sleep(0)  # a bare `yield`: give the loop one turn
            else:
                await waiting
        except BaseException as exc:  # its wait failed, or this task was cancelled: tell it
            try:
                waiting = _taken(coroutine.throw(exc))
            except StopIteration:
                return
            continue
        try:
            waiting = _taken(coroutine.send(None))
        except StopIteration:
            return
