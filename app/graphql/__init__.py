"""The GraphQL API: the only package importing strawberry; it never imports SQL libraries."""
