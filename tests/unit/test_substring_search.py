"""textContains, the pure part: case folding, the patterns handed to SQLite and PostgreSQL, the
minimum length, and the live predicate agreeing with SQLite's trigram tokenizer character by
character."""

from __future__ import annotations

import sqlite3

import pytest

from app.domain.errors import InvalidInput
from app.domain.search_terms import (
    MIN_CONTAINS,
    check_contains,
    contains,
    fold_case,
    like_contains,
    trigram_place_query,
    trigram_query,
)


def test_fold_case_is_simple_case_folding_one_character_to_one() -> None:
    assert fold_case("Disk FULL") == "disk full"
    assert fold_case("ÉCRAN À l'Étage") == "écran à l'étage"  # accents stay
    assert fold_case("ΟΔΟΣ οδος") == "οδοσ οδοσ"  # final sigma folds like sigma
    assert fold_case("STRAẞE straße") == "straße straße"  # not "strasse": one character each
    assert fold_case("İstanbul") == "İstanbul"  # str.lower() would make it two characters
    assert len(fold_case("İıſK")) == 4


def test_contains_matches_inside_words_whatever_the_case() -> None:
    assert contains("Disk full", "isk") and contains("Disk full", "ISK") and contains("Disk full", "k f")
    assert contains("Écran cassé", "écran") and contains("écran", "ÉCRAN")
    assert not contains("Écran", "ecran")  # accents are significant
    assert not contains("disk 1000", "0%") and contains("100% done", "0% d")
    assert not contains("snakeXcase", "e_c") and contains("snake_case", "e_c")


def test_patterns_are_escaped_for_each_database() -> None:
    assert like_contains("100%_a\\b") == "%100\\%\\_a\\\\b%"
    assert trigram_query('say "hi"') == 'text : "say ""hi"""'
    assert (
        trigram_place_query("disk", ["c", "t12"], inside=False)
        == '(text : "disk") NOT place : ("<c>" OR "<t12>")'
    )
    assert trigram_place_query("disk", [], inside=True) == ""


def test_short_and_long_patterns_are_refused_with_the_limit() -> None:
    assert check_contains("isk") == "isk"
    for short in ("", "is", "  "):
        with pytest.raises(InvalidInput) as refused:
            check_contains(short)
        assert refused.value.field == "filter.textContains" and str(MIN_CONTAINS) in str(refused.value)
    with pytest.raises(InvalidInput):
        check_contains("x" * 501)


CHARACTERS = (
    [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    + [chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]  # Latin-1 letters
    + [chr(c) for c in range(0x391, 0x3AA) if c != 0x3A2]
    + ["ς"]  # Greek
    + [chr(c) for c in range(0x410, 0x450)]  # Cyrillic
)


def test_the_live_predicate_folds_like_the_sqlite_trigram_index() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='trigram case_sensitive 0')")
    texts = [f"ab{c}cd" for c in CHARACTERS]
    db.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", enumerate(texts))
    for c in CHARACTERS:
        for pattern in (f"b{c.lower()}c", f"B{c.upper()}C"):
            by_index = {
                r for (r,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (trigram_query(pattern),))
            }
            by_python = {i for i, text in enumerate(texts) if contains(text, pattern)}
            assert by_index == by_python, (c, pattern)
