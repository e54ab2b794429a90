"""Draft versions: when one is due, /leak-draft, and confirming a version held by the Benesse rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from bot.checklist import REQUIRED, missing_required
from bot.drafting import DraftMeta, DraftNotReady, render
from bot.usecases import home, timeline
from bot.usecases.base import Deps, say, values_of
from storage.repository import Draft, Incident, Tx


def grows_published_max(values: Mapping[str, Any], drafts: Sequence[Draft]) -> bool:
    """True when the maximum count is above the largest one in any version posted (or about to be).

    The Benesse rule: a published number that grows costs trust, so such a version waits for a person.
    """
    shown = [d.values["max_count"]["value"] for d in drafts if not d.waiting and d.values and "max_count" in d.values]
    return bool(shown) and values["max_count"]["value"] > max(shown)


@dataclass(frozen=True)
class Decision:
    """What to do about a document now: nothing, post the latest again, show the held one, or store a new one."""

    action: str  # "none", "repost", "hold_again", "new"


def decide(latest: Draft | None, body: str, *, changed: Sequence[str], again: bool) -> Decision:
    """When a new version is due: the first time everything required is answered, and when a required
    answer changed the text. `again` (/leak-draft, /leak-close) posts the current text even if unchanged."""
    if latest is not None and latest.body == body:
        if latest.waiting:
            return Decision("hold_again")
        return Decision("repost" if again else "none")
    if latest is not None and not again and not set(changed) & set(REQUIRED):
        return Decision("none")
    return Decision("new")


async def new_version(tx: Tx, deps: Deps, incident: Incident, values: Mapping[str, Any], *, changed: Sequence[str],
                      user_id: str | None, key: str, again: bool = False, doc: str = "public") -> None:
    """Stores and schedules a new version of a document when one is due (see `decide`)."""
    if missing_required(values):
        return
    drafts = await tx.drafts(incident.id)
    public = [d.version for d in drafts if d.doc == "public"]
    meta = DraftMeta(company=deps.company, public_version=public[-1] if public else None,
                     timeline=await timeline.for_documents(tx, incident.id))
    body = render(values, lang=deps.lang, doc=doc, meta=meta)
    latest = next((d for d in reversed(drafts) if d.doc == doc), None)
    now = deps.clock.now()
    decision = decide(latest, body, changed=changed, again=again)
    if decision.action == "hold_again":
        assert latest is not None
        await tx.enqueue("hold", {"draft_id": latest.id}, key=f"hold:{key}:{latest.id}", at=now, incident_id=incident.id)
    elif decision.action == "repost":
        assert latest is not None
        await tx.enqueue("draft", {"draft_id": latest.id, "again": True}, key=f"draft-again:{key}:{doc}", at=now,
                         incident_id=incident.id)
    elif decision.action == "new":
        held = grows_published_max(values, drafts)
        draft = await tx.add_draft(incident.id, body=body, at=now, user_id=user_id, doc=doc, values=values, held=held)
        for kind in ("hold",) if held else ("draft", "upload"):
            await tx.enqueue(kind, {"draft_id": draft.id}, key=f"{kind}:{draft.id}", at=now, incident_id=incident.id)
        await home.republish(tx, incident.id, key=f"draft:{draft.id}", at=now)


async def request_draft(deps: Deps, incident: Incident, *, user_id: str, doc: str = "public") -> None:
    """/leak-draft: posts the document's current text (a new version when it changed); raises DraftNotReady."""
    async with deps.repo.tx(urgent=True) as tx:
        await tx.lock_incident(incident.id)
        values = values_of(await tx.answers(incident.id))
        if missing_required(values):
            raise DraftNotReady(missing_required(values))
        await new_version(tx, deps, incident, values, changed=[], user_id=user_id, key=uuid.uuid4().hex, again=True, doc=doc)


async def confirm_draft(deps: Deps, incident: Incident, draft_id: int, *, user_id: str) -> bool:
    """Someone checked a held version with a higher maximum: post it now. False when there was nothing to confirm."""
    now = deps.clock.now()
    async with deps.repo.tx(urgent=True) as tx:
        await tx.lock_incident(incident.id)
        draft = await tx.draft(draft_id)
        if draft is None or draft.incident_id != incident.id or not await tx.confirm_draft(draft_id, user_id=user_id):
            return False
        await say(tx, incident.id, "draft.hold_done", job_key=f"confirmed:{draft_id}", at=now, user=user_id,
                  version=draft.version)
        for kind in ("draft", "upload"):
            await tx.enqueue(kind, {"draft_id": draft_id}, key=f"{kind}:{draft_id}", at=now, incident_id=incident.id)
        return True
