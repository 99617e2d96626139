"""Pagination values: opaque keyset cursors, forged cursor values, page requests."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.domain.errors import InvalidInput, LimitExceeded
from app.domain.pagination import (
    Cursors,
    PageRequest,
    check_cursor_values,
    cursor_value_ok,
    decode_cursor,
    encode_cursor,
)


def raw_cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def test_a_cursor_round_trips_its_values_datetimes_included() -> None:
    at = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=UTC)
    for values in [(1,), (at, 42), ("a/b+c", 2.5, None, True), (-(2**40), "ünï ☃")]:
        cursor = encode_cursor(values)
        assert "=" not in cursor and "+" not in cursor and "/" not in cursor
        assert decode_cursor(cursor, arity=len(values)) == values
    decoded = decode_cursor(encode_cursor((at.astimezone(timezone(timedelta(hours=2))),)), arity=1)
    assert decoded == (at,) and decoded[0].utcoffset() == timedelta(hours=2)


def test_different_values_give_different_cursors() -> None:
    assert encode_cursor((1, 2)) != encode_cursor((2, 1))


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!",
        "bm90IGEgY3Vyc29y",  # "not a cursor"
        raw_cursor("k2:[1]"),  # another version
        raw_cursor("k1:{"),  # not JSON
        raw_cursor('k1:{"a":1}'),  # not a list
        raw_cursor("k1:[1,2]"),  # wrong arity
        raw_cursor('k1:[{"$dt":"yesterday"}]'),  # not a datetime
        raw_cursor('k1:[{"$dt":5}]'),
        base64.urlsafe_b64encode(b"k1:[\xff]").decode(),  # not UTF-8
    ],
)
def test_a_malformed_cursor_is_invalid_input_on_the_cursor_field(cursor: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_cursor(cursor, arity=1)
    assert refused.value.field == "cursor"


def test_cursor_values_fit_their_sort_key_type() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert cursor_value_ok(5, int) and cursor_value_ok(5, float) and cursor_value_ok(5, None)
    assert not cursor_value_ok(5, str) and not cursor_value_ok(5, datetime)
    assert cursor_value_ok(2.5, float) and not cursor_value_ok(2.5, int)
    assert not cursor_value_ok(float("nan"), float) and not cursor_value_ok(float("inf"), None)
    assert cursor_value_ok("x", str) and not cursor_value_ok("x", int)
    assert not cursor_value_ok("a\x00b", str)
    assert not cursor_value_ok("\ud800", str)  # a lone surrogate
    assert cursor_value_ok(True, bool) and not cursor_value_ok(True, int) and not cursor_value_ok(1, bool)
    assert cursor_value_ok(at, datetime) and not cursor_value_ok(at.replace(tzinfo=None), datetime)
    for junk in (None, [1], {"a": 1}, b"x", (1,)):
        assert not cursor_value_ok(junk, None)


def test_integers_are_bounded_by_the_column_width() -> None:
    assert cursor_value_ok(2**63 - 1, int) and not cursor_value_ok(2**63, int)
    assert cursor_value_ok(-(2**63), int) and not cursor_value_ok(-(2**63) - 1, int)
    assert cursor_value_ok(2**31 - 1, int, int_bits=32) and not cursor_value_ok(2**31, int, int_bits=32)
    assert cursor_value_ok(2**40, float, int_bits=32)  # the width applies to int columns only


def test_check_cursor_values_uses_32_bit_integers_and_needs_one_type_per_value() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert check_cursor_values((at, 7), (datetime, int)) == (at, 7)
    for values in [(at, 2**31), ("x", 7), (at, None)]:
        with pytest.raises(InvalidInput) as refused:
            check_cursor_values(values, (datetime, int))
        assert refused.value.field == "cursor"
    with pytest.raises(ValueError):
        check_cursor_values((at,), (datetime, int))


def build(**kw: object) -> PageRequest:
    args: dict[str, object] = {"first": None, "after": None, "last": None, "before": None, "default": 20}
    args.update(kw)
    return PageRequest.build(cap=100, **args)  # type: ignore[arg-type]


def test_a_page_request_defaults_to_the_first_page() -> None:
    page = build()
    assert page == PageRequest(first=20) and not page.backward and page.size == 20
    assert build(first=5, after="c") == PageRequest(first=5, after="c")
    assert build(first=0).size == 0
    assert build(first=100).size == 100


def test_last_or_before_pages_backward() -> None:
    page = build(last=3, before="b")
    assert page == PageRequest(last=3, before="b") and page.backward and page.size == 3
    assert build(before="b") == PageRequest(last=20, before="b")
    assert build(last=4, after="a") == PageRequest(last=4, after="a")


def test_negative_sizes_are_invalid_and_sizes_above_the_cap_exceed_the_limit() -> None:
    for name in ("first", "last"):
        with pytest.raises(InvalidInput) as negative:
            build(**{name: -1})
        assert negative.value.field == name
        with pytest.raises(LimitExceeded) as above:
            build(**{name: 101})
        assert above.value.field == name and above.value.limit == 100
        assert above.value.code == "LIMIT_EXCEEDED"


def test_first_and_last_together_are_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        build(first=1, last=1)
    assert refused.value.field == "last"


def test_first_with_before_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        build(first=2, before="b")
    assert refused.value.field == "first"


def test_cursors_are_encoded_when_read_and_read_like_a_list() -> None:
    keys = [(3,), (2,), (1,)]
    cursors = Cursors(keys)
    assert len(cursors) == 3 and cursors._encoded == {}  # nothing encoded until read
    assert cursors[-1] == encode_cursor((1,)) and list(cursors._encoded) == [2]
    assert list(cursors) == [encode_cursor(k) for k in keys]
    assert cursors[1:] == [encode_cursor((2,)), encode_cursor((1,))]
    for bad in (3, -4):
        with pytest.raises(IndexError):
            cursors[bad]
    assert not Cursors([])
    assert Cursors(keys) == cursors == [encode_cursor(k) for k in keys] and cursors != Cursors(keys[:2])
