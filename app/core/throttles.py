"""Per-process rate limits: failed logins with backoff, and a token bucket per sender.

In memory, per process (each instance of a cluster limits on its own, so a cluster of N allows
up to N times the rates). Memory is bounded: keys idle past their window are dropped, and at most
`max_keys` are kept (the least recently used go first).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from app.core.settings import Settings
from app.domain.errors import RateLimited


@dataclass
class _Failures:
    count: int
    last: float


class LoginBackoff:
    """After `free` failed logins in a row for one key (a username, an address), each further
    attempt waits 2^(failures - free) seconds after the last failure, at most `max_wait`. A
    success for a username clears it; failures are forgotten `window` seconds after the last."""

    def __init__(self, *, free: int, max_wait: float, window: float, max_keys: int = 100_000) -> None:
        self.free, self.max_wait, self.window, self.max_keys = free, max_wait, window, max_keys
        self._failures: OrderedDict[str, _Failures] = OrderedDict()

    def check(self, key: str) -> None:
        wait = self._wait(key, time.monotonic())
        if wait > 0:
            raise RateLimited(
                f"Too many failed logins; try again in {wait:.0f} s.", retry_after=round(wait, 1)
            )

    def failed(self, key: str) -> None:
        now = time.monotonic()
        entry = self._failures.pop(key, None)
        if entry is None or now - entry.last > self.window:
            entry = _Failures(0, now)
        entry.count, entry.last = entry.count + 1, now
        self._failures[key] = entry
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> float:
        entry = self._failures.get(key)
        if entry is None or now - entry.last > self.window or entry.count < self.free:
            return 0.0
        backoff = min(2.0 ** (entry.count - self.free), self.max_wait)
        return max(0.0, entry.last + backoff - now)


@dataclass
class _Bucket:
    tokens: float
    at: float


class SendRate:
    """A token bucket per key: `burst` at once, then `per_second` (0: no limit)."""

    def __init__(self, *, per_second: float, burst: int, max_keys: int = 100_000) -> None:
        self.per_second, self.burst, self.max_keys = per_second, burst, max_keys
        self._buckets: OrderedDict[object, _Bucket] = OrderedDict()

    def take(self, key: object, what: str = "messages") -> None:
        if self.per_second <= 0:
            return
        now = time.monotonic()
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        self._buckets[key] = bucket
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / self.per_second
            raise RateLimited(
                f"Sending {what} too fast; try again in {wait:.1f} s.", retry_after=round(wait, 2)
            )
        bucket.tokens -= 1


class LoginThrottle:
    """Failed logins counted per username and per client address, each with its own free count."""

    def __init__(self, settings: Settings) -> None:
        wait, window = settings.login_max_wait_seconds, max(settings.login_max_wait_seconds, 900.0)
        self.users = LoginBackoff(free=settings.login_free_failures, max_wait=wait, window=window)
        self.addresses = LoginBackoff(
            free=settings.login_free_failures_per_address, max_wait=wait, window=window
        )

    def check(self, username: str, address: str | None) -> None:
        self.users.check(username.casefold())
        if address:
            self.addresses.check(address)

    def failed(self, username: str, address: str | None) -> None:
        self.users.failed(username.casefold())
        if address:
            self.addresses.failed(address)

    def succeeded(self, username: str) -> None:
        self.users.succeeded(username.casefold())
