"""Engine and sessions."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.sqlite_sessions import SQLiteSessions

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT = 30  # seconds a write waits for another process's write lock
PRIVATE = 0o600  # the database holds answers: its owner only


def make_engine(url: str) -> AsyncEngine:
    """Creates the engine; SQLite files are made private (0600) and used with WAL and secure_delete.

    (On SQLite the repository's own sessions work beside it: see `sessionmaker`.)
    """
    parsed = make_url(url)
    # hide_parameters: answer text must never reach a log through an error message
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)
    make_private(parsed.database)
    engine = create_async_engine(url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_TIMEOUT})
    event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    return engine


def make_private(database: str | None) -> None:
    """The one door for the SQLite files' privacy: creates the database file 0600 when it is missing, and
    makes it and its `-wal` and `-shm` 0600 when they are not, saying so (SQLite gives new `-wal` and
    `-shm` files the database file's mode). A path through a symbolic link is followed to the real file, as
    SQLite does: its `-wal` and `-shm` are made beside the real file, not beside the link.

    No folder is made: a folder that is missing is a mistyped path or a volume not mounted, and the answers
    must not go where nobody keeps them (the first connection fails; `missing_folder` says why)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(os.path.realpath(database))
    if not path.parent.is_dir():
        return
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode != PRIVATE:
                file.chmod(PRIVATE)
                log.warning("%s was readable by others (mode %o); made it %o", file, mode, PRIVATE)
        except FileNotFoundError:
            continue


def missing_folder(url: str) -> Path | None:
    """The folder a SQLite DATABASE_URL names that does not exist (so SQLite cannot open the file); else None."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    folder = Path(os.path.realpath(database)).parent
    return None if folder.is_dir() else folder


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted answers are overwritten, not left in free pages
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


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker | SQLiteSessions:
    """Returns the session factory used by the repository: AsyncSession on PostgreSQL; on SQLite, sessions
    that run each statement where it is called (storage/sqlite_sessions.py says why), on the same file."""
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    return SQLiteSessions(engine.url, on_connect=sqlite_pragmas, busy_timeout=SQLITE_BUSY_TIMEOUT)
