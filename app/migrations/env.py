"""Alembic environment: the connection is handed in by app.core.migrate."""

from alembic import context

from app.core.migrate import include_object
from app.models import SQLModel

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `parley migrate` (it supplies the connection).")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
