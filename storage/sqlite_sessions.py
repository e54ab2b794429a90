"""The repository's sessions on SQLite: SQLAlchemy's own (sync) Session, behind the awaitable methods of
AsyncSession that storage.repository uses.

SQLite answers an answer's small statements from a local file in microseconds. Through the asyncio
extension each call also costs a greenlet of its own (14 per answer) and, for every driver call, a
switch out and back (aiosqlite adds a thread hop on top). Profiled in issue 9, that machinery, not
SQLite, was half of the transaction the ack waits for: 1.0 ms an answer, 0.57 ms with these sessions
(`answering.submit` alone, 1,500 answers, SQLite file with 10,000 incidents).

What this gives up: a statement runs on the event loop, so while another process holds SQLite's write
lock (a `leakbot migrate` beside a running bot) the loop waits for it, up to the busy timeout. Within one
process the writers queue in storage.repository before they touch SQLite; SQLite serves one bot process
(PostgreSQL, with AsyncSession, is for replicas).

The pool never makes a session wait for a connection (a wait would block the loop that returns them):
it opens another instead.

Checkpoints, which copy the write-ahead log back into the database file and sync it, run on a thread
of their own every `checkpoint_every` seconds while there are writes (PASSIVE: they wait for no reader
or writer). By default SQLite runs them in the commit that fills the log past 1,000 pages, and that
commit then took 4 to 8 ms on the event loop, which the acks waiting behind it measured (issue 9:
without them the p99 of a view submission at 10 concurrent went from 21-26 ms to 14 ms).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker

from bot import logs

log = logging.getLogger(__name__)


class AwaitableConnection:
    """A Connection's `execute` and `dialect`, as AsyncConnection offers them."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @property
    def dialect(self) -> Any:
        return self._connection.dialect

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._connection.execute(*args, **kwargs)


class AwaitableSession:
    """The part of AsyncSession the repository uses, done at once by a sync Session."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.execute(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.scalars(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.scalar(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.get(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        self._session.flush(*args, **kwargs)

    async def connection(self) -> AwaitableConnection:
        return AwaitableConnection(self._session.connection())

    def add(self, instance: object) -> None:
        self._session.add(instance)

    def add_all(self, instances: Any) -> None:
        self._session.add_all(instances)

    def get_bind(self) -> Any:
        return self._session.get_bind()


class SQLiteSessions:
    """Makes the repository's sessions on one SQLite file, as `async_sessionmaker` does elsewhere."""

    def __init__(
        self,
        url: URL,
        *,
        on_connect: Callable[[Any, Any], None],
        busy_timeout: float = 30,
        checkpoint_every: float = 1.0,
    ) -> None:
        self.engine: Engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            hide_parameters=True,  # answer text must never reach a log through an error message
            connect_args={"timeout": busy_timeout},
            pool_size=5,
            max_overflow=-1,  # never wait for a connection: open another
        )
        self.path = url.database if url.database and url.database != ":memory:" else None
        self.busy_timeout, self.checkpoint_every = busy_timeout, checkpoint_every
        self.checkpoints = 0  # run so far (tests of this module look)
        self._written = False  # since the last checkpoint
        self._checkpointing: asyncio.Task[None] | None = None

        def connected(dbapi_connection: Any, record: Any) -> None:
            on_connect(dbapi_connection, record)
            if self.path is not None:  # the checkpoints are this module's, off the event loop
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

        event.listen(self.engine, "connect", connected)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AwaitableSession]:
        """A session in a transaction, committed when the block ends, rolled back on an exception."""
        if self.path is not None and self._checkpointing is None:
            self._checkpointing = asyncio.get_running_loop().create_task(  # for the process, not this transaction
                self._checkpoint_while_written(), name="leakbot-sqlite-checkpoints", context=logs.detached()
            )
        with self._sessions.begin() as session:
            yield AwaitableSession(session)
        self._written = True

    async def _checkpoint_while_written(self) -> None:
        while True:
            await asyncio.sleep(self.checkpoint_every)
            if not self._written:
                continue
            self._written = False
            try:
                await asyncio.to_thread(self._checkpoint)
            except sqlite3.Error as error:  # the log grows meanwhile; the next one tries again
                log.warning("SQLite checkpoint failed: %s", error)
            else:
                self.checkpoints += 1

    def _checkpoint(self) -> None:
        with closing(sqlite3.connect(self.path or "", timeout=self.busy_timeout)) as connection:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AwaitableSession]:
        """A session that begins when it is first used and rolls back what is left when the block ends."""
        with self._sessions() as session:
            yield AwaitableSession(session)

    async def dispose(self) -> None:
        """Stops the checkpoints and closes the connections (the last one to close checkpoints the rest)."""
        if self._checkpointing is not None:
            self._checkpointing.cancel()
            await asyncio.gather(self._checkpointing, return_exceptions=True)
            self._checkpointing = None
        self.engine.dispose()
