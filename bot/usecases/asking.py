"""A checklist form about to be opened for someone: recorded first, so only its submission, by that
person, is accepted, and a submission made the moment the modal appears always finds the record."""

from __future__ import annotations

import secrets

from bot.answers import Answer
from bot.checklist import Step
from bot.usecases.base import Deps
from storage.repository import Incident


async def prepare(deps: Deps, incident: Incident, step: Step, *, user_id: str) -> tuple[str, dict[str, Answer]]:
    """Records the form and returns (external_id to open it under, the current answers to prefill)."""
    external_id = f"leak-{secrets.token_hex(12)}"
    async with deps.repo.tx() as tx:
        await tx.record_view(
            external_id, user_id=user_id, incident_id=incident.id, step_id=step.id, at=deps.clock.now()
        )
        answers = await tx.answers(incident.id)
    return external_id, answers
