"""Chat history on the product's database, through Chainlit's ``SQLAlchemyDataLayer``.

Chainlit reads and writes five tables (users, threads, steps, elements, feedbacks) with its
own SQL but leaves creating them to the application; ``ensure_tables`` does it (and adds
columns a newer Chainlit expects to tables an older one made). Where they live:

- SQLite (the default): ``{home}/chat.sqlite``, beside the agent's ``threads.sqlite``;
- PostgreSQL (``SIGNALDESK_DATABASE_URL``): the schema ``SIGNALDESK_UI_DB_SCHEMA`` (default
  ``chainlit``) of that database, so the generic table names never meet the product's tables.

JSON columns are TEXT on both backends: Chainlit binds them as JSON strings and reads them back
as such (its SQLite path), and its favourite-message query matches them with ``LIKE``.
Element payloads (charts, citations) go to ``ui.persistence.LocalStorage`` so resumed threads show
them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from agent.memory import postgres_conninfo
from core.settings import Settings

if TYPE_CHECKING:
    from ui.persistence import ChatDataLayer

__all__ = ["ChatStore", "chat_metadata", "chat_store", "ensure_tables", "open_data_layer"]

_ID = sa.Text


def chat_metadata(schema: str | None = None) -> sa.MetaData:
    """The tables Chainlit's SQLAlchemy data layer reads and writes (its documented schema,
    JSON and UUID columns as TEXT)."""
    md = sa.MetaData(schema=schema)
    tags = sa.Text().with_variant(postgresql.ARRAY(sa.Text), "postgresql")
    prefix = f"{schema}." if schema else ""
    sa.Table(
        "users",
        md,
        sa.Column("id", _ID, primary_key=True),
        sa.Column("identifier", sa.Text, nullable=False, unique=True),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("createdAt", sa.Text),
    )
    sa.Table(
        "threads",
        md,
        sa.Column("id", _ID, primary_key=True),
        sa.Column("createdAt", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("userId", _ID, sa.ForeignKey(f"{prefix}users.id", ondelete="CASCADE")),
        sa.Column("userIdentifier", sa.Text),
        sa.Column("tags", tags),
        sa.Column("metadata", sa.Text),
    )

    def thread_fk() -> sa.ForeignKey:
        return sa.ForeignKey(f"{prefix}threads.id", ondelete="CASCADE")

    sa.Table(
        "steps",
        md,
        sa.Column("id", _ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("threadId", _ID, thread_fk(), nullable=False),
        sa.Column("parentId", _ID),
        sa.Column("streaming", sa.Boolean, nullable=False),
        sa.Column("waitForAnswer", sa.Boolean),
        sa.Column("isError", sa.Boolean),
        sa.Column("metadata", sa.Text),
        sa.Column("tags", tags),
        sa.Column("input", sa.Text),
        sa.Column("output", sa.Text),
        sa.Column("createdAt", sa.Text),
        sa.Column("command", sa.Text),
        sa.Column("modes", sa.Text),
        sa.Column("start", sa.Text),
        sa.Column("end", sa.Text),
        sa.Column("generation", sa.Text),
        sa.Column("showInput", sa.Text),
        sa.Column("language", sa.Text),
        sa.Column("indent", sa.Integer),
        sa.Column("defaultOpen", sa.Boolean),
        sa.Column("autoCollapse", sa.Boolean),
    )
    sa.Table(
        "elements",
        md,
        sa.Column("id", _ID, primary_key=True),
        sa.Column("threadId", _ID, thread_fk()),
        sa.Column("type", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("chainlitKey", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("display", sa.Text),
        sa.Column("objectKey", sa.Text),
        sa.Column("size", sa.Text),
        sa.Column("page", sa.Integer),
        sa.Column("language", sa.Text),
        sa.Column("forId", _ID),
        sa.Column("mime", sa.Text),
        sa.Column("props", sa.Text),
        sa.Column("autoPlay", sa.Boolean),
        sa.Column("playerConfig", sa.Text),
    )
    sa.Table(
        "feedbacks",
        md,
        sa.Column("id", _ID, primary_key=True),
        sa.Column("forId", _ID, nullable=False),
        sa.Column("threadId", _ID),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text),
    )
    return md


@dataclass(frozen=True)
class ChatStore:
    """Where the chat history lives: a sync URL (to create tables), the async URL Chainlit
    uses, its connect arguments, the PostgreSQL schema (None on SQLite) and the element folder."""

    sync_url: str
    async_url: str
    connect_args: dict[str, str]
    schema: str | None
    files_dir: Path


def chat_store(settings: Settings) -> ChatStore:
    files = settings.home / "ui" / "files"
    url = settings.sqlalchemy_url
    if url.startswith("postgres"):
        plain = postgres_conninfo(url).removeprefix("postgresql://")
        schema = settings.ui_db_schema
        return ChatStore(
            sync_url=f"postgresql+psycopg://{plain}",
            async_url=f"postgresql+psycopg://{plain}",
            connect_args={"options": f"-c search_path={schema}"},
            schema=schema,
            files_dir=files,
        )
    path = (settings.home / "chat.sqlite").resolve()
    return ChatStore(
        sync_url=f"sqlite:///{path}",
        async_url=f"sqlite+aiosqlite:///{path}",
        connect_args={},
        schema=None,
        files_dir=files,
    )


def ensure_tables(store: ChatStore) -> None:
    """Create the chat tables (and the PostgreSQL schema) when missing, and add any column the
    current schema has that an existing table lacks. Idempotent; blocking (call at start-up)."""
    from data.store import make_engine

    engine = make_engine(store.sync_url)
    md = chat_metadata(store.schema)
    try:
        with engine.begin() as conn:
            if store.schema is not None:
                conn.execute(sa.schema.CreateSchema(store.schema, if_not_exists=True))
            md.create_all(conn, checkfirst=True)
            _add_missing_columns(conn, md)
    finally:
        engine.dispose()


def _add_missing_columns(conn: sa.Connection, md: sa.MetaData) -> None:
    inspector = sa.inspect(conn)
    preparer = conn.dialect.identifier_preparer
    for table in md.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name, schema=table.schema)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {preparer.format_table(table)} "
                        f"ADD COLUMN {preparer.quote(column.name)} {kind}"
                    )
                )


def open_data_layer(
    store: ChatStore, *, forget: Callable[[str], object] | None = None
) -> ChatDataLayer:
    """Chainlit's SQLAlchemy data layer on ``store``, elements kept in ``store.files_dir``;
    ``forget(chat_id)`` runs after a chat is deleted (its agent threads: ``ui.threads``)."""
    from ui.persistence import ChatDataLayer, LocalStorage

    return ChatDataLayer(
        conninfo=store.async_url,
        connect_args=dict(store.connect_args),
        storage_provider=LocalStorage(store.files_dir),
        forget=forget,
    )
