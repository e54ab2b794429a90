"""Timed work inside the bot process: the nudge sweep (an asyncio task; no extra service)."""

from __future__ import annotations

import asyncio
import logging

from bot.flows import Flows

log = logging.getLogger(__name__)
BATCH = 100  # due incidents handled per query; a sweep loops until none is due


class NudgeScheduler:
    def __init__(self, flows: Flows, *, tick: int) -> None:
        self.flows, self.tick = flows, tick

    async def sweep(self) -> int:
        """Sends every nudge that is due now; returns how many were sent."""
        sent = 0
        while True:
            due = await self.flows.repo.due_nudges(self.flows.clock.now(), limit=BATCH)
            for incident in due:
                sent += await self.flows.nudge(incident)
            if len(due) < BATCH:
                return sent

    async def run(self) -> None:
        """Sweeps every `tick` seconds until cancelled; one failed sweep does not stop the next."""
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("nudge sweep failed; trying again in %ss", self.tick)
            await asyncio.sleep(self.tick)
