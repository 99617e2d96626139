"""Full-text search terms, the pure part: words, query terms, the queries handed to SQLite FTS5
and PostgreSQL, the live matcher, and the substring helpers' edges not covered by
test_substring_search.py."""

from __future__ import annotations

import sqlite3

import pytest

from app.domain.errors import InvalidInput
from app.domain.search_terms import (
    MAX_CONTAINS,
    MAX_TERMS,
    check_contains,
    contains_or_null,
    fold_case,
    fts5_place_query,
    fts5_query,
    like_contains,
    query_terms,
    text_matches,
    tsquery,
    words,
)


def test_words_are_runs_of_letters_and_digits_case_folded_without_diacritics() -> None:
    assert words("Héllo, WORLD! 42x") == ["hello", "world", "42x"]
    assert words("ça_va - déjà-vu") == ["ca", "va", "deja", "vu"]  # '_' and '-' separate words
    assert words("ΟΔΟΣ Ärger") == ["οδοσ", "arger"]
    assert words("  ...  ") == []
    assert words("") == []


def test_query_terms_are_unique_words_in_order() -> None:
    assert query_terms("Deploy deploy DB déploy") == ["deploy", "db"]


def test_a_query_without_words_or_with_too_many_is_invalid() -> None:
    for empty in ("", "   ", "!?-"):
        with pytest.raises(InvalidInput) as refused:
            query_terms(empty)
        assert refused.value.field == "filter.text"
    many = " ".join(f"w{i}" for i in range(MAX_TERMS))
    assert len(query_terms(many)) == MAX_TERMS
    assert len(query_terms(many + " w0 W1")) == MAX_TERMS  # repeats do not count
    with pytest.raises(InvalidInput) as refused:
        query_terms(many + " extra")
    assert str(MAX_TERMS) in refused.value.message


def test_fts5_and_tsquery_take_every_term_as_a_prefix() -> None:
    assert fts5_query(["deploy"]) == 'text : "deploy"*'
    assert fts5_query(["a", "b"]) == 'text : "a"* AND text : "b"*'
    assert tsquery(["a"]) == "a:*"
    assert tsquery(["a", "b"]) == "a:* & b:*"


def test_fts5_place_query_inside_or_outside_places() -> None:
    assert fts5_place_query(["a"], ["t1", "c"], inside=True) == '(text : "a"*) AND place : (t1 OR c)'
    assert fts5_place_query(["a"], ["n"], inside=False) == '(text : "a"*) NOT place : (n)'
    assert fts5_place_query(["a"], [], inside=False) == 'text : "a"*'  # outside nothing: everything
    assert fts5_place_query(["a"], [], inside=True) == ""  # inside nothing: nothing


def test_text_matches_when_every_term_prefixes_some_word() -> None:
    assert text_matches("Deploying the Database", ["dep", "data"])
    assert text_matches("Déjà vu", query_terms("deja"))
    assert not text_matches("redeploy", ["dep"])  # a prefix of a word, not a substring
    assert not text_matches("deploy", ["dep", "db"])  # every term must match
    assert text_matches("anything", [])


def tokenized_by_sqlite(texts: list[str], term: str) -> set[int]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", enumerate(texts))
    return {r for (r,) in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_query([term]),))}


def test_the_live_matcher_agrees_with_sqlite_unicode61_on_accents_and_case() -> None:
    texts = ["Déjà vu", "ÉCRAN cassé", "İstanbul", "ΟΔΟΣ", "Ärger", "plain text"]
    for query in ("deja", "DÉJÀ", "ecran", "casse", "istanbul", "οδος", "arg", "text"):
        terms = query_terms(query)
        by_python = {i for i, text in enumerate(texts) if text_matches(text, terms)}
        assert by_python == tokenized_by_sqlite(texts, terms[0]), query


def test_the_live_matcher_agrees_with_sqlite_unicode61_on_compatibility_characters() -> None:
    texts = ["Straße", "ﬁne", "x²", "ΟΔΟΣ οδος", "ǅemal"]
    for query in ("straße", "ﬁne", "x²", "οδοσ", "οδος", "ǆemal"):
        terms = query_terms(query)
        by_python = {i for i, text in enumerate(texts) if text_matches(text, terms)}
        assert by_python == tokenized_by_sqlite(texts, terms[0]), query


def test_fold_case_of_ascii_is_lower() -> None:
    assert fold_case("Disk FULL 42!") == "disk full 42!"
    assert fold_case("") == ""


def test_check_contains_bounds_are_inclusive() -> None:
    assert check_contains("x" * MAX_CONTAINS) == "x" * MAX_CONTAINS
    with pytest.raises(InvalidInput) as refused:
        check_contains("x" * (MAX_CONTAINS + 1))
    assert refused.value.field == "filter.textContains" and str(MAX_CONTAINS) in refused.value.message


def test_contains_or_null_is_null_in_null_out() -> None:
    assert contains_or_null(None, "abc") is None
    assert contains_or_null("abc", None) is None
    assert contains_or_null("xABCx", "abc") is True
    assert contains_or_null("xABx", "abc") is False


def test_like_contains_escapes_the_wildcards_and_the_escape_character() -> None:
    assert like_contains("disk") == "%disk%"
    assert like_contains("50%") == "%50\\%%"
    assert like_contains("a_b") == "%a\\_b%"
    assert like_contains("C:\\dir") == "%C:\\\\dir%"
    assert like_contains("\\%") == "%\\\\\\%%"  # backslash escaped before percent


def test_like_contains_matches_literally_in_sqlite() -> None:
    db = sqlite3.connect(":memory:")
    texts = ["100% done", "1000 done", "snake_case", "snakeXcase", "C:\\dir", "C:dir"]
    for pattern, expected in (("0%", {"100% done"}), ("e_c", {"snake_case"}), (":\\d", {"C:\\dir"})):
        found = {
            t
            for t in texts
            if db.execute("SELECT ? LIKE ? ESCAPE '\\'", (t, like_contains(pattern))).fetchone()[0]
        }
        assert found == expected, pattern
