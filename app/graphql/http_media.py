"""GraphQL over HTTP: the media type of an answer and the status codes that go with it.

A client that accepts `application/graphql-response+json` (graphql-http, urql, Apollo) gets it,
and with it the spec's status codes: a request that never ran (a document that does not parse
or validate, variables that do not coerce) is HTTP 400 without `data`. Everyone else (no Accept,
`*/*`, `application/json`) gets `application/json` with HTTP 200 for every GraphQL answer, as
before.
"""

from __future__ import annotations

from typing import Any

from strawberry.types.execution import PreExecutionError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str | None) -> str:
    """`application/graphql-response+json` if the client ranks it at least as high as
    `application/json`, else `application/json`."""
    weights: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        media = media.lower()
        weights[media] = max(weight, weights.get(media, 0.0))
    preferred = weights.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= weights.get(JSON, 0.0) else JSON


def is_request_error(result: Any) -> bool:
    """Nothing ran: the document did not parse or validate, or the variables did not coerce
    (errors without a path and no data); a field error always has a path."""
    errors = getattr(result, "errors", None) or []
    if isinstance(result, PreExecutionError):
        return True
    return getattr(result, "data", None) is None and bool(errors) and all(e.path is None for e in errors)
