"""Buttons: open a step's modal, confirm or cancel closing."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.checklist import ITEMS, STEP_BY_ID
from bot.jobs import slack_error
from bot.flows import Flows
from handlers.acking import answering_at_ack
from bot.i18n import t
from bot.ui.ids import (
    ANSWER_ACTION,
    CLOSE_CANCEL_ACTION,
    CLOSE_CONFIRM_ACTION,
    CONFIRM_DRAFT_ACTION,
    OWNER_ACTION,
    SNOOZE_ACTION,
)
from bot.ui.modals import step_modal
from storage.repository import Incident

log = logging.getLogger(__name__)


def register(app: AsyncApp, flows: Flows) -> None:
    """Adds the button listeners to the app."""
    lang = flows.lang
    early = answering_at_ack(flows)

    async def tell(respond: Any, text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, text=text)

    async def refused(context: Any, respond: Any, command: str) -> bool:
        """Tells the user when the action cannot apply here; True when it was refused."""
        if context.get("refused"):
            await tell(respond, t("access.refused", lang))
            return True
        incident: Incident | None = context.get("incident")
        if incident is None:
            await tell(respond, t("cmd.not_incident_channel", lang, command=command))
            return True
        if incident.closed:
            await tell(respond, t("cmd.closed", lang))
            return True
        return False

    @app.action(ANSWER_ACTION)
    @early
    async def answer_clicked(ack: Any, body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        await ack()
        ref = context.get("step_ref")
        step = STEP_BY_ID.get(ref.step_id) if ref else None
        if await refused(context, respond, "/leak-answer") or step is None:
            return
        incident: Incident = context["incident"]
        answers = await flows.repo.answers(incident.id)
        try:
            await client.views_open(trigger_id=body["trigger_id"],
                                    view=step_modal(step, incident_id=incident.id, answers=answers, lang=lang))
        except SlackApiError as exc:
            log.warning("views.open failed: %s", slack_error(exc))
            await tell(respond, t("cmd.modal_failed", lang, error=slack_error(exc)))

    @app.action(CLOSE_CONFIRM_ACTION)
    @early
    async def close_confirmed(ack: Any, body: dict[str, Any], context: Any, respond: Any) -> None:
        await ack()
        incident: Incident | None = context.get("incident")
        if incident is None:
            await tell(respond, t("cmd.not_incident_channel", lang, command="/leak-close"))
            return
        jobs = await flows.close(incident, user_id=body["user"]["id"])
        await respond(replace_original=True,
                      text=t("close.done" if jobs is not None else "close.already", lang, user=body["user"]["id"]))
        flows.later(lambda: flows.jobs.run(jobs or []))

    @app.action(CONFIRM_DRAFT_ACTION)
    @early
    async def draft_confirmed(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
        await ack()
        if await refused(context, respond, "/leak-draft"):
            return
        try:
            draft_id = int(json.loads(action.get("value") or "{}")["draft_id"])
        except (ValueError, KeyError, TypeError):
            log.warning("a draft confirmation without a draft was refused")
            return
        jobs = await flows.confirm_draft(context["incident"], draft_id, user_id=body["user"]["id"])
        if jobs:
            await respond(replace_original=True, text=t("draft.hold_checked", lang, user=body["user"]["id"]))
        flows.later(lambda: flows.jobs.run(jobs))

    @app.action(OWNER_ACTION)
    @early
    async def owner_picked(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
        await ack()
        ref = context.get("owner_ref")
        if await refused(context, respond, "/leak-status") or ref is None:
            return
        incident: Incident = context["incident"]
        items = [item_id for item_id in ref.item_ids if item_id in ITEMS]
        jobs = await flows.assign(incident, items, owner_id=action.get("selected_user"), by=body["user"]["id"])
        flows.later(lambda: flows.jobs.run(jobs))

    @app.action(re.compile(f"^{SNOOZE_ACTION}_"))
    @early
    async def snooze_clicked(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any, respond: Any) -> None:
        await ack()
        if await refused(context, respond, "/leak-next"):
            return
        incident: Incident = context["incident"]
        try:
            _until, jobs = await flows.snooze(incident, seconds=int(action.get("value", "")), user_id=body["user"]["id"])
        except ValueError:
            log.warning("snooze with an unknown value refused")
            return
        flows.later(lambda: flows.jobs.run(jobs))

    @app.action(CLOSE_CANCEL_ACTION)
    @early
    async def close_cancelled(ack: Any, respond: Any) -> None:
        await ack()
        await respond(replace_original=True, text=t("close.kept", lang))
