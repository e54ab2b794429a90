"""The story of an incident: each thing people do is one transaction of state and the jobs it needs.

A flow stores what happened and records, in the same transaction, every Slack effect that must
follow (see bot/effects.py). The caller acknowledges Slack, then runs those jobs at once; what
fails or is cut short by a crash stays recorded and the periodic sweep finishes it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime
from typing import Any, Awaitable, Callable, Mapping

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import legal, nudging
from bot.access import Identity, IncidentCache, Membership
from bot.answers import Answer, format_datetime
from bot.checklist import ITEMS, REQUIRED, missing_required, next_step
from bot.clock import Clock
from bot.drafting import DraftNotReady, render
from bot.effects import Effects, values_of
from bot.i18n import t
from bot.jobs import JobRunner, Retry, classify
from bot.ui import posts
from bot.ui.mrkdwn import escape
from storage.repository import Draft, Duplicate, Incident, Job, Repository, Tx

log = logging.getLogger(__name__)
ATTEMPTS = 3  # a transaction that lost a race on a version number is tried again
AFTER_ACK_SLOTS = 1  # after-ack work runs one piece at a time, so new requests get the loop between pieces


def grows_published_max(values: Mapping[str, Any], drafts: list[Draft]) -> bool:
    """True when the maximum count is above the largest one in any version posted (or about to be)."""
    shown = [d.values["max_count"]["value"] for d in drafts if not d.waiting and d.values and "max_count" in d.values]
    return bool(shown) and values["max_count"]["value"] > max(shown)


def post(channel: str, **message: Any) -> dict[str, Any]:
    """The payload of a "slack" job that posts a message."""
    return {"method": "chat_postMessage", "args": {"channel": channel, **message}}


class Flows:
    def __init__(self, *, repo: Repository, client: AsyncWebClient, clock: Clock, lang: str,
                 nudge_after: int = 3600) -> None:
        self.repo, self.client, self.clock, self.lang = repo, client, clock, lang
        self.nudge_after = nudge_after
        self.members = Membership(client, clock)
        self.identity = Identity(client)
        self.incidents = IncidentCache(repo, clock)
        self.effects = Effects(repo=repo, client=client, clock=clock, lang=lang, members=self.members,
                               identity=self.identity, incidents=self.incidents)
        handlers = {**self.effects.handlers(), "open": self._open_job, "answer": self._answer_job}
        self.jobs = JobRunner(repo=repo, clock=clock, handlers=handlers, give_up=self.effects.give_up)
        self._slots: asyncio.Semaphore | None = None
        self._background: set[asyncio.Task[None]] = set()

    # --- work after the ack -------------------------------------------------------------------------

    def later(self, work: Callable[[], Awaitable[Any]]) -> None:
        """Runs work after the ack in the background, one piece at a time, so new requests keep being answered fast.

        What the work does is recorded as jobs beforehand, so a failure here is retried by the sweep.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(AFTER_ACK_SLOTS)
        task = asyncio.create_task(self._in_slot(work))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _in_slot(self, work: Callable[[], Awaitable[Any]]) -> None:
        assert self._slots is not None
        async with self._slots:
            try:
                await work()
            except Exception:
                log.exception("work after an ack failed; recorded jobs are retried by the sweep")

    def track(self, work: Awaitable[Any]) -> asyncio.Task[Any]:
        """Runs a listener's remaining work as a task of its own; `idle()` waits for it too."""
        task = asyncio.create_task(self._tracked(work))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @staticmethod
    async def _tracked(work: Awaitable[Any]) -> Any:
        return await work

    async def idle(self) -> None:
        """Waits until the work after every ack so far is done."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def checklist(self, incident: Incident, answers: Mapping[str, Answer], *, pickers: bool = False) -> list[dict[str, Any]]:
        """The checklist blocks of an incident as it stands."""
        return await self.effects.checklist(incident, answers, pickers=pickers)

    # --- submissions: all a request does before its ack ------------------------------------------

    async def submit(self, kind: str, view_id: str, **payload: Any) -> int | None:
        """Records a validated modal submission as a job (one statement); None when it came before."""
        return await self.repo.submit(kind, {"view_id": view_id, **payload}, key=f"submission:{view_id}",
                                      at=self.clock.now())

    async def _open_job(self, job: Job) -> None:
        """A submitted new-incident form: the incident, its answers and its channel set-up."""
        payload = job.payload
        _incident, jobs, _created = await self.open_incident(team_id=payload["team_id"], opener_id=payload["user_id"],
                                                             view_id=payload["view_id"], values=payload["values"])
        await self.jobs.run(jobs)

    async def _answer_job(self, job: Job) -> None:
        """A submitted checklist form: stored if its author may answer, else they are told why not."""
        payload, user = job.payload, job.payload["user_id"]
        incident = await self.repo.incident(payload["incident_id"])
        try:
            refusal = await self._refusal(incident, user)
        except SlackApiError as exc:
            if isinstance(classify(exc), Retry):
                raise  # Slack could not say who is in the channel: try again in a while
            refusal = "access.unknown"
        if refusal is not None:
            log.warning("refused a step submission for incident %s from %s: %s", payload["incident_id"], user, refusal)
            await self.effects.tell(user, t(refusal, self.lang) + "\n" + t("refused.not_saved", self.lang))
            return
        assert incident is not None
        try:
            jobs = await self.answer(incident, user_id=user, values=payload["values"], source=payload["view_id"])
        except Duplicate:
            return  # stored by an earlier attempt of this job
        await self.jobs.run(jobs)

    async def _refusal(self, incident: Incident | None, user_id: str) -> str | None:
        """Why this person may not answer this incident now (a message key), or None."""
        if incident is None or incident.channel_id is None:
            return "cmd.not_incident_channel_plain"
        if incident.closed:
            return "cmd.closed"
        if not await self.members.is_member(incident.channel_id, user_id):
            return "access.not_member"
        return None

    # --- opening ----------------------------------------------------------------------------------

    async def open_incident(self, *, team_id: str, opener_id: str, view_id: str,
                            values: Mapping[str, Any]) -> tuple[Incident, list[int], bool]:
        """Stores the incident, its first answers and its set-up job; the same view again changes nothing."""
        now = self.clock.now()
        deadlines = [d.due for d in legal.assess(dict(values)).open_deadlines()]
        return await self.repo.open_incident(
            team_id=team_id, opener_id=opener_id, view_id=view_id, values=values, at=now,
            nudge_due=nudging.first_due(now, self.nudge_after, deadlines), jobs=[("setup", {"view_id": view_id})])

    # --- answers ----------------------------------------------------------------------------------

    async def answer(self, incident: Incident, *, user_id: str, values: Mapping[str, Any], source: str) -> list[int]:
        """Stores a submitted modal's answers and everything that follows; returns the job ids.

        Raises Duplicate when this view was stored before (a retry or a double click).
        """
        for attempt in range(ATTEMPTS):
            try:
                async with self.repo.tx() as tx:
                    return await self._answer(tx, incident, user_id=user_id, values=values, source=source)
            except Duplicate:
                if attempt == ATTEMPTS - 1 or await self.repo.source_seen(source):
                    raise
        raise AssertionError("unreachable")

    async def _answer(self, tx: Tx, incident: Incident, *, user_id: str, values: Mapping[str, Any], source: str) -> list[int]:
        now = self.clock.now()
        await tx.lock_incident(incident.id)  # two answers at once: the second sees the first
        changed = await tx.record(incident.id, user_id=user_id, at=now, values=values, source=source)
        if not changed:
            return []
        answers = await tx.answers(incident.id)
        current = values_of(answers)
        deadlines = [d.due for d in legal.assess(current).open_deadlines()]
        due = nudging.first_due(now, self.nudge_after, deadlines) if missing_required(current) else None
        await tx.schedule_nudge(incident.id, due=due, reset=True)
        key = f"{incident.id}:{source}"
        jobs = []
        if "responders" in changed and "responders" in answers:
            jobs.append(await tx.enqueue("invite", {"users": answers["responders"].value}, key=f"invite:{key}", at=now,
                                         incident_id=incident.id))
        jobs.append(await tx.enqueue("checklist", {}, key=f"checklist:{key}", at=now, incident_id=incident.id))
        jobs += await self._new_draft(tx, incident, current, changed=changed, user_id=None, key=key)
        step = next_step(current)
        if step is not None and incident.channel_id:
            owners = await tx.owners(incident.id)
            owner = next((owners[i].owner_id for i in step.items if i in owners), None)
            message = post(incident.channel_id, text=posts.question_text(step, self.lang),
                           blocks=posts.question_blocks(step, incident_id=incident.id, lang=self.lang, owner=owner))
            jobs.append(await tx.enqueue("slack", message, key=f"question:{key}", at=now, incident_id=incident.id))
        return jobs

    # --- drafts -----------------------------------------------------------------------------------

    async def _new_draft(self, tx: Tx, incident: Incident, values: Mapping[str, Any], *, changed: list[str],
                         user_id: str | None, key: str, again: bool = False, doc: str = "public") -> list[int]:
        """Stores and schedules a new version of a document when one is due; returns the job ids.

        Due: the first time everything required is answered, and after a required answer changed the
        text. With `again` (/leak-draft, /leak-close) the current text is posted even if unchanged.
        A version whose maximum count is above one already posted is held for a person to confirm.
        """
        if missing_required(values):
            return []
        drafts = await tx.drafts(incident.id)
        public = [d.version for d in drafts if d.doc == "public"]
        body = render(values, lang=self.lang, doc=doc, public_version=public[-1] if public else None)
        latest = next((d for d in reversed(drafts) if d.doc == doc), None)
        now = self.clock.now()
        if latest is not None and latest.body == body:
            if latest.waiting:
                return [await tx.enqueue("hold", {"draft_id": latest.id}, key=f"hold:{key}:{latest.id}", at=now,
                                         incident_id=incident.id)]
            if not again:
                return []
            return [await tx.enqueue("draft", {"draft_id": latest.id, "again": True}, key=f"draft-again:{key}:{doc}",
                                     at=now, incident_id=incident.id)]
        if latest is not None and not again and not set(changed) & set(REQUIRED):
            return []
        held = grows_published_max(values, drafts)
        draft = await tx.add_draft(incident.id, body=body, at=now, user_id=user_id, doc=doc, values=values, held=held)
        kinds = ("hold",) if held else ("draft", "upload")
        return [await tx.enqueue(kind, {"draft_id": draft.id}, key=f"{kind}:{draft.id}", at=now, incident_id=incident.id)
                for kind in kinds]

    async def request_draft(self, incident: Incident, *, user_id: str, doc: str = "public") -> list[int]:
        """/leak-draft: posts the document's current text (a new version when it changed); raises DraftNotReady."""
        async with self.repo.tx() as tx:
            await tx.lock_incident(incident.id)
            values = values_of(await tx.answers(incident.id))
            if missing_required(values):
                raise DraftNotReady(missing_required(values))
            return await self._new_draft(tx, incident, values, changed=[], user_id=user_id, key=uuid.uuid4().hex,
                                         again=True, doc=doc)

    async def confirm_draft(self, incident: Incident, draft_id: int, *, user_id: str) -> list[int]:
        """Someone checked a held version with a higher maximum: post it now."""
        now = self.clock.now()
        async with self.repo.tx() as tx:
            await tx.lock_incident(incident.id)
            draft = await tx.draft(draft_id)
            if draft is None or draft.incident_id != incident.id or not await tx.confirm_draft(draft_id, user_id=user_id):
                return []
            text = t("draft.hold_done", self.lang, user=user_id, version=draft.version)
            return [await tx.enqueue("slack", post(incident.channel_id, text=text), key=f"confirmed:{draft_id}", at=now,
                                     incident_id=incident.id)] + [
                await tx.enqueue(kind, {"draft_id": draft_id}, key=f"{kind}:{draft_id}", at=now, incident_id=incident.id)
                for kind in ("draft", "upload")]

    # --- owners, snoozes, closing -----------------------------------------------------------------

    async def assign(self, incident: Incident, item_ids: list[str], *, owner_id: str | None, by: str) -> list[int]:
        """Gives items an owner (kept with who and when); the checklist and the channel show it."""
        now = self.clock.now()
        async with self.repo.tx() as tx:
            changed = await tx.set_owners(incident.id, item_ids, owner_id=owner_id, set_by=by, at=now)
            if not changed or not incident.channel_id:
                return []
            names = ("、" if self.lang == "ja" else ", ").join(ITEMS[i].label(self.lang) for i in changed)
            text = t("owner.set" if owner_id else "owner.cleared", self.lang, by=by, user=owner_id, items=escape(names))
            key = uuid.uuid4().hex
            return [await tx.enqueue("checklist", {}, key=f"checklist:owner:{key}", at=now, incident_id=incident.id),
                    await tx.enqueue("slack", post(incident.channel_id, text=text), key=f"owner:{key}", at=now,
                                     incident_id=incident.id)]

    async def snooze(self, incident: Incident, *, seconds: int, user_id: str) -> tuple[datetime, list[int]]:
        """Holds the nudges of an incident for one of the offered snooze times, and says so."""
        now = self.clock.now()
        until = nudging.snoozed_until(now, seconds)
        async with self.repo.tx() as tx:
            await tx.schedule_nudge(incident.id, due=until, reset=False)
            if not incident.channel_id:
                return until, []
            text = t("nudge.snoozed", self.lang, user=user_id, until=format_datetime(until, self.lang))
            job = await tx.enqueue("slack", post(incident.channel_id, text=text), key=f"snooze:{uuid.uuid4().hex}",
                                   at=now, incident_id=incident.id)
            return until, [job]

    async def close(self, incident: Incident, *, user_id: str) -> list[int] | None:
        """Closes the incident: nudges stop; the final checklist and latest draft are posted. None if closed already."""
        now = self.clock.now()
        self.incidents.forget(incident.id)
        async with self.repo.tx() as tx:
            await tx.lock_incident(incident.id)
            if not await tx.close(incident.id, user_id=user_id, at=now) or not incident.channel_id:
                return None
            key = f"close:{incident.id}"
            jobs = [await tx.enqueue("slack", post(incident.channel_id, text=t("close.done", self.lang, user=user_id)),
                                     key=f"{key}:notice", at=now, incident_id=incident.id),
                    await tx.enqueue("close", {}, key=f"{key}:record", at=now, incident_id=incident.id)]
            values = values_of(await tx.answers(incident.id))
            return jobs + await self._new_draft(tx, incident, values, changed=[], user_id=user_id, key=key, again=True)
