"""Counts of a text or substring search from the place tokens of the FTS5 index (or of the
trigram index) agree with the SQL filter.

Viewers who read a few topics (the topics are named), most topics (the others are left out)
or who fall back to the usual count (neither list short enough), with matches in topics,
conversations and inboxes, and after a message moved to another topic.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.actions import topics
from app.actions.accounts import do_create_user
from app.actions.conversations import do_create_conversation
from app.actions.messages import tat
from app.actions.messages.refs import Ref
from app.actions.messages.send import MessageDraft, do_send_message
from app.actions.notices import do_send_notice
from app.core.auth import ADMIN_RIGHT, Passwords, Viewer
from app.core.db import Database
from app.core.migrate import upgrade
from app.filters import MessageFilterSpec, filter_conditions
from app.models import Message
from app.queries import messages as messages_queries
from tests.conftest import make_settings


@pytest.mark.parametrize("named", [64, 2, 0])
async def test_text_counts_match_the_filter(tmp_path: Path, named: int) -> None:
    settings = make_settings(tmp_path, search_count_named_topics=named)
    db = Database(settings)
    await upgrade(db)
    viewers: dict[str, Viewer] = {}
    async with db.write() as uow:
        for name in ("root", "ann", "ben", "cid"):
            rights = (ADMIN_RIGHT,) if name == "root" else ()
            user = await do_create_user(
                uow, Passwords(settings), settings, username=name, password="password-123", rights=rights
            )
            assert user.id is not None
            viewers[name] = Viewer(user_id=user.id, username=name, rights=frozenset(rights))
        root = viewers["root"]
        for path in ("/A", "/B", "/C", "/D"):
            await topics.do_create_topic(uow, settings, root, path=path, description=None, read_only=False)
        for path, who in (("/A", "ann"), ("/B", "ann"), ("/C", "ann"), ("/A", "ben")):
            await topics.do_set_topic_access(
                uow,
                root,
                path=path,
                role="WRITE",
                user_ids=[viewers[who].user_id],
                group_ids=[],
                revoke=False,
                recursive=False,
            )
    sent = []
    async with db.write() as uow:
        for path in ("/A", "/A", "/B", "/C", "/D", "/Private/ann"):
            author = root if path != "/Private/ann" else viewers["ann"]
            message = await do_send_message(uow, settings, author, MessageDraft(path, f"deploy at {path}"))
            sent.append(message)
        await do_send_message(uow, settings, root, MessageDraft("/A", "nothing to see"))
        chat = await do_create_conversation(
            uow, settings, viewers["ann"], participant_ids=[viewers["cid"].user_id], title=None
        )
        await do_send_message(uow, settings, viewers["cid"], MessageDraft(chat.id or 0, "deploy now?"))
        await do_send_notice(
            uow,
            settings,
            root,
            user_ids=[viewers["ben"].user_id],
            group_ids=[],
            text="deploy window tonight",
            translations=[],
            parameters=[],
        )
    async with db.write() as uow:  # its place token follows it
        await tat.do_move(uow, root, ref=Ref(id=sent[4].id), to_topic="/A")
    checked = 0
    for viewer in viewers.values():
        texts = [MessageFilterSpec(text=t) for t in ("deploy", "depl tonight", "nothing", "absent")]
        substrings = [
            MessageFilterSpec(text_contains=t) for t in ("EPLO", "y at /a", "othi", "<t1>", "absent")
        ]
        for spec in texts + substrings:
            async with db.read() as session:
                where = await filter_conditions(session, viewer, spec)
                expected = len(list((await session.execute(select(Message.id).where(*where))).scalars()))
            assert await messages_queries.message_count(db, viewer, spec) == expected, (
                viewer.username,
                spec,
                named,
            )
            checked += expected > 0
    await db.dispose()
    assert checked >= 16
