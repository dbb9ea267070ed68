"""Alembic runs migrations on the connection the app hands it (see ``verp.core.store.migrate``)."""

from alembic import context

from verp.core.models import Base

connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
