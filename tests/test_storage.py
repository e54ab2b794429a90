"""The storage layer on its own, on SQLite and PostgreSQL: the schema the migrations build, and the queries
that take shortcuts (the current values without the history, the waiting jobs by their own index)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from bot.usecases import home
from storage.db import make_engine, migrate, sqlite_pragmas
from storage.models import Base, IncidentRow, JobRow
from storage.repository import Repository
from storage.sqlite_sessions import SQLiteSessions
from tests.conftest import postgres_database

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
async def repo(database_url: str) -> AsyncIterator[Repository]:
    """The repository on a migrated, empty database."""
    engine = make_engine(database_url)
    await migrate(engine)
    repo = Repository(engine)
    try:
        yield repo
    finally:
        await repo.dispose()
        await engine.dispose()


async def test_the_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert differences == []
    finally:
        await engine.dispose()


def _history(seed: int) -> list[tuple[str, Any]]:
    """An invented answering history: items answered, revised and cleared in a random order."""
    rng = random.Random(seed)
    items = [f"item_{n:02d}" for n in range(rng.randint(1, 14))]
    choices: list[Any] = [None, "", "架空の値", 0, 7_600_000, ["name", "address"], {"max": 2, "confirmed": 1}]
    return [(rng.choice(items), rng.choice([*choices, f"v{n}"])) for n in range(rng.randint(1, 120))]


@pytest.mark.parametrize("seed", range(6))
async def test_current_values_are_the_newest_revision_of_each_item(repo: Repository, seed: int) -> None:
    async with repo.tx() as tx:
        other = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V-other", at=AT, nudge_due=None)
        incident = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V-one", at=AT, nudge_due=None)
        # another incident's answers, on both sides in id order, are never read as this one's
        await tx.record(other.id, user_id="U1", at=AT, values={"item_00": "他の事案", "zz": 1})
    expected: dict[str, Any] = {}
    for n, (item, value) in enumerate(_history(seed)):
        async with repo.tx() as tx:
            await tx.record(incident.id, user_id="U2", at=AT + timedelta(seconds=n), values={item: value})
        expected[item] = value
    async with repo.tx() as tx:
        await tx.record(other.id, user_id="U1", at=AT, values={"item_00": "後の他の事案"})
    async with repo.read() as tx:
        values = await tx.values(incident.id)
        answers = await tx.answers(incident.id)
    assert values == {item: value for item, value in expected.items() if value is not None}
    assert values == {item: answer.value for item, answer in answers.items()}


async def test_an_incident_without_answers_has_no_values(repo: Repository) -> None:
    async with repo.tx() as tx:
        incident = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V1", at=AT, nudge_due=None)
    async with repo.read() as tx:
        assert await tx.values(incident.id) == {}
        assert await tx.values(incident.id + 1) == {}


async def test_a_superseding_job_finishes_only_the_waiting_jobs_of_its_kind_and_incident(repo: Repository) -> None:
    async with repo.tx() as tx:
        one = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V1", at=AT, nudge_due=None)
        two = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V2", at=AT, nudge_due=None)
        for n in range(3):
            await tx.enqueue("followup", {}, key=f"one-{n}", at=AT, incident_id=one.id)
        await tx.enqueue("draft", {}, key="one-draft", at=AT, incident_id=one.id)
        await tx.enqueue("followup", {}, key="two-0", at=AT, incident_id=two.id)
    async with repo.tx() as tx:
        await tx.enqueue("followup", {}, key="one-new", at=AT, incident_id=one.id, supersede=True)
    async with repo.engine.connect() as connection:
        rows = (await connection.execute(select(JobRow.key, JobRow.error).order_by(JobRow.id))).all()
    assert rows == [
        ("one-0", "superseded"),
        ("one-1", "superseded"),
        ("one-2", "superseded"),
        ("one-draft", None),
        ("two-0", None),
        ("one-new", None),
    ]


async def test_a_superseding_job_behind_one_of_its_kind_still_waiting_records_nothing(repo: Repository) -> None:
    async with repo.tx() as tx:
        incident = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V1", at=AT, nudge_due=None)
        await tx.enqueue("followup", {}, key="first", at=AT, incident_id=incident.id, supersede=True)
        await tx.enqueue("followup", {}, key="burst-1", at=AT, incident_id=incident.id, supersede=True)
    async with repo.tx() as tx:
        await tx.enqueue("followup", {}, key="burst-2", at=AT, incident_id=incident.id, supersede=True)
        assert tx.enqueued == 0  # nothing new for the worker to wake for
    async with repo.tx() as tx:  # a runner takes the waiting one: it may have read the state already
        [claimed] = await tx.claim_jobs(AT, until=AT + timedelta(minutes=1), limit=5)
    async with repo.tx() as tx:
        await tx.enqueue("followup", {}, key="after-claim", at=AT, incident_id=incident.id, supersede=True)
        await tx.enqueue("followup", {}, key="after-claim-2", at=AT, incident_id=incident.id, supersede=True)
    async with repo.engine.connect() as connection:
        rows = (await connection.execute(select(JobRow.key, JobRow.error).order_by(JobRow.id))).all()
    assert claimed.key == "first"
    assert rows == [("first", None), ("after-claim", None)]


async def test_superseding_while_an_answer_holds_the_incident_waits_instead_of_deadlocking() -> None:
    """PostgreSQL: a follow-up republishing the Home tabs (supersede, then a new job whose foreign key
    needs the incident) against an answer that holds the incident and then supersedes the same jobs.
    Seen in a full run as "deadlock detected"; the follow-up now takes the incident before the jobs."""
    async with postgres_database() as url:
        engine = make_engine(url)
        await migrate(engine)
        repo = Repository(engine)
        try:
            async with repo.tx() as tx:
                incident = await tx.open_incident(team_id="T1", opener_id="U1", view_id="V1", at=AT, nudge_due=None)
                await home.republish(tx, incident.id, key="first", at=AT)
                # a job after it, so that a republish supersedes the waiting one instead of leaving it be
                await tx.enqueue("draft", {"draft_id": 1}, key="draft", at=AT, incident_id=incident.id)
            async with repo.tx() as answer:
                await answer.lock_incident(incident.id)  # as an answer's form check does
                follow_up = asyncio.create_task(_republish(repo, incident.id, "follow-up"))
                await _until_a_backend_waits_for_a_lock(engine)
                await home.republish(answer, incident.id, key="answer", at=AT)
            await asyncio.wait_for(follow_up, 10)
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        select(JobRow.key, JobRow.error).where(JobRow.kind == "home").order_by(JobRow.id)
                    )
                ).all()
            # the answer superseded the first; the follow-up, going after it, found the answer's waiting
            assert rows == [("home:first", "superseded"), ("home:answer", None)]
        finally:
            await repo.dispose()
            await engine.dispose()


async def _republish(repo: Repository, incident_id: int, key: str) -> None:
    async with repo.tx() as tx:
        await home.republish(tx, incident_id, key=key, at=AT)


async def _until_a_backend_waits_for_a_lock(engine: Any) -> None:
    """Returns once another session of this database is waiting for a lock (PostgreSQL's own view)."""
    for _ in range(500):
        async with engine.connect() as connection:
            waiting = (
                await connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the follow-up never waited for the incident")


async def test_sqlite_checkpoints_run_on_a_thread_and_the_log_starts_over(tmp_path: Path) -> None:
    """A test of storage internals: it waits on the sessions' own checkpoint count."""
    url = make_url(f"sqlite+aiosqlite:///{tmp_path / 'leakbot.db'}")
    engine = make_engine(url.render_as_string())
    await migrate(engine)
    await engine.dispose()
    sessions = SQLiteSessions(url, on_connect=sqlite_pragmas, checkpoint_every=0.05)
    wal = tmp_path / "leakbot.db-wal"

    async def write(rounds: int) -> None:
        for _ in range(rounds):
            async with sessions.begin() as session:
                await session.execute(
                    insert(IncidentRow),
                    [
                        {"team_id": "T1", "opener_id": "U1", "status": "open", "created_at": AT, "nudges_sent": 0}
                        for _ in range(500)
                    ],
                )

    async def checkpointed(after: int) -> None:
        for _ in range(500):
            if sessions.checkpoints > after:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no checkpoint ran")

    try:
        async with sessions() as session:  # a commit never checkpoints on the event loop
            assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar() == 0
        await write(60)  # past SQLite's own 1,000-page mark, which would have checkpointed in a commit
        grown = wal.stat().st_size
        assert grown > 1000 * 4096
        await checkpointed(sessions.checkpoints)
        done = sessions.checkpoints
        await write(5)  # the log starts over at its beginning instead of growing
        assert wal.stat().st_size == grown
        await checkpointed(done)
        async with sessions() as session:
            assert (await session.execute(text("SELECT count(*) FROM incidents"))).scalar() == 65 * 500
    finally:
        await sessions.dispose()
