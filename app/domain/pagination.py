"""Pure pagination values: page requests, opaque keyset cursors and pages."""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from app.domain.errors import InvalidInput, LimitExceeded

T = TypeVar("T")

_CURSOR_PREFIX = "k1:"


def encode_cursor(values: tuple[Any, ...]) -> str:
    raw = [{"$dt": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    payload = _CURSOR_PREFIX + json.dumps(raw, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = base64.urlsafe_b64decode(padded.encode()).decode()
        if not payload.startswith(_CURSOR_PREFIX):
            raise ValueError("prefix")
        raw = json.loads(payload[len(_CURSOR_PREFIX) :])
        if not isinstance(raw, list) or len(raw) != arity:
            raise ValueError("arity")
        return tuple(
            datetime.fromisoformat(v["$dt"]) if isinstance(v, dict) and "$dt" in v else v for v in raw
        )
    except (ValueError, UnicodeDecodeError, binascii.Error, TypeError, KeyError) as exc:
        raise InvalidInput("The cursor is not valid for this list.", field="cursor") from exc


def cursor_value_ok(value: Any, expected: type | None, *, int_bits: int = 64) -> bool:
    """Whether a decoded cursor value can stand for a sort key of type `expected` (None:
    unknown): a forged cursor must be an invalid cursor, not a database error."""
    if value is None or isinstance(value, list | dict):
        return False
    if isinstance(value, bool):
        return expected is bool
    if isinstance(value, int):
        bits = int_bits if expected is int else 64
        return expected in (int, float, None) and -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
    if isinstance(value, float):
        return expected in (float, None) and math.isfinite(value)
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # no lone surrogate
        except UnicodeEncodeError:
            return False
        return expected in (str, None) and "\x00" not in value
    if isinstance(value, datetime):
        return expected in (datetime, None) and value.tzinfo is not None
    return False


def check_cursor_values(values: tuple[Any, ...], types: Sequence[type | None]) -> tuple[Any, ...]:
    if not all(cursor_value_ok(v, t, int_bits=32) for v, t in zip(values, types, strict=True)):
        raise InvalidInput("The cursor is not valid for this list.", field="cursor")
    return values


@dataclass(frozen=True)
class PageRequest:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def build(
        cls,
        *,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        default: int,
        cap: int,
    ) -> PageRequest:
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise InvalidInput(f"`{name}` must not be negative.", field=name)
            if value is not None and value > cap:
                raise LimitExceeded(f"`{name}` may be at most {cap}.", limit=cap, field=name)
        if first is not None and last is not None:
            raise InvalidInput("Pass `first` or `last`, not both.", field="last")
        if first is not None and before is not None:
            raise InvalidInput(
                "`first` pages forward and `before` backward: pass `last` with `before`.", field="first"
            )
        if last is None and before is None:
            return cls(first=default if first is None else first, after=after)
        if last is None:
            last = default
        return cls(last=last, before=before, after=after)

    @property
    def backward(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        return self.last if self.last is not None else (self.first or 0)


class Cursors(Sequence[str]):
    """A page's cursors from its rows' sort keys, each encoded when first read: a page of 50 whose
    client selects no edge `cursor` (only pageInfo's two, or none) encodes two, or none."""

    __slots__ = ("_keys", "_encoded")

    def __init__(self, keys: list[tuple[Any, ...]]) -> None:
        self._keys = keys
        self._encoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:  # as the list it stands for (Page compares its fields)
        if isinstance(other, Cursors | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like a list

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._keys)))]
        if index < 0:
            index += len(self._keys)
        if not 0 <= index < len(self._keys):
            raise IndexError("cursor index out of range")
        cursor = self._encoded.get(index)
        if cursor is None:
            cursor = self._encoded[index] = encode_cursor(self._keys[index])
        return cursor


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
