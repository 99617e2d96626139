"""The schema: root types merged, limits and error masking from settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule, ValidationContext
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from app.core.settings import Settings
from app.graphql.error_types import ERROR_TYPES, EXCEPTION_HANDLERS, MaskUnexpectedErrors, log_expected_errors
from app.graphql.executor import ParleyExecutor
from app.graphql.extensions.announcement_gate import AnnouncementGate
from app.graphql.extensions.query_cost import QueryCost
from app.graphql.extensions.read_snapshot import ReadSnapshot
from app.graphql.extensions.runner import LeanExtensionsRunner
from app.graphql.fast_resolvers import call_resolvers_directly
from app.graphql.input_guard import guard_arguments
from app.graphql.mutations.accounts import AccountMutations
from app.graphql.mutations.conversations import ConversationMutations
from app.graphql.mutations.groups import GroupMutations
from app.graphql.mutations.message_actions import MessageActionMutations
from app.graphql.mutations.messages import MessageMutations
from app.graphql.mutations.notices import NoticeMutations
from app.graphql.mutations.topics import TopicMutations
from app.graphql.root_query import Query
from app.graphql.scalars import SCALAR_MAP
from app.graphql.subscriptions import Subscription
from app.graphql.types.announcements import Announcement
from app.graphql.types.conversations import Conversation
from app.graphql.types.groups import Group
from app.graphql.types.messages import Message
from app.graphql.types.topics import Topic
from app.graphql.types.users import User

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


class SafeParserCache(ParserCache):
    """ParserCache parses in `on_parse` before strawberry's own error handling: a syntax error
    raised there escapes `schema.subscribe`, and the websocket got a bare `complete`. On an error
    leave the document unparsed: strawberry parses it again where it turns errors into results."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        except GraphQLError:
            context.graphql_document = None
        yield


class ParleySchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context, extensions)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # Over plain HTTP a subscription would run as a query and fail as INTERNAL: refuse it
        # (strawberry answers 400); websockets use `stream`, which this leaves alone.
        allowed = kwargs.get("allowed_operation_types")
        if allowed is not None:
            kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        return await super().execute(*args, **kwargs)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # strawberry logs every error as ERROR with a traceback; see log_expected_errors
        context = execution_context.context if execution_context else None
        log_expected_errors(errors, str(getattr(context, "request_id", "-")))


def without_recursion_errors(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """strawberry's depth limiter follows fragment spreads recursively: a chain of 300 fragments
    raised RecursionError, answered as a bare "maximum recursion depth exceeded". Report it as
    the invalid document it is."""

    class Guarded(rule):  # type: ignore[valid-type,misc]
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(context)
            except RecursionError:
                ASTValidationRule.__init__(self, context)
                context.report_error(GraphQLError("The document nests fragments too deeply."))

    Guarded.__name__ = f"Guarded{rule.__name__}"
    return Guarded


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are built once: strawberry's ValidationCache keys on the rule classes, so
    # rules built per request (a QueryDepthLimiter factory) would never hit it.
    rules = [
        *map(
            without_recursion_errors, QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules
        ),
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    if settings.is_production:
        rules.append(NoSchemaIntrospectionCustomRule)
    # Factories, so every operation gets fresh extension instances; both caches live at module level.
    extensions: list = [
        MaskUnexpectedErrors,
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: SafeParserCache(maxsize=PARSE_CACHE_SIZE),
        lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
        QueryCost,  # before ReadSnapshot: an operation over budget reads nothing
        ReadSnapshot,
    ]
    if settings.announcement_gate:
        extensions.append(AnnouncementGate)
    schema = ParleySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[User, Group, Message, Conversation, Topic, Announcement, *ERROR_TYPES],
        extensions=extensions,
        exception_handlers=EXCEPTION_HANDLERS,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
        execution_context_class=ParleyExecutor,
    )
    call_resolvers_directly(schema)
    guard_arguments(schema._schema)  # after: it wraps whichever resolver a field ends up with
    return schema
