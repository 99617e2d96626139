"""schema.graphql is exported from code: fail when it is stale; it covers the contract names it claims."""

from __future__ import annotations

from pathlib import Path

from app.graphql.schema import build_schema
from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_schema_graphql_matches_the_code() -> None:
    exported = build_schema(Settings()).as_str() + "\n"
    on_disk = (ROOT / "schema.graphql").read_text()
    assert on_disk == exported, "schema.graphql is stale: run scripts/export-schema and commit it"


def test_error_interface_and_codes_follow_the_contract() -> None:
    sdl = (ROOT / "schema.graphql").read_text()
    assert "interface Error {\n  code: ErrorCode!\n  message: String!\n}" in sdl
    for code in (
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "NOT_FOUND",
        "INVALID_INPUT",
        "CONFLICT",
        "AMBIGUOUS_REFERENCE",
        "OWNER_MISMATCH",
        "LIMIT_EXCEEDED",
        "RATE_LIMITED",
        "CURSOR_EXPIRED",
    ):
        assert f"  {code}\n" in sdl
