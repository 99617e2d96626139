"""Table models (SQLModel, table=True) and nothing else, one module per area."""

from sqlmodel import SQLModel

from app.models.base import UTCDateTime, utcnow
from app.models.events import (
    Announcement,
    AnnouncementAudience,
    AnnouncementConfirmation,
    AnnouncementText,
    Event,
    EventCounter,
)
from app.models.messages import (
    Attachment,
    Message,
    MessageDelivery,
    MessageLabel,
    MessageLike,
    MessageMention,
    MessageRead,
    MessageRecipient,
    MessageRevision,
    MessageTag,
    MessageTranslation,
    MessageVote,
    Reaction,
)
from app.models.people import AuthToken, Group, GroupMember, User, UserRight
from app.models.places import Conversation, ConversationParticipant, Topic, TopicAccess

__all__ = [
    "Announcement",
    "AnnouncementAudience",
    "AnnouncementConfirmation",
    "AnnouncementText",
    "Attachment",
    "AuthToken",
    "Conversation",
    "ConversationParticipant",
    "Event",
    "EventCounter",
    "Group",
    "GroupMember",
    "Message",
    "MessageDelivery",
    "MessageLabel",
    "MessageLike",
    "MessageMention",
    "MessageRead",
    "MessageRecipient",
    "MessageRevision",
    "MessageTag",
    "MessageTranslation",
    "MessageVote",
    "Reaction",
    "SQLModel",
    "Topic",
    "TopicAccess",
    "UTCDateTime",
    "User",
    "UserRight",
    "utcnow",
]
