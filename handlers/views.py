"""Modal submissions: validated, recorded in one statement, acknowledged; the rest after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.answers import ValidationFailed, parse_step
from bot.checklist import INCIDENT_STEP, STEP_BY_ID
from bot.flows import Flows
from handlers.acking import answering_at_ack
from bot.i18n import t
from bot.ui.ids import OPEN_CALLBACK, STEP_CALLBACK
from bot.ui.modals import notice_modal

log = logging.getLogger(__name__)


def register(app: AsyncApp, flows: Flows) -> None:
    """Adds the modal submission listeners to the app."""
    lang = flows.lang
    early = answering_at_ack(flows)

    @app.view(OPEN_CALLBACK)
    @early
    async def open_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            values = parse_step(INCIDENT_STEP, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        team = body["user"].get("team_id") or (body.get("team") or {}).get("id", "")
        job = await flows.submit("open", view["id"], team_id=team, user_id=body["user"]["id"], values=values)
        await ack(response_action="update", view=notice_modal(t("open.progress_title", lang), t("open.progress", lang)))
        if job is None:
            log.info("view %s submitted again; already recorded", view["id"])
        flows.later(lambda: flows.jobs.run([job] if job else []))

    @app.view(STEP_CALLBACK)
    @early
    async def step_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        ref = context.get("step_ref")
        step = STEP_BY_ID.get(ref.step_id) if ref else None
        if ref is None or step is None:
            log.warning("a step submission naming no known step was refused")
            # Slack shows errors only under input blocks of the submitted view, so name one of those.
            block = next(iter(view.get("state", {}).get("values", {})), "title")
            await ack(response_action="errors", errors={block: t("cmd.not_incident_channel", lang, command="/leak-answer")})
            return
        try:
            values = parse_step(step, view["state"]["values"], lang=lang, now=flows.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        job = await flows.submit("answer", view["id"], incident_id=ref.incident_id, step_id=step.id,
                                 user_id=body["user"]["id"], values=values)
        await ack()
        flows.later(lambda: flows.jobs.run([job] if job else []))
