"""The job worker: one per process, draining the outbox of Slack work that transactions recorded.

It is woken when a transaction that recorded jobs commits, runs up to `slots` jobs at once (an
incident's jobs one after another, in order; other incidents meanwhile), and sleeps until the next
job is due: a job waiting out a 429's Retry-After or a backoff runs again when that time comes. The
periodic sweep wakes it too, for jobs other replicas recorded or a crashed process left leased.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, ProgrammingError

from bot import logs
from bot.clock import Clock
from bot.jobs import Impossible, Retry, backoff, classify, reference, slack_error
from storage.repository import Job, Repository

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)  # a job whose runner died is taken again after this (a live runner extends it)
JOB_MOST = 15 * 60.0  # seconds a job may run before it is given up and tried again later (a handler that hangs)
TROUBLE_MOST = 30.0  # the longest wait after the worker's own work failed (the database away, say)
Handler = Callable[[Job], Awaitable[None]]
GiveUp = Callable[[Job, str], Awaitable[None]]
Observer = Callable[[Job, str | None], None]  # a job ran: its error (None: done)
SlackErrors = Callable[[str, str], None]  # a Web API call failed: method, Slack's error


class Traffic:
    """Requests first: the worker lets acknowledgements go before its jobs.

    While requests are being answered, or keep arriving (one began less than `gap` seconds ago), the
    worker waits, up to `most` seconds, before it takes jobs. So a burst of answers is acknowledged
    sooner, and the follow-ups it makes redundant are superseded before they run instead of after (one
    checklist refresh for the burst, not one per answer). A request is answered without yielding the
    event loop once its body is read (SQLite runs on the loop), so the requests waiting on their sockets
    are not in flight yet: the gap is what tells a burst from a lull."""

    def __init__(self, most: float = 0.25, gap: float = 0.02) -> None:
        self.most, self.gap = most, gap
        self.in_flight = 0
        self._began = float("-inf")  # when the latest request began (the event loop's clock)
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextmanager
    def request(self) -> Iterator[None]:
        """Wraps the answering of one request."""
        self.in_flight += 1
        self._began = asyncio.get_running_loop().time()
        self._quiet.clear()
        try:
            yield
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._quiet.set()

    async def quiet(self) -> None:
        """Returns once no request is being answered and none began for `gap` seconds, or after `most`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.most
        while (left := deadline - loop.time()) > 0:
            if self.in_flight:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), timeout=left)
                continue
            calm = self._began + self.gap - loop.time()
            if calm <= 0:
                return
            await asyncio.sleep(min(calm, left))


