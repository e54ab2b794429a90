"""/leak-close confirmed: nudges stop; the final checklist and the latest draft are posted."""

from __future__ import annotations

from contextlib import suppress

from bot.text import Unsafe
from bot.usecases import drafts, home
from bot.usecases.base import Deps, say
from storage.repository import Incident


async def close(deps: Deps, incident: Incident, *, user_id: str) -> bool:
    """Closes the incident; False when it was closed already."""
    now = deps.clock.now()
    async with deps.repo.tx(urgent=True) as tx:
        await tx.lock_incident(incident.id)
        if not await tx.close(incident.id, user_id=user_id, at=now) or not incident.channel_id:
            return False
        key = f"close:{incident.id}"
        await say(tx, incident.id, "close.done", job_key=f"{key}:notice", at=now, user=user_id)
        await tx.enqueue("close", {}, key=f"{key}:record", at=now, incident_id=incident.id)
        await home.republish(tx, incident.id, key=key, at=now)
        values = await tx.values(incident.id)
        with suppress(Unsafe):  # answers whose digits join up into a card number in the text: no draft posted
            await drafts.new_version(tx, deps, incident, values, changed=[], user_id=user_id, key=key, again=True)
        return True
