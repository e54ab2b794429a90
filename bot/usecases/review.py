"""Review and publication: naming reviewers, a reviewer's decision on a version, recording what went out.

Everything is checked and stored in one transaction before the request's ack; what Slack must show
afterwards is recorded as intents (jobs). Nothing here is ever overwritten: reviewers, decisions and
publications are appended, and a publication fills its checklist item as a new answer revision.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.answers import format_datetime
from bot.drafting import DOCS
from bot.i18n import t
from bot.review import FILLS, VersionReview, review_of
from bot.text import Typed
from bot.usecases import review_nudges
from bot.usecases.base import Deps, refresh_checklist, say
from storage.repository import Draft, Duplicate, Incident, Tx

REVIEWERS_STEP = "reviewers"  # the step id under which a reviewers modal is recorded in `views`


class Refused(Exception):
    """Not allowed now; `key` and `params` name the reason's wording in bot.i18n. Nothing was stored."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Decided:
    """What became of a click or a submission: the version, and whether it was recorded before."""

    draft: Draft
    approved: bool
    already: bool = False


def changes_step(draft_id: int) -> str:
    return f"changes:{draft_id}"


def publish_step(draft_id: int) -> str:
    return f"publish:{draft_id}"


# --- views the bot opens ------------------------------------------------------------------------------


async def prepare_view(deps: Deps, incident: Incident, step_id: str, *, user_id: str) -> str:
    """Records a modal about to be opened for one person (only its submission will count); returns its external_id."""
    external_id = f"leak-{secrets.token_hex(12)}"
    async with deps.repo.tx() as tx:
        await tx.record_view(
            external_id, user_id=user_id, incident_id=incident.id, step_id=step_id, at=deps.clock.now()
        )
    return external_id


async def current_reviewers(deps: Deps, incident: Incident) -> dict[str, tuple[str, ...]]:
    """The reviewers of every document now (to prefill the modal)."""
    async with deps.repo.read() as tx:
        return await tx.reviewers(incident.id)


async def _form_incident(tx: Tx, *, external_id: str, incident_id: int, step_id: str, user_id: str) -> Incident:
    """The incident, locked, when this person submits a modal the bot opened for them and may still change it."""
    opened = await tx.view(external_id)
    if opened is None or (opened.user_id, opened.incident_id, opened.step_id) != (user_id, incident_id, step_id):
        raise Refused("review.form_unknown")
    return await _open_incident(tx, incident_id, user_id)


async def _open_incident(tx: Tx, incident_id: int, user_id: str) -> Incident:
    incident = await tx.lock_incident(incident_id)
    if incident is None or incident.channel_id is None:
        raise Refused("cmd.not_incident_channel_plain")
    if incident.closed:
        raise Refused("cmd.closed")
    if not await tx.is_member(incident.channel_id, user_id):
        raise Refused("access.not_member")
    return incident


# --- reviewers --------------------------------------------------------------------------------------


async def set_reviewers(
    deps: Deps, *, external_id: str, view_id: str, incident_id: int, user_id: str, reviewers: Mapping[str, list[str]]
) -> list[str]:
    """Stores the reviewers of each document from a submitted modal; returns the documents that changed.

    Every reviewer must be in the channel (Refused "review.not_member" with `doc`). The same view again changes nothing.
    """
    now = deps.clock.now()
    try:
        async with deps.repo.tx(urgent=True) as tx:
            incident = await _form_incident(
                tx, external_id=external_id, incident_id=incident_id, step_id=REVIEWERS_STEP, user_id=user_id
            )
            assert incident.channel_id is not None
            members = await tx.members(incident.channel_id)
            for doc in DOCS:
                outside = [u for u in reviewers.get(doc, []) if u not in members]
                if outside:
                    raise Refused("review.not_member", doc=doc, users=outside)
            changed = await tx.set_reviewers(
                incident.id, {d: list(reviewers.get(d, [])) for d in DOCS}, set_by=user_id, at=now, source=view_id
            )
            for doc in changed:
                users = sorted(set(reviewers.get(doc, [])))
                await say(
                    tx,
                    incident.id,
                    "review.set" if users else "review.cleared",
                    job_key=f"reviewers:{view_id}:{doc}",
                    at=now,
                    by=user_id,
                    doc=doc,
                    users=users,
                )
                await _ask_again(tx, incident, doc, key=view_id, at=now, nudge_after=deps.nudge_after)
            if changed:
                await refresh_checklist(tx, incident.id, key=f"reviewers:{view_id}", at=now)
            return changed
    except Duplicate:
        async with deps.repo.read() as tx:
            if await tx.reviewers_seen(view_id):
                return []
        raise


