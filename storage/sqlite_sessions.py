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
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.orm import Session, sessionmaker


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

    def __init__(self, url: URL, *, on_connect: Callable[[Any, Any], None], busy_timeout: float = 30) -> None:
        self.engine: Engine = create_engine(
            url.set(drivername="sqlite+pysqlite"),
            hide_parameters=True,  # answer text must never reach a log through an error message
            connect_args={"timeout": busy_timeout},
            pool_size=5,
            max_overflow=-1,  # never wait for a connection: open another
        )
        event.listen(self.engine, "connect", on_connect)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AwaitableSession]:
        """A session in a transaction, committed when the block ends, rolled back on an exception."""
        with self._sessions.begin() as session:
            yield AwaitableSession(session)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AwaitableSession]:
        """A session that begins when it is first used and rolls back what is left when the block ends."""
        with self._sessions() as session:
            yield AwaitableSession(session)

    def dispose(self) -> None:
        """Closes the connections."""
        self.engine.dispose()
