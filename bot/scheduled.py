"""Timed work inside the bot process: the nudge sweep (an asyncio task; no extra service)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot import legal, nudging
from bot.checklist import missing_required, next_step
from bot.effects import values_of
from bot.flows import Flows
from bot.i18n import t
from bot.ui import posts
from storage.repository import Incident

log = logging.getLogger(__name__)
BATCH = 100  # due incidents handled per query; a sweep loops until none is due


class Nudger:
    """Sends one nudge: in the channel, mentioning owners, and by DM to owners of long-open items."""

    def __init__(self, flows: Flows) -> None:
        self.flows = flows

    async def nudge(self, incident: Incident) -> bool:
        """Sends the due nudge unless another sweep took it or nothing required is open; True if sent."""
        flows, now = self.flows, self.flows.clock.now()
        values = values_of(await flows.repo.answers(incident.id))
        missing = missing_required(values)
        if not missing or not incident.channel_id:
            await flows.repo.schedule_nudge(incident.id, due=None, reset=True)
            return False
        deadlines = legal.assess(values).open_deadlines()
        due = nudging.next_due(now, flows.nudge_after, incident.nudges_sent + 1, [d.due for d in deadlines])
        messages = await self._messages(incident, values, missing, deadlines)
        async with flows.repo.tx() as tx:
            if not await tx.claim_nudge(incident, next_due=due):
                return False  # another sweep (or replica) has it
            stamp = f"{incident.id}:{incident.nudge_due_at.isoformat() if incident.nudge_due_at else ''}"
            ids = [await tx.enqueue("slack", {"method": "chat_postMessage", "args": args}, key=f"nudge:{stamp}:{n}",
                                    at=now, incident_id=incident.id) for n, args in enumerate(messages)]
            # the time left on the legal clocks moves on
            ids.append(await tx.enqueue("checklist", {}, key=f"checklist:nudge:{stamp}", at=now, incident_id=incident.id))
        await flows.jobs.run(ids)
        return True

    async def _messages(self, incident: Incident, values: dict, missing: list[str],
                        deadlines: list[legal.Deadline]) -> list[dict]:
        """The nudge in the channel, and by DM to owners once items have been open twice the interval."""
        flows, now = self.flows, self.flows.clock.now()
        owned = await flows.repo.owners(incident.id)
        owners = {item: owned[item].owner_id if item in owned else incident.opener_id for item in missing}
        near = [legal.describe_deadline(d, now=now, lang=flows.lang) for d in deadlines if nudging.within_window(now, d.due)]
        step = next_step(values)
        assert step is not None
        blocks = posts.nudge_blocks(missing, step=step, incident_id=incident.id, owners=owners, lang=flows.lang, extra=near)
        messages = [{"channel": incident.channel_id, "blocks": blocks, "text": t("nudge.text", flows.lang, n=len(missing))}]
        if now - incident.created_at >= timedelta(seconds=2 * flows.nudge_after):
            text = t("nudge.dm", flows.lang, channel=incident.channel_id)
            messages += [{"channel": user, "blocks": [posts.section(text), blocks[0]], "text": text}
                         for user in sorted(set(owners.values()))]
        return messages


class NudgeScheduler:
    def __init__(self, flows: Flows, *, tick: int) -> None:
        self.flows, self.tick = flows, tick
        self.nudger = Nudger(flows)

    async def sweep(self) -> int:
        """Finishes the jobs still pending (say, from before a restart), then sends every nudge due now.

        Returns how many nudges were claimed and handed to Slack."""
        await self.flows.jobs.run()
        sent = 0
        while True:
            due = await self.flows.repo.due_nudges(self.flows.clock.now(), limit=BATCH)
            for incident in due:
                sent += await self.nudger.nudge(incident)
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
