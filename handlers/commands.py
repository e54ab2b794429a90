"""Slash commands: parse, call the flows, answer. Every answer here is ephemeral."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.checklist import CHECKLIST_ITEMS, ITEMS, open_steps, step_of
from bot.drafting import DOCS, DraftNotReady
from bot.effects import values_of
from bot.jobs import slack_error
from bot.flows import Flows
from handlers import surface
from handlers.acking import answering_at_ack
from bot.i18n import t
from bot.ui import posts
from bot.ui.modals import new_incident_modal, step_modal
from bot.ui.mrkdwn import escape
from storage.repository import Incident

log = logging.getLogger(__name__)
ANSWERABLE = [item.id for item in CHECKLIST_ITEMS] + ["responders"]


def register(app: AsyncApp, flows: Flows) -> None:
    """Adds the six commands of the contract to the app."""
    lang = flows.lang
    early = answering_at_ack(flows)

    def say_private(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        reply: dict[str, Any] = {"response_type": "ephemeral", "text": text}
        if blocks:
            reply["blocks"] = blocks
        return reply

    async def needs_open_incident(command: dict[str, Any], context: Any, ack: Any, *, allow_closed: bool = False) -> Incident | None:
        incident: Incident | None = context.get("incident")
        if incident is None:
            await ack(**say_private(t("cmd.not_incident_channel", lang, command=command["command"])))
            return None
        if incident.closed and not allow_closed:
            await ack(**say_private(t("cmd.closed", lang)))
            return None
        return incident

    async def open_modal(client: Any, respond: Any, trigger_id: str, view: dict[str, Any]) -> None:
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as exc:
            log.warning("views.open failed: %s", slack_error(exc))
            if slack_error(exc) != "exchanged_trigger_id":  # a retry of a request whose modal is open already
                await respond(response_type="ephemeral", text=t("cmd.modal_failed", lang, error=slack_error(exc)))

    @app.command(surface.LEAK_OPEN)
    @early
    async def leak_open(ack: Any, command: dict[str, Any], client: Any, respond: Any) -> None:
        await ack()
        view = new_incident_modal(title=command.get("text", ""), now=flows.clock.now(), lang=lang)
        await open_modal(client, respond, command["trigger_id"], view)

    @app.command(surface.LEAK_NEXT)
    @early
    async def leak_next(ack: Any, command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        incident = await needs_open_incident(command, context, ack)
        if incident is None:
            return
        await ack()
        answers = await flows.repo.answers(incident.id)
        values = values_of(answers)
        required = open_steps(values, required=True)
        if required:
            await open_modal(client, respond, command["trigger_id"],
                             step_modal(required[0], incident_id=incident.id, answers=answers, lang=lang))
            return
        blocks = posts.optional_steps_blocks(open_steps(values, required=False), incident_id=incident.id, lang=lang)
        await respond(**say_private(t("next.required_done", lang), blocks))

    @app.command(surface.LEAK_STATUS)
    @early
    async def leak_status(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
        incident = await needs_open_incident(command, context, ack, allow_closed=True)
        if incident is None:
            return
        await ack()

        async def show() -> None:
            answers = await flows.repo.answers(incident.id)
            title = escape(answers["title"].value) if "title" in answers else f"#{incident.id}"
            await respond(**say_private(t("checklist.header", lang, title=title),
                                        await flows.checklist(incident, answers, pickers=True)))

        flows.later(show)

    @app.command(surface.LEAK_ANSWER)
    @early
    async def leak_answer(ack: Any, command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        item_id = (command.get("text") or "").strip().lower()
        items = ", ".join(f"`{i}`" for i in ANSWERABLE)
        if not item_id:
            await ack(**say_private(t("cmd.answer_usage", lang, items=items)))
            return
        if item_id not in ITEMS:
            await ack(**say_private(t("cmd.unknown_item", lang, item=escape(item_id[:100]), items=items)))
            return
        incident = await needs_open_incident(command, context, ack)
        if incident is None:
            return
        await ack()
        answers = await flows.repo.answers(incident.id)
        step = step_of(item_id)
        await open_modal(client, respond, command["trigger_id"],
                         step_modal(step, incident_id=incident.id, answers=answers, lang=lang))

    @app.command(surface.LEAK_DRAFT)
    @early
    async def leak_draft(ack: Any, command: dict[str, Any], context: Any, respond: Any) -> None:
        incident = await needs_open_incident(command, context, ack, allow_closed=True)
        if incident is None:
            return
        doc = (command.get("text") or "").strip().lower() or "public"
        if doc not in DOCS:
            await ack(**say_private(t("draft.unknown_doc", lang, doc=escape(doc[:50]))))
            return
        await ack()
        try:
            jobs = await flows.request_draft(incident, user_id=command["user_id"], doc=doc)
        except DraftNotReady as not_ready:
            await respond(**say_private(t("draft.missing", lang), posts.missing_blocks(not_ready.missing, lang)))
            return
        flows.later(lambda: flows.jobs.run(jobs))

    @app.command(surface.LEAK_CLOSE)
    @early
    async def leak_close(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is not None and incident.closed:
            await ack(**say_private(t("close.already", lang)))
            return
        if await needs_open_incident(command, context, ack) is None:
            return
        await ack(**say_private(t("close.question", lang), posts.close_question_blocks(lang)))

