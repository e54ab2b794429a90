"""The channel's canvas and bookmarks: what people read without scrolling.

- **The canvas.** The current public draft lives in the channel canvas: made with the first version
  (conversations.canvases.create), replaced with each later one (canvases.edit), by a job the draft's
  message records once it is posted. It says which version it shows and when that version was made.
  The messages and files of every version are posted as before: they are the record, the canvas is the
  one page to read. Where Slack will not have a canvas (a free plan, canvases turned off, a missing
  scope, …) the bot carries on with the messages and files and tells the channel once, in plain words
  (stored, so retries and later versions do not repeat it). A canvas someone deleted is made again; a
  channel canvas someone else made is left alone.
- **The bookmarks.** The pinned checklist and the PPC's report page, added as the set-up's last stage;
  the latest public draft's files (Word and Markdown), added with the first version and edited to point
  at each later one (the upload records that job, so it runs once the files exist). Their ids are
  stored, so a retry edits what is there; before adding, the bot looks for a bookmark it made in an
  attempt that never heard back. A bookmark Slack refuses is logged, never fatal: the files are in the
  channel anyway.

Transient errors (rate limits, 5xx) are raised, so the job is retried as every job is (bot/jobs.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.answers import format_datetime
from bot.checklist import is_drill
from bot.documents import to_markdown
from bot.i18n import t
from bot.jobs import Retry, channel_of, classify, slack_error
from bot.legal import PPC_REPORT_URL
from bot.usecases.base import say
from storage.repository import ChannelObject, Draft, Incident, Job

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)

# canvases.edit on a canvas someone deleted
CANVAS_GONE = {"canvas_not_found", "file_not_found", "file_deleted"}
# Why a workspace has no canvas, in the words the channel is told (canvas.refused.<why>); anything else: "other".
REFUSED_WHY = {
    "team_tier_cannot_create_channel_canvases": "tier",
    "free_teams_cannot_create_non_tiny_canvases": "tier",
    "free_team_canvas_tab_already_exists": "tier",
    "free_teams_cannot_edit_standalone_canvases": "tier",
    "canvas_disabled_user_team": "disabled",
    "missing_scope": "scope",
    "not_allowed_token_type": "token",
    "channel_canvas_already_exists": "taken",
    "restricted_action": "restricted",
}
DRAFT_FILES = ("docx", "md")  # the bookmarks of the latest public draft, one per uploaded file
_CANVAS_MENTION = re.compile(r"!\[")  # ![](@U…) / ![](#C…) would become live mentions in a canvas


def _transient(exc: SlackApiError) -> bool:
    return isinstance(classify(exc), Retry)


async def _objects(adapter: SlackAdapter, incident_id: int) -> dict[str, ChannelObject]:
    async with adapter.repo.read() as tx:
        return await tx.channel_objects(incident_id)


async def _keep(adapter: SlackAdapter, incident_id: int, name: str, **fields: Any) -> None:
    async with adapter.repo.tx() as tx:
        await tx.keep_channel_object(incident_id, name, at=adapter.clock.now(), **fields)


def _superseded(draft: Draft, drafts: Iterable[Draft]) -> bool:
    """A newer public version is out (its own jobs show it), so this one is not shown any more."""
    return any(d.doc == "public" and not d.waiting and d.version > draft.version for d in drafts)


# --- the canvas ----------------------------------------------------------------------------------


async def posted(adapter: SlackAdapter, draft: Draft, *, first_time: bool) -> None:
    """A version is in the channel: stored as posted and, the first time a public version is, the canvas job
    recorded with it (so it runs after what the answer that made the version asked for: the checklist and the
    next question, and never holds them up)."""
    now = adapter.clock.now()
    async with adapter.repo.tx() as tx:
        await tx.mark_draft_posted(draft.id, at=now)
        if first_time and draft.doc == "public":  # (once: posted again by a runner that took over)
            await tx.enqueue(
                "canvas",
                {"draft_id": draft.id},
                key=f"canvas:{draft.id}",
                at=now,
                incident_id=draft.incident_id,
                once=True,
            )


def canvas_markdown(draft: Draft, lang: str) -> str:
    """The canvas of a public draft version: which version, when, the drill mark, then the text."""
    heading = t("draft.header", lang, version=draft.version)
    if draft.values and is_drill(draft.values):
        heading = t("drill.mark", lang) + heading
    lines = [
        f"# {heading}",
        "",
        t("canvas.shows", lang, version=draft.version, when=format_datetime(draft.at, lang)),
        "",
        t("draft.note", lang),
        "",
        "---",
        "",
    ]
    for line in to_markdown(draft.body).splitlines():
        if line.startswith("#"):  # only the template's headings start so (typed text is escaped): one level down
            lines.append("#" + line)
        else:
            lines.append(_CANVAS_MENTION.sub(r"!\\[", line))
    return "\n".join(lines) + "\n"


async def update_canvas(adapter: SlackAdapter, job: Job) -> None:
    """Shows a public draft version in the channel canvas: made with the first version, replaced later."""
    draft, drafts = await adapter._draft(job.payload["draft_id"])
    incident = await adapter._incident(job)
    if draft is None or draft.doc != "public" or draft.waiting or not incident.channel_id or _superseded(draft, drafts):
        return
    canvas = (await _objects(adapter, incident.id)).get("canvas")
    if canvas is not None and canvas.slack_id and (canvas.version or 0) >= draft.version:
        return  # it shows this version already (a retry after the canvas was written)
    content = {"type": "markdown", "markdown": canvas_markdown(draft, adapter.lang)}
    try:
        canvas_id = await _edit(adapter, canvas.slack_id, content) if canvas is not None and canvas.slack_id else None
        if canvas_id is None:
            canvas_id = await _create(adapter, incident, content)
    except SlackApiError as exc:
        if _transient(exc):
            raise
        await _refused(adapter, incident, slack_error(exc))
        return
    await _keep(adapter, incident.id, "canvas", slack_id=canvas_id, version=draft.version)


async def _edit(adapter: SlackAdapter, canvas_id: str, content: dict[str, str]) -> str | None:
    """Replaces the canvas's content; None when the canvas is gone (someone deleted it)."""
    try:
        await adapter.client.canvases_edit(
            canvas_id=canvas_id, changes=[{"operation": "replace", "document_content": content}]
        )
    except SlackApiError as exc:
        if slack_error(exc) in CANVAS_GONE:
            log.info("canvas %s is gone (%s): making a new one", canvas_id, slack_error(exc))
            return None
        raise
    return canvas_id


