"""Announcements (PUBLISHED / WITHDRAWN events carrying version, audience and owner; confirming
records nothing) and groups (rows only: group changes are not message events)."""

from __future__ import annotations

import dataclasses

from app.actions.announcements import AnnouncementDraft, do_confirm, do_delete, do_publish
from app.actions.groups import do_create_group, do_set_group_members
from app.models import (
    Announcement,
    AnnouncementAudience,
    AnnouncementConfirmation,
    AnnouncementText,
    Group,
    GroupMember,
)
from tests.actions.world import World


async def make_group(world: World, name: str = "ops") -> int:
    async with world.db.write() as uow:
        group = await do_create_group(
            uow, world.ann, name=name, member_ids=[world.ann.user_id, world.ben.user_id]
        )
    assert group.id is not None
    return group.id


async def test_create_a_group_and_set_its_members_without_events(world: World) -> None:
    start = await world.position()
    group = await make_group(world)
    (row,) = await world.rows(Group, id=group)
    assert (row.name, row.created_by) == ("ops", world.ann.user_id)
    members = {(m.user_id, m.is_admin) for m in await world.rows(GroupMember, group_id=group)}
    assert members == {(world.ann.user_id, True), (world.ben.user_id, False)}  # listed creator: admin member
    async with world.db.write() as uow:
        await do_set_group_members(
            uow, world.ann, group_id=group, add=[world.cid.user_id], remove=[world.ben.user_id]
        )
    members = {(m.user_id, m.is_admin) for m in await world.rows(GroupMember, group_id=group)}
    assert members == {(world.ann.user_id, True), (world.cid.user_id, False)}
    assert await world.events_after(start) == []


async def test_publish_a_new_version_confirm_and_withdraw(world: World) -> None:
    group = await make_group(world)
    start = await world.position()
    draft = AnnouncementDraft(
        title=[("en", "Maintenance")], body=[("en", "Tonight"), ("de", "Heute Nacht")], audience=[group]
    )
    async with world.db.write() as uow:
        announcement = await do_publish(uow, world.root, announcement_id=None, draft=draft)
    assert announcement.id is not None
    (row,) = await world.rows(Announcement, id=announcement.id)
    assert (row.version, row.owner_kind, row.owner_id) == (1, "user", world.root.user_id)
    texts = {
        (t.part, t.locale, t.text)
        for t in await world.rows(AnnouncementText, announcement_id=announcement.id)
    }
    assert texts == {("title", "en", "Maintenance"), ("body", "en", "Tonight"), ("body", "de", "Heute Nacht")}
    assert [a.group_id for a in await world.rows(AnnouncementAudience, announcement_id=announcement.id)] == [
        group
    ]
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.announcement_id, event.actor_id) == (
        "PUBLISHED",
        None,
        announcement.id,
        world.root.user_id,
    )
    assert event.data == {"version": 1, "audienceGroups": [group], "owner": ["user", world.root.user_id]}

    # a new version keeps the fields it does not give
    start = await world.position()
    async with world.db.write() as uow:
        await do_publish(
            uow,
            world.root,
            announcement_id=announcement.id,
            draft=AnnouncementDraft(title=[("en", "Maintenance moved")], given=frozenset({"title"})),
        )
    (row,) = await world.rows(Announcement, id=announcement.id)
    assert row.version == 2
    texts = {
        (t.part, t.locale, t.text)
        for t in await world.rows(AnnouncementText, announcement_id=announcement.id)
    }
    assert ("title", "en", "Maintenance moved") in texts and ("body", "de", "Heute Nacht") in texts
    (event,) = await world.events_after(start)
    assert (event.kind, event.announcement_id, event.data["version"]) == ("PUBLISHED", announcement.id, 2)

    # confirming writes a row and records no event
    start = await world.position()
    ben = dataclasses.replace(world.ben, group_ids=frozenset({group}))  # as authentication loads him
    async with world.db.write() as uow:
        await do_confirm(uow, ben, announcement_id=announcement.id, version=2)
    (confirmation,) = await world.rows(AnnouncementConfirmation, announcement_id=announcement.id)
    assert (confirmation.user_id, confirmation.version) == (world.ben.user_id, 2)
    assert await world.events_after(start) == []

    # withdrawing records the audience of that moment, then the rows go
    async with world.db.write() as uow:
        assert await do_delete(uow, world.root, announcement_id=announcement.id) == announcement.id
    assert await world.rows(Announcement, id=announcement.id) == []
    assert await world.rows(AnnouncementText, announcement_id=announcement.id) == []
    (event,) = await world.events_after(start)
    assert (event.kind, event.message_id, event.announcement_id, event.actor_id) == (
        "WITHDRAWN",
        None,
        announcement.id,
        world.root.user_id,
    )
    assert event.data == {"version": 2, "audienceGroups": [group], "owner": ["user", world.root.user_id]}
