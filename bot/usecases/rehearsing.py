"""`leakbot drill ANSWERS.yaml`: a prepared scenario replayed into a new drill incident, answer by answer,
as the person rehearsing would give them, so the team sees the routine run in a real drill- channel."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

from bot.checklist import CHECKLIST_STEPS, INCIDENT_STEP
from bot.usecases import opening
from bot.usecases.answering import _store
from bot.usecases.base import Deps
from storage.repository import Incident

SET_UP_DONE = 8  # bot.slack.adapter.SETUP_STAGES: the channel is made, the checklist pinned, the first question asked


async def rehearse(
    deps: Deps, values: Mapping[str, Any], *, team_id: str, user_id: str, timeout: float = 300
) -> Incident:
    """Opens a drill incident with the scenario's new-incident answers, waits for its channel, then gives
    the checklist answers one step at a time, each waited for like a person who reads the next question."""
    opened = {k: values[k] for k in INCIDENT_STEP.items if k in values} | {"exercise": True}
    form = await opening.prepare_form(deps, user_id=user_id)  # as the bot would open one for the person
    incident, _created = await opening.open_incident(
        deps, team_id=team_id, opener_id=user_id, view_id=f"drill-{uuid.uuid4().hex}", external_id=form, values=opened
    )
    incident = await _until(deps, incident.id, lambda i: i.setup_stage >= SET_UP_DONE, timeout)
    for step in CHECKLIST_STEPS:
        given = {k: values[k] for k in step.items if k in values}
        if not given:
            continue
        async with deps.repo.tx() as tx:
            locked = await tx.lock_incident(incident.id)
            assert locked is not None
            await _store(tx, deps, locked, user_id=user_id, values=given, source=f"drill-{uuid.uuid4().hex}")
        await _until_done(deps, incident.id, timeout)
    return await _until(deps, incident.id, lambda i: True, timeout)


async def _until(deps: Deps, incident_id: int, condition: Any, timeout: float) -> Incident:
    async def poll() -> Incident:
        while True:
            async with deps.repo.read() as tx:
                incident = await tx.incident(incident_id)
            if incident is not None and condition(incident):
                return incident
            await asyncio.sleep(0.2)

    return await asyncio.wait_for(poll(), timeout)


async def _until_done(deps: Deps, incident_id: int, timeout: float) -> None:
    """Waits until the incident's Slack work is done (its questions posted, its checklist updated)."""

    async def poll() -> None:
        while True:
            async with deps.repo.read() as tx:
                if not await tx.waiting_any(incident_id):
                    return
            await asyncio.sleep(0.2)

    await asyncio.wait_for(poll(), timeout)
