"""GraphQL over HTTP: GET runs queries only, `application/graphql-response+json` gets the spec's
status codes, `application/json` keeps HTTP 200 for every GraphQL answer."""

from __future__ import annotations

import json

from tests.conftest import Api

GR = "application/graphql-response+json"


async def test_get_runs_a_query_with_variables_and_an_operation_name(api: Api) -> None:
    token, _ = await api.register("gina")
    query = "query Other { viewer { id } } query Named($u: String!) { user(username: $u) { username } }"
    params = {"query": query, "variables": json.dumps({"u": "gina"}), "operationName": "Named"}
    response = await api.client.get("/graphql", params=params, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"user": {"username": "gina"}}


async def test_get_refuses_a_mutation_with_405_and_allow_post(api: Api) -> None:
    token, _ = await api.register("gina")
    params = {"query": "mutation { logout }"}
    response = await api.client.get("/graphql", params=params, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    [error] = response.json()["errors"]
    assert error["message"] == "Mutations are not allowed over GET: send them with POST."
    # and nothing ran: the token still works
    assert (await api.run("{ viewer { username } }", token=token)) == {"viewer": {"username": "gina"}}


async def test_get_refuses_a_subscription(api: Api) -> None:
    response = await api.client.get("/graphql", params={"query": "subscription { messageAdded { id } }"})
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert "graphql-transport-ws" in error["message"]
    assert error["extensions"]["code"] == "INVALID_INPUT"


async def post(api: Api, body: dict[str, object], accept: str | None) -> tuple[int, str, dict[str, object]]:
    headers = {"accept": accept} if accept else {}
    response = await api.client.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


async def test_request_errors_are_400_without_data_for_graphql_response_json(api: Api) -> None:
    bad = [
        {"query": "{ viewer { id "},  # does not parse
        {"query": "{ nope }"},  # does not validate
        {"query": "query($n: Int!) { users(first: $n) { totalCount } }", "variables": {"n": "x"}},  # coercion
    ]
    for body in bad:
        status, content_type, result = await post(api, body, f"{GR}, application/json;q=0.9")
        assert (status, content_type) == (400, f"{GR}; charset=utf-8"), (body, result)
        assert "data" not in result and result["errors"], result
        # the same request as application/json (or with no Accept): 200, as existing clients expect
        for accept in ("application/json", None, "*/*"):
            status, content_type, result = await post(api, body, accept)
            assert (status, content_type) == (200, "application/json"), (body, accept, result)
            assert result["errors"], result


async def test_a_query_that_ran_is_200_in_either_media_type(api: Api) -> None:
    for accept in (GR, "application/json"):
        status, content_type, result = await post(api, {"query": "{ viewer { id } }"}, accept)
        assert (status, content_type.split(";")[0], result["data"]) == (200, accept, {"viewer": None})
