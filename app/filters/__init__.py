"""One filter language, in one place: the spec (spec.py), its SQL (sql.py) and the same predicate
evaluated on a live event (events.py). tests/actions/test_filter_equivalence.py keeps the two
implementations in agreement."""

from app.filters.predicate import MessageFacts, matches, matches_place
from app.filters.spec import MessageFilterSpec
from app.filters.sql import filter_condition_forms, filter_conditions, readable_messages_clause, tagged_count

__all__ = [
    "MessageFacts",
    "MessageFilterSpec",
    "filter_condition_forms",
    "filter_conditions",
    "matches",
    "matches_place",
    "readable_messages_clause",
    "tagged_count",
]
