"""Values JSON can carry that no database stores: lone UTF-16 surrogates (`"x\\ud800y"`, which
nothing can encode as UTF-8), NUL characters (PostgreSQL text refuses them) and non-finite numbers
(NaN, Infinity: PostgreSQL's JSON refuses them).

`unstorable` finds one in an argument value; `name_lone_surrogate` rewrites graphql-core's syntax
error about a surrogate or NUL in a string literal of the document so it names the argument, like
the check on variables does (`app/graphql/input_guard.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from graphql import ArgumentNode, GraphQLError, GraphQLSyntaxError, ObjectFieldNode, StringValueNode, parse
from graphql.language import Node

_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")
_ESCAPED = re.compile(r"\\u([dD][89a-fA-F][0-9a-fA-F]{2})|\\u\{(0*[dD][89a-fA-F][0-9a-fA-F]{2})\}")


def unstorable(value: Any, path: str) -> tuple[str, str] | None:
    """(argument path, what is wrong) for the first value no database can store, if any."""
    if isinstance(value, str):
        found = _BAD_CHAR.search(value)
        return (path, describe(found.group())) if found else None
    if isinstance(value, float) and not math.isfinite(value):
        return path, f"a number that is not finite ({value})"
    if isinstance(value, dict):
        for key, item in value.items():
            hit = unstorable(key, path) or unstorable(item, f"{path}.{key}")
            if hit:
                return hit
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            hit = unstorable(item, f"{path}[{index}]")
            if hit:
                return hit
    return None


def describe(char: str) -> str:
    if char == "\x00":
        return "a NUL character (U+0000)"
    return f"a lone surrogate (U+{ord(char):04X})"


def unstorable_message(path: str, problem: str) -> str:
    return f"`{path}` is not valid: it holds {problem}."


def _readable(document: str) -> str:
    """The document with every such character replaced at the same offsets, so it parses."""

    def escape(match: re.Match[str]) -> str:
        if match.group(1):
            return "\\uFFFD"
        return "\\u{" + "0" * (len(match.group(2)) - 4) + "FFFD}"

    return _ESCAPED.sub(escape, _BAD_CHAR.sub("\ufffd", document))


def _strings_with_paths(node: Node, path: tuple[str, ...]) -> Iterator[tuple[StringValueNode, str]]:
    if isinstance(node, StringValueNode):
        yield node, ".".join(path)
        return
    if isinstance(node, ArgumentNode | ObjectFieldNode):
        path = (*path, node.name.value) if isinstance(node, ObjectFieldNode) else (node.name.value,)
    for key in node.keys:
        child = getattr(node, key, None)
        for item in child if isinstance(child, tuple | list) else (child,):
            if isinstance(item, Node):
                yield from _strings_with_paths(item, path)


def name_lone_surrogate(error: GraphQLError) -> bool:
    """Rewrite the lexer's error about a surrogate in a string literal to name the argument."""
    if not isinstance(error, GraphQLSyntaxError) or not error.source or not error.positions:
        return False
    body, position = error.source.body, list(error.positions)[0]
    found = _BAD_CHAR.match(body, position) or _ESCAPED.match(body, position)
    if found is None:
        return False
    try:
        document = parse(_readable(body))
    except GraphQLError:
        return False
    for node, path in _strings_with_paths(document, ()):
        if node.loc and node.loc.start <= position < node.loc.end and path:
            char = (
                found.group() if len(found.group()) == 1 else chr(int(found.group(1) or found.group(2), 16))
            )
            error.message = unstorable_message(path, describe(char))
            error.extensions = {**(error.extensions or {}), "field": path}
            return True
    return False
