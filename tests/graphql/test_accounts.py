"""register, login, logout, viewer, the first admin."""

from __future__ import annotations

from pathlib import Path

from app.main import create_app
from tests.conftest import ADMIN_PASSWORD, Api, make_settings

REGISTER = """mutation($input: RegisterInput!) { register(input: $input) {
  __typename ... on Error { code message } ... on InvalidInputError { field }
  ... on ConflictError { field } ... on RegisterSuccess { token user { username displayName locale } } } }"""

VIEWER = "{ viewer { id username displayName locale avatarUrl createdAt lastActiveAt rights } }"


async def test_register_returns_a_token_that_identifies_the_user(api: Api) -> None:
    data = await api.run(
        REGISTER,
        {
            "input": {
                "username": "alice",
                "password": "password-123",
                "displayName": "Alice A.",
                "locale": "de-CH",
            }
        },
    )
    result = data["register"]
    assert result["__typename"] == "RegisterSuccess"
    assert result["user"] == {"username": "alice", "displayName": "Alice A.", "locale": "de-CH"}
    viewer = (await api.run(VIEWER, token=result["token"]))["viewer"]
    assert viewer["username"] == "alice"
    assert viewer["rights"] == []
    assert viewer["createdAt"].endswith("+00:00")
    assert viewer["lastActiveAt"] is not None


async def test_duplicate_username_is_a_conflict_whatever_the_case(api: Api) -> None:
    await api.register("bob")
    result = (await api.run(REGISTER, {"input": {"username": "BOB", "password": "password-123"}}))["register"]
    assert result["__typename"] == "ConflictError"
    assert result["code"] == "CONFLICT"
    assert result["field"] == "username"


async def test_weak_or_malformed_input_is_invalid_input(api: Api) -> None:
    cases = [
        ({"username": "carol", "password": "short"}, "password"),
        ({"username": "carol", "password": "        "}, "password"),
        ({"username": "", "password": "password-123"}, "username"),
        ({"username": "bad name!", "password": "password-123"}, "username"),
        ({"username": "carol", "password": "password-123", "locale": "not a locale"}, "locale"),
    ]
    for payload, field in cases:
        result = (await api.run(REGISTER, {"input": payload}))["register"]
        assert result["__typename"] == "InvalidInputError", (payload, result)
        assert result["code"] == "INVALID_INPUT"
        assert result["field"] == field
    assert (await api.login("carol", "password-123"))["__typename"] == "UnauthenticatedError"


async def test_registration_can_be_switched_off(tmp_path: Path) -> None:
    import httpx

    app = create_app(make_settings(tmp_path, registration_enabled=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        result = (await Api(c).run(REGISTER, {"input": {"username": "dave", "password": "password-123"}}))[
            "register"
        ]
    assert result["__typename"] == "ForbiddenError"
    assert result["code"] == "FORBIDDEN"


async def test_login_does_not_tell_whether_a_username_exists(api: Api) -> None:
    await api.register("erin", "right-password")
    wrong_password = await api.login("erin", "wrong-password")
    unknown_user = await api.login("nobody", "wrong-password")
    assert wrong_password["__typename"] == unknown_user["__typename"] == "UnauthenticatedError"
    assert wrong_password["message"] == unknown_user["message"]
    assert wrong_password["code"] == "UNAUTHENTICATED"
    ok = await api.login("ERIN", "right-password")
    assert ok["__typename"] == "LoginSuccess"
    assert ok["user"]["username"] == "erin"
    assert ok["expiresAt"] > "2026"


async def test_logout_revokes_the_token(api: Api) -> None:
    token, _ = await api.register("frank")
    data = await api.run("mutation { logout { __typename ... on LogoutSuccess { loggedOut } } }", token=token)
    assert data["logout"] == {"__typename": "LogoutSuccess", "loggedOut": True}
    response = await api.raw(VIEWER, token=token)
    assert response.status_code == 401


async def test_logout_needs_a_login(api: Api) -> None:
    data = await api.run("mutation { logout { __typename ... on Error { code } } }")
    assert data["logout"] == {"__typename": "UnauthenticatedError", "code": "UNAUTHENTICATED"}


async def test_viewer_is_null_when_anonymous_and_a_bad_token_is_refused(api: Api) -> None:
    assert (await api.run(VIEWER))["viewer"] is None
    assert (await api.raw(VIEWER, token="not-a-token")).status_code == 401


async def test_admin_exists_on_first_start_with_the_configured_password(api: Api) -> None:
    login = await api.login("admin", ADMIN_PASSWORD)
    assert login["__typename"] == "LoginSuccess"
    viewer = (await api.run(VIEWER, token=login["token"]))["viewer"]
    assert viewer["rights"] == ["admin"]


async def test_a_generated_admin_password_is_printed_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import httpx

    settings = make_settings(tmp_path, admin_password=None)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        pass
    out = capsys.readouterr().out
    assert "Created user 'admin' with password: " in out
    password = out.split("password: ")[1].split()[0]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert "password" not in capsys.readouterr().out
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await Api(c).login("admin", password))["__typename"] == "LoginSuccess"


async def test_users_search_and_node_lookup(api: Api) -> None:
    token, alice_id = await api.register("alice", displayName="Alice Liddell")
    await api.register("bob")
    query = """query($s: String) { users(search: $s) { totalCount edges { node { id username displayName } } } }"""
    found = (await api.run(query, {"s": "lidd"}, token))["users"]
    assert found["totalCount"] == 1
    assert found["edges"][0]["node"] == {"id": alice_id, "username": "alice", "displayName": "Alice Liddell"}
    everyone = (await api.run(query, {"s": None}, token))["users"]
    assert [e["node"]["username"] for e in everyone["edges"]] == ["admin", "alice", "bob"]
    node = await api.run(
        "query($id: ID!) { node(id: $id) { ... on User { username } } }", {"id": alice_id}, token
    )
    assert node["node"] == {"username": "alice"}
    errors = await api.errors(query, {"s": None})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
