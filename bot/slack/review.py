"""The review intents done in Slack: a version put to its reviewers, the publish button, a reviewer's
reminder by DM, and the review lines of the checklist and /leak-status. Each reads the state as it is when
it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import legal, nudging
from bot.i18n import t
from bot.review import review_of, reviews
from bot.ui import review as ui
from bot.usecases import review_nudges
from bot.usecases.base import values_of
from storage.repository import Incident, Job, Reviewers, Tx

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter


async def post_request(adapter: SlackAdapter, job: Job) -> None:
    """Posts the Approve / Request changes buttons of a version, unless a newer version exists by now.

    A version after the first says that approvals of the previous one do not carry over, and what changed."""
    draft, drafts = await adapter._draft(job.payload["draft_id"])
    incident = await adapter._incident(job)
    if draft is None or draft.waiting or incident.closed or not incident.channel_id:
        return
    async with adapter.repo.read() as tx:
        latest = await tx.latest_draft(incident.id, draft.doc)
        reviewers = (await tx.reviewers(incident.id)).get(draft.doc, ())
    if not reviewers or latest is None or latest.id != draft.id:
        return
    notes: list[str] = []
    previous = next((d for d in reversed(drafts) if d.doc == draft.doc and d.version < draft.version), None)
    if previous is not None and not job.payload.get("again"):
        notes = [t("review.reset", adapter.lang, previous=previous.version), *adapter._changes(draft, drafts)]
    text = t(
        "review.request",
        adapter.lang,
        doc=ui.doc_name(draft.doc, adapter.lang),
        version=draft.version,
        users=ui.mentions(reviewers, adapter.lang),
    )
    await adapter.post(
        job,
        "review",
        channel=incident.channel_id,
        text=text,
        blocks=ui.request_blocks(draft, reviewers, notes=notes, lang=adapter.lang),
    )


async def post_publish_offer(adapter: SlackAdapter, job: Job) -> None:
    """Posts the Publish button once every reviewer approved a version (if that is still so)."""
    draft, _drafts = await adapter._draft(job.payload["draft_id"])
    incident = await adapter._incident(job)
    if draft is None or incident.closed or not incident.channel_id:
        return
    async with adapter.repo.read() as tx:
        latest = await tx.latest_draft(incident.id, draft.doc)
        review = review_of(draft, (await tx.reviewers(incident.id)).get(draft.doc, ()), await tx.decisions(incident.id))
    if latest is None or latest.id != draft.id or not review.fully_approved:
        return
    blocks = ui.publish_blocks(draft, review.reviewers, adapter.lang)
    await adapter.post(
        job, "publish_offer", channel=incident.channel_id, blocks=blocks, text=t("review.publish", adapter.lang)
    )


async def post_nudge(adapter: SlackAdapter, job: Job) -> None:
    """Reminds a reviewer by DM (chat.postMessage to their user id) of a version that waits for their decision,
    unless they decided, a newer version exists or the incident was closed since the reminder was claimed."""
    async with adapter.repo.read() as tx:
        nudge = await tx.review_nudge(job.payload["nudge_id"])
        draft = await tx.draft(nudge.draft_id) if nudge else None
        incident = await tx.incident(nudge.incident_id) if nudge else None
        if nudge is None or draft is None or incident is None or incident.closed or not incident.channel_id:
            return
        latest = await tx.latest_draft(incident.id, draft.doc)
        reviewers = (await tx.reviewers(incident.id)).get(draft.doc, ())
        decided = await tx.decision(draft.id, nudge.reviewer)
        answers = await tx.answers(incident.id)
        deadlines = await review_nudges.deadlines(tx, incident.id, draft.doc)
    if latest is None or latest.id != draft.id or nudge.reviewer not in reviewers or decided is not None:
        return
    now = adapter.clock.now()
    near = [
        legal.describe_deadline(d, now=now, lang=adapter.lang)
        for d in legal.assess(values_of(answers)).open_deadlines()
        if d.due in deadlines and nudging.within_window(now, d.due)
    ]
    since = legal.span_text(now - (draft.posted_at or draft.at), adapter.lang)
    text = adapter._mark(
        answers,
        t(
            "review.nudge",
            adapter.lang,
            channel=incident.channel_id,
            version=draft.version,
            doc=ui.doc_name(draft.doc, adapter.lang),
            since=since,
        ),
    )
    await adapter.post(
        job,
        "review_nudge",
        channel=nudge.reviewer,
        text=text,
        blocks=ui.nudge_blocks(draft, text=text, extra=near, lang=adapter.lang),
    )


async def checklist_blocks(
    adapter: SlackAdapter, incident: Incident, *, trail: bool, room: int, lang: str | None = None, tx: Tx | None = None
) -> list[dict[str, Any]]:
    """The review summary per document (and with `trail`, the whole record), then the Set reviewers button
    (read in `tx` when given, else in a read of its own)."""
    lang = lang or adapter.lang
    async with adapter.repo.reading(tx) as read:
        history = await read.reviewer_history(incident.id)  # read once: the current reviewers are its last changes
        drafts = await read.drafts(incident.id)
        decisions = await read.decisions(incident.id)
        publications = await read.publications(incident.id)
    reviewers = current_reviewers(history)
    lines = ui.summary_lines(reviews(drafts, reviewers, decisions), reviewers, publications, lang)
    blocks = ui.summary_blocks(lines, lang)
    if trail:
        by_id = {d.id: d for d in drafts}
        blocks += ui.trail_blocks(
            ui.trail_lines(history, decisions, publications, by_id, lang), lang, room=room - len(blocks) - 1
        )
    if not incident.closed:
        blocks.append(ui.reviewers_button(incident.id, lang))
    return blocks[: max(room, 0)]


def current_reviewers(history: list[Reviewers]) -> dict[str, tuple[str, ...]]:
    """The reviewers of every document that ever had some, from the history of changes (as Tx.reviewers)."""
    return {change.doc: change.user_ids for change in history}
