"""What every use case works with: the store, the clock and the settings that shape the story."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot import legal, nudging
from bot.answers import Answer
from bot.checklist import missing_required
from bot.clock import Clock
from storage.repository import Repository, Tx

T = TypeVar("T")


@dataclass(frozen=True)
class Deps:
    repo: Repository
    clock: Clock
    lang: str
    nudge_after: int = 3600
    company: str | None = None  # LEAKBOT_COMPANY, the issuer the documents name


def values_of(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Returns {item_id: value} of the current answers."""
    return {item_id: answer.value for item_id, answer in answers.items()}


def first_nudge(values: Mapping[str, Any], *, now: datetime, nudge_after: int) -> datetime | None:
    """When the first nudge after progress is due; None once nothing required is open."""
    if not missing_required(values):
        return None
    deadlines = [d.due for d in legal.assess(dict(values)).open_deadlines()]
    return nudging.first_due(now, nudge_after, deadlines)


async def say(tx: Tx, incident_id: int, key: str, *, job_key: str, at: datetime, **params: Any) -> None:
    """Records a plain message to the incident's channel (`key` names the wording in bot.i18n)."""
    await tx.enqueue("say", {"key": key, "params": params}, key=job_key, at=at, incident_id=incident_id)


async def refresh_checklist(tx: Tx, incident_id: int, *, key: str, at: datetime) -> None:
    """Records that the pinned checklist must be updated; the job shows the incident as it is when it runs,
    so a burst of changes updates it once (see `Tx.enqueue`, supersede)."""
    await tx.enqueue("checklist", {}, key=f"checklist:{key}", at=at, incident_id=incident_id, supersede=True)


async def claim_due(
    deps: Deps,
    due: Callable[[Tx, datetime], Awaitable[Sequence[T]]],
    claim: Callable[[Deps, T], Awaitable[bool]],
    *,
    batch: int,
) -> int:
    """A sweep: reads what is due now, `batch` at a time, and claims each (each claim its own unit of
    work, which another replica may have won); returns how many were claimed."""
    claimed = 0
    while True:
        async with deps.repo.read() as tx:
            found = await due(tx, deps.clock.now())
        for each in found:
            claimed += await claim(deps, each)
        if len(found) < batch:
            return claimed
