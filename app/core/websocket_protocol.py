"""uvicorn's websocket protocol, lighter per open socket.

`write_text_now` writes a text frame at once, without the ASGI `send` coroutine (the live hub
writes one frame per subscriber per event; that coroutine, its message dict and the writable
wait were a tenth of a delivery), and encodes a frame once for the subscribers that get the same
text (without compression, websockets' framing of a text frame depends on the text alone).
Inside `frames_batched` it holds frames back, so the hub writes a batch of events to a socket
at once.

An idle subscription's memory is mostly its socket's; this takes about a third off it:
- The handshake's request and response (their header maps: about 90 objects, 5 KB) stayed alive
  for as long as the socket was open: uvicorn keeps both on the protocol, and websockets' parser
  generator keeps the request in its frame. Nothing reads them once the handshake is sent (the
  ASGI scope has its own copy of the headers).
- uvicorn's receive queue and its "writable" flag are an `asyncio.Queue` (three deques) and an
  `asyncio.Event` (one): about 3 KB, though an idle socket has nothing queued and nobody waiting.
  `ReceiveQueue` and `WritableFlag` hold a list only while something is queued or waiting.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN


class ReceiveQueue:
    """The part of `asyncio.Queue` uvicorn uses (`put_nowait`, `get`, `empty`), for one reader."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Any:
        while not self._items:
            self._waiter = waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        items = self._items
        item = items.popleft()
        if not items:
            self._items = None
        return item

    def empty(self) -> bool:
        return not self._items


class WritableFlag:
    """The part of `asyncio.Event` uvicorn uses (`set`, `clear`, `wait`, `is_set`)."""

    __slots__ = ("_value", "_waiters")

    def __init__(self) -> None:
        self._value = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        self._value = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True


# The last text frame written at once, encoded (server frames are not masked): the hub writes the
# same frame to every subscriber of a group one after the other, so one entry is enough. The pair
# is read and replaced as one tuple, so servers on several threads (the tests) never mix two.
_last_frame: list[tuple[str, bytes]] = [("", b"")]


class FrameBatch:
    """The frames `write_text_now` held back while a batch was open, per socket, in order."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: list[LeanWebSocketProtocol] = []

    def hold(self, protocol: LeanWebSocketProtocol, data: bytes) -> None:
        if protocol.held_frames is None:
            protocol.held_frames = [data]
            self._held.append(protocol)
        else:
            protocol.held_frames.append(data)

    def flush(self) -> None:
        """Write what is held: one write per socket, however many frames it holds."""
        held, self._held = self._held, []
        for protocol in held:
            frames, protocol.held_frames = protocol.held_frames, None
            if frames and not protocol.transport.is_closing():
                protocol.transport.write(frames[0] if len(frames) == 1 else b"".join(frames))


_BATCH: ContextVar[FrameBatch | None] = ContextVar("parley_frame_batch", default=None)


@contextmanager
def frames_batched() -> Iterator[FrameBatch]:
    """While open (in this task only), `write_text_now` holds frames back and the batch writes
    them on `flush` and on exit: the live hub hands a read's events out with one write per
    socket, not one per frame (each write is a system call). Flush before any await, so no
    other task's frame on a socket can overtake one held here."""
    batch = FrameBatch()
    token = _BATCH.set(batch)
    try:
        yield batch
    finally:
        _BATCH.reset(token)
        batch.flush()


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self.writable = WritableFlag()  # type: ignore[assignment]
        self.writable.set()
        self.held_frames: list[bytes] | None = None  # by an open FrameBatch

    def write_text_now(self, text: str) -> bool:
        """uvicorn's `send` of a `websocket.send` text message, when it need not wait: False when
        it would (the transport is paused until the client reads) or when the socket is not in its
        open state (`send` then does what it does), raises ClientDisconnected like `send`."""
        if self.disconnected:
            raise ClientDisconnected
        if not self.writable.is_set() or not self.handshake_complete or self.close_sent:
            return False
        if self.initial_response is not None:
            return False
        conn = self.conn
        if conn.state is not OPEN:
            raise ClientDisconnected  # as websockets' InvalidState becomes in `send`
        if conn.extensions or conn.debug or conn.expect_continuation_frame:
            conn.send_text(text.encode())  # compressed (per socket), logged, or refused: as `send`
            frame = b"".join(conn.data_to_send())
        else:
            cached_text, frame = _last_frame[0]  # one (text, bytes) pair, replaced whole: thread-safe
            if text != cached_text:  # a live event's frame goes to every subscriber alike: encode once
                frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
                _last_frame[0] = (text, frame)
        batch = _BATCH.get()
        if batch is not None:
            batch.hold(self, frame)
        else:
            self.transport.write(frame)
        return True

    def start_keepalive(self) -> None:
        # called once, right after the handshake's response is written
        request = vars(self).pop("request", None)
        if request is not None:
            request.headers.clear()  # the parser's frame holds the request itself
        vars(self).pop("response", None)
        super().start_keepalive()
