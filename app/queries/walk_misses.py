"""Lists whose date-order walk found no full page lately go straight to collecting their matches.

A tag or label list in date order first walks the next `list_walk_rows` messages down the dates
(app.store.message_lists._page_from_walk) and, when that finds no full page, collects and sorts
every match. For a rare tag the walk misses every time: at 100,000 messages it was about 5 of the
11 ms of CPU of `messages(filter: {tags}, first: 20)`. A miss is remembered for the same list
(viewer, filter, page) for `MISS_SECONDS`; the page is exact either way, this only skips a plan
that just failed. Afterwards the walk is tried again, so a tag that became common walks again.
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from app.core.auth import Viewer
from app.domain.pagination import PageRequest
from app.filters import MessageFilterSpec

MISS_SECONDS = 10.0
SIZE = 1024


class WalkMisses:
    """Recent misses by list, bounded; one per database (tests run many in one process)."""

    def __init__(self, size: int = SIZE, seconds: float = MISS_SECONDS) -> None:
        self._size = size
        self._seconds = seconds
        self._at: OrderedDict[Hashable, float] = OrderedDict()
        self.skipped = 0  # walks not tried, for tests

    def recent(self, key: Hashable | None) -> bool:
        if key is None:
            return False
        at = self._at.get(key)
        if at is None:
            return False
        if time.monotonic() - at > self._seconds:
            del self._at[key]
            return False
        self.skipped += 1
        return True

    def record(self, key: Hashable | None) -> None:
        if key is None:
            return
        self._at[key] = time.monotonic()
        self._at.move_to_end(key)
        while len(self._at) > self._size:
            self._at.popitem(last=False)


_by_database: weakref.WeakKeyDictionary[Any, WalkMisses] = weakref.WeakKeyDictionary()


def walk_misses(database: Any) -> WalkMisses:
    misses = _by_database.get(database)
    if misses is None:
        misses = _by_database[database] = WalkMisses()
    return misses


def list_key(viewer: Viewer | None, spec: MessageFilterSpec, page: PageRequest, rows: int) -> Hashable | None:
    """What a walk's outcome depends on besides the data: who reads (read access) and which list."""
    who = None if viewer is None else (viewer.user_id, viewer.rights, viewer.group_ids)
    key = (who, spec, page, rows)
    try:
        hash(key)
    except TypeError:  # a filter value that does not hash: never remembered
        return None
    return key