async def _ask_again(tx: Tx, incident: Incident, doc: str, *, key: str, at: datetime, nudge_after: int) -> None:
    """After reviewers changed: the latest posted version of the document is put to them (or offered to publish),
    and the reminders of who is waited for on it follow the change."""
    draft = await tx.latest_draft(incident.id, doc)
    if draft is None or draft.waiting:
        return
    await review_nudges.track(tx, incident.id, draft, at=at, nudge_after=nudge_after)
    review = review_of(draft, (await tx.reviewers(incident.id)).get(doc, ()), await tx.decisions(incident.id))
    if review.fully_approved:
        await tx.enqueue(
            "publish_offer",
            {"draft_id": draft.id},
            key=f"publish-offer:{draft.id}:{key}",
            at=at,
            incident_id=incident.id,
        )
    elif review.reviewers:
        await tx.enqueue(
            "review",
            {"draft_id": draft.id, "again": True},
            key=f"review:{draft.id}:{key}",
            at=at,
            incident_id=incident.id,
        )


async def after_version(tx: Tx, incident_id: int, draft: Draft, *, at: datetime, nudge_after: int) -> None:
    """A version is about to be posted: if its document has reviewers, its Approve / Request changes buttons follow
    and their reminders start (those of the previous version stop)."""
    await review_nudges.track(tx, incident_id, draft, at=at, nudge_after=nudge_after)
    if (await tx.reviewers(incident_id)).get(draft.doc):
        await tx.enqueue("review", {"draft_id": draft.id}, key=f"review:{draft.id}", at=at, incident_id=incident_id)


# --- decisions -------------------------------------------------------------------------------------


async def _reviewable(
    tx: Tx, *, channel_incident: Incident | None, incident_id: int, draft_id: int, user_id: str
) -> tuple[Incident, Draft, VersionReview]:
    """The incident (locked), the version and its review, when this person may decide on it now; else Refused."""
    if channel_incident is None or channel_incident.id != incident_id:
        raise Refused("review.wrong_incident")
    incident = await _open_incident(tx, incident_id, user_id)
    draft = await tx.draft(draft_id)
    if draft is None or draft.incident_id != incident.id or draft.waiting:
        raise Refused("review.unknown_version")
    latest = await tx.latest_draft(incident.id, draft.doc)
    if latest is not None and latest.id != draft.id:
        raise Refused("review.stale", doc=draft.doc, version=draft.version, latest=latest.version)
    reviewers = (await tx.reviewers(incident.id)).get(draft.doc, ())
    return incident, draft, review_of(draft, reviewers, await tx.decisions(incident.id))


async def check_decider(
    deps: Deps, *, channel_incident: Incident | None, incident_id: int, draft_id: int, user_id: str
) -> Decided | None:
    """Whether this person may decide on the version (Refused if not); a Decided(already=True) if they did."""
    async with deps.repo.read() as tx:
        _incident, draft, review = await _reviewable(
            tx, channel_incident=channel_incident, incident_id=incident_id, draft_id=draft_id, user_id=user_id
        )
        _may_decide(draft, review, user_id)
        earlier = await tx.decision(draft.id, user_id)
    return Decided(draft, earlier.approved, already=True) if earlier else None


async def check_reviewer(
    tx: Tx, *, incident_id: int, draft_id: int, user_id: str
) -> tuple[Incident, Draft, VersionReview]:
    """For a click outside the incident's channel (a reminder by DM): the incident (locked), the version and its
    review, when this person is a reviewer who may decide on it now; else Refused."""
    result = await _reviewable(
        tx, channel_incident=await tx.incident(incident_id), incident_id=incident_id, draft_id=draft_id, user_id=user_id
    )
    _may_decide(result[1], result[2], user_id)
    return result


def _may_decide(draft: Draft, review: VersionReview, user_id: str) -> None:
    if not review.reviewers:
        raise Refused("review.no_reviewers", doc=draft.doc)
    if user_id not in review.reviewers:
        raise Refused("review.not_reviewer", doc=draft.doc, users=list(review.reviewers))


