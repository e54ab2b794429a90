"""The nudge sweep: claims each due nudge once (whatever the number of replicas) and records it.

What a nudge says is decided when it is sent (bot/slack/adapter.py), from the answers as they are then.
"""

from __future__ import annotations

from datetime import timedelta

from bot import legal, nudging
from bot.checklist import missing_required
from bot.usecases.base import Deps, claim_due, refresh_checklist
from storage.repository import Incident

BATCH = 100  # due incidents handled per query; a sweep loops until none is due


async def sweep(deps: Deps) -> int:
    """Claims every nudge due now; returns how many were recorded to be sent."""
    return await claim_due(deps, lambda tx, now: tx.due_nudges(now, limit=BATCH), nudge, batch=BATCH)


async def nudge(deps: Deps, incident: Incident) -> bool:
    """Records the due nudge unless another sweep took it or nothing required is open; True if recorded."""
    now = deps.clock.now()
    async with deps.repo.tx() as tx:
        values = await tx.values(incident.id)
        if not missing_required(values) or not incident.channel_id:
            await tx.schedule_nudge(incident.id, due=None, reset=True)
            return False
        deadlines = [d.due for d in legal.assess(values).open_deadlines()]
        due = nudging.next_due(now, deps.nudge_after, incident.nudges_sent + 1, deadlines)
        if not await tx.claim_nudge(incident, next_due=due):
            return False  # another sweep (or replica) has it
        stamp = f"{incident.id}:{incident.nudge_due_at.isoformat() if incident.nudge_due_at else ''}"
        # owners hear it by DM too once the incident has been open twice the interval
        dm = now - incident.created_at >= timedelta(seconds=2 * deps.nudge_after)
        await tx.enqueue("nudge", {"dm": dm}, key=f"nudge:{stamp}", at=now, incident_id=incident.id)
        # the time left on the legal clocks moves on
        await refresh_checklist(tx, incident.id, key=f"nudge:{stamp}", at=now)
        return True
