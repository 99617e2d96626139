"""Floods are refused with RATE_LIMITED and a retry time, and the server keeps answering: failed
logins back off per username and per address, and each user sends at a bounded rate."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.graphql.helpers import create_conversation, send
from tests.integration.test_database_down import serve

LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  __typename ... on Error { code message } ... on RateLimitedError { retryAfterSeconds } } }"""
NOTICE = """mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "n"}) {
  __typename ... on RateLimitedError { retryAfterSeconds } } }"""


async def test_failed_logins_back_off_per_username_and_per_address(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, login_free_failures=3, login_free_failures_per_address=8)
    async for _, api in serve(settings):
        await api.register("alice", "right-password-1")
        seen = [
            (await api.run(LOGIN, {"u": "alice", "p": "wrong-password"}))["login"]["__typename"]
            for _ in range(5)
        ]
        # three free failures, then a wait that grows: the fourth attempt is refused unhashed
        assert seen[:3] == ["UnauthenticatedError"] * 3 and set(seen[3:]) == {"RateLimitedError"}
        refused = (await api.run(LOGIN, {"u": "ALICE", "p": "right-password-1"}))["login"]
        assert refused["__typename"] == "RateLimitedError" and refused["code"] == "RATE_LIMITED"
        assert 0 < refused["retryAfterSeconds"] <= 900
        # other usernames from the same address: refused after the address's own free count
        others = [
            (await api.run(LOGIN, {"u": f"nobody{i}", "p": "wrong-password"}))["login"]["__typename"]
            for i in range(6)
        ]
        assert "RateLimitedError" in others and others[0] == "UnauthenticatedError"
        # the server still answers everything else
        assert (await api.run("{ topics { totalCount } }"))["topics"]["totalCount"] >= 0


async def test_a_sender_past_the_rate_gets_rate_limited(tmp_path: Path) -> None:
    async for _, api in serve(make_settings(tmp_path, send_per_second=0.5, send_burst=5)):
        alice, _ = await api.register("alice")
        bob, bob_id = await api.register("bob")
        conv = await create_conversation(api, alice, [bob_id])
        kinds = [(await send(api, alice, conv, f"m{i}"))["__typename"] for i in range(7)]
        assert kinds[:5] == ["Message"] * 5 and kinds[5:] == ["RateLimitedError"] * 2
        assert (await send(api, bob, conv, "bob has his own"))["__typename"] == "Message"
        notice = (await api.run(NOTICE, {"u": [bob_id]}, alice))["sendNotice"]
        assert notice["__typename"] == "RateLimitedError" and notice["retryAfterSeconds"] > 0
