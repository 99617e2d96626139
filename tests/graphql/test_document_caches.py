"""The same document sent again is neither parsed nor validated again (strawberry's module-level caches)."""

from __future__ import annotations

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from app.graphql.schema import PARSE_CACHE_SIZE, VALIDATION_CACHE_SIZE
from tests.conftest import Api

DOCUMENT = """query($u: String!) { user(username: $u) { username } viewer { id } }"""


async def test_a_repeated_document_hits_the_parse_and_validation_caches(api: Api) -> None:
    validate = _get_validate_cache(VALIDATION_CACHE_SIZE)
    parse = _get_parse_cache(PARSE_CACHE_SIZE)
    await api.run(DOCUMENT, {"u": "admin"})  # the first may miss
    validated, parsed = validate.cache_info(), parse.cache_info()
    for name in ("admin", "nobody", "admin", "x", "y"):
        await api.run(DOCUMENT, {"u": name})
    assert validate.cache_info().hits - validated.hits == 5
    assert validate.cache_info().misses == validated.misses
    assert parse.cache_info().hits - parsed.hits == 5


async def test_the_limits_still_apply_to_cached_documents(api: Api) -> None:
    deep = "{ viewer { " + "groups { members { edges { node { " * 4 + "id" + " } } } }" * 4 + " } }"
    for _ in range(2):
        errors = await api.errors(deep)
        assert any("exceeds maximum operation depth" in e["message"] for e in errors), errors
