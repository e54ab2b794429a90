"""Timed work inside the bot process (an asyncio task; no extra service): every tick the sweep sends
the nudges that are due (on incidents, and to reviewers), wakes the job worker (for jobs other
replicas recorded, or that a crashed process left leased) and forgets jobs finished longer ago than
the retention period."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.usecases import nudges, review_nudges
from bot.usecases.base import Deps
from bot.worker import JobWorker

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, deps: Deps, worker: JobWorker, *, tick: int, retention_days: int) -> None:
        self.deps, self.worker, self.tick = deps, worker, tick
        self.retention = timedelta(days=retention_days)

    async def sweep(self) -> int:
        """One sweep; returns how many nudges (to incidents and to reviewers) were recorded to be sent."""
        sent = await nudges.sweep(self.deps) + await review_nudges.sweep(self.deps)
        async with self.deps.repo.tx() as tx:
            forgotten = await tx.forget_jobs(self.deps.clock.now() - self.retention)
        if forgotten:
            log.info("forgot %s jobs finished more than %s days ago", forgotten, self.retention.days)
        self.worker.wake()  # jobs other replicas recorded, or whose lease ran out
        return sent

    async def run(self) -> None:
        """Sweeps every `tick` seconds until cancelled; one failed sweep does not stop the next. A failure
        is logged in one line (with its traceback the first time in a row): a database away for an hour
        is not a traceback every tick."""
        failures = 0
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                failures += 1
                log.warning(
                    "sweep failed (%s, %s in a row); trying again in %ss",
                    type(error).__name__,
                    failures,
                    self.tick,
                    exc_info=failures == 1,
                )
            else:
                if failures:
                    log.info("the sweeps work again after %s failures", failures)
                failures = 0
            await asyncio.sleep(self.tick)
