"""Pure full-text search logic shared by SQL and live matching.

Words are runs of letters and digits, lower-cased and without diacritics (SQLite FTS5's
unicode61 tokenizer with remove_diacritics 2). A query matches a text when every query word
is a prefix of some word of the text.
"""

from __future__ import annotations

import unicodedata

from app.domain.errors import InvalidInput

MAX_TERMS = 16


def _fold(text: str) -> str:
    # Canonical decomposition and lower() as unicode61 does: compatibility forms (ß, ﬁ, ²) stay
    # as written, so the live matcher and the FTS5 index see the same words.
    # Characters are lower-cased one by one (no final-sigma rule), and ς folds to σ, as there.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(_lower(c) for c in decomposed if not unicodedata.combining(c))


def _lower(char: str) -> str:
    lowered = char.lower()
    return "σ" if lowered == "ς" else lowered if len(lowered) == 1 else char


def words(text: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for char in _fold(text):
        if char.isalnum():
            current.append(char)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def query_terms(query: str) -> list[str]:
    terms = list(dict.fromkeys(words(query)))
    if not terms:
        raise InvalidInput("A text search needs at least one word.", field="filter.text")
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"A text search takes at most {MAX_TERMS} words.", field="filter.text")
    return terms


def fts5_query(terms: list[str]) -> str:
    """Every term as a word prefix of the `text` column (the index also has a `place` column)."""
    return " AND ".join(f'text : "{t}"*' for t in terms)


def fts5_place_query(terms: list[str], places: list[str], *, inside: bool) -> str:
    """The text query restricted to messages whose place token is (or, not `inside`, is not) one
    of `places` (`t<topic id>`, `c` for conversations, `n` for notices)."""
    if not places:
        return fts5_query(terms) if not inside else ""
    operator = "AND" if inside else "NOT"
    return f"({fts5_query(terms)}) {operator} place : ({' OR '.join(places)})"


def tsquery(terms: list[str]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


def text_matches(text: str, terms: list[str]) -> bool:
    have = words(text)
    return all(any(w.startswith(t) for w in have) for t in terms)


# Substring search (`textContains`): a case-insensitive match anywhere in the raw text, inside
# words too ("isk" finds "disk"). Answered from a trigram index (SQLite FTS5 `trigram`,
# PostgreSQL pg_trgm), which needs at least three characters to look anything up.
MIN_CONTAINS = 3
MAX_CONTAINS = 500


CONTAINS_FUNCTION = "parley_contains"  # `contains` registered on every SQLite connection (app.core.db)
_FOLDED: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        folded = char.casefold()
        if len(folded) != 1:
            folded = char.lower()
        if len(folded) != 1:
            folded = char
        _FOLDED[char] = folded
    return folded


def fold_case(text: str) -> str:
    """Unicode simple case folding, one character to one, as SQLite's trigram tokenizer does
    (`case_sensitive 0`): "É" -> "é", "Σ" and "ς" -> "σ"; "ß" stays "ß" (full folding would make
    it "ss"), accents stay."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def check_contains(pattern: str) -> str:
    if len(pattern) < MIN_CONTAINS:
        raise InvalidInput(
            f"`textContains` needs at least {MIN_CONTAINS} characters (it is answered from a trigram index).",
            field="filter.textContains",
        )
    if len(pattern) > MAX_CONTAINS:
        raise InvalidInput(
            f"`textContains` takes at most {MAX_CONTAINS} characters.", field="filter.textContains"
        )
    return pattern


def contains(text: str, pattern: str) -> bool:
    return fold_case(pattern) in fold_case(text)


def contains_or_null(text: str | None, pattern: str | None) -> bool | None:
    """`contains` as an SQL function: NULL in, NULL out."""
    return None if text is None or pattern is None else contains(text, pattern)


def trigram_query(pattern: str) -> str:
    """An FTS5 phrase in the `text` column: with the trigram tokenizer, the pattern as a
    substring, case folded (the index also has a `place` column)."""
    return 'text : "' + pattern.replace('"', '""') + '"'


def trigram_place_query(pattern: str, places: list[str], *, inside: bool) -> str:
    """The substring query restricted to messages whose place is (or, not `inside`, is not) one of
    `places` (as fts5_place_query; the trigram index stores each place delimited: `<t12>`)."""
    if not places:
        return trigram_query(pattern) if not inside else ""
    operator = "AND" if inside else "NOT"
    named = " OR ".join(f'"<{p}>"' for p in places)
    return f"({trigram_query(pattern)}) {operator} place : ({named})"


def like_contains(pattern: str) -> str:
    """A LIKE pattern (escape character backslash) matching `pattern` anywhere, `%` and `_` literal."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
