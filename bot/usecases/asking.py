"""A checklist form about to be opened for someone: recorded first, so only its submission, by that
person, is accepted, and a submission made the moment the modal appears always finds the record.

And which question comes next: `next_question` is the one place that decides it from the stored state
(the answers and the items left empty), for every path that asks or offers it."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from bot.answers import Answer
from bot.checklist import Step, next_step
from bot.usecases.base import Deps
from storage.repository import Incident, Tx


async def prepare(deps: Deps, incident: Incident, step: Step, *, user_id: str) -> tuple[str, dict[str, Answer], int]:
    """Records the form and returns (external_id to open it under, the current answers to prefill, the
    newest revision of the step's items they hold: a submission made after someone changed one is refused)."""
    external_id = f"leak-{secrets.token_hex(12)}"
    async with deps.repo.tx() as tx:
        await tx.record_view(
            external_id, user_id=user_id, incident_id=incident.id, step_id=step.id, at=deps.clock.now()
        )
        answers = await tx.answers(incident.id)
        basis = await tx.newest_revision_id(incident.id, step.items)
    return external_id, answers, basis


async def next_question(tx: Tx, incident_id: int, values: Mapping[str, Any] | None = None) -> Step | None:
    """The step the incident's next question opens, as it stands now (`values`: its answers, when read
    already): required items first, and an optional question once submitted empty no longer first."""
    if values is None:
        values = await tx.values(incident_id)
    return next_step(values, await tx.left_empty(incident_id))
