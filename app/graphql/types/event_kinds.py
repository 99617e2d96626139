"""MessageEventKind and AnnouncementEventKind, generated from the one EventKind (app.domain.event_kinds).

A kind added to the domain enum appears here in its family, in its place; only a description is
written in this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, cast

import strawberry

from app.domain.event_kinds import ANNOUNCEMENT_KINDS, MESSAGE_KINDS, EventKind

DESCRIPTIONS = {
    EventKind.TASK: "The viewer's task list gained or lost a copy of it (the viewer alone hears it).",
    EventKind.PUBLISHED: "A new announcement or a new version of one.",
    EventKind.WITHDRAWN: "Deleted by its owner or an admin.",
}


def kind_enum(name: str, kinds: Iterable[EventKind]) -> type[Enum]:
    """A GraphQL enum of these kinds, in their order; each value the name stored in the log."""
    members = {k.name: strawberry.enum_value(k.value, description=DESCRIPTIONS.get(k)) for k in kinds}
    generated = cast("type[Enum]", Enum(name, members))
    return strawberry.enum(generated)


if TYPE_CHECKING:  # for mypy both are the domain enum: built from its values, they accept a kind
    MessageEventKind = EventKind
    AnnouncementEventKind = EventKind
else:
    MessageEventKind = kind_enum("MessageEventKind", MESSAGE_KINDS)
    AnnouncementEventKind = kind_enum("AnnouncementEventKind", ANNOUNCEMENT_KINDS)
