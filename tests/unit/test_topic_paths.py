"""Topic paths, the pure part: parsing and normalising, ancestry, the private spaces."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.topic_paths import (
    MAX_DEPTH,
    ancestors,
    is_under,
    name_of,
    normalize,
    parent_of,
    parse_path,
    private_owner,
    private_space,
    tasks_topic,
)


def test_a_valid_path_parses_into_its_segments() -> None:
    assert parse_path("/Team/Ops/Alerts") == ["Team", "Ops", "Alerts"]
    assert parse_path("/a-b_c.d/9") == ["a-b_c.d", "9"]
    assert normalize("/Team/Ops") == "/Team/Ops"
    assert normalize("/" + "x" * 64) == "/" + "x" * 64


@pytest.mark.parametrize(
    "path",
    [
        "",
        "Team",
        "Team/Ops",
        "/",
        "/Team/",
        "//Team",
        "/Team//Ops",
        "/Team/./Ops",
        "/Team/..",
        "/Te am",
        "/Tëam",
        "/Team/" + "x" * 65,
        "/Team/Ops?",
    ],
)
def test_a_malformed_path_is_invalid_input_naming_the_field(path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalize(path, field="topic")
    assert refused.value.field == "topic"
    assert refused.value.code == "INVALID_INPUT"


def test_a_path_holds_at_most_max_depth_segments() -> None:
    deepest = "/" + "/".join(["s"] * MAX_DEPTH)
    assert len(parse_path(deepest)) == MAX_DEPTH
    with pytest.raises(InvalidInput) as refused:
        parse_path(deepest + "/s")
    assert str(MAX_DEPTH) in refused.value.message


def test_a_path_that_is_not_a_string_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        parse_path(None)  # type: ignore[arg-type]


def test_ancestors_parent_and_name() -> None:
    assert ancestors("/A/B/C") == ["/A", "/A/B"]
    assert ancestors("/A") == []
    assert parent_of("/A/B/C") == "/A/B"
    assert parent_of("/A") is None
    assert name_of("/A/B/C") == "C"
    assert name_of("/A") == "A"


def test_is_under_counts_the_root_itself_but_not_a_sibling_sharing_a_prefix() -> None:
    assert is_under("/Team", "/Team")
    assert is_under("/Team/Ops", "/Team")
    assert is_under("/Team/Ops/Alerts", "/Team")
    assert not is_under("/TeamB", "/Team")
    assert not is_under("/Team2/Ops", "/Team")
    assert not is_under("/Team", "/Team/Ops")
    assert not is_under("/team/Ops", "/Team")  # paths are case-sensitive


def test_private_spaces_and_the_tasks_topic() -> None:
    assert private_space("ann") == "/Private/ann"
    assert tasks_topic("ann") == "/Private/ann/Tasks"
    assert private_owner("/Private/ann") == "ann"
    assert private_owner("/Private/ann/Tasks") == "ann"
    assert private_owner(tasks_topic("ben.k")) == "ben.k"
    assert private_owner("/Private") is None
    assert private_owner("/PrivateX/ann") is None
    assert private_owner("/Team/Private/ann") is None
