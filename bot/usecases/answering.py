"""A checklist form submitted: checked against the database alone, stored, and followed up, in one
transaction, before Slack gets its acknowledgement (so the next request, on any replica, sees it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.checklist import CHECKLIST_ITEMS
from bot.usecases import drafts
from bot.usecases.base import Deps, first_nudge
from storage.repository import Duplicate, Incident, Revision, Tx

ATTEMPTS = 3  # a transaction that lost a race on a draft's version number is tried again
_OPTIONAL_QUESTIONS = frozenset(item.id for item in CHECKLIST_ITEMS if not item.required)


class Refused(Exception):
    """This person may not answer this form now; `key` names the reason's wording in bot.i18n."""

    def __init__(self, key: str, incident: Incident | None = None) -> None:
        super().__init__(key)
        self.key, self.incident = key, incident


class Overwrite(Exception):
    """The form was filled before someone (its submitter too, in another tab) changed `item_id`: storing
    it would silently replace that answer. `revision` is the change: who, when, and the value now."""

    def __init__(self, item_id: str, revision: Revision) -> None:
        super().__init__(item_id)
        self.item_id, self.revision = item_id, revision


@dataclass(frozen=True)
class Form:
    """A submitted checklist form, as Slack delivered it."""

    external_id: str  # the id the bot gave the modal when it opened it
    view_id: str
    incident_id: int  # what the modal's metadata says it is about
    step_id: str
    basis: int | None = None  # the newest revision of the step's items the modal was filled from


async def submit(deps: Deps, form: Form, *, user_id: str, values: Mapping[str, Any]) -> list[str]:
    """Stores a submitted form's answers and everything that follows; returns the items that changed.

    Raises Refused or Overwrite (nothing stored). A form stored before (a retry, a double click) changes nothing.
    """
    for attempt in range(ATTEMPTS):
        try:
            async with deps.repo.tx(urgent=True) as tx:
                incident = await _allowed(tx, form, user_id)
                if await tx.source_seen(form.view_id):
                    # Slack repeating a form stored already (a retry, a double click): a view's answers are
                    # stored once, so the repeat changes nothing, even an item someone else changed since
                    # that the first submission had left as it was
                    return []
                await _unchanged_since_filled(tx, form, values)
                return await _store(tx, deps, incident, user_id=user_id, values=values, source=form.view_id)
        except Duplicate:
            async with deps.repo.read() as tx:
                if await tx.source_seen(form.view_id):
                    return []
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _allowed(tx: Tx, form: Form, user_id: str) -> Incident:
    """The incident, locked, when this person may answer this form now; else Refused."""
    incident, opened, member = await tx.form_access(form.incident_id, external_id=form.external_id, user_id=user_id)
    if opened is None or (opened.user_id, opened.incident_id, opened.step_id) != (
        user_id,
        form.incident_id,
        form.step_id,
    ):
        raise Refused("access.form_unknown")
    if incident is None or incident.channel_id is None:
        raise Refused("cmd.not_incident_channel_plain")
    if incident.closed:
        raise Refused("cmd.closed", incident)
    if not member:
        raise Refused("access.not_member", incident)
    return incident


async def _unchanged_since_filled(tx: Tx, form: Form, values: Mapping[str, Any]) -> None:
    """Raises Overwrite when an item of the form was changed after the modal was filled and the form would
    change it again (with the incident locked, so of two forms submitted at once the second sees the first)."""
    if form.basis is None:
        return  # a modal opened before forms carried what they were filled from
    newer = await tx.revised_since(form.incident_id, values, after=form.basis)
    for item_id, revision in newer.items():
        if values[item_id] != revision.value:
            raise Overwrite(item_id, revision)


async def _store(
    tx: Tx, deps: Deps, incident: Incident, *, user_id: str, values: Mapping[str, Any], source: str
) -> list[str]:
    now = deps.clock.now()
    before = await tx.values(incident.id)
    changed = await tx.record(incident.id, user_id=user_id, at=now, values=values, source=source, current=before)
    # An optional item submitted empty was asked: it stays open, and the next question moves past it.
    left_empty = [i for i, v in values.items() if v is None and i in _OPTIONAL_QUESTIONS]
    await tx.leave_empty(incident.id, left_empty, user_id=user_id, at=now, source=source)
    if not changed:
        if left_empty:  # nothing changed, but the next question is another one now
            await tx.enqueue(
                "followup", {}, key=f"followup:{incident.id}:{source}", at=now, incident_id=incident.id, supersede=True
            )
        return []
    current = before | {i: values[i] for i in changed}
    current = {i: v for i, v in current.items() if v is not None}  # a cleared optional answer is no answer
    await tx.schedule_nudge(incident.id, due=first_nudge(current, now=now, nudge_after=deps.nudge_after), reset=True)
    key = f"{incident.id}:{source}"
    if "responders" in changed and current.get("responders"):
        await tx.enqueue(
            "invite", {"users": current["responders"]}, key=f"invite:{key}", at=now, incident_id=incident.id
        )
    await drafts.new_version(tx, deps, incident, current, changed=changed, user_id=None, key=key)
    # The pinned checklist updated and the next question asked if it is not the one asked last, from the
    # state when it runs: a burst of answers, superseding the waiting follow-ups, costs one update and
    # one question, and a revision that leaves the next question where it was asks nothing again.
    # (the follow-up republishes the Home tabs of the channel's members too)
    await tx.enqueue("followup", {}, key=f"followup:{key}", at=now, incident_id=incident.id, supersede=True)
    return changed