class JobWorker:
    def __init__(
        self,
        *,
        repo: Repository,
        clock: Clock,
        handlers: dict[str, Handler],
        give_up: GiveUp,
        slots: int = 4,
        idle: float = 60,
        observe: Observer | None = None,
        slack_errors: SlackErrors | None = None,
        traffic: Traffic | None = None,
    ) -> None:
        self.repo, self.clock, self.handlers, self.give_up = repo, clock, handlers, give_up
        self.traffic = traffic or Traffic()
        self.slots, self.idle, self.observe, self.slack_errors = slots, idle, observe, slack_errors
        self._wake = asyncio.Event()
        self._running: set[asyncio.Task[None]] = set()
        self._running_ids: set[int] = set()  # the jobs this worker runs: never claimed again beside themselves
        self._loop: asyncio.Task[None] | None = None
        self._stopping = False
        self._claiming = False
        self.trouble_first = 0.5  # seconds to wait after the first failure of the loop; doubled after each
        self.job_most = JOB_MOST  # seconds a job may run before it is given up and tried again later

    @property
    def busy(self) -> bool:
        """True while a job runs or is being claimed."""
        return bool(self._running) or self._claiming

    def wake(self) -> None:
        """Something may be due now (a commit recorded jobs, the clock moved, a sweep came)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """True while the worker's loop runs (/healthz answers 503 when it does not)."""
        return self._loop is not None and not self._loop.done() and not self._stopping

    def start(self) -> None:
        """Starts the worker's loop."""
        self._loop = asyncio.create_task(self._run(), name="leakbot-jobs")

    async def stop(self, grace: float = 10) -> None:
        """Stops taking jobs and lets the running ones finish (their leases lapse if they cannot)."""
        self._stopping = True
        self.wake()
        if self._loop is not None:
            await asyncio.gather(self._loop, return_exceptions=True)
        if self._running:
            await asyncio.wait(set(self._running), timeout=grace)

    async def _run(self) -> None:
        """The loop cannot die: whatever fails in it (the database, anything awaited) is logged, and it goes
        on after a wait that doubles with each failure in a row (up to TROUBLE_MOST seconds)."""
        failures = 0
        while not self._stopping:
            try:
                await self._turn()
            except Exception as error:
                failures += 1
                wait = min(self.trouble_first * 2 ** (failures - 1), TROUBLE_MOST)
                log.warning(
                    "the job worker failed (%s, %s in a row); trying again in %.1f s",
                    type(error).__name__,
                    failures,
                    wait,
                    exc_info=failures == 1,
                )
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._stop_requested(), timeout=wait)
            else:
                if failures:
                    log.info("the job worker works again after %s failures", failures)
                failures = 0

    async def _stop_requested(self) -> None:
        while not self._stopping:
            self._wake.clear()
            await self._wake.wait()

    async def _turn(self) -> None:
        """Claims what is due, or waits until something may be."""
        self._wake.clear()
        claimed = await self._claim()
        if claimed and len(self._running) < self.slots:
            return  # there may be more
        pause = await self._pause() if not claimed else 0
        if pause > 0 or len(self._running) >= self.slots:
            log.debug("worker waits: claimed %s, running %s, pause %.3f s", claimed, len(self._running), pause)
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause if pause > 0 else None)

    async def _claim(self) -> int:
        free = self.slots - len(self._running)
        if free <= 0:
            return 0
        self._claiming = True
        try:
            await self.traffic.quiet()
            now = self.clock.now()
            async with self.repo.tx() as tx:
                jobs = await tx.claim_jobs(now, until=now + LEASE, limit=free, running=self._running_ids)
        finally:
            self._claiming = False
        for job in jobs:
            self._running_ids.add(job.id)
            task = asyncio.create_task(self._run_one(job), name=f"leakbot-job-{job.id}")
            self._running.add(task)
            task.add_done_callback(self._finished)
        return len(jobs)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.wake()  # a slot is free, and the incident's next job may now go

    async def _pause(self) -> float:
        """Seconds until the next job is due or a lease runs out (at most `idle`)."""
        async with self.repo.read() as tx:
            when = await tx.next_job_at(running=self._running_ids)
        if when is None:
            return self.idle
        return min(max((when - self.clock.now()).total_seconds(), 0.0), self.idle) or 0.001

    async def _keep_leased(self, job: Job) -> None:
        """While a job runs, its lease is extended every third of LEASE, so no replica takes it meanwhile."""
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            try:
                async with self.repo.tx() as tx:
                    await tx.keep_leased(job.id, until=self.clock.now() + LEASE)
            except Exception as error:  # noqa: BLE001 - the next beat tries again; this worker holds it anyway
                log.info("could not extend the lease of job %s (%s)", job.id, type(error).__name__)

    async def _run_one(self, job: Job) -> None:
        try:
            # every line written while the job runs (the handler's, the lease's, its end's) says which
            # job, of which kind, about which incident
            with logs.scope(job=job.id, kind=job.kind, incident=job.incident_id):
                await self._run_leased(job)
        finally:
            self._running_ids.discard(job.id)

    async def _run_leased(self, job: Job) -> None:
        error: str | None = None
        started = asyncio.get_running_loop().time()
        keeping = asyncio.create_task(self._keep_leased(job), name=f"leakbot-lease-{job.id}")
        try:
            try:
                try:
                    await asyncio.wait_for(self.handlers[job.kind](job), timeout=self.job_most)
                finally:
                    keeping.cancel()
                    await asyncio.gather(keeping, return_exceptions=True)
            except SlackApiError as exc:
                if self.slack_errors is not None:
                    self.slack_errors(str(exc.response.api_url).rsplit("/", 1)[-1], slack_error(exc))
                raise classify(exc) from None
            except (TimeoutError, aiohttp.ClientError, SlackRequestError) as exc:
                raise Retry(type(exc).__name__) from None
            except (Retry, Impossible):
                raise
            except DBAPIError as exc:
                if isinstance(exc, (IntegrityError, ProgrammingError, DataError)):  # a bug in what was asked
                    log.exception("job %s (%s) raised", job.id, job.kind)
                # else the database away or cut off: not a bug, said in one line below; the job is kept
                raise Retry(type(exc).__name__) from None
            except Exception as exc:  # a bug: keep the job, back off, and say so loudly
                log.exception("job %s (%s) raised", job.id, job.kind)
                raise Retry(type(exc).__name__) from None
        except Retry as retry:
            error = retry.error
            log.info("job %s (%s) failed with %s; retrying", job.id, job.kind, retry.error)
            when = self.clock.now() + (retry.after or backoff(job.attempts))
            await self._finish(job, error=retry.error, retry_at=when)
        except Impossible as impossible:
            error = str(impossible)
            logs.bind(ref=reference(job.id))  # give_up tells people this reference
            log.warning("job %s (%s) cannot be done: %s", job.id, job.kind, impossible)
            await self._finish(job, error=error)
            try:
                await self.give_up(job, error)
            except Exception:
                log.exception("telling people that job %s failed did not work", job.id)
        else:
            await self._finish(job)
            log.info("job done in %.0f ms", (asyncio.get_running_loop().time() - started) * 1000)
        finally:
            if self.observe is not None:
                self.observe(job, error)

    async def _finish(self, job: Job, *, error: str | None = None, retry_at: datetime | None = None) -> None:
        """Records the job's end, trying again while the database refuses (the job would run again otherwise).

        When the worker stops before it could, the job's lease lapses and it is taken again later."""
        at, wait = self.clock.now(), 0.1
        while True:
            try:
                async with self.repo.tx() as tx:
                    await tx.finish_job(job.id, at=at, error=error, retry_at=retry_at)
                return
            except Exception as failure:  # noqa: BLE001 - retried below, whatever the database said
                if self._stopping and wait > 1:
                    log.warning("could not record the end of job %s (%s); it will run again", job.id, job.kind)
                    return
                log.warning(
                    "recording the end of job %s failed (%s); trying again in %.1f s",
                    job.id,
                    type(failure).__name__,
                    wait,
                )
                await asyncio.sleep(wait)
                wait = min(wait * 2, TROUBLE_MOST)