async def _create(adapter: SlackAdapter, incident: Incident, content: dict[str, str]) -> str:
    """Makes the channel canvas. When the channel has one already and the bot made it (an attempt that
    crashed before storing its id), that one is written instead; one made by someone else is left alone."""
    try:
        response = await adapter.client.conversations_canvases_create(
            channel_id=channel_of(incident), document_content=content
        )
        return str(response["canvas_id"])
    except SlackApiError as exc:
        if slack_error(exc) != "channel_canvas_already_exists":
            raise
        mine = await _bots_canvas(adapter, incident)
        if mine is None or await _edit(adapter, mine, content) is None:
            raise
        return mine


async def _bots_canvas(adapter: SlackAdapter, incident: Incident) -> str | None:
    """The channel's canvas if the bot made it (conversations.info, then files.info for who made it)."""
    try:
        channel = (await adapter.client.conversations_info(channel=channel_of(incident)))["channel"]
        canvas_id = ((channel.get("properties") or {}).get("canvas") or {}).get("file_id")
        if not canvas_id:
            return None
        made_by = (await adapter.client.files_info(file=canvas_id))["file"].get("user")
    except SlackApiError as exc:
        if _transient(exc):
            raise
        log.info("incident %s: could not tell who made the channel canvas: %s", incident.id, slack_error(exc))
        return None
    return str(canvas_id) if made_by == await adapter.bot_user_id() else None


async def _refused(adapter: SlackAdapter, incident: Incident, error: str) -> None:
    """No canvas here: the messages and files carry on; the channel is told why, once (stored with the job
    that tells it, in one transaction, so a retry or a later version says nothing more)."""
    log.warning("incident %s: no channel canvas (%s); the draft stays in messages and files", incident.id, error)
    now = adapter.clock.now()
    async with adapter.repo.tx() as tx:
        if await tx.refuse_canvas(incident.id, error, at=now):
            await say(
                tx,
                incident.id,
                f"canvas.refused.{REFUSED_WHY.get(error, 'other')}",
                job_key=f"canvas-refused:{incident.id}",
                at=now,
                error=error,
            )


# --- the bookmarks -------------------------------------------------------------------------------


async def keep_bookmarks(adapter: SlackAdapter, job: Job) -> None:
    """The bookmarks after a public version's upload (see bookmark_channel)."""
    await bookmark_channel(adapter, await adapter._incident(job), draft_id=job.payload.get("draft_id"))


