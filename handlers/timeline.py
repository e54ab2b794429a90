"""The timeline: /leak-timeline (list, or add a dated entry) and the message shortcut `leak_add_to_timeline`.

An entry is stored before the ack; the message's permalink (a Slack call) is filled in after it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.i18n import t
from bot.ui.from_message import plain_text
from bot.ui.timeline import entry_line, timeline_blocks
from bot.usecases import timeline
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.commands import private
from handlers.shortcuts import permalink_of
from storage.repository import Incident

log = logging.getLogger(__name__)


def _posted_at(ts: str | None) -> datetime | None:
    """When a message was posted, from its ts (seconds since the epoch)."""
    try:
        return datetime.fromtimestamp(float(ts or ""), timezone.utc)
    except ValueError:
        return None


def register(app: AsyncApp, deps: Deps) -> None:
    """Adds /leak-timeline and the timeline message shortcut to the app."""
    lang = deps.lang

    @app.command(surface.LEAK_TIMELINE)
    async def leak_timeline(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is None:
            await ack(**private(t("cmd.not_incident_channel", lang, command=surface.LEAK_TIMELINE)))
            return
        text = (command.get("text") or "").strip()
        if text:
            try:
                entry = await timeline.add(deps, incident, user_id=command["user_id"], text=text,
                                           source=f"command:{command.get('trigger_id') or ''}")
            except timeline.Refused as refused:
                await ack(**private(t(refused.key, lang)))
                return
            if entry is not None:
                await ack(**private(t("timeline.added", lang, line=entry_line(entry, lang))))
                return
        entries = await timeline.entries(deps.repo, incident.id)
        blocks = timeline_blocks(entries, lang, room=45)
        await ack(**private(t("timeline.header", lang, n=len(entries)), blocks))

    async def add_message_ack(ack: Any, body: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        message = body.get("message") or {}
        if incident is None:
            context["reply"] = t("cmd.not_incident_channel", lang, command=surface.SHORTCUT_ADD_TO_TIMELINE)
        else:
            try:
                entry = await timeline.add(deps, incident, user_id=body["user"]["id"], text=plain_text(message.get("text") or ""),
                                           at=_posted_at(message.get("ts")), author=message.get("user"),
                                           source=f"message:{message.get('ts')}")
            except timeline.Refused as refused:
                context["reply"] = t(refused.key, lang)
            else:
                context["entry"] = entry
                context["reply"] = t("timeline.already", lang) if entry is None else None
        await ack()

    @telling_failures(surface.SHORTCUT_ADD_TO_TIMELINE, lang)
    async def add_message_after(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if context.get("reply"):
            await respond(response_type="ephemeral", replace_original=False, text=context["reply"])
            return
        entry = context.get("entry")
        link = await permalink_of(client, body["channel"]["id"], (body.get("message") or {}).get("ts"))
        if link:
            await timeline.link(deps.repo, entry.id, link)
        await respond(response_type="ephemeral", replace_original=False,
                      text=t("timeline.added", lang, line=entry_line(entry, lang)))

    app.shortcut(surface.SHORTCUT_ADD_TO_TIMELINE)(ack=add_message_ack, lazy=[add_message_after])
