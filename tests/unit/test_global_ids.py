"""Relay global ids: round trips, and every malformed or out-of-range id naming nothing."""

from __future__ import annotations

import base64

import pytest

from app.domain.errors import InvalidInput
from app.domain.global_ids import MAX_PK, expect_id, parse_global_id, to_global_id


def encoded(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_the_encoding_is_base64_of_type_colon_key() -> None:
    assert to_global_id("Message", 12) == "TWVzc2FnZToxMg=="
    assert base64.b64decode(to_global_id("Topic", 7)) == b"Topic:7"


@pytest.mark.parametrize("pk", [0, 1, 9, 10, 12345, MAX_PK])
def test_ids_round_trip(pk: int) -> None:
    for type_name in ("Message", "User", "Conversation"):
        assert parse_global_id(to_global_id(type_name, pk)) == (type_name, pk)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Message:12",  # not base64
        "TWVzc2FnZToxMg",  # padding missing
        " TWVzc2FnZToxMg==",  # not strict base64
        encoded(b"Message:012"),  # a leading zero
        encoded(b"Message:-1"),
        encoded(b"Message:+1"),
        encoded(b"Message: 1"),
        encoded(b"Message:1.0"),
        encoded(b":1"),  # no type
        encoded(b"Message:"),  # no key
        encoded(b"Message"),
        encoded(b"A:B:1"),
        encoded("Message:٣".encode()),  # a non-ASCII digit
        encoded(b"\xff:1"),  # not UTF-8
    ],
)
def test_a_malformed_id_names_nothing(value: str) -> None:
    assert parse_global_id(value) is None


def test_a_key_beyond_a_32_bit_column_names_nothing() -> None:
    assert MAX_PK == 2**31 - 1
    assert parse_global_id(to_global_id("Message", MAX_PK + 1)) is None
    assert parse_global_id(encoded(b"Message:" + b"9" * 400)) is None


def test_expect_id_checks_the_type() -> None:
    assert expect_id(to_global_id("Topic", 5), "Topic", field="topicId") == 5
    for wrong in (to_global_id("Message", 5), "junk", to_global_id("Topic", MAX_PK + 1)):
        with pytest.raises(InvalidInput) as refused:
            expect_id(wrong, "Topic", field="topicId")
        assert refused.value.field == "topicId" and "Topic" in refused.value.message
