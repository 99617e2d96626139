"""Who may change or delete a message: conversation rules, or a topic's parameters."""

from __future__ import annotations

from app.access.places import ADMIN, WRITE, Place, topic_levels
from app.core.auth import Viewer
from app.core.db import UnitOfWork
from app.domain.errors import Forbidden
from app.models import Message
from app.store import topics as topic_store

__all__ = ["Place", "check_can_delete", "check_can_update", "place_of", "places_of"]


async def place_of(uow: UnitOfWork, viewer: Viewer, message: Message) -> Place:
    """The message's topic and the viewer's level there (two queries; see access_placed_message)."""
    if message.topic_id is None:
        return Place(None, 0)
    topic = (await topic_store.topics_by_ids(uow.session, ids=[message.topic_id]))[message.topic_id]
    level = (await topic_levels(uow.session, viewer, [topic]))[message.topic_id]
    return Place(topic, level)


def _check(
    viewer: Viewer, message: Message, place: Place, *, verb: str, own: str, all_: str, admin_all: str
) -> None:
    topic = place.topic
    if topic is None:  # a conversation: the author (or, for deletion, a system admin)
        if message.author_id == viewer.user_id or (verb == "delete" and viewer.is_admin):
            return
        raise Forbidden(f"Only the author may {verb} this message.", parameter="author")
    if place.level < WRITE:
        raise Forbidden(f"You may not {verb} messages in {topic.path}.", right="write")
    params = {p: getattr(topic, p) for p in (own, all_, admin_all)}
    if place.level >= ADMIN and params[admin_all]:
        return
    if message.author_id == viewer.user_id:
        if params[own] or params[all_]:
            return
        raise Forbidden(f"{topic.path} does not let authors {verb} their messages.", parameter=_camel(own))
    if params[all_]:
        return
    parameter = admin_all if place.level >= ADMIN else all_
    raise Forbidden(f"{topic.path} does not let you {verb} others' messages.", parameter=_camel(parameter))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def check_can_update(viewer: Viewer, message: Message, place: Place) -> None:
    _check(
        viewer,
        message,
        place,
        verb="edit",
        own="can_update_message",
        all_="can_update_all_messages",
        admin_all="admin_can_update_all_messages",
    )


def check_can_delete(viewer: Viewer, message: Message, place: Place) -> None:
    _check(
        viewer,
        message,
        place,
        verb="delete",
        own="can_delete_message",
        all_="can_delete_all_messages",
        admin_all="admin_can_delete_all_messages",
    )


async def places_of(uow: UnitOfWork, viewer: Viewer, messages: list[Message]) -> dict[int | None, Place]:
    """The place of each message's topic (None: conversations), in two queries whatever the count."""
    ids = list({m.topic_id for m in messages if m.topic_id is not None})
    topics = await topic_store.topics_by_ids(uow.session, ids=ids)
    levels = await topic_levels(uow.session, viewer, list(topics.values()))
    places: dict[int | None, Place] = {i: Place(t, levels[i]) for i, t in topics.items()}
    places[None] = Place(None, 0)
    return places
