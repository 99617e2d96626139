"""GraphQL over HTTP: the media type of an answer, the status codes that go with it, and the
answers to requests refused or stopped before GraphQL answered them.

A client that accepts `application/graphql-response+json` (graphql-http, urql, Apollo) gets it,
and with it the spec's status codes: a request that never ran (a document that does not parse
or validate, variables that do not coerce) is HTTP 400 without `data`. Everyone else (no Accept,
`*/*`, `application/json`) gets `application/json` with HTTP 200 for every GraphQL answer, as
before.
"""

from __future__ import annotations

import logging
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from app.core.deadlines import DeadlineExceeded

log = logging.getLogger("app.graphql")

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


HTTP_CODES = {401: "UNAUTHENTICATED", 404: "NOT_FOUND"}
MEDIA_TYPE = "parley_media_type"  # request.scope keys: the media type of the answer, and its
STATUS = "parley_status"  # status when the GraphQL result alone decides it (a request error)


def refusal_response(request: Request, exc: HTTPException) -> JSONResponse:
    """A request refused before any GraphQL ran. A mutation over GET is 405 with `Allow: POST`;
    a subscription over HTTP is 400 and names the websocket."""
    headers: dict[str, str] = {}
    status, reason = exc.status_code, exc.reason
    refused = exc.__cause__
    if isinstance(refused, InvalidOperationTypeError):
        if refused.operation_type == OperationType.SUBSCRIPTION:
            status = 400
            reason = (
                "Subscriptions are not served over HTTP: use a graphql-transport-ws websocket on this URL."
            )
        elif request.method == "GET":
            status, headers["allow"] = 405, "POST"
            reason = "Mutations are not allowed over GET: send them with POST."
    code = HTTP_CODES.get(status, "INVALID_INPUT")
    body = {"errors": [{"message": reason, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


def with_media_type(response: Response, scope: Any) -> Response:
    """The negotiated content type on every JSON answer (not on the GraphiQL page)."""
    media_type = scope.get(MEDIA_TYPE)
    if media_type == GRAPHQL_RESPONSE and response.headers.get("content-type", "").startswith(JSON):
        response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        status = scope.get(STATUS)
        if status is not None and response.status_code == 200:
            response.status_code = status
    return response


def deadline_response(request_id: str, exc: DeadlineExceeded) -> JSONResponse:
    """HTTP 504: the database did not finish within PARLEY_REQUEST_DEADLINE_SECONDS; the
    request's statements were stopped (retrying the same operation will likely time out again)."""
    log.warning("request past its deadline of %gs, stopped (request id %s)", exc.seconds, request_id)
    message = f"{exc} It was stopped (request id {request_id})."
    extensions = {"code": "TIMEOUT", "requestId": request_id, "deadlineSeconds": exc.seconds}
    body = {"errors": [{"message": message, "extensions": extensions}]}
    return JSONResponse(body, status_code=504, headers={"x-request-id": request_id})
