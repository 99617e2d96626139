"""The web client's topic tree, message actions seen live by another user, the inbox with an
announcement to confirm, and the 360-pixel-wide layout; screenshots for the README."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Browsing, screenshot
from tests.browser.test_web_client import log_in, messages_of
from tests.conftest import ADMIN_PASSWORD

pytestmark = [pytest.mark.once, pytest.mark.slow]


def set_up(browsing: Browsing) -> tuple[str, str]:
    """As admin: topics /Team and /Team/general open to alice and bob, two messages in it, a
    notice and an announcement to confirm for alice."""
    _, alice = browsing.register("alice")
    _, bob = browsing.register("bob")
    admin = browsing.graphql(
        'mutation($p: String!) { login(input: {username: "admin", password: $p}) { ... on LoginSuccess { token } } }',
        {"p": ADMIN_PASSWORD},
    )["login"]["token"]
    for path in ("/Team", "/Team/general", "/Team/random"):
        created = browsing.graphql(
            "mutation($p: String!) { createTopic(input: {path: $p}) { __typename } }", {"p": path}, admin
        )
        assert created["createTopic"]["__typename"] == "CreateTopicSuccess", created
    granted = browsing.graphql(
        """mutation($u: [ID!]) { setTopicAccess(input: {topic: "/Team", role: WRITE, users: $u, recursive: true}) {
             __typename } }""",
        {"u": [alice, bob]},
        admin,
    )
    assert granted["setTopicAccess"]["__typename"] == "SetTopicAccessSuccess", granted
    for text in ("Standup at 9:30", "Release notes are out"):
        sent = browsing.graphql(
            'mutation($t: String!) { sendMessage(input: {topic: "/Team/general", text: $t}) { __typename } }',
            {"t": text},
            admin,
        )
        assert sent["sendMessage"]["__typename"] == "Message", sent
    group = browsing.graphql(
        'mutation($m: [ID!]) { createGroup(input: {name: "staff", members: $m}) { ... on CreateGroupSuccess { group { id } } } }',
        {"m": [alice]},
        admin,
    )["createGroup"]["group"]["id"]
    published = browsing.graphql(
        """mutation($a: [ID!]) { publishAnnouncement(input: {
             title: [{locale: "en", text: "Maintenance on Sunday"}],
             body: [{locale: "en", text: "Parley restarts at 6:00 UTC."}],
             confirmation: [{locale: "en", text: "I have read it"}], audience: $a}) { __typename } }""",
        {"a": [group]},
        admin,
    )
    assert published["publishAnnouncement"]["__typename"] == "PublishAnnouncementSuccess", published
    noticed = browsing.graphql(
        'mutation($u: [ID!]) { sendNotice(input: {users: $u, text: "Welcome to Parley, Alice"}) { __typename } }',
        {"u": [alice]},
        admin,
    )
    assert noticed["sendNotice"]["__typename"] == "SendNoticeSuccess", noticed
    return str(admin), str(group)


def open_topic(page: Any, name: str) -> None:
    page.locator(".topics a", has_text=name).click()
    page.get_by_role("heading", name=f"/Team/{name}").wait_for()


def message(page: Any, text: str) -> Any:
    return page.locator(".message", has=page.locator(".text", has_text=text))


def test_topic_actions_reach_another_user_live_and_the_inbox_confirms(browsing: Browsing) -> None:
    admin, staff = set_up(browsing)
    alice = log_in(browsing, "alice")
    bob = log_in(browsing, "bob")
    alice.locator(".topics a", has_text="general").locator(".badge", has_text="2").wait_for()
    open_topic(alice, "general")
    open_topic(bob, "general")
    for page in (alice, bob):
        page.locator(".message .text", has_text="Release notes are out").wait_for()
    assert messages_of(alice) == ["Standup at 9:30", "Release notes are out"]

    # like, vote, label and react on someone else's message
    standup = message(alice, "Standup at 9:30")
    standup.get_by_role("button", name="Like").click()
    message(alice, "Standup at 9:30").get_by_role("button", name="Unlike").wait_for()
    message(alice, "Standup at 9:30").get_by_role("button", name="Vote up").click()
    message(alice, "Standup at 9:30").locator("[aria-label='Vote up'][aria-pressed='true']").wait_for()
    alice.once("dialog", lambda dialog: dialog.accept("urgent"))
    message(alice, "Standup at 9:30").get_by_role("button", name="Add a label").click()
    message(alice, "Standup at 9:30").locator(".label", has_text="urgent").wait_for()
    message(alice, "Standup at 9:30").get_by_role("button", name="React with 👍").click()
    message(bob, "Standup at 9:30").locator(".act", has_text="👍 1").wait_for()  # live for bob
    message(bob, "Standup at 9:30").locator(".label", has_text="urgent").wait_for()

    # reply, edit and delete her own
    message(alice, "Release notes are out").get_by_role("button", name="Reply to Admin").click()
    alice.get_by_label("Message", exact=True).fill("Thanks, reading them")
    alice.get_by_label("Message", exact=True).press("Enter")
    message(bob, "Thanks, reading them").locator(".quote", has_text="Release notes are out").wait_for()
    message(alice, "Thanks, reading them").get_by_role("button", name="Edit").click()
    alice.get_by_label("Message", exact=True).fill("Thanks, read them all")
    alice.get_by_role("button", name="Save").click()
    message(bob, "Thanks, read them all").locator(".edited").wait_for()  # the edit, live
    alice.get_by_role("button", name="Send").wait_for()  # the composer is back to sending
    alice.get_by_label("Message", exact=True).fill("A typo")
    alice.get_by_role("button", name="Send").click()
    message(bob, "A typo").wait_for()
    alice.once("dialog", lambda dialog: dialog.accept())
    message(alice, "A typo").get_by_role("button", name="Delete").click()
    message(bob, "A typo").wait_for(state="detached")  # the deletion, live
    assert messages_of(bob) == ["Standup at 9:30", "Release notes are out", "Thanks, read them all"]
    assert messages_of(alice) == messages_of(bob)
    screenshot(alice, "topic")

    # the inbox: a notice and an announcement to confirm
    alice.get_by_role("link", name="Inbox").click()
    alice.get_by_role("heading", name="Inbox").wait_for()
    alice.locator(".message .text", has_text="Welcome to Parley, Alice").wait_for()
    screenshot(alice, "inbox")
    alice.get_by_role("button", name="I have read it").click()
    alice.locator(".confirmed").wait_for()
    pending = browsing.graphql  # the server agrees: nothing left to confirm
    token = alice.evaluate("localStorage.getItem('parley.token')")
    assert pending("{ announcements(pendingOnly: true) { totalCount } }", token=token)["announcements"] == {
        "totalCount": 0
    }
    # a new announcement reaches the inbox link live (its subscription, not messageEvents)
    alice.locator(".inbox-link .badge.pending").wait_for(state="detached")
    published = browsing.graphql(
        """mutation($a: [ID!]) { publishAnnouncement(input: {
             title: [{locale: "en", text: "New rooms"}], body: [{locale: "en", text: "See /Team."}],
             confirmation: [{locale: "en", text: "Got it"}], audience: $a}) { __typename } }""",
        {"a": [staff]},
        admin,
    )
    assert published["publishAnnouncement"]["__typename"] == "PublishAnnouncementSuccess", published
    alice.locator(".inbox-link .badge.pending").wait_for()


def test_a_360_pixel_wide_screen_shows_list_then_conversation(browsing: Browsing) -> None:
    set_up(browsing)
    phone = log_in(browsing, "bob", width=360, height=740)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "mobile-list")
    open_topic(phone, "general")
    assert phone.locator(".sidebar").is_hidden()
    phone.get_by_label("Message", exact=True).fill("From my phone")
    phone.get_by_role("button", name="Send").click()
    message(phone, "From my phone").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "mobile-topic")
    phone.get_by_role("link", name="Back to the list").click()
    phone.locator(".sidebar").wait_for()


def test_a_thread_opens_from_its_reply_count_and_takes_replies(browsing: Browsing) -> None:
    set_up(browsing)
    alice = log_in(browsing, "alice")
    bob = log_in(browsing, "bob")
    open_topic(alice, "general")
    message(alice, "Release notes are out").get_by_role("button", name="Reply to Admin").click()
    alice.get_by_label("Message", exact=True).fill("Which version?")
    alice.get_by_label("Message", exact=True).press("Enter")
    message(alice, "Release notes are out").get_by_role("link", name="1 reply").click()
    alice.get_by_role("heading", name="Thread: Administrator").wait_for()
    alice.locator(".log .message .text", has_text="Which version?").wait_for()

    bob.goto(alice.url)  # the same thread, by its address
    bob.locator(".log .message .text", has_text="Which version?").wait_for()
    bob.get_by_label("Message", exact=True).fill("2.0, out today")
    bob.get_by_role("button", name="Send").click()
    alice.locator(".log .message .text", has_text="2.0, out today").wait_for()  # live, in the thread
    assert alice.locator(".thread-root .text").inner_text() == "Release notes are out"
    assert messages_of(alice) == ["Which version?", "2.0, out today"]
    screenshot(alice, "thread")
