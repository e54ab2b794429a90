"""Draft versions: when one is due, /leak-draft, and confirming a version held by the Benesse rule."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.answers import count_is_unknown
from bot.checklist import REQUIRED, is_drill, missing_required
from bot.drafting import DraftMeta, DraftNotReady, TimelineEntry, render
from bot.usecases import home, review, timeline
from bot.usecases.base import Deps, say
from storage.repository import Draft, Duplicate, Incident, Tx


def grows_published_max(values: Mapping[str, Any], drafts: Sequence[Draft]) -> bool:
    """True when the maximum count is above the largest one in any version posted (or about to be).

    The Benesse rule: a published number that grows costs trust, so such a version waits for a person.
    """
    shown = [
        d.values["max_count"]["value"]
        for d in drafts
        if not d.waiting and d.values and "max_count" in d.values and not count_is_unknown(d.values["max_count"])
    ]
    if count_is_unknown(values["max_count"]):  # 調査中 publishes no number, so none grows
        return False
    return bool(shown) and values["max_count"]["value"] > max(shown)


@dataclass(frozen=True)
class Decision:
    """What to do about a document now: nothing, post the latest again, show the held one, or store a new one."""

    action: str  # "none", "repost", "hold_again", "new"


def decide(latest: Draft | None, *, same_text: bool, changed: Sequence[str], again: bool) -> Decision:
    """When a new version is due: the first time everything required is answered, and when a required
    answer changed the text. `again` (/leak-draft, /leak-close) posts the current text even if unchanged.
    `same_text`: the answers now would give the latest version's text (its version line and date aside)."""
    if latest is not None and same_text:
        if latest.waiting:
            return Decision("hold_again")
        return Decision("repost" if again else "none")
    if latest is not None and not again and not set(changed) & set(REQUIRED):
        return Decision("none")
    return Decision("new")


def meta_for(
    company: str | None,
    drafts: Sequence[Draft],
    doc: str,
    *,
    version: int,
    dated: datetime | None,
    previous: Draft | None,
    exercise: bool = False,
    entries: Sequence[TimelineEntry] = (),
) -> DraftMeta:
    """What a version of `doc` is rendered with besides the answers: issuer, number, date, what came before,
    the timeline (経緯)."""
    public = [d.version for d in drafts if d.doc == "public"]
    return DraftMeta(
        company=company,
        exercise=exercise,
        timeline=tuple(entries),
        version=version,
        dated=dated,
        public_version=public[-1] if public else None,
        previous=previous.values if previous else None,
        previous_dated=previous.at if previous else None,
    )


def says_the_same(
    latest: Draft, values: Mapping[str, Any], deps: Deps, drafts: Sequence[Draft], entries: Sequence[TimelineEntry]
) -> bool:
    """True when these answers (and timeline) would give exactly the latest version's text, rendered as that
    version was: its number, its date, the versions before it."""
    earlier = [d for d in drafts if d.id < latest.id]
    previous = next((d for d in reversed(earlier) if d.doc == latest.doc), None)
    meta = meta_for(
        deps.company,
        earlier,
        latest.doc,
        version=latest.version,
        dated=latest.at,
        previous=previous,
        exercise=is_drill(values),
        entries=entries,
    )
    return render(values, lang=deps.lang, doc=latest.doc, meta=meta) == latest.body


