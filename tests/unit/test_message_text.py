"""Message text, the pure part: #tags, @mentions and URLs parsed from text, label colours and
texts, and the translations a localized message is rendered with."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.message_text import (
    MAX_TAG_LENGTH,
    check_color,
    check_label_text,
    parse_mentions,
    parse_tags,
    parse_urls,
)
from app.domain.translations import fill_parameters, locale_chain, pick_translation, render


def test_tags_in_order_of_appearance_without_the_hash() -> None:
    assert parse_tags("#deploy went fine, see #ops and #db") == ["deploy", "ops", "db"]
    assert parse_tags("no tags here") == []


def test_tags_are_unique_but_case_sensitive() -> None:
    assert parse_tags("#a #A #a #b #a") == ["a", "A", "b"]


def test_trailing_punctuation_leaves_a_tag_but_inner_separators_stay() -> None:
    assert parse_tags("end #tag... (#paren) #q? #x!") == ["tag", "paren", "q", "x"]
    assert parse_tags("#tag:sub/x.y- #v1.2") == ["tag:sub/x.y", "v1.2"]


def test_a_hash_inside_a_word_an_entity_or_a_double_hash_is_no_tag() -> None:
    assert parse_tags("x#no &#38; ##double C#") == []
    assert parse_tags("#-x #.x #") == []  # a tag starts with a word character


def test_unicode_tags() -> None:
    assert parse_tags("#über #日本 #_u") == ["über", "日本", "_u"]


def test_a_long_tag_is_cut_to_the_maximum_length() -> None:
    assert parse_tags("#" + "x" * (MAX_TAG_LENGTH + 50)) == ["x" * MAX_TAG_LENGTH]
    # two tags equal after the cut count once
    assert parse_tags("#" + "y" * 120 + " #" + "y" * 130) == ["y" * MAX_TAG_LENGTH]


def test_mentions() -> None:
    assert parse_mentions("@ann, @Ann and @ann. again") == ["ann", "Ann"]
    assert parse_mentions("thanks @b.k- and @9z!") == ["b.k", "9z"]


def test_an_email_address_a_one_letter_name_or_an_underscore_start_is_no_mention() -> None:
    assert parse_mentions("mail@x.org @a @_x @@ann") == []


def test_urls_lose_trailing_punctuation_and_quotes_and_are_unique() -> None:
    text = 'see https://x.org/a?b=1. and (http://y.io/p) https://x.org/a?b=1 <https://q.r/s> "https://u.v"'
    assert parse_urls(text) == ["https://x.org/a?b=1", "http://y.io/p", "https://q.r/s", "https://u.v"]


def test_only_http_and_https_are_urls() -> None:
    assert parse_urls("ftp://z.org mailto:a@b.c file:///etc") == []
    assert parse_urls("HTTPS://x.org") == []  # the scheme is matched as written


def test_colours_in_every_accepted_form_come_back_stripped() -> None:
    for colour in ("#abc", "#ABCD", "#a1b2c3", "#a1b2c3d4", "rgb(0,0,0)", "rgba(255, 255, 255, 0.5)"):
        assert check_color(f"  {colour} ") == colour
    assert check_color("rgba(1,2,3,.5)") == "rgba(1,2,3,.5)"
    assert check_color("rgba(1,2,3,1)") == "rgba(1,2,3,1)"


@pytest.mark.parametrize(
    "colour",
    ["", "red", "#12", "#12345", "#1234567", "#ggg", "abc", "rgb(1,2)", "rgba(1,2,3,1.5)", "rgb(1,2,3"],
)
def test_a_malformed_colour_is_invalid_input(colour: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_color(colour, field="labels[0].color")
    assert refused.value.field == "labels[0].color"


def test_a_channel_above_255_is_refused_with_its_own_message() -> None:
    for colour in ("rgb(256,0,0)", "rgba(0, 0, 999, 0.5)"):
        with pytest.raises(InvalidInput) as refused:
            check_color(colour)
        assert "above 255" in refused.value.message
    assert check_color("rgb(255,255,255)") == "rgb(255,255,255)"


def test_label_text_is_stripped_and_holds_1_to_100_characters() -> None:
    assert check_label_text("  urgent ") == "urgent"
    assert check_label_text("x" * 100) == "x" * 100
    for bad in ("", "   ", "x" * 101):
        with pytest.raises(InvalidInput) as refused:
            check_label_text(bad, field="labels[1].text")
        assert refused.value.field == "labels[1].text"


def test_locale_chain_most_specific_first_each_followed_by_its_parents() -> None:
    assert locale_chain("de-CH") == ["de-ch", "de"]
    assert locale_chain("de_AT", None, "", "de", "en-GB") == ["de-at", "de", "en-gb", "en"]
    assert locale_chain() == []


def test_a_translation_is_picked_by_the_first_locale_that_has_one() -> None:
    translations = {"DE": "Hallo", "fr-CA": "Allô"}
    assert pick_translation("Hello", translations, ["de-ch", "de"]) == "Hallo"
    assert pick_translation("Hello", translations, ["fr-ca", "fr"]) == "Allô"
    assert pick_translation("Hello", translations, ["fr"]) == "Hello"
    assert pick_translation("Hello", {}, ["de"]) == "Hello"


def test_parameters_fill_placeholders_and_a_missing_one_stays_as_written() -> None:
    assert fill_parameters("{0} of {1}, {0} again, {2} and {x}", ["a", "b"]) == "a of b, a again, {2} and {x}"
    assert fill_parameters("{1}{0}", ["{1}", "z"]) == "z{1}"  # a parameter is not filled again
    assert render("Hi {0}", {"de": "Hallo {0}"}, ["Ann"], ["de"]) == "Hallo Ann"


def test_a_mention_longer_than_a_username_mentions_nobody() -> None:
    """Cutting it would mention whoever has the 40-character prefix as a name."""
    longest = "b" * 40
    assert parse_mentions(f"@{'a' * 41} and @{longest}, @carol") == [longest, "carol"]
