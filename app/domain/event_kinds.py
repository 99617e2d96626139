"""EventKind: the one vocabulary of the event log, and which kinds are about messages or announcements.

The log stores a kind as its value (the same as its name); the GraphQL enums MessageEventKind and
AnnouncementEventKind are generated from the two families below, in this order.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # about a message (Subscription.messageEvents)
    ADDED = "ADDED"  # sent, or copied into a task list
    EDITED = "EDITED"  # its text changed, or it became a tombstone (data: {"deleted": true})
    MOVED = "MOVED"  # to another topic (data: fromTopicId)
    DELETED = "DELETED"
    LABELED = "LABELED"
    REACTED = "REACTED"
    LIKED = "LIKED"
    VOTED = "VOTED"
    READ = "READ"  # read by its actor: a read receipt in conversations, private elsewhere
    TASK = "TASK"  # the actor's task list gained or lost a copy of the message (private to them)
    # about an announcement (Subscription.announcementEvents)
    PUBLISHED = "PUBLISHED"  # a new announcement or a new version of one
    WITHDRAWN = "WITHDRAWN"  # deleted by its owner or an admin


ANNOUNCEMENT_KINDS: tuple[EventKind, ...] = (EventKind.PUBLISHED, EventKind.WITHDRAWN)
MESSAGE_KINDS: tuple[EventKind, ...] = tuple(k for k in EventKind if k not in ANNOUNCEMENT_KINDS)
