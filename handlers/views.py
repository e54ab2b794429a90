"""Modal submissions: the new-incident form and the checklist steps."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.answers import ValidationFailed, parse_step
from bot.checklist import INCIDENT_STEP, STEP_BY_ID
from bot.flows import Flows
from bot.i18n import t
from bot.ui.ids import OPEN_CALLBACK, STEP_CALLBACK
from bot.ui.modals import notice_modal
from storage.repository import Incident

log = logging.getLogger(__name__)


def register(app: AsyncApp, flows: Flows) -> None:
    """Adds the modal submission listeners to the app."""
    lang = flows.lang

    @app.view(OPEN_CALLBACK)
    async def open_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        try:
            values = parse_step(INCIDENT_STEP, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        incident, created = await flows.repo.open_incident(
            team_id=body["user"].get("team_id") or (body.get("team") or {}).get("id", ""),
            opener_id=body["user"]["id"], view_id=view["id"], values=values, at=flows.clock.now())
        await ack(response_action="update",
                  view=notice_modal(t("open.progress_title", lang), t("open.progress", lang)))
        if not created:
            log.info("incident %s: view %s submitted again; already handled", incident.id, view["id"])
            return
        setup = await flows.set_up_channel(incident, bot_user_id=context.get("bot_user_id"))
        if setup.channel_id is None:
            await flows.tell_opener_failed(incident, view["id"], setup.error or "unknown")
            return
        await flows.tell_opener_done(view["id"], setup.channel_id)

    @app.view(STEP_CALLBACK)
    async def step_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        ref = context.get("step_ref")
        step = STEP_BY_ID.get(ref.step_id) if ref else None
        # Slack shows errors only under input blocks of the submitted view, so name one of those.
        first_block = next(iter(view.get("state", {}).get("values", {})), step.items[0] if step else "title")
        if incident is None or step is None or incident.channel_id is None:
            log.warning("step submission for an unknown incident or step: %s", ref)
            await ack(response_action="errors", errors={first_block: t("cmd.not_incident_channel", lang, command="/leak-answer")})
            return
        if incident.closed:
            await ack(response_action="errors", errors={first_block: t("cmd.closed", lang)})
            return
        if not await flows.members.is_member(incident.channel_id, body["user"]["id"]):
            log.warning("refused a step submission for incident %s: user %s is not in its channel",
                        incident.id, body["user"]["id"])
            await ack(response_action="errors", errors={first_block: t("access.not_member", lang)})
            return
        try:
            values = parse_step(step, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        user_id = body["user"]["id"]
        changed = await flows.repo.record(incident.id, user_id=user_id, at=flows.clock.now(), values=values)
        await ack()
        await flows.after_answers(incident, changed, user_id=user_id, bot_user_id=context.get("bot_user_id"))
