"""Buttons: a change is stored before the ack; opening a modal (which needs Slack) runs lazily after it."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.checklist import ITEMS, STEP_BY_ID
from bot.i18n import Words, t
from bot.slack.locales import Locales
from bot.ui.ids import (
    ANSWER_ACTION,
    CLOSE_CANCEL_ACTION,
    CLOSE_CONFIRM_ACTION,
    CONFIRM_DRAFT_ACTION,
    OWNER_ACTION,
    SNOOZE_ACTION,
)
from bot.usecases import closing, drafts, owners
from bot.usecases.base import Deps
from handlers.after_ack import telling_failures
from handlers.commands import open_step
from storage.repository import Incident

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps, locales: Locales) -> None:
    """Adds the button listeners to the app. What only the clicker sees is in their language: the words
    are chosen in the ack and said after it, once their language is known."""

    async def tell(respond: Any, text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, text=text)

    def refusal(context: Any, command: str) -> Words | None:
        """Why the action cannot apply here (to tell the user), or None. (Who may act was decided before
        any listener ran: handlers/context.py, bot/usecases/access.py.)"""
        incident: Incident | None = context.get("incident")
        if incident is None:
            return Words("cmd.not_incident_channel", {"command": command})
        if incident.closed:
            return Words("cmd.closed")
        return None

    async def refuse_later(body: dict[str, Any], context: Any, respond: Any) -> None:
        if context.get("refusal"):
            await tell(respond, context["refusal"].say(await locales.lang_of(body["user"]["id"])))

    # --- "Answer": open the step's modal ------------------------------------------------------------

    async def answer_ack(ack: Any, context: Any) -> None:
        ref = context.get("step_ref")
        context["refusal"] = refusal(context, "/leak-answer")
        context["step_id"] = ref.step_id if ref is not None and ref.step_id in STEP_BY_ID else None
        await ack()

    @telling_failures("leak_answer", locales)
    async def answer_modal(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if context.get("refusal"):
            await refuse_later(body, context, respond)
            return
        if context.get("step_id") is None:
            return
        await open_step(
            deps,
            locales,
            client,
            respond,
            body["trigger_id"],
            context["incident"],
            STEP_BY_ID[context["step_id"]],
            body["user"]["id"],
        )

    app.action(ANSWER_ACTION)(ack=answer_ack, lazy=[answer_modal])

    # --- changes stored before the ack; a refusal is told after it ------------------------------------

    async def close_ack(ack: Any, body: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is None:
            context["refusal"] = Words("cmd.not_incident_channel", {"command": "/leak-close"})
        else:
            closed = await closing.close(deps, incident, user_id=body["user"]["id"])
            context["reply"] = Words("close.done" if closed else "close.already", {"user": body["user"]["id"]})
        await ack()

    async def close_reply(body: dict[str, Any], context: Any, respond: Any) -> None:
        if context.get("refusal"):
            await refuse_later(body, context, respond)
        elif context.get("reply"):
            await respond(replace_original=True, text=context["reply"].say(await locales.lang_of(body["user"]["id"])))

    app.action(CLOSE_CONFIRM_ACTION)(ack=close_ack, lazy=[telling_failures("/leak-close", locales)(close_reply)])

    async def draft_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        context["refusal"] = refusal(context, "/leak-draft")
        if context["refusal"] is None:
            try:
                draft_id = int(json.loads(action.get("value") or "{}")["draft_id"])
            except (ValueError, KeyError, TypeError):
                log.warning("a draft confirmation without a draft was refused")
            else:
                context["confirmed"] = await drafts.confirm_draft(
                    deps, context["incident"], draft_id, user_id=body["user"]["id"]
                )
        await ack()

    async def draft_reply(body: dict[str, Any], context: Any, respond: Any) -> None:
        if context.get("refusal"):
            await refuse_later(body, context, respond)
        elif context.get("confirmed"):
            # the confirmation message is in the channel: the incident's language
            await respond(replace_original=True, text=t("draft.hold_checked", deps.lang, user=body["user"]["id"]))

    app.action(CONFIRM_DRAFT_ACTION)(ack=draft_ack, lazy=[telling_failures("leak_confirm_draft", locales)(draft_reply)])

    async def owner_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        ref = context.get("owner_ref")
        context["refusal"] = refusal(context, "/leak-status")
        if context["refusal"] is None and ref is not None:
            items = [item_id for item_id in ref.item_ids if item_id in ITEMS]
            await owners.assign(
                deps, context["incident"], items, owner_id=action.get("selected_user"), by=body["user"]["id"]
            )
        await ack()

    app.action(OWNER_ACTION)(ack=owner_ack, lazy=[telling_failures("leak_owner", locales)(refuse_later)])

    async def snooze_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        context["refusal"] = refusal(context, "/leak-next")
        if context["refusal"] is None:
            try:
                await owners.snooze(
                    deps,
                    context["incident"],
                    seconds=int(action.get("value", "")),
                    user_id=body["user"]["id"],
                    source=str((body.get("container") or {}).get("message_ts") or ""),  # the nudge clicked
                )
            except ValueError:
                log.warning("snooze with an unknown value refused")
        await ack()

    app.action(re.compile(f"^{SNOOZE_ACTION}_"))(
        ack=snooze_ack, lazy=[telling_failures("leak_snooze", locales)(refuse_later)]
    )

    async def cancel_ack(ack: Any) -> None:
        await ack()

    async def close_kept(body: dict[str, Any], respond: Any) -> None:
        await respond(replace_original=True, text=t("close.kept", await locales.lang_of(body["user"]["id"])))

    app.action(CLOSE_CANCEL_ACTION)(ack=cancel_ack, lazy=[telling_failures("/leak-close", locales)(close_kept)])
