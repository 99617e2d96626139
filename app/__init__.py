"""Parley: a GraphQL messaging server."""
