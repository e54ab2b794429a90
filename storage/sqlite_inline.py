"""SQLite for the async engine without a thread hop per call.

aiosqlite runs each call (cursor, execute, fetch, close, commit) on a thread of its own and hands the
result back through the event loop: about 40 round trips for one answer, each a wake-up of another
thread and a turn of the GIL. Measured (bench/ack_latency.py, issue 9), those hand-overs were most of
an answer's time. SQLite on a local file answers these small statements in microseconds, so here they
run where they are awaited; the interface is the part of aiosqlite's that SQLAlchemy's aiosqlite
dialect uses, plugged in with `create_async_engine(async_creator=...)` (see storage.db.make_engine).

What this gives up: while another process holds SQLite's write lock (a `leakbot migrate` beside a
running bot), a write waits for it on the event loop, up to the busy timeout, instead of on a thread.
Within one process the writers queue in storage.repository before they touch SQLite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any


class Cursor:
    """An sqlite3 cursor behind aiosqlite's awaitable cursor interface."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> Cursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _OpeningCursor:
    """What `Connection.cursor()` returns: SQLAlchemy enters it to get the cursor, as with aiosqlite."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def __aenter__(self) -> Cursor:
        return Cursor(self._connection.cursor())

    async def __aexit__(self, *exc: object) -> None:
        return None


class Connection:
    """An sqlite3 connection behind the part of aiosqlite's Connection that SQLAlchemy uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # SQLAlchemy checks it before commit/rollback

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> _OpeningCursor:
        if self._connection is None:
            raise ValueError("Connection closed")
        return _OpeningCursor(self._conn)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Closes at once (SQLAlchemy's terminate); nothing runs elsewhere to wait for."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(database: str, **options: Any) -> Any:
    """The `async_creator` of an engine on `database`: opens connections with sqlite3's own options."""

    async def connect() -> Connection:
        return Connection(sqlite3.connect(database, **options))

    return connect
