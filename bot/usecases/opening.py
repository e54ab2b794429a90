"""/leak-open submitted: the incident, its first answers and its channel set-up, in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from bot.usecases.base import Deps, first_nudge
from storage.repository import Duplicate, Incident


class NotOpenedByTheBot(Exception):
    """A new-incident form the bot never opened for this person (forged, or opened for someone else)."""


async def prepare_form(deps: Deps, *, user_id: str) -> str:
    """Records a new-incident modal about to be opened for one person; returns the external_id to open it under."""
    external_id = f"leak-open-{secrets.token_hex(12)}"
    async with deps.repo.tx() as tx:
        await tx.record_open_form(external_id, user_id=user_id, at=deps.clock.now())
    return external_id


async def open_incident(
    deps: Deps, *, team_id: str, opener_id: str, view_id: str, external_id: str, values: Mapping[str, Any]
) -> tuple[Incident, bool]:
    """Stores the incident and records its set-up; returns (incident, created).

    Raises NotOpenedByTheBot (nothing stored) unless the bot opened this form (`external_id`) for the opener.
    The same view submitted again (a retry, a double click, another replica) returns the incident it made.
    """
    now = deps.clock.now()
    given = {k: v for k, v in values.items() if v is not None}
    try:
        async with deps.repo.tx(urgent=True) as tx:
            if await tx.open_form_user(external_id) != opener_id:
                raise NotOpenedByTheBot(external_id)
            incident = await tx.open_incident(
                team_id=team_id,
                opener_id=opener_id,
                view_id=view_id,
                at=now,
                nudge_due=first_nudge(given, now=now, nudge_after=deps.nudge_after),
            )
            await tx.record(incident.id, user_id=opener_id, at=now, values=given)
            await tx.enqueue("setup", {"view_id": view_id}, key=f"setup:{incident.id}", at=now, incident_id=incident.id)
            return incident, True
    except Duplicate:
        async with deps.repo.read() as tx:
            found = await tx.incident_by_view(view_id)
        if found is None:
            raise
        return found, False
