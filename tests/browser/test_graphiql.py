"""GraphiQL served by Parley from vendored assets: a query and a subscription run in a real
browser with no request leaving the server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Browsing, screenshot

pytestmark = [pytest.mark.once, pytest.mark.slow]


def set_editor(page: Any, selector: str, text: str) -> None:
    page.eval_on_selector(f"{selector} .CodeMirror", "(el, text) => el.CodeMirror.setValue(text)", text)


def result_text(page: Any) -> str:
    return str(page.eval_on_selector(".result-window .CodeMirror", "el => el.CodeMirror.getValue()"))


def test_graphiql_runs_a_query_and_a_subscription_offline(browsing: Browsing) -> None:
    alice, _ = browsing.register("alice")
    bob, bob_id = browsing.register("bob")
    conversation = browsing.graphql(
        """mutation($i: CreateConversationInput!) { createConversation(input: $i) {
             ... on CreateConversationSuccess { conversation { id } } } }""",
        {"i": {"participants": [bob_id]}},
        alice,
    )["createConversation"]["conversation"]["id"]

    page = browsing.page()
    page.goto(f"{browsing.base}/graphql")
    page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    assert page.locator("[aria-label='Show GraphiQL Explorer']").count() == 1  # the explorer plugin
    page.click("button:text-is('Headers')")
    set_editor(
        page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", f'{{"Authorization": "Bearer {bob}"}}'
    )
    set_editor(page, ".graphiql-query-editor", "{ viewer { username } }")
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue().includes('bob')"
    )
    assert '"username": "bob"' in result_text(page)

    # from a cursor read now, so the message below arrives however late the subscription starts
    cursor = browsing.graphql("{ eventCursor }", token=bob)["eventCursor"]
    set_editor(
        page,
        ".graphiql-query-editor",
        f'subscription {{ messageEvents(after: "{cursor}") {{ kind message {{ text author {{ username }} }} }} }}',
    )
    page.wait_for_timeout(500)  # GraphiQL parses the editor after a debounce; a stale parse POSTs it
    with page.expect_websocket():
        page.click(".graphiql-execute-button")
    browsing.graphql(
        """mutation($i: SendMessageInput!) { sendMessage(input: $i) { ... on Message { id } } }""",
        {"i": {"conversation": conversation, "text": "seen in GraphiQL"}},
        alice,
    )
    page.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue().includes('seen in GraphiQL')"
    )
    assert '"username": "alice"' in result_text(page)
    screenshot(page, "graphiql")

    # GraphiQL runs one operation at a time, across its tabs; a second window (same browser
    # profile) runs queries as alice while bob's subscription goes on in the first
    other = browsing.page(page.context)
    other.goto(f"{browsing.base}/graphql")
    other.wait_for_selector(".graphiql-query-editor .CodeMirror")
    other.click("button:text-is('Headers')")
    set_editor(
        other, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", f'{{"Authorization": "Bearer {alice}"}}'
    )
    set_editor(other, ".graphiql-query-editor", "{ viewer { username } }")
    other.wait_for_timeout(500)
    other.click(".graphiql-execute-button")
    other.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue().includes('alice')"
    )
    browsing.graphql(
        """mutation($i: SendMessageInput!) { sendMessage(input: $i) { ... on Message { id } } }""",
        {"i": {"conversation": conversation, "text": "still watching"}},
        alice,
    )
    page.wait_for_function(
        "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue().includes('still watching')"
    )