async def new_version(
    tx: Tx,
    deps: Deps,
    incident: Incident,
    values: Mapping[str, Any],
    *,
    changed: Sequence[str],
    user_id: str | None,
    key: str,
    again: bool = False,
    doc: str = "public",
) -> None:
    """Stores and schedules a new version of a document when one is due (see `decide`)."""
    if missing_required(values):
        return
    drafts = await tx.drafts(incident.id)
    entries = await timeline.for_documents(tx, incident.id)
    latest = next((d for d in reversed(drafts) if d.doc == doc), None)
    now = deps.clock.now()
    same = latest is not None and says_the_same(latest, values, deps, drafts, entries)
    decision = decide(latest, same_text=same, changed=changed, again=again)
    if decision.action == "hold_again":
        assert latest is not None
        await tx.enqueue(
            "hold", {"draft_id": latest.id}, key=f"hold:{key}:{latest.id}", at=now, incident_id=incident.id
        )
    elif decision.action == "repost":
        assert latest is not None
        await tx.enqueue(
            "draft",
            {"draft_id": latest.id, "again": True},
            key=f"draft-again:{key}:{doc}",
            at=now,
            incident_id=incident.id,
        )
    elif decision.action == "new":
        version = latest.version + 1 if latest else 1
        body = render(
            values,
            lang=deps.lang,
            doc=doc,
            meta=meta_for(
                deps.company,
                drafts,
                doc,
                version=version,
                dated=now,
                previous=latest,
                exercise=is_drill(values),
                entries=entries,
            ),
        )
        held = grows_published_max(values, drafts)
        draft = await tx.add_draft(incident.id, body=body, at=now, user_id=user_id, doc=doc, values=values, held=held)
        for kind in ("hold",) if held else ("draft", "upload"):
            await tx.enqueue(kind, {"draft_id": draft.id}, key=f"{kind}:{draft.id}", at=now, incident_id=incident.id)
        if not held:
            await review.after_version(tx, incident.id, draft, at=now, nudge_after=deps.nudge_after)
        await home.republish(tx, incident.id, key=f"draft:{draft.id}", at=now)


async def request_draft(
    deps: Deps,
    incident: Incident,
    *,
    user_id: str,
    doc: str = "public",
    lang: str | None = None,
    request: str | None = None,
) -> None:
    """/leak-draft: posts the document's current text (a new version when it changed); raises DraftNotReady.

    In the incident's language the version itself is posted; in the other language, the current version
    translated (a new version in the incident's language first, when the text changed). `request` (the
    command's trigger_id) makes a retried command one command: the retry finds it handled and does nothing."""
    try:
        await _request_draft(deps, incident, user_id=user_id, doc=doc, lang=lang, request=request)
    except Duplicate:
        async with deps.repo.read() as tx:
            if request is None or not await tx.was_handled(f"leak-draft:{request}"):
                raise


async def _request_draft(
    deps: Deps, incident: Incident, *, user_id: str, doc: str, lang: str | None, request: str | None
) -> None:
    async with deps.repo.tx(urgent=True) as tx:
        await tx.lock_incident(incident.id)
        values = await tx.values(incident.id)
        if missing_required(values):
            raise DraftNotReady(missing_required(values))
        if request is not None:
            await tx.handled(f"leak-draft:{request}", at=deps.clock.now())
        key = uuid.uuid4().hex
        if lang is None or lang == deps.lang:
            await new_version(tx, deps, incident, values, changed=[], user_id=user_id, key=key, again=True, doc=doc)
            return
        await new_version(tx, deps, incident, values, changed=list(REQUIRED), user_id=user_id, key=key, doc=doc)
        latest = await tx.latest_draft(incident.id, doc)
        assert latest is not None
        for kind in ("draft", "upload"):
            await tx.enqueue(
                kind,
                {"draft_id": latest.id, "again": True, "lang": lang},
                key=f"{kind}:{key}:{lang}",
                at=deps.clock.now(),
                incident_id=incident.id,
            )


async def confirm_draft(deps: Deps, incident: Incident, draft_id: int, *, user_id: str) -> bool:
    """Someone checked a held version with a higher maximum: post it now. False when there was nothing to confirm."""
    now = deps.clock.now()
    async with deps.repo.tx(urgent=True) as tx:
        await tx.lock_incident(incident.id)
        draft = await tx.draft(draft_id)
        if draft is None or draft.incident_id != incident.id or not await tx.confirm_draft(draft_id, user_id=user_id):
            return False
        await say(
            tx,
            incident.id,
            "draft.hold_done",
            job_key=f"confirmed:{draft_id}",
            at=now,
            user=user_id,
            version=draft.version,
        )
        for kind in ("draft", "upload"):
            await tx.enqueue(kind, {"draft_id": draft_id}, key=f"{kind}:{draft_id}", at=now, incident_id=incident.id)
        await review.after_version(tx, incident.id, draft, at=now, nudge_after=deps.nudge_after)
        return True