async def decide(
    deps: Deps,
    *,
    channel_incident: Incident | None,
    incident_id: int,
    draft_id: int,
    user_id: str,
    approved: bool,
    comment: Typed | None = None,
    form: tuple[str, str] | None = None,
) -> Decided:
    """Records a reviewer's decision on a version, once; Refused (nothing stored) when they may not.

    `form` is (external_id, view_id) of the request-changes modal the comment came from.
    """
    now = deps.clock.now()
    try:
        async with deps.repo.tx(urgent=True) as tx:
            if form is not None:  # the modal the bot opened from a click in the incident's channel vouches for it
                channel_incident = await _form_incident(
                    tx, external_id=form[0], incident_id=incident_id, step_id=changes_step(draft_id), user_id=user_id
                )
            incident, draft, review = await _reviewable(
                tx, channel_incident=channel_incident, incident_id=incident_id, draft_id=draft_id, user_id=user_id
            )
            _may_decide(draft, review, user_id)
            earlier = await tx.decision(draft.id, user_id)
            if earlier is not None:  # told "already recorded", unless it is this very modal sent again
                return Decided(draft, earlier.approved, already=form is None or earlier.source != form[1])
            decision = await tx.add_decision(
                incident.id,
                draft.id,
                reviewer=user_id,
                approved=approved,
                comment=comment,
                at=now,
                source=form[1] if form else None,
            )
            await tx.stop_review_nudge(draft.id, user_id)  # no more reminders for this version
            after = review_of(draft, review.reviewers, [*await tx.decisions(incident.id)])
            if approved:
                await say(
                    tx,
                    incident.id,
                    "review.approved",
                    job_key=f"decision:{decision.id}",
                    at=now,
                    user=user_id,
                    doc=draft.doc,
                    version=draft.version,
                    n=len(after.approved),
                    total=len(after.reviewers),
                )
            else:
                await say(
                    tx,
                    incident.id,
                    "review.changes_requested",
                    job_key=f"decision:{decision.id}",
                    at=now,
                    user=user_id,
                    doc=draft.doc,
                    version=draft.version,
                    comment=comment or "",
                )
            if after.fully_approved:
                await tx.enqueue(
                    "publish_offer",
                    {"draft_id": draft.id},
                    key=f"publish-offer:{draft.id}",
                    at=now,
                    incident_id=incident.id,
                )
            await refresh_checklist(tx, incident.id, key=f"decision:{decision.id}", at=now)
            return Decided(draft, approved)
    except Duplicate:  # the same click twice at once: the other one recorded it
        async with deps.repo.read() as tx:
            earlier = await tx.decision(draft_id, user_id)
            draft_now = await tx.draft(draft_id)
        if earlier is None or draft_now is None:
            raise
        return Decided(draft_now, earlier.approved, already=form is None or earlier.source != form[1])


# --- publication -----------------------------------------------------------------------------------


async def _publishable(
    tx: Tx, *, channel_incident: Incident | None, incident_id: int, draft_id: int, user_id: str
) -> tuple[Incident, Draft]:
    incident, draft, review = await _reviewable(
        tx, channel_incident=channel_incident, incident_id=incident_id, draft_id=draft_id, user_id=user_id
    )
    if not review.fully_approved:
        raise Refused(
            "review.not_approved",
            doc=draft.doc,
            version=draft.version,
            waiting=list(review.waiting or review.changes or review.reviewers),
        )
    return incident, draft


async def check_publishable(
    deps: Deps, *, channel_incident: Incident | None, incident_id: int, draft_id: int, user_id: str
) -> Draft:
    """The version, when it is the latest and every reviewer approved it; else Refused."""
    async with deps.repo.read() as tx:
        return (
            await _publishable(
                tx, channel_incident=channel_incident, incident_id=incident_id, draft_id=draft_id, user_id=user_id
            )
        )[1]


@dataclass(frozen=True)
class Published:
    """What the publish modal said: when, how, and where (optional)."""

    at: datetime
    how: str
    url: Typed | None  # screened like all typed text (bot.text)


async def publish(
    deps: Deps, *, external_id: str, view_id: str, incident_id: int, draft_id: int, user_id: str, published: Published
) -> bool:
    """Records that a fully approved version went out, and fills its checklist item (as an answer revision).

    Refused (nothing stored) when the version is not the latest or not fully approved. False: this
    modal was recorded before (a retry), or this person published this version already from another modal
    (one publication and one notice per version and person: a unique key in storage, across replicas).
    """
    now = deps.clock.now()
    try:
        async with deps.repo.tx(urgent=True) as tx:
            channel_incident = await _form_incident(
                tx, external_id=external_id, incident_id=incident_id, step_id=publish_step(draft_id), user_id=user_id
            )
            incident, draft = await _publishable(
                tx, channel_incident=channel_incident, incident_id=incident_id, draft_id=draft_id, user_id=user_id
            )
            await tx.add_publication(
                incident.id,
                draft.id,
                published_at=published.at,
                how=published.how,
                url=published.url,
                by=user_id,
                at=now,
                source=view_id,
            )
            line = publication_line(draft, published, deps.lang)
            item = FILLS.get(draft.doc)
            if item is not None:
                await tx.record(incident.id, user_id=user_id, at=now, values={item: line}, source=view_id)
            await say(
                tx,
                incident.id,
                "review.published",
                job_key=f"published:{view_id}",
                at=now,
                user=user_id,
                doc=draft.doc,
                version=draft.version,
                line=line,
            )
            await refresh_checklist(tx, incident.id, key=f"published:{view_id}", at=now)
            return True
    except Duplicate:
        async with deps.repo.read() as tx:
            if await tx.publication_seen(view_id):
                return False
            # a second publish modal of the same person for the same version: published once already
            if any(p.draft_id == draft_id and p.by == user_id for p in await tx.publications(incident_id)):
                return False
        raise


def publication_line(draft: Draft, published: Published, lang: str) -> str:
    """The words a publication puts in its checklist item (and the PPC report)."""
    key = f"review.item.{draft.doc}" if draft.doc in FILLS else "review.item.other"
    return t(
        key,
        lang,
        when=format_datetime(published.at, lang),
        how=t(f"review.how.{published.how}", lang),
        version=draft.version,
        doc=t(f"doc.{draft.doc}", lang),
        url=published.url or "",
    ).strip()
