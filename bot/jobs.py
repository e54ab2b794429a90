"""Running jobs: work with Slack recorded with the change that wanted it, done until it lands.

A job is leased before it runs, so two runners (the request that made it, the periodic sweep,
another replica) never do it twice; a runner that dies mid-job lets the lease lapse and the job
is taken again. Rate limits (429, honouring Retry-After), server errors and timeouts are retried
with backoff; an error no retry can fix ends the job as failed, and someone is told.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.clock import Clock
from storage.repository import Job, Repository

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)
TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
Handler = Callable[[Job], Awaitable[None]]
GiveUp = Callable[[Job, str], Awaitable[None]]


class Retry(Exception):
    """The job cannot be done yet; try again after `after` (or the usual backoff)."""

    def __init__(self, error: str, after: timedelta | None = None) -> None:
        super().__init__(error)
        self.error, self.after = error, after


class Impossible(Exception):
    """No retry can make this job work."""


def slack_error(exc: SlackApiError) -> str:
    """Returns Slack's error code of a failed call (the HTTP status when the body was not JSON)."""
    data = exc.response.data
    return str(data.get("error") or exc.response.status_code) if isinstance(data, dict) else str(exc.response.status_code)


def backoff(attempts: int) -> timedelta:
    """Waits 5 s, 10 s, 20 s … after each failed attempt, at most five minutes."""
    return min(timedelta(seconds=5 * 2**attempts), MAX_BACKOFF)


def classify(exc: SlackApiError) -> Exception:
    """Turns a Slack error into Retry (rate limit, outage) or Impossible (everything else)."""
    status, error = exc.response.status_code, slack_error(exc)
    if status == 429:
        headers = {k.lower(): v for k, v in (exc.response.headers or {}).items()}
        wait = headers.get("retry-after", "1")
        return Retry(error, timedelta(seconds=int(wait if str(wait).isdigit() else 1)))
    if status >= 500 or error in TRANSIENT:
        return Retry(error)
    return Impossible(error)


class JobRunner:
    def __init__(self, *, repo: Repository, clock: Clock, handlers: dict[str, Handler], give_up: GiveUp) -> None:
        self.repo, self.clock, self.handlers, self.give_up = repo, clock, handlers, give_up

    async def run(self, ids: list[int] | None = None) -> int:
        """Does the due jobs (only `ids` when given); returns how many were done."""
        done = 0
        while True:
            batch = await self.repo.due_jobs(self.clock.now(), ids=ids)
            for job in batch:
                done += await self._run_one(job)
            if ids is not None or len(batch) < 100:
                return done

    async def _run_one(self, job: Job) -> bool:
        now = self.clock.now()
        if not await self.repo.lease_job(job, now=now, until=now + LEASE):
            return False  # another runner has it
        try:
            try:
                await self.handlers[job.kind](job)
            except SlackApiError as exc:
                raise classify(exc) from None
            except (aiohttp.ClientError, asyncio.TimeoutError, SlackRequestError) as exc:
                raise Retry(type(exc).__name__) from None
            except (Retry, Impossible):
                raise
            except Exception as exc:  # a bug: keep the job, back off, and say so loudly
                log.exception("job %s (%s) raised", job.id, job.kind)
                raise Retry(type(exc).__name__) from None
        except Retry as retry:
            log.info("job %s (%s) failed with %s; retrying", job.id, job.kind, retry.error)
            when = self.clock.now() + (retry.after or backoff(job.attempts))
            await self.repo.finish_job(job.id, at=self.clock.now(), error=retry.error, retry_at=when)
            return False
        except Impossible as impossible:
            log.warning("job %s (%s) cannot be done: %s", job.id, job.kind, impossible)
            await self.repo.finish_job(job.id, at=self.clock.now(), error=str(impossible))
            await self.give_up(job, str(impossible))
            return False
        await self.repo.finish_job(job.id, at=self.clock.now())
        return True
