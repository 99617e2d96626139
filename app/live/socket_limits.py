"""How many websockets and subscriptions are open, per process, per user and per client address,
and the caps on them, so that no one client can exhaust a process.

A socket takes a slot when it is accepted (the process and address caps apply then) and names its
user at connection_init (the user cap applies then); each operation it starts (a subscription,
or a query or mutation sent over the socket) counts until its task ends. A socket over a cap is
closed with a close code (`SocketRefused`); an operation over a cap or over the subscribe rate
is refused alone (`LimitExceeded`, `RateLimited`), and the socket stays usable. `close_socket`
releases everything a slot still holds, whatever way the socket ended, and twice is harmless.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from app.core.settings import Settings
from app.core.throttles import SendRate
from app.domain.errors import LimitExceeded

K = TypeVar("K")

# The process is full: a standard "try again later" (another instance may have room).
CLOSE_SERVER_FULL = 1013
# This user or this address has too many sockets open: close some first. A code of our own in the
# private range (4000-4999); graphql-transport-ws uses 4400-4499 (4429: a second connection_init).
CLOSE_TOO_MANY_SOCKETS = 4008


class SocketRefused(Exception):
    """A socket over a cap: close it with `code` and `reason`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(eq=False)
class SocketSlot:
    address: str | None
    user_id: int | None = None
    operations: int = 0
    closed: bool = False


class SocketLimits:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sockets = 0
        self.subscriptions = 0
        self.sockets_by_address: Counter[str] = Counter()
        self.sockets_by_user: Counter[int] = Counter()
        self.subscriptions_by_address: Counter[str] = Counter()
        self.subscriptions_by_user: Counter[int] = Counter()
        self._rate = SendRate(per_second=settings.subscribe_per_second, burst=settings.subscribe_burst)

    def open_socket(self, address: str | None) -> SocketSlot:
        s = self.settings
        if self.sockets >= s.max_sockets:
            raise SocketRefused(CLOSE_SERVER_FULL, f"Server full ({s.max_sockets} sockets); try again later")
        if address is not None and self.sockets_by_address[address] >= s.max_sockets_per_address:
            raise SocketRefused(
                CLOSE_TOO_MANY_SOCKETS,
                f"Too many sockets from this address (at most {s.max_sockets_per_address})",
            )
        self.sockets += 1
        if address is not None:
            self.sockets_by_address[address] += 1
        return SocketSlot(address)

    def claim_user(self, slot: SocketSlot, user_id: int) -> None:
        """At connection_init: count the socket for its user, or refuse it."""
        if slot.closed or slot.user_id is not None:
            return
        cap = self.settings.max_sockets_per_user
        if self.sockets_by_user[user_id] >= cap:
            raise SocketRefused(CLOSE_TOO_MANY_SOCKETS, f"Too many sockets for this user (at most {cap})")
        slot.user_id = user_id
        self.sockets_by_user[user_id] += 1

    def open_operation(self, slot: SocketSlot) -> Callable[[], None]:
        """Count one more operation on this socket, or raise LimitExceeded / RateLimited; the
        function that releases it (once, however often it is called)."""
        s = self.settings
        checks: list[tuple[int, int, str]] = [(self.subscriptions, s.max_subscriptions, "on this server")]
        if slot.user_id is not None:
            checks.append(
                (self.subscriptions_by_user[slot.user_id], s.max_subscriptions_per_user, "per user")
            )
        if slot.address is not None:
            checks.append(
                (self.subscriptions_by_address[slot.address], s.max_subscriptions_per_address, "per address")
            )
        for count, cap, scope in checks:
            if count >= cap:
                raise LimitExceeded(
                    f"Too many open subscriptions {scope} (at most {cap}); complete some first.",
                    limit=cap,
                    field="subscriptions",
                )
        key = ("user", slot.user_id) if slot.user_id is not None else ("address", slot.address)
        self._rate.take(key, "subscriptions")
        slot.operations += 1
        self._count_operations(slot, 1)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.close_operation(slot)

        return release

    def close_operation(self, slot: SocketSlot) -> None:
        if slot.operations > 0:
            slot.operations -= 1
            self._count_operations(slot, -1)

    def close_socket(self, slot: SocketSlot) -> None:
        if slot.closed:
            return
        slot.closed = True
        self._count_operations(slot, -slot.operations)
        slot.operations = 0
        self.sockets -= 1
        _add(self.sockets_by_address, slot.address, -1)
        _add(self.sockets_by_user, slot.user_id, -1)

    def _count_operations(self, slot: SocketSlot, delta: int) -> None:
        self.subscriptions += delta
        _add(self.subscriptions_by_address, slot.address, delta)
        _add(self.subscriptions_by_user, slot.user_id, delta)

    def counts(self) -> dict[str, int]:
        """Totals and the number of users and addresses with anything open (zero when all closed)."""
        return {
            "sockets": self.sockets,
            "subscriptions": self.subscriptions,
            "addresses": len(self.sockets_by_address.keys() | self.subscriptions_by_address.keys()),
            "users": len(self.sockets_by_user.keys() | self.subscriptions_by_user.keys()),
        }


def _add(counter: Counter[K], key: K | None, delta: int) -> None:
    """Add to a count and drop it at zero, so idle users and addresses take no memory."""
    if key is None or delta == 0:
        return
    value = counter[key] + delta
    if value > 0:
        counter[key] = value
    else:
        del counter[key]
