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
from storage.repository import Duplicate, Incident

log = logging.getLogger(__name__)


def register(app: AsyncApp, flows: Flows) -> None:
    """Adds the modal submission listeners to the app."""
    lang = flows.lang

    @app.view(OPEN_CALLBACK)
    async def open_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            values = parse_step(INCIDENT_STEP, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        incident, jobs, created = await flows.open_incident(
            team_id=body["user"].get("team_id") or (body.get("team") or {}).get("id", ""),
            opener_id=body["user"]["id"], view_id=view["id"], values=values)
        await ack(response_action="update", view=notice_modal(t("open.progress_title", lang), t("open.progress", lang)))
        if not created:
            log.info("incident %s: view %s submitted again; already handled", incident.id, view["id"])
        await flows.jobs.run(jobs)

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
        user_id = body["user"]["id"]
        if not await flows.members.is_member(incident.channel_id, user_id):
            log.warning("refused a step submission for incident %s: user %s is not in its channel", incident.id, user_id)
            await ack(response_action="errors", errors={first_block: t("access.not_member", lang)})
            return
        try:
            values = parse_step(step, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        try:
            jobs = await flows.answer(incident, user_id=user_id, values=values, source=view["id"])
        except Duplicate:
            log.info("incident %s: view %s submitted again; already stored", incident.id, view["id"])
            jobs = []
        await ack()
        await flows.jobs.run(jobs)
