"""Engine and sessions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.sqlite_inline import connector


def make_engine(url: str) -> AsyncEngine:
    """Creates the engine; SQLite files are created private (0600) and used with WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    _create_private_file(parsed.database)
    # hide_parameters: answer text must never reach a log through an error message
    engine = create_async_engine(url, hide_parameters=True)
    # The statements run where they are awaited instead of on aiosqlite's thread (storage/sqlite_inline.py)
    args, options = engine.sync_engine.dialect.create_connect_args(parsed)
    inline = create_async_engine(
        url, hide_parameters=True, async_creator=connector(*args, **{"timeout": 30, **options})
    )
    event.listen(inline.sync_engine, "connect", _sqlite_pragmas)
    return inline


def _create_private_file(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of leakbot's migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Brings the schema up to date with every migration (SQLite and PostgreSQL share them)."""

    def upgrade(connection: Any) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # one replica migrates at a time
            await connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7413061)")
        await connection.run_sync(upgrade)


async def ping(engine: AsyncEngine) -> bool:
    """True when the database answers."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; the caller answers 503
        return False


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    """Returns the session factory used by the repository."""
    return async_sessionmaker(engine, expire_on_commit=False)
