"""The worker cannot die (issue 18, promise 4): a database error at any await of its loop, or while it
records a job's end, is logged and retried with backoff; afterwards the jobs posted later still run.
/healthz says 503 while the worker is not running or a due job has waited more than five minutes, and
/metrics shows it (leakbot_worker_up, leakbot_oldest_due_job_seconds).

The faults are at the database edge only: the repository the worker uses fails its n-th unit of work as
a dropped connection does (and, against a real process, PostgreSQL refuses every connection for a while)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import OperationalError

from bot.worker import Traffic
from tests.conftest import PG_ADMIN, Harness, postgres_database
from tests.fake_slack import FakeSlack
from tests.processes import BotProcess
from tests.story import open_incident


class DatabaseFaults:
    """The repository, whose units of work (tx and read) numbered in `failing` raise as a lost connection."""

    def __init__(self, repo: Any) -> None:
        self.repo, self.uses, self.failing = repo, 0, set[int]()
        self.hit: list[int] = []  # the uses that failed
        self.finishes_failing = 0  # how many of the next statements recording a job's end fail

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repo, name)

    def tx(self, *args: Any, **kwargs: Any) -> Any:
        return self._use(self._tx, *args, **kwargs)

    @asynccontextmanager
    async def _tx(self, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with self.repo.tx(*args, **kwargs) as tx:
            yield FinishFaults(tx, self)

    def read(self, *args: Any, **kwargs: Any) -> Any:
        return self._use(self.repo.read, *args, **kwargs)

    def _use(self, begin: Any, *args: Any, **kwargs: Any) -> Any:
        self.uses += 1
        if self.uses in self.failing:
            self.hit.append(self.uses)
        return _lost() if self.uses in self.failing else begin(*args, **kwargs)


class FinishFaults:
    """A unit of work whose statement recording a job's end fails while its owner says so."""

    def __init__(self, tx: Any, faults: DatabaseFaults) -> None:
        self.tx, self.faults = tx, faults

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tx, name)

    async def finish_job(self, *args: Any, **kwargs: Any) -> Any:
        if self.faults.finishes_failing > 0:
            self.faults.finishes_failing -= 1
            raise OperationalError("UPDATE jobs ...", {}, ConnectionResetError("connection lost"))
        return await self.tx.finish_job(*args, **kwargs)


@asynccontextmanager
async def _lost() -> AsyncIterator[Any]:
    raise OperationalError("SELECT ...", {}, ConnectionResetError("server closed the connection unexpectedly"))
    yield  # pragma: no cover


class TrafficFaults(Traffic):
    """Traffic whose quiet() (awaited before each claim) raises on the calls numbered in `failing`."""

    def __init__(self) -> None:
        super().__init__()
        self.calls, self.failing = 0, set[int]()

    async def quiet(self) -> None:
        self.calls += 1
        if self.calls in self.failing:
            raise RuntimeError("injected")
        await super().quiet()


async def health(h: Harness) -> int:
    async with h.http.get(h.url + "/healthz") as response:
        return response.status


