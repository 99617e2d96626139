"""Every GraphQL block in README.md and docs/ is valid against the schema, and is either run by a
test (`<!-- tour: ... -->`, `<!-- topics: ... -->`) or says why not (`<!-- not run: ... -->`);
every Python block is run: the tour's (`<!-- tour: python -->`) by the tour test, the client
files docs/clients.md shows (`<!-- file: PATH -->`) by tests/clients."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from app.core.settings import Settings
from app.graphql.schema import build_schema

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"(?P<mark>[^\n]*)\n```graphql\n(?P<doc>.*?)```", re.S)
MARK = re.compile(r"<!-- (tour|topics): [a-z ]+ -->|<!-- not run: .+ -->")


def blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for m in BLOCK.finditer(path.read_text()):
            found.append((path.relative_to(ROOT).as_posix(), m.group("mark"), m.group("doc")))
    return found


def test_every_block_is_run_or_says_why_not() -> None:
    found = blocks()
    assert len(found) >= 20
    unmarked = [(where, doc[:60]) for where, mark, doc in found if not MARK.fullmatch(mark.strip())]
    assert unmarked == []


def test_every_block_validates_against_the_schema() -> None:
    schema = build_schema(Settings())._schema
    for where, _, doc in blocks():
        filled = re.sub(r"<([A-Z_]+)>", r"\1", doc)  # placeholders an earlier step fills in
        errors = validate(schema, parse(filled))
        assert errors == [], (where, doc, errors)


def test_every_python_block_is_run() -> None:
    marks = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for m in re.finditer(r"(?P<mark>[^\n]*)\n```python\n", path.read_text()):
            marks.append((path.relative_to(ROOT).as_posix(), m.group("mark").strip()))
    assert marks == [
        ("docs/clients.md", "<!-- file: clients/python/gql_client.py -->"),
        ("docs/tour.md", "<!-- tour: python -->"),
    ]
