"""The timeline: /leak-timeline (list, or add a dated entry; the list's "Add entry" button opens a modal for
a dated entry with its own date and time) and the message shortcut `leak_add_to_timeline`.

An entry is stored before the ack; the message's permalink (a Slack call) is filled in after it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.i18n import Words, t
from bot.slack.locales import Locales
from bot.ui.from_message import plain_text
from bot.ui.ids import TIMELINE_ADD_ACTION, TIMELINE_AT_BLOCK, TIMELINE_CALLBACK, TIMELINE_TEXT_BLOCK
from bot.ui.metadata import IncidentRef
from bot.ui.timeline import add_button, entry_line, entry_modal, timeline_blocks
from bot.usecases import timeline
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.commands import open_modal, private
from handlers.forms import modal_lang, raw_values
from handlers.reads import answer_in_ack
from handlers.replies import Replies
from handlers.shortcuts import permalink_of
from storage.repository import Incident, Tx

log = logging.getLogger(__name__)


def _posted_at(ts: str | None) -> datetime | None:
    """When a message was posted, from its ts (seconds since the epoch)."""
    try:
        return datetime.fromtimestamp(float(ts or ""), UTC)
    except ValueError:
        return None


def register(app: AsyncApp, deps: Deps, locales: Locales) -> None:
    """Adds /leak-timeline, its modal and the timeline message shortcut to the app. Replies and the
    modal are in the person's language; entries keep the words they were typed in."""

    replies = Replies(locales)

    async def leak_timeline(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        user_id = command["user_id"]
        text = (command.get("text") or "").strip()
        if incident is not None and text:
            try:
                entry = await timeline.add(
                    deps, incident, user_id=user_id, text=text, source=f"command:{command.get('trigger_id') or ''}"
                )
            except timeline.Refused as refused:
                key = refused.key
                await replies.give(ack, context, user_id, lambda lang: private(t(key, lang)))
                return
            if entry is not None:
                added = entry
                await replies.give(
                    ack, context, user_id, lambda lang: private(t("timeline.added", lang, line=entry_line(added, lang)))
                )
                return

        async def listing(tx: Tx, lang: str) -> dict[str, Any]:  # a read: in the ack (handlers/reads.py)
            if incident is None:
                return private(t("cmd.not_incident_channel", lang, command=surface.LEAK_TIMELINE))
            entries = await tx.timeline(incident.id)
            blocks = timeline_blocks(entries, lang, room=44)
            if not incident.closed:
                blocks.append(add_button(incident.id, lang))  # a dated entry through the modal
            return private(t("timeline.header", lang, n=len(entries)), blocks)

        await answer_in_ack(ack, deps.repo, locales, user_id, surface.LEAK_TIMELINE, listing)

    app.command(surface.LEAK_TIMELINE)(ack=leak_timeline, lazy=[replies.later(surface.LEAK_TIMELINE)])

    # --- "Add entry": the modal of a dated entry, recorded first so only its submission by this person counts

    async def add_entry_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        ref = IncidentRef.load(action.get("value"))
        if incident is None or ref is None or ref.incident_id != incident.id:
            context["refusal"] = Words("cmd.not_incident_channel", {"command": surface.LEAK_TIMELINE})
        elif incident.closed:
            context["refusal"] = Words("cmd.closed")
        else:
            async with deps.repo.read() as tx:
                member = await tx.is_member(incident.channel_id or "", body["user"]["id"])
            context["refusal"] = None if member else Words("access.not_member")
        await ack()

    @telling_failures(TIMELINE_ADD_ACTION, locales)
    async def add_entry_modal(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        user_id = body["user"]["id"]
        lang = await locales.lang_of(user_id)
        if context.get("refusal"):
            await respond(response_type="ephemeral", replace_original=False, text=context["refusal"].say(lang))
            return
        incident: Incident = context["incident"]
        external_id = await timeline.prepare_form(deps, incident, user_id=user_id)
        view = entry_modal(incident_id=incident.id, now=deps.clock.now(), lang=lang) | {"external_id": external_id}
        await open_modal(client, respond, body["trigger_id"], view, lang)

    app.action(TIMELINE_ADD_ACTION)(ack=add_entry_ack, lazy=[add_entry_modal])

    @app.view(TIMELINE_CALLBACK)
    async def entry_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user_id = body["user"]["id"]
        lang = modal_lang(view, locales.known(user_id))  # the modal's language
        raw = raw_values(view["state"]["values"])
        blocks = {"text": TIMELINE_TEXT_BLOCK, "at": TIMELINE_AT_BLOCK}
        try:
            text, at = timeline.checked_entry(
                raw.get(TIMELINE_TEXT_BLOCK), raw.get(TIMELINE_AT_BLOCK), now=deps.clock.now()
            )
        except timeline.Invalid as invalid:
            await ack(response_action="errors", errors={blocks[invalid.field]: t(invalid.key, lang, **invalid.params)})
            return
        ref = IncidentRef.load(view.get("private_metadata"))
        try:
            if ref is None:
                raise timeline.Refused("timeline.form_unknown")
            await timeline.add_from_form(
                deps,
                external_id=view.get("external_id") or "",
                view_id=view["id"],
                incident_id=ref.incident_id,
                user_id=user_id,
                text=text,
                at=at,
            )
        except timeline.Refused as refused:
            log.warning(
                "refused a timeline entry for incident %s from %s: %s",
                ref.incident_id if ref else None,
                user_id,
                refused.key,
            )
            message = t(refused.key, lang) + " " + t("refused.not_saved", lang)
            await ack(response_action="errors", errors={TIMELINE_TEXT_BLOCK: message})
            return
        await ack()

    # --- the message shortcut ---------------------------------------------------------------------------

    async def add_message_ack(ack: Any, body: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        message = body.get("message") or {}
        if incident is None:
            context["reply"] = Words("cmd.not_incident_channel", {"command": surface.SHORTCUT_ADD_TO_TIMELINE})
        else:
            try:
                entry = await timeline.add(
                    deps,
                    incident,
                    user_id=body["user"]["id"],
                    text=plain_text(message.get("text") or ""),
                    at=_posted_at(message.get("ts")),
                    author=message.get("user"),
                    source=f"message:{message.get('ts')}",
                )
            except timeline.Refused as refused:
                context["reply"] = Words(refused.key)
            else:
                context["entry"] = entry
                context["reply"] = Words("timeline.already") if entry is None else None
        await ack()

    @telling_failures(surface.SHORTCUT_ADD_TO_TIMELINE, locales)
    async def add_message_after(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        lang = await locales.lang_of(body["user"]["id"])
        if context.get("reply"):
            await respond(response_type="ephemeral", replace_original=False, text=context["reply"].say(lang))
            return
        entry = context.get("entry")
        link = await permalink_of(client, body["channel"]["id"], (body.get("message") or {}).get("ts"))
        if link:
            await timeline.link(deps.repo, entry.id, link)
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=t("timeline.added", lang, line=entry_line(entry, lang)),
        )

    app.shortcut(surface.SHORTCUT_ADD_TO_TIMELINE)(ack=add_message_ack, lazy=[add_message_after])
