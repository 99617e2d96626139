"""Topics: create (with missing ancestors), access grants, parameters, private spaces."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from app.access.places import (
    ADMIN,
    READ,
    access_topic,
    access_topic_parent,
    require_viewer,
    topic_level,
)
from app.actions.validation import check_optional_text
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.core.settings import Settings
from app.domain.errors import Conflict, Forbidden, InvalidInput, LimitExceeded, NotFound
from app.domain.global_ids import to_global_id
from app.domain.topic_paths import (
    PRIVATE_ROOT,
    ancestors,
    normalize,
    private_owner,
    private_space,
    tasks_topic,
)
from app.models import Topic, User, utcnow
from app.store import groups as group_store
from app.store import topics as topic_store
from app.store import users as user_store

ROLES = {"READ": READ, "WRITE": 2, "ADMIN": ADMIN}
BOOLEAN_PARAMETERS = (
    "can_force_date",
    "can_update_message",
    "can_update_all_messages",
    "can_delete_message",
    "can_delete_all_messages",
    "admin_can_update_all_messages",
    "admin_can_delete_all_messages",
)


async def _insert(
    uow: UnitOfWork,
    settings: Settings,
    path: str,
    parent: Topic | None,
    *,
    description: str | None = None,
    read_only: bool = False,
) -> Topic:
    topic = await topic_store.insert_topic(
        uow.session,
        path=path,
        parent_id=parent.id if parent else None,
        description=description,
        read_only=read_only,
        max_length=settings.max_message_length,
        max_replies=settings.max_replies_default,
        now=utcnow(),
    )
    if parent is not None:
        assert parent.id is not None and topic.id is not None
        await topic_store.copy_grants(uow.session, from_topic_id=parent.id, to_topic_id=topic.id)
    return topic


async def do_create_topic(
    uow: UnitOfWork,
    settings: Settings,
    viewer: Viewer | None,
    *,
    path: str,
    description: str | None,
    read_only: bool,
) -> Topic:
    viewer = require_viewer(viewer)
    path = normalize(path)
    description = check_optional_text(description, field="description", max_length=500)
    owner = private_owner(path)
    if path == PRIVATE_ROOT or (owner is not None and owner.lower() != viewer.username.lower()):
        raise Forbidden("Private spaces are created for each user by the server.", parameter="private")
    chain = ancestors(path)
    existing = await topic_store.topics_by_paths(uow.session, paths=[*chain, path])
    nearest = await access_topic_parent(uow.session, viewer, path, existing)
    if path in existing:
        raise Conflict(f"Topic {path} exists.", field="path")
    parent = nearest
    for missing in [p for p in chain if p not in existing] + [path]:
        final = missing == path
        parent = await _insert(
            uow,
            settings,
            missing,
            parent,
            description=description if final else None,
            read_only=read_only if final else False,
        )
        assert parent.id is not None
        await topic_store.grant(
            uow.session,
            topic_ids=[parent.id],
            kind=topic_store.USER,
            principal_ids=[viewer.user_id],
            role=ADMIN,
        )
    assert parent is not None
    return parent


async def ensure_private_space(uow: UnitOfWork, settings: Settings, user: User) -> None:
    """/Private/<username> and its Tasks topic, readable and writable by that user only."""
    assert user.id is not None
    root = await topic_store.get_topic_by_path(uow.session, path=PRIVATE_ROOT)
    if root is None:
        root = await _insert(uow, settings, PRIVATE_ROOT, None)
    parent = root
    for path in (private_space(user.username), tasks_topic(user.username)):
        topic = await topic_store.get_topic_by_path(uow.session, path=path)
        if topic is None:
            topic = await _insert(uow, settings, path, None if parent is None else parent)
            assert topic.id is not None
            await topic_store.grant(
                uow.session, topic_ids=[topic.id], kind=topic_store.USER, principal_ids=[user.id], role=ADMIN
            )
        parent = topic


async def _check_principals(uow: UnitOfWork, users: Sequence[int], groups: Sequence[int]) -> None:
    found_users = await user_store.users_by_ids(uow.session, ids=list(users))
    for u in users:
        if u not in found_users:
            raise NotFound("Unknown user.", id=to_global_id("User", u))
    found_groups = await group_store.groups_by_ids(uow.session, ids=list(groups))
    for g in groups:
        if g not in found_groups:
            raise NotFound("Unknown group.", id=to_global_id("Group", g))


async def do_set_topic_access(
    uow: UnitOfWork,
    viewer: Viewer | None,
    *,
    path: str,
    role: str,
    user_ids: Sequence[int],
    group_ids: Sequence[int],
    revoke: bool,
    recursive: bool,
) -> tuple[Topic, int]:
    """Grant or revoke; returns the topic and how many topics changed."""
    viewer = require_viewer(viewer)
    topic, _ = await access_topic(uow.session, viewer, path, need=ADMIN)
    if not user_ids and not group_ids:
        raise InvalidInput("Name at least one user or group.", field="users")
    await _check_principals(uow, user_ids, group_ids)
    topic_ids = [topic.id]
    if recursive:
        below = await topic_store.descendant_ids(uow.session, path=topic.path)
        below_topics = await topic_store.topics_by_ids(uow.session, ids=below)
        grants = await topic_store.grants_by_topic_ids(uow.session, ids=below)
        topic_ids = [i for i, t in below_topics.items() if topic_level(viewer, t, grants.get(i, [])) >= ADMIN]
    change = topic_store.revoke if revoke else topic_store.grant
    for kind, ids in ((topic_store.USER, user_ids), (topic_store.GROUP, group_ids)):
        if ids:
            await change(uow.session, topic_ids=topic_ids, kind=kind, principal_ids=ids, role=ROLES[role])  # type: ignore[arg-type]
    return topic, len(topic_ids)


def _check_extra(extra: Any) -> dict[str, Any]:
    if not isinstance(extra, dict) or not all(isinstance(k, str) and k for k in extra):
        raise InvalidInput("`extra` must be an object with non-empty string keys.", field="extra")
    if len(json.dumps(extra)) > 4096:
        raise LimitExceeded("`extra` may take at most 4096 bytes as JSON.", limit=4096, field="extra")
    return extra


async def do_set_topic_parameters(
    uow: UnitOfWork, settings: Settings, viewer: Viewer | None, *, path: str, values: dict[str, Any]
) -> Topic:
    viewer = require_viewer(viewer)
    topic, _ = await access_topic(uow.session, viewer, path, need=ADMIN)
    changes: dict[str, Any] = {}
    if values.get("max_length") is not None:
        if not 1 <= values["max_length"] <= settings.max_message_length:
            raise InvalidInput(f"maxLength must be 1..{settings.max_message_length}.", field="maxLength")
        changes["max_length"] = values["max_length"]
    if values.get("max_replies") is not None:
        if values["max_replies"] < 0:
            raise InvalidInput("maxReplies must not be negative.", field="maxReplies")
        changes["max_replies"] = values["max_replies"]
    for name in BOOLEAN_PARAMETERS:
        if values.get(name) is not None:
            changes[name] = bool(values[name])
    if values.get("extra") is not None:
        changes["extra"] = _check_extra(values["extra"])
    if not changes:
        raise InvalidInput("Nothing to change.", field="topic")
    assert topic.id is not None
    await topic_store.update_parameters(uow.session, topic_id=topic.id, values=changes)
    for name, value in changes.items():
        setattr(topic, name, value)
    return topic
