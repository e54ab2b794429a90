"""The incident desk: the App Home tab, its buttons, and /leak-list.

Nothing here changes the database; the only Slack calls (views.publish, views.open) run in lazy
listeners after the ack (/leak-list answers in its ack: handlers/reads.py). Every incident shown, and
every button click, is checked against the `members` table: a person sees and opens only incidents of
channels they are in.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.checklist import STEP_BY_ID
from bot.i18n import t
from bot.slack.adapter import SlackAdapter
from bot.ui.home import LIST_SHOWN, list_blocks
from bot.ui.ids import HOME_ANSWER_ACTION, HOME_PAGE_ACTION
from bot.ui.metadata import IncidentRef, PageRef
from bot.ui.modals import notice_modal
from bot.usecases import home
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.commands import open_modal, open_step, private
from handlers.reads import answer_in_ack
from storage.repository import Tx

log = logging.getLogger(__name__)


async def log_only(**reply: Any) -> None:
    """Stands in for `respond` where Slack gave no response_url (the App Home): the log has it."""
    log.warning("could not tell the user: %s", reply.get("text", "")[:200])


def register(app: AsyncApp, deps: Deps, adapter: SlackAdapter) -> None:
    """Adds the App Home event, its buttons and /leak-list to the app, in each viewer's language."""
    locales = adapter.locales

    # --- the Home tab opened: publish the person's desk -------------------------------------------------

    async def home_opened_ack(ack: Any) -> None:
        await ack()

    @telling_failures("app_home_opened", locales)
    async def home_publish(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home" and event.get("user"):
            await adapter.publish_home(event["user"])

    app.event(surface.APP_HOME_OPENED)(ack=home_opened_ack, lazy=[home_publish])

    # --- "previous" / "next" page -----------------------------------------------------------------------

    async def page_ack(ack: Any) -> None:
        await ack()

    @telling_failures("leak_home_page", locales)
    async def page_publish(body: dict[str, Any], action: dict[str, Any]) -> None:
        ref = PageRef.load(action.get("value"))
        if ref is not None:
            await adapter.publish_home(body["user"]["id"], page=ref.page)

    app.action(re.compile(f"^{HOME_PAGE_ACTION}_"))(ack=page_ack, lazy=[page_publish])

    # --- "Answer the next question": checked against the members table, then the step's modal --------------

    async def answer_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        ref = IncidentRef.load(action.get("value"))
        incident = await home.may_answer(deps.repo, ref.incident_id, body["user"]["id"]) if ref else None
        context["home_incident"] = incident
        context["home_step"] = await home.next_of(deps.repo, incident) if incident else None
        await ack()

    @telling_failures("leak_home_answer", locales)
    async def answer_modal(body: dict[str, Any], context: Any, client: Any, respond: Any = None) -> None:
        incident, step_id = context.get("home_incident"), context.get("home_step")
        respond = respond or log_only
        if incident is None or step_id is None:
            lang = await locales.lang_of(body["user"]["id"])
            key = "home.refused" if incident is None else "home.nothing_open"
            await open_modal(
                client, respond, body["trigger_id"], notice_modal(t("home.refused_title", lang), t(key, lang)), lang
            )
            return
        await open_step(
            deps, locales, client, respond, body["trigger_id"], incident, STEP_BY_ID[step_id], body["user"]["id"]
        )

    app.action(HOME_ANSWER_ACTION)(ack=answer_ack, lazy=[answer_modal])

    # --- /leak-list: the same desk, anywhere, only for the person who asked, in the ack ----------------

    async def leak_list(ack: Any, command: dict[str, Any]) -> None:
        user_id, now = command["user_id"], deps.clock.now()

        async def listing(tx: Tx, lang: str) -> dict[str, Any]:
            desk = await home.desk_in(tx, user_id, page_size=LIST_SHOWN)
            return private(*list_blocks(desk, now=now, lang=lang))

        await answer_in_ack(ack, deps.repo, locales, user_id, surface.LEAK_LIST, listing)

    app.command(surface.LEAK_LIST)(leak_list)
