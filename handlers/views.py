"""Modal submissions: validated, checked and stored in one transaction, then acknowledged.

Acknowledged means stored: once Slack has our 200, any request to any replica sees the answers.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot import logs
from bot.answers import ValidationFailed, display, format_datetime, parse_step
from bot.checklist import INCIDENT_STEP, STEP_BY_ID
from bot.i18n import t
from bot.slack.locales import Locales
from bot.text import Unsafe
from bot.ui.ids import OPEN_CALLBACK, STEP_CALLBACK
from bot.ui.modals import notice_modal
from bot.ui.mrkdwn import shorten
from bot.usecases import answering, membership, opening
from bot.usecases.base import Deps
from handlers.forms import modal_lang, raw_values

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps, locales: Locales) -> None:
    """Adds the modal submission listeners to the app. Errors are said in the modal's language (its
    metadata says it), else the person's as far as it is known; no Slack call before the ack."""

    @app.view(OPEN_CALLBACK)
    async def open_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        lang = modal_lang(view, locales.known(body["user"]["id"]))
        try:
            values = parse_step(INCIDENT_STEP, raw_values(view["state"]["values"]), lang=lang, now=deps.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        team = body["user"].get("team_id") or (body.get("team") or {}).get("id", "")
        try:
            incident, created = await opening.open_incident(
                deps,
                team_id=team,
                opener_id=body["user"]["id"],
                view_id=view["id"],
                external_id=view.get("external_id") or "",
                values=values,
            )
        except opening.NotOpenedByTheBot:
            log.warning("refused a new-incident form the bot did not open for %s", body["user"]["id"])
            first_block = next(iter(view["state"]["values"]), "title")
            await ack(response_action="errors", errors={first_block: t("access.open_form_unknown", lang)})
            return
        logs.bind(incident=incident.id)  # born in this request: its lines are about it from here on
        if created:
            log.info("incident opened by %s", body["user"]["id"])
        else:
            log.info("view %s submitted again; the incident exists already", view["id"])
        await ack(response_action="update", view=notice_modal(t("open.progress_title", lang), t("open.progress", lang)))

    @app.view(STEP_CALLBACK)
    async def step_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        ref = context.get("step_ref")
        lang = modal_lang(view, locales.known(body["user"]["id"]))
        step = STEP_BY_ID.get(ref.step_id) if ref else None
        # Slack shows errors only under input blocks of the submitted view, so name one of those.
        first_block = next(iter(view.get("state", {}).get("values", {})), "title")
        if ref is None or step is None:
            log.warning("a step submission naming no known step was refused")
            await ack(
                response_action="errors",
                errors={first_block: t("cmd.not_incident_channel", lang, command="/leak-answer")},
            )
            return
        try:
            values = parse_step(step, raw_values(view["state"]["values"]), lang=lang, now=deps.clock.now())
        except ValidationFailed as failed:
            await ack(response_action="errors", errors=failed.errors)
            return
        form = answering.Form(
            external_id=view.get("external_id") or "",
            view_id=view["id"],
            incident_id=ref.incident_id,
            step_id=step.id,
            basis=ref.basis,
        )
        user = body["user"]["id"]
        try:
            await answering.submit(deps, form, user_id=user, values=values)
        except answering.Overwrite as overwrite:
            log.info("refused a step submission for incident %s from %s: filled before a change", ref.incident_id, user)
            who = overwrite.revision.user_id
            name = locales.name(who)
            who = f"{name} ({who})" if name else who
            await ack(response_action="errors", errors={overwrite.item_id: overwrite_error(overwrite, lang, who)})
            return
        except Unsafe as unsafe:  # with another answer it would put a card number into the draft: not stored
            await ack(response_action="errors", errors={first_block: t(unsafe.key, lang)})
            return
        except answering.Refused as refused:
            log.warning("refused a step submission for incident %s from %s: %s", ref.incident_id, user, refused.key)
            message = t(refused.key, lang) + " " + t("refused.not_saved", lang)
            if refused.key == "access.not_member" and refused.incident is not None:
                await membership.refresh_later(deps, refused.incident)  # the records may be behind Slack
                message += " " + t("access.not_member_recheck", lang)
            await ack(response_action="errors", errors={first_block: message})
            return
        await ack()


def overwrite_error(overwrite: answering.Overwrite, lang: str, who: str) -> str:
    """The modal error of a form filled before someone else's change: who (`who`: their name when known and
    their user id, as a mention does not render in a modal error and no Slack call may come before the ack),
    when, and the answer now."""
    revision = overwrite.revision
    value = shorten(display(revision.item_id, revision.value, lang), 300) or t("refused.overwrite_empty", lang)
    return t("refused.overwrite", lang, who=who, when=format_datetime(revision.at, lang), value=value)
