"""Alembic runs migrations on the connection the app hands it (see ``verp.core.store.migrate``)."""

from alembic import context

from verp.core.models import Base


def include_name(name, type_, parent_names) -> bool:
    """procrastinate's tables (on PostgreSQL) are its own: autogenerate leaves them alone."""
    return not (type_ == "table" and name and name.startswith("procrastinate_"))


connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
