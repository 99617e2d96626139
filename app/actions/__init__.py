"""Use cases: `check_*` validates and authorizes, `do_*` writes and records events.

The caller owns the transaction (a `UnitOfWork`); nothing here commits or publishes.
"""
