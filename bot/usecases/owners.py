"""Owners of checklist items (kept with who and when), and snoozing an incident's nudges."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot import nudging
from bot.usecases.base import Deps, refresh_checklist, say
from storage.repository import Duplicate, Incident


async def assign(deps: Deps, incident: Incident, item_ids: list[str], *, owner_id: str | None, by: str) -> list[str]:
    """Gives items an owner (None: nobody); the checklist and the channel show it. Returns the items changed."""
    now = deps.clock.now()
    async with deps.repo.tx(urgent=True) as tx:
        changed = await tx.set_owners(incident.id, item_ids, owner_id=owner_id, set_by=by, at=now)
        if changed and incident.channel_id:
            key = uuid.uuid4().hex
            await refresh_checklist(tx, incident.id, key=f"owner:{key}", at=now)
            await say(
                tx,
                incident.id,
                "owner.set" if owner_id else "owner.cleared",
                job_key=f"owner:{key}",
                at=now,
                by=by,
                user=owner_id,
                items=changed,
            )
        return changed


async def snooze(deps: Deps, incident: Incident, *, seconds: int, user_id: str, source: str) -> datetime:
    """Holds the nudges of an incident for one of the offered snooze times, and says so. ValueError otherwise.

    `source` names the nudge clicked (its message): the same button clicked again by the same person, or the
    click retried, is the same snooze, stored and said once."""
    now = deps.clock.now()
    until = nudging.snoozed_until(now, seconds)
    try:
        async with deps.repo.tx(urgent=True) as tx:
            await tx.schedule_nudge(incident.id, due=until, reset=False)
            if incident.channel_id:
                await say(
                    tx,
                    incident.id,
                    "nudge.snoozed",
                    job_key=f"snooze:{incident.id}:{source or uuid.uuid4().hex}:{user_id}:{seconds}",
                    at=now,
                    user=user_id,
                    until=until.isoformat(),
                )
    except Duplicate:
        pass  # that click was recorded already: nothing more to store or say
    return until
