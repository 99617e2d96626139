"""The schema: root types merged, limits and error masking from settings."""

from __future__ import annotations

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from app.graphql.errors import ERROR_TYPES, EXCEPTION_HANDLERS, MaskUnexpectedErrors
from app.graphql.gate import AnnouncementGate
from app.graphql.mutations.accounts import AccountMutations
from app.graphql.mutations.conversations import ConversationMutations
from app.graphql.mutations.groups import GroupMutations
from app.graphql.mutations.message_actions import MessageActionMutations
from app.graphql.mutations.messages import MessageMutations
from app.graphql.mutations.notices import NoticeMutations
from app.graphql.mutations.topics import TopicMutations
from app.graphql.queries import Query
from app.graphql.snapshot import ReadSnapshot
from app.graphql.subscriptions import Subscription
from app.graphql.types.announcements import Announcement
from app.graphql.types.conversations import Conversation
from app.graphql.types.groups import Group
from app.graphql.types.messages import Message
from app.graphql.types.topics import Topic
from app.graphql.types.users import User
from app.settings import Settings

PARSE_CACHE_SIZE = 256
VALIDATION_CACHE_SIZE = 256


@strawberry.type
class Mutation(
    AccountMutations,
    GroupMutations,
    ConversationMutations,
    TopicMutations,
    MessageMutations,
    MessageActionMutations,
    NoticeMutations,
):
    pass


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are built once: strawberry's ValidationCache keys on the rule classes, so
    # rules built per request (a QueryDepthLimiter factory) would never hit it.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if settings.is_production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, so every operation gets fresh extension instances; both caches live at module level.
    extensions: list = [
        MaskUnexpectedErrors,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=PARSE_CACHE_SIZE),
        lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        ReadSnapshot,
    ]
    if settings.announcement_gate:
        extensions.append(AnnouncementGate)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Group, Message, Conversation, Topic, Announcement, *ERROR_TYPES],
        extensions=extensions,
        exception_handlers=EXCEPTION_HANDLERS,
        config=StrawberryConfig(auto_camel_case=True),
    )
