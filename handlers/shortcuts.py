"""Shortcuts: the global `leak_open` and the message shortcut `leak_open_from_message`.

Both only open the new-incident modal (the submission is the one /leak-open makes), so the ack stores
nothing; the Slack calls (chat.getPermalink, views.open) run in lazy listeners after it. A message in an
incident channel the person is not in opens nothing of it.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.i18n import t
from bot.jobs import slack_error
from bot.slack.locales import Locales
from bot.text import Unsafe
from bot.ui.from_message import incident_from_message
from bot.ui.modals import new_incident_modal, notice_modal
from bot.usecases import from_message, opening
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.commands import open_modal
from handlers.home import log_only

log = logging.getLogger(__name__)


async def permalink_of(client: Any, channel_id: str, ts: str | None) -> str | None:
    """The message's permalink, or None when Slack will not give it (the bot is not in that channel)."""
    if not ts:
        return None
    try:
        return (await client.chat_getPermalink(channel=channel_id, message_ts=ts)).get("permalink")
    except SlackApiError as exc:
        log.info("no permalink for a shortcut's message: %s", slack_error(exc))
        return None


def register(app: AsyncApp, deps: Deps, locales: Locales) -> None:
    """Adds the shortcut listeners to the app; the modals are in the person's language."""

    async def just_ack(ack: Any) -> None:
        await ack()

    @telling_failures(surface.SHORTCUT_OPEN, locales)
    async def open_anywhere(body: dict[str, Any], client: Any, respond: Any = None) -> None:
        lang = await locales.lang_of(body["user"]["id"])
        view = new_incident_modal(title="", now=deps.clock.now(), lang=lang)
        view["external_id"] = await opening.prepare_form(deps, user_id=body["user"]["id"])
        await open_modal(client, respond or log_only, body["trigger_id"], view, lang)

    app.shortcut(surface.SHORTCUT_OPEN)(ack=just_ack, lazy=[open_anywhere])

    async def from_message_ack(ack: Any, body: dict[str, Any], context: Any) -> None:
        channel_id = (body.get("channel") or {}).get("id")
        context["may_use"] = await from_message.may_use(deps.repo, channel_id, body["user"]["id"])
        await ack()

    @telling_failures(surface.SHORTCUT_OPEN_FROM_MESSAGE, locales)
    async def open_from_message(body: dict[str, Any], context: Any, client: Any, respond: Any = None) -> None:
        respond = respond or log_only
        lang = await locales.lang_of(body["user"]["id"])
        if not context.get("may_use"):
            view = notice_modal(t("shortcut.refused_title", lang), t("shortcut.refused", lang))
            await open_modal(client, respond, body["trigger_id"], view, lang)
            return
        message, user_id = body.get("message") or {}, body["user"]["id"]
        permalink = await permalink_of(client, body["channel"]["id"], message.get("ts") or body.get("message_ts"))
        author = message.get("user")
        reporter = author if author and author != user_id and not message.get("bot_id") else None
        try:
            view = incident_from_message(
                text=message.get("text") or "", permalink=permalink, reporter=reporter, now=deps.clock.now(), lang=lang
            )
        except Unsafe as unsafe:  # the message's words are not sent back into a modal, nor kept
            reason = t("screen.message", lang, reason=t(unsafe.key, lang))
            view = notice_modal(t("screen.message_title", lang), reason)
        else:
            view["external_id"] = await opening.prepare_form(deps, user_id=user_id)
        await open_modal(client, respond, body["trigger_id"], view, lang)

    app.shortcut(surface.SHORTCUT_OPEN_FROM_MESSAGE)(ack=from_message_ack, lazy=[open_from_message])