async def test_a_database_error_at_every_await_of_the_loop_is_survived(
    sqlite_leakbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = sqlite_leakbot
    worker = h.bot.worker
    worker.trouble_first = 0.01  # the backoff's first wait, short for the test
    faults = DatabaseFaults(worker.repo)
    worker.repo = faults
    caplog.set_level(logging.INFO)
    opened = 0
    # one incident's set-up takes the worker through claim, pause and finish several times: fail each
    # of its units of work in turn (n = 1: the first claim, ... up to well past the last finish)
    for n in range(1, 9):
        faults.uses, faults.failing = 0, {n}
        await open_incident(h, title=f"障害注入 {n}")
        opened += 1
        for later in range(3):  # jobs posted afterwards run too (and take the worker to its n-th use)
            await open_incident(h, title=f"障害の後 {n}-{later}")
            opened += 1
            if n in faults.hit:
                break
        assert n in faults.hit, f"the worker used the database only {faults.uses} times"
    # several in a row: the backoff grows, and the worker still comes back
    faults.uses, faults.failing, faults.hit = 0, set(range(1, 7)), []
    await open_incident(h, title="連続障害")
    opened += 1
    assert faults.hit == [1, 2, 3, 4, 5, 6]
    # recording a job's end fails three times in a row: it is retried, and the job does not run again
    faults.uses, faults.failing, faults.finishes_failing = 0, set(), 3
    await open_incident(h, title="終了記録の障害")
    opened += 1
    # and a failure of what is awaited before each claim
    traffic = TrafficFaults()
    traffic.failing = {1, 2}
    worker.traffic = traffic
    await open_incident(h, title="待機の障害")
    opened += 1
    assert traffic.calls > 2
    # the set-up's last stages (and so its end) come after what open_incident waits for: wait for the
    # three failed recordings at the database edge this test fakes
    await h.fake.wait_until(lambda: faults.finishes_failing == 0, what="three failed recordings of a job's end")
    # nothing twice: each set-up ran once, though some of their ends were recorded only on a retry
    assert len([c for c in h.fake.calls_to("conversations.create") if c.ok]) == opened
    assert len([c for c in h.fake.calls_to("pins.add") if c.ok]) == opened
    assert await health(h) == 200
    logged = [r.getMessage() for r in caplog.records]
    assert any("the job worker failed (OperationalError" in m for m in logged), logged
    assert any("recording the end of job" in m for m in logged)
    assert not [r for r in caplog.records if r.name == "asyncio" and r.levelno >= logging.ERROR]


async def test_health_says_503_when_the_worker_is_not_running(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    assert await health(h) == 200
    await h.bot.worker.stop()
    async with h.http.get(h.url + "/healthz") as response:
        assert response.status == 503
        assert (await response.json()) == {"ok": False, "error": "job worker not running"}
    async with h.http.get(h.url + "/metrics") as response:
        samples = {s.name: s.value for f in text_string_to_metric_families(await response.text()) for s in f.samples}
    assert samples["leakbot_worker_up"] == 0


async def test_health_says_503_when_a_due_job_waited_five_minutes(sqlite_leakbot: Harness) -> None:
    h = sqlite_leakbot
    worker = h.bot.worker
    faults = DatabaseFaults(worker.repo)
    faults.failing = set(range(1, 10_000))  # the worker cannot claim anything from now on
    worker.trouble_first = 0.01
    worker.repo = faults
    reply = await h.command("/leak-open", "滞留の試験")  # views.open is a job? no: answered at once
    assert reply.status == 200
    view = await h.opened_view(1)
    assert (await h.submit(view, {"summary": "架空の概要"})).status == 200  # records the set-up job
    assert await health(h) == 200  # due now, but not for long yet
    h.clock.advance(301)
    async with h.http.get(h.url + "/healthz") as response:
        assert response.status == 503
        assert "a due job has waited 301 s" in (await response.json())["error"]
    async with h.http.get(h.url + "/metrics") as response:
        samples = {s.name: s.value for f in text_string_to_metric_families(await response.text()) for s in f.samples}
    assert samples["leakbot_oldest_due_job_seconds"] >= 301 and samples["leakbot_worker_up"] == 1
    faults.failing = set()  # the database is back: the job runs, and health is back
    await h.fake.wait_for("pins.add", lambda c: c.ok, timeout=10)
    assert await health(h) == 200


async def _set_connections(admin: Any, name: str, *, allowed: bool) -> None:
    await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
    if not allowed:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )


async def test_a_real_process_survives_a_postgresql_outage(fake: FakeSlack, tmp_path: Path) -> None:
    """A real leakbot on PostgreSQL: every connection is cut and refused for a few seconds (the worker's
    claim, pause and finish all fail), /healthz says 503 meanwhile; once the database is back, a command
    posted then gets its job run."""
    import asyncpg

    from tests.processes import wait_healthy
    from tests.slack_payloads import interactive_body, view_submission

    async with postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        bot = BotProcess(fake, tmp_path, database_url=url)
        await bot.start()
        admin = await asyncpg.connect(PG_ADMIN, timeout=5)
        try:
            async with aiohttp.ClientSession() as http:
                await _set_connections(admin, name, allowed=False)
                try:
                    for _ in range(100):  # the outage is seen from outside
                        async with http.get(f"http://127.0.0.1:{bot.port}/healthz") as response:
                            if response.status == 503:
                                break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError("/healthz never said 503 during the outage")
                    await asyncio.sleep(3)  # the worker's loop meets the outage several times
                finally:
                    await _set_connections(admin, name, allowed=True)
                await wait_healthy(http, f"http://127.0.0.1:{bot.port}/healthz", bot.process)
                view = await bot.open_form("停電後の事案", http=http)  # a new incident, after the outage
                submission = view_submission(view, {"summary": "架空の概要"}, user_id="U0ALICE")
                assert (await bot.post(interactive_body(submission), http=http))[0] == 200
                await fake.wait_for("pins.add", lambda c: c.ok, timeout=20)
        finally:
            await admin.close()
            await bot.stop()
        log = bot.log_path.read_text()
        assert bot.process.returncode == 0, bot.log_tail()
        assert "Task exception was never retrieved" not in log, bot.log_tail()
        assert "the job worker failed" in log, bot.log_tail()
