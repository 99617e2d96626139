"""The web client at `/` in two real browser sessions: log in, a conversation, live delivery,
reload, a wrong password; no request leaves the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import Browsing, screenshot

pytestmark = [pytest.mark.once, pytest.mark.slow]


def log_in(browsing: Browsing, username: str, password: str = "password-123", **size: int) -> Any:
    page = browsing.page(**size)
    page.goto(browsing.base + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    page.locator("body[data-connection='live']").wait_for()
    return page


def messages_of(page: Any) -> list[str]:
    return list(page.locator(".messages .message .text").all_inner_texts())


def alice_and_bob_talk(browsing: Browsing) -> tuple[str, str]:
    """Registers alice and bob and opens a conversation of theirs: (alice's token, its id)."""
    alice_token, _ = browsing.register("alice")
    _, bob_id = browsing.register("bob")
    conversation = browsing.graphql(
        """mutation($i: CreateConversationInput!) { createConversation(input: $i) {
             ... on CreateConversationSuccess { conversation { id } } } }""",
        {"i": {"participants": [bob_id]}},
        alice_token,
    )["createConversation"]["conversation"]["id"]
    return alice_token, conversation


def alice_writes_to_bob(browsing: Browsing) -> Callable[[str], None]:
    """alice_and_bob_talk, then alice's send into their conversation (over the API)."""
    alice_token, conversation = alice_and_bob_talk(browsing)

    def send(text: str) -> None:
        browsing.graphql(
            """mutation($i: SendMessageInput!) { sendMessage(input: $i) { ... on Message { id } } }""",
            {"i": {"conversation": conversation, "text": text}},
            alice_token,
        )

    return send


def test_two_users_chat_live_and_a_reload_restores_the_view(browsing: Browsing) -> None:
    browsing.register("alice")
    browsing.register("bob")

    # a wrong password: an error on the form, still logged out
    page = browsing.page()
    page.goto(browsing.base + "/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    alert = page.locator("#auth-error")
    alert.wait_for(state="visible")
    assert "password" in alert.inner_text().lower()
    assert page.evaluate("localStorage.getItem('parley.token')") is None
    screenshot(page, "login-error")
    page.close()

    alice = log_in(browsing, "alice")
    bob = log_in(browsing, "bob")

    alice.get_by_label("New conversation with").fill("bob")
    alice.get_by_role("button", name="Start").click()
    alice.get_by_role("heading", name="Bob").wait_for()
    alice.get_by_label("Message", exact=True).fill("Hello Bob")
    alice.get_by_label("Message", exact=True).press("Enter")
    alice.locator(".message .text", has_text="Hello Bob").wait_for()

    # Bob's sidebar learns of it live, with an unread count
    bob.locator(".conversations a", has_text="Alice").locator(".badge", has_text="1").wait_for()
    bob.locator(".conversations a", has_text="Alice").click()
    bob.locator(".message .text", has_text="Hello Bob").wait_for()
    bob.get_by_label("Message", exact=True).fill("Hi Alice")
    bob.get_by_role("button", name="Send").click()

    alice.locator(".message .text", has_text="Hi Alice").wait_for()
    assert messages_of(alice) == ["Hello Bob", "Hi Alice"]
    screenshot(alice, "conversation")

    alice.reload()
    alice.locator(".message .text", has_text="Hi Alice").wait_for()
    assert messages_of(alice) == ["Hello Bob", "Hi Alice"]
    assert alice.get_by_role("heading", name="Bob").count() == 1


def test_after_a_network_drop_the_missed_messages_appear_once(browsing: Browsing) -> None:
    send = alice_writes_to_bob(browsing)
    send("before the drop")
    bob = log_in(browsing, "bob")
    bob.locator(".conversations a", has_text="Alice").click()
    bob.locator(".message .text", has_text="before the drop").wait_for()

    bob.context.set_offline(True)
    bob.locator("body[data-connection='offline']").wait_for()
    send("sent while offline 1")
    send("sent while offline 2")
    assert messages_of(bob) == ["before the drop"]

    bob.context.set_offline(False)
    bob.locator(".message .text", has_text="sent while offline 2").wait_for()
    bob.locator("body[data-connection='live']").wait_for()
    send("after the reconnect")
    bob.locator(".message .text", has_text="after the reconnect").wait_for()
    assert messages_of(bob) == [
        "before the drop",
        "sent while offline 1",
        "sent while offline 2",
        "after the reconnect",
    ]


def test_scrolling_up_loads_older_pages_by_cursor(browsing: Browsing) -> None:
    alice_token, conversation = alice_and_bob_talk(browsing)
    texts = [f"message {n:02}" for n in range(65)]
    sent = browsing.graphql(
        "mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { __typename } }",
        {"i": [{"conversation": conversation, "text": t} for t in texts]},
        alice_token,
    )
    assert {r["__typename"] for r in sent["sendMessages"]} == {"Message"}

    bob = log_in(browsing, "bob")
    bob.locator(".conversations a", has_text="Alice").click()
    bob.locator(".message .text", has_text="message 64").wait_for()
    assert messages_of(bob) == texts[-30:]  # one page, the newest, oldest at the top
    for shown in (60, 65):
        bob.locator(".log").evaluate("log => { log.scrollTop = 0; }")
        bob.wait_for_function(f"() => document.querySelectorAll('.messages .message').length === {shown}")
    assert messages_of(bob) == texts
    assert bob.get_by_role("button", name="Load older messages").is_hidden()


def test_keyboard_only_and_every_control_is_labelled(browsing: Browsing) -> None:
    alice_token, _ = browsing.register("alice")
    _, bob_id = browsing.register("bob")
    browsing.graphql(
        """mutation($i: CreateConversationInput!) { createConversation(input: $i) { __typename } }""",
        {"i": {"participants": [bob_id]}},
        alice_token,
    )
    page = browsing.page()
    page.goto(browsing.base + "/")
    page.get_by_label("Username").wait_for()
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("bob")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("password-123")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Log out").wait_for()

    unlabelled = """() => [...document.querySelectorAll('input, textarea, button, a')].filter(el =>
        el.offsetParent !== null && !((el.labels && el.labels.length) || el.getAttribute('aria-label')
        || el.textContent.trim())).map(el => el.outerHTML)"""
    assert page.evaluate(unlabelled) == []

    # Tab from the top reaches the conversation link; Enter opens it and focus moves to its title
    assert page.evaluate("document.querySelector('a, button, input').textContent") == "Skip to messages"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("(document.activeElement.getAttribute('href') || '').startsWith('#/c/')"):
            break
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Alice").wait_for()
    page.wait_for_function("() => document.activeElement.id === 'place-title'")
    assert page.evaluate(unlabelled) == []
    page.get_by_label("Message", exact=True).focus()
    page.keyboard.type("typed with the keyboard")
    page.keyboard.press("Enter")
    page.locator(".message .text", has_text="typed with the keyboard").wait_for()


def test_a_logout_elsewhere_returns_to_the_login_screen(browsing: Browsing) -> None:
    browsing.register("alice")
    alice = log_in(browsing, "alice")
    token = alice.evaluate("localStorage.getItem('parley.token')")
    logged_out = browsing.graphql("mutation { logout { __typename } }", token=token)
    assert logged_out["logout"]["__typename"] == "LogoutSuccess"
    # the server closes the socket (4401); the client forgets the token and asks to log in
    alice.get_by_role("button", name="Log in").wait_for()
    assert alice.evaluate("localStorage.getItem('parley.token')") is None


def test_register_log_out_and_log_in_again(browsing: Browsing) -> None:
    browsing.register("taken")
    page = browsing.page()
    page.goto(browsing.base + "/")
    page.get_by_role("button", name="Create an account").click()
    page.get_by_label("Username").fill("taken")
    page.get_by_label("Password").fill("password-123")
    page.get_by_role("button", name="Create account").click()
    page.locator("#auth-error").wait_for(state="visible")  # a ConflictError, shown on the form
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Display name (optional)").fill("Carol C.")
    page.get_by_role("button", name="Create account").click()
    page.locator(".who", has_text="Carol C.").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()
    assert page.evaluate("localStorage.getItem('parley.token')") is None
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("password-123")
    page.get_by_role("button", name="Log in").click()
    page.locator(".who", has_text="Carol C.").wait_for()


def test_a_socket_that_stops_answering_is_replaced_and_resumes(browsing: Browsing) -> None:
    """A half-open socket (a laptop that slept, a dead network path) looks open to the browser:
    the client's unanswered keep-alive ping closes it, and it resumes from its cursor."""
    send = alice_writes_to_bob(browsing)
    send("hello")
    sockets: list[dict[str, bool]] = []

    def relay(route: Any) -> None:  # between the page and the server, unless frozen
        server = route.connect_to_server()
        state = {"frozen": False}
        sockets.append(state)
        route.on_message(lambda m: None if state["frozen"] else server.send(m))
        server.on_message(lambda m: None if state["frozen"] else route.send(m))

    context = browsing.session()
    context.route_web_socket("**/graphql", relay)
    bob = browsing.page(context)
    bob.goto(browsing.base + "/")
    bob.get_by_label("Username").fill("bob")
    bob.get_by_label("Password").fill("password-123")
    bob.get_by_role("button", name="Log in").click()
    bob.locator("body[data-connection='live']").wait_for()
    bob.locator(".conversations a", has_text="Alice").click()
    bob.locator(".message .text", has_text="hello").wait_for()

    sockets[-1]["frozen"] = True  # nothing passes any more, and nothing closes
    send("sent into the void")
    bob.locator(".message .text", has_text="sent into the void").wait_for(timeout=40_000)
    assert len(sockets) == 2
    assert messages_of(bob) == ["hello", "sent into the void"]