async def bookmark_channel(adapter: SlackAdapter, incident: Incident, *, draft_id: int | None = None) -> None:
    """Bookmarks the pinned checklist and the PPC's report page (once: the set-up's last stage, and again
    after a version if Slack refused them then), and the files of the public draft version `draft_id`
    (added first, edited after). A refused bookmark is logged and skipped."""
    if not incident.channel_id:
        return
    objects = await _objects(adapter, incident.id)
    listed: list[dict[str, Any]] | None = None  # the channel's bookmarks, asked for once, only before adding

    async def bookmark(
        name: str, title: str, link: str, *, version: int | None = None, ours: Iterable[str] = ()
    ) -> None:
        nonlocal listed
        kept = objects.get(name)
        try:
            if kept is not None and kept.slack_id:
                if kept.link == link:
                    return
                if await _edit_bookmark(adapter, incident, kept.slack_id, title, link):
                    await _keep(adapter, incident.id, name, link=link, version=version)
                    return
            if listed is None:
                listed = await _bookmarks(adapter, incident)
            found = next((b for b in listed if b.get("link") in {link, *ours}), None)
            if (
                found is not None
                and found.get("link") != link
                and not await _edit_bookmark(adapter, incident, found["id"], title, link)
            ):
                found = None
            if found is None:
                found = (
                    await adapter.client.bookmarks_add(
                        channel_id=channel_of(incident), title=title, type="link", link=link
                    )
                )["bookmark"]
                listed.append(found)
            await _keep(adapter, incident.id, name, slack_id=found["id"], link=link, version=version)
        except SlackApiError as exc:
            if _transient(exc):
                raise
            log.warning("incident %s: bookmark %s not kept: %s", incident.id, name, slack_error(exc))

    if incident.checklist_ts and "bookmark:checklist" not in objects:
        link = await _permalink(adapter, incident)
        if link:
            await bookmark("bookmark:checklist", t("bookmark.checklist", adapter.lang), link)
    if "bookmark:ppc" not in objects:
        await bookmark("bookmark:ppc", t("bookmark.ppc", adapter.lang), PPC_REPORT_URL)
    if draft_id is None:
        return
    draft, drafts = await adapter._draft(draft_id)
    if draft is None or draft.doc != "public" or draft.waiting or _superseded(draft, drafts):
        return
    for kind in DRAFT_FILES:
        file = objects.get(f"file:{draft.id}:{kind}")
        link = await _file_link(adapter, incident, file, f"file:{draft.id}:{kind}")
        if link:
            ours = {o.link for n, o in objects.items() if n.startswith("file:") and n.endswith(f":{kind}") and o.link}
            await bookmark(
                f"bookmark:draft:{kind}",
                t(f"bookmark.draft.{kind}", adapter.lang, version=draft.version),
                link,
                version=draft.version,
                ours=ours,
            )


async def _edit_bookmark(adapter: SlackAdapter, incident: Incident, bookmark_id: str, title: str, link: str) -> bool:
    """Points a bookmark elsewhere; False when it is gone (someone removed it)."""
    try:
        await adapter.client.bookmarks_edit(
            bookmark_id=bookmark_id, channel_id=channel_of(incident), title=title, link=link
        )
        return True
    except SlackApiError as exc:
        if slack_error(exc) == "not_found":
            return False
        raise


async def _bookmarks(adapter: SlackAdapter, incident: Incident) -> list[dict[str, Any]]:
    """The channel's bookmarks (to find one an earlier attempt added); none when Slack will not say."""
    try:
        return list((await adapter.client.bookmarks_list(channel_id=channel_of(incident))).get("bookmarks") or [])
    except SlackApiError as exc:
        if _transient(exc):
            raise
        log.info("incident %s: bookmarks not listed: %s", incident.id, slack_error(exc))
        return []


async def _permalink(adapter: SlackAdapter, incident: Incident) -> str | None:
    if incident.checklist_ts is None:
        return None  # no checklist posted yet
    try:
        response = await adapter.client.chat_getPermalink(
            channel=channel_of(incident), message_ts=incident.checklist_ts
        )
        return str(response["permalink"])
    except SlackApiError as exc:
        if _transient(exc):
            raise
        log.warning("incident %s: no link to the checklist: %s", incident.id, slack_error(exc))
        return None


async def _file_link(adapter: SlackAdapter, incident: Incident, file: ChannelObject | None, name: str) -> str | None:
    """An uploaded draft file's permalink (files.info, once; then stored)."""
    if file is None or not file.slack_id:
        return None  # not uploaded (its upload failed): nothing to point at
    if file.link:
        return file.link
    try:
        link = (await adapter.client.files_info(file=file.slack_id))["file"].get("permalink")
    except SlackApiError as exc:
        if _transient(exc):
            raise
        log.warning("incident %s: no link to file %s: %s", incident.id, file.slack_id, slack_error(exc))
        return None
    if link:
        await _keep(adapter, incident.id, name, link=str(link))
    return str(link) if link else None


async def remember_files(adapter: SlackAdapter, draft: Draft, response: Any) -> None:
    """After a public version's upload: which file is which, and the job that bookmarks them (recorded here,
    after the upload, so it runs once the files exist and after what the version's answer asked for first:
    the checklist and the next question)."""
    files = [(str(f.get("name") or f.get("title") or "").rsplit(".", 1)[-1], f) for f in (response.get("files") or [])]
    files = [(kind, f) for kind, f in files if kind in DRAFT_FILES and f.get("id")]
    now = adapter.clock.now()

    async with adapter.repo.tx() as tx:
        for kind, file in files:
            await tx.keep_channel_object(
                draft.incident_id,
                f"file:{draft.id}:{kind}",
                at=now,
                slack_id=str(file["id"]),
                link=file.get("permalink"),
            )
        await tx.enqueue(  # once: uploaded again (/leak-draft, a retry), its bookmark job is recorded already
            "bookmarks",
            {"draft_id": draft.id},
            key=f"bookmarks:{draft.id}",
            at=now,
            incident_id=draft.incident_id,
            once=True,
        )
