"""Reviewer nudges: a version waiting for a reviewer's decision reminds that reviewer by DM.

Each reviewer of a version has a clock (per version and reviewer, stored): it starts when the version is
put to them, runs with the item nudges' policy (bot/nudging.py: the interval, backoff, snooze; for the
PPC report, at least hourly within 24 hours of an open legal deadline) and stops when they decide, a
newer version replaces it, they stop being a reviewer, or the incident is closed. The sweep claims each
due reminder once (a conditional update), whatever the number of replicas; what the DM says is decided
when it is sent (bot/slack/review.py).
"""

from __future__ import annotations

from datetime import datetime

from bot import legal, nudging
from bot.review import review_of
from bot.usecases import review
from bot.usecases.base import Deps, claim_due
from storage.repository import Draft, ReviewNudge, Tx

BATCH = 100  # due reminders handled per query; a sweep loops until none is due
DEADLINE_DOCS = ("ppc",)  # documents whose reviewers are nudged hourly near a legal deadline


async def deadlines(tx: Tx, incident_id: int, doc: str) -> list[datetime]:
    """The open legal deadlines that quicken the nudges of this document's reviewers (none for most)."""
    if doc not in DEADLINE_DOCS:
        return []
    return [d.due for d in legal.assess(await tx.values(incident_id)).open_deadlines()]


async def track(tx: Tx, incident_id: int, draft: Draft, *, at: datetime, nudge_after: int) -> None:
    """A version is put to its reviewers (new, or its reviewers changed): the clock of each reviewer who has
    not decided on it starts (one already running goes on); the clocks of older versions stop."""
    reviewers = (await tx.reviewers(incident_id)).get(draft.doc, ())
    waiting = list(review_of(draft, reviewers, await tx.decisions(incident_id)).waiting) if reviewers else []
    due = nudging.first_due(at, nudge_after, await deadlines(tx, incident_id, draft.doc) if waiting else [])
    await tx.start_review_nudges(incident_id, draft.id, waiting, due=due, at=at)


async def sweep(deps: Deps) -> int:
    """Claims every reviewer reminder due now; returns how many were recorded to be sent."""
    return await claim_due(deps, lambda tx, now: tx.due_review_nudges(now, limit=BATCH), remind, batch=BATCH)


async def remind(deps: Deps, nudge: ReviewNudge) -> bool:
    """Records the due reminder unless another sweep took it or the reviewer is no longer waited for;
    True if recorded."""
    now = deps.clock.now()
    async with deps.repo.tx() as tx:
        if not await _still_waiting(tx, nudge):
            await tx.stop_review_nudge(nudge.draft_id, nudge.reviewer, seen=nudge.due_at)
            return False
        draft = await tx.draft(nudge.draft_id)
        assert draft is not None and nudge.due_at is not None
        due = nudging.next_due(
            now, deps.nudge_after, nudge.nudges_sent + 1, await deadlines(tx, nudge.incident_id, draft.doc)
        )
        if not await tx.claim_review_nudge(nudge, next_due=due):
            return False  # another sweep (or replica) has it
        key = f"review-nudge:{nudge.id}:{nudge.due_at.isoformat()}"
        await tx.enqueue("review_nudge", {"nudge_id": nudge.id}, key=key, at=now, incident_id=nudge.incident_id)
        return True


async def _still_waiting(tx: Tx, nudge: ReviewNudge) -> bool:
    """The incident is open, the version is its document's latest and posted, and the reviewer has not decided."""
    incident = await tx.incident(nudge.incident_id)
    draft = await tx.draft(nudge.draft_id)
    if incident is None or incident.status != "open" or not incident.channel_id or draft is None or draft.waiting:
        return False
    latest = await tx.latest_draft(incident.id, draft.doc)
    reviewers = (await tx.reviewers(incident.id)).get(draft.doc, ())
    return (
        latest is not None
        and latest.id == draft.id
        and nudge.reviewer in reviewers
        and await tx.decision(draft.id, nudge.reviewer) is None
    )


async def snooze(deps: Deps, *, incident_id: int, draft_id: int, user_id: str, seconds: int) -> tuple[Draft, datetime]:
    """Holds a reviewer's own reminders on a version for one of the offered snooze times; returns the version and
    until when. Refused (nothing stored) when they may not decide on it now or have decided; ValueError for a
    time that is not offered."""
    now = deps.clock.now()
    until = nudging.snoozed_until(now, seconds)
    async with deps.repo.tx(urgent=True) as tx:
        _incident, draft, _review = await review.check_reviewer(
            tx, incident_id=incident_id, draft_id=draft_id, user_id=user_id
        )
        decided = await tx.decision(draft.id, user_id) is not None
        if decided or not await tx.snooze_review_nudge(draft.id, user_id, until=until):
            raise review.Refused("review.nudge_nothing", doc=draft.doc, version=draft.version)
        return draft, until
