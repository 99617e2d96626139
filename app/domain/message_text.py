"""Pure text logic: #tags, @mentions and URLs parsed from message text; label colours."""

from __future__ import annotations

import re
import unicodedata

from app.domain.errors import InvalidInput

_TAG = re.compile(r"(?<![\w#&])#([\w][\w:./-]*)", re.UNICODE)
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{1,39})(?![A-Za-z0-9_-])")
_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,:;!?)/-"
_COLOR = re.compile(
    r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}"
    r"|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\))$"
)
MAX_TAG_LENGTH = 100


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def parse_tags(text: str) -> list[str]:
    """#hashtags in order of appearance, without '#', trailing punctuation removed."""
    tags = [m.group(1).rstrip(_TRAILING) for m in _TAG.finditer(text)]
    return _unique([t[:MAX_TAG_LENGTH] for t in tags if t])


def parse_mentions(text: str) -> list[str]:
    return _unique([m.group(1).rstrip(_TRAILING) for m in _MENTION.finditer(text)])


def parse_urls(text: str) -> list[str]:
    return _unique([m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)])


def check_color(color: str, *, field: str = "color") -> str:
    """CSS hex (#rgb, #rrggbb, with alpha) or rgb()/rgba(); InvalidInput otherwise."""
    value = color.strip()
    if not _COLOR.match(value):
        raise InvalidInput(f"{color!r} is not a colour: use #rgb, #rrggbb or rgba(r,g,b,a).", field=field)
    if value.startswith("rgb"):
        numbers = re.findall(r"\d{1,3}(?=\s*[,)])", value)[:3]
        if any(int(n) > 255 for n in numbers):
            raise InvalidInput(f"{color!r} has a channel above 255.", field=field)
    return value


MAX_LABELS_PER_MESSAGE = 50
# explicit bidirectional embeddings, overrides, isolates and marks: they can make a label or a
# reaction display as something else (a "Trojan Source" style spoof)
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def has_hidden_controls(value: str) -> bool:
    """Control characters (NUL, tabs, newlines, escapes) or bidirectional controls: never part of
    a label or a reaction. (Zero-width joiners stay: emoji sequences need them.)"""
    return any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in value)


def check_label_text(text: str, *, field: str = "label") -> str:
    value = text.strip()
    if not value or len(value) > 100:
        raise InvalidInput("A label has 1-100 characters.", field=field)
    if has_hidden_controls(value):
        raise InvalidInput(
            "A label may not contain control or bidirectional-control characters.", field=field
        )
    return value
