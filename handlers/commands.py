"""Slash commands: parse and answer in the ack; what needs Slack (opening a modal) runs lazily after it.
Every reply here is ephemeral."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.checklist import CHECKLIST_ITEMS, ITEMS, STEP_BY_ID, Step, missing_required, open_steps, step_of
from bot.drafting import DOCS, DraftNotReady
from bot.i18n import t
from bot.jobs import slack_error
from bot.slack.adapter import SlackAdapter
from bot.slack.locales import Locales
from bot.text import Unsafe, screen
from bot.ui import posts
from bot.ui.modals import new_incident_modal, step_modal
from bot.ui.mrkdwn import escape
from bot.ui.timeline import timeline_blocks
from bot.usecases import asking, drafts, opening
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.reads import answer_in_ack
from handlers.replies import Replies
from storage.repository import Incident, Tx

log = logging.getLogger(__name__)
ANSWERABLE = [item.id for item in CHECKLIST_ITEMS] + ["responders"]
LANGS = ("ja", "en")


def private(text: str, blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An ephemeral reply."""
    reply: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    if blocks:
        reply["blocks"] = blocks
    return reply


async def open_modal(client: Any, respond: Any, trigger_id: str, view: dict[str, Any], lang: str) -> None:
    """Opens a modal; if Slack refuses, says why (a retried request whose modal is open already stays quiet)."""
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", slack_error(exc))
        if slack_error(exc) != "exchanged_trigger_id":
            await respond(
                response_type="ephemeral",
                replace_original=False,
                text=t("cmd.modal_failed", lang, error=slack_error(exc)),
            )


async def open_step(
    deps: Deps,
    locales: Locales,
    client: Any,
    respond: Any,
    trigger_id: str,
    incident: Incident,
    step: Step,
    user_id: str,
) -> None:
    """Opens a checklist form for one person, in their language, recorded first so that only its submission counts."""
    lang = await locales.lang_of(user_id)
    external_id, answers, basis = await asking.prepare(deps, incident, step, user_id=user_id)
    view = step_modal(step, incident_id=incident.id, answers=answers, lang=lang, basis=basis)
    view["external_id"] = external_id
    await open_modal(client, respond, trigger_id, view, lang)


def register(app: AsyncApp, deps: Deps, adapter: SlackAdapter) -> None:
    """Adds the commands of the contract to the app. Replies are in the person's language (handlers.replies):
    in the ack when it is known, else right after it."""
    locales = adapter.locales
    replies = Replies(locales)

    async def say(
        ack: Any, command: dict[str, Any], context: Any, key: str, blocks: Any = None, /, **params: Any
    ) -> None:
        """Replies with the wording `key` (and blocks made by `blocks(lang)`), only to the person."""
        await replies.give(
            ack,
            context,
            command["user_id"],
            lambda lang: private(t(key, lang, **params), blocks(lang) if blocks else None),
        )

    async def screened_echo(ack: Any, command: dict[str, Any], context: Any, typed: str) -> bool:
        """True when typed words may be said back; else acks with why not (bot.text.screen), echoing nothing."""
        try:
            screen(typed)
        except Unsafe as unsafe:
            key, name = unsafe.key, command["command"]
            await replies.give(
                ack,
                context,
                command["user_id"],
                lambda lang: private(t("screen.command", lang, command=name, reason=t(key, lang))),
            )
            return False
        return True

    async def open_incident_or_say(
        command: dict[str, Any], context: Any, ack: Any, *, allow_closed: bool = False
    ) -> Incident | None:
        """The command's incident; else acks with why the command does not apply here."""
        incident: Incident | None = context.get("incident")
        if incident is None:
            await say(ack, command, context, "cmd.not_incident_channel", command=command["command"])
            return None
        if incident.closed and not allow_closed:
            await say(ack, command, context, "cmd.closed")
            return None
        return incident

    # --- /leak-open ------------------------------------------------------------------------------

    async def leak_open_ack(ack: Any, command: dict[str, Any], context: Any) -> None:
        try:  # the title is prefilled into the modal: screened before it is sent anywhere
            context["title"] = screen((command.get("text") or "").strip())
        except Unsafe as unsafe:
            key, title = unsafe.key, ITEMS["title"]
            await replies.give(
                ack,
                context,
                command["user_id"],
                lambda lang: private(t("screen.field", lang, field=title.label(lang), reason=t(key, lang))),
            )
            return
        await ack()

    @telling_failures("/leak-open", locales)
    async def leak_open_modal(command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if "title" not in context:
            return  # refused in the ack
        lang = await locales.lang_of(command["user_id"])
        view = new_incident_modal(title=context["title"], now=deps.clock.now(), lang=lang)
        view["external_id"] = await opening.prepare_form(deps, user_id=command["user_id"])
        await open_modal(client, respond, command["trigger_id"], view, lang)

    app.command(surface.LEAK_OPEN)(ack=leak_open_ack, lazy=[replies.later("/leak-open"), leak_open_modal])

    # --- /leak-next ------------------------------------------------------------------------------

    async def leak_next_ack(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident = await open_incident_or_say(command, context, ack)
        if incident is None:
            return
        async with deps.repo.read() as tx:
            values = await tx.values(incident.id)
            step = await asking.next_question(tx, incident.id, values)
        if missing_required(values):  # the next required item, or the card/bank follow-up asked right after card_bank
            assert step is not None
            context["next_step"] = step.id
            await ack()
            return
        optional = open_steps(values, required=False)
        await say(
            ack,
            command,
            context,
            "next.required_done",
            lambda lang: posts.optional_steps_blocks(optional, incident_id=incident.id, lang=lang),
        )

    @telling_failures("/leak-next", locales)
    async def leak_next_modal(command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        incident, step_id = context.get("incident"), context.get("next_step")
        if incident is None or step_id is None:
            return  # answered in the ack, or by replies.later
        await open_step(
            deps, locales, client, respond, command["trigger_id"], incident, STEP_BY_ID[step_id], command["user_id"]
        )

    app.command(surface.LEAK_NEXT)(ack=leak_next_ack, lazy=[replies.later("/leak-next"), leak_next_modal])

    # --- /leak-status: the checklist and the timeline, in the ack ---------------------------------

    async def leak_status(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")

        async def status(tx: Tx, lang: str) -> dict[str, Any]:
            if incident is None:
                return private(t("cmd.not_incident_channel", lang, command=surface.LEAK_STATUS))
            answers = await tx.answers(incident.id)
            entries = await tx.timeline(incident.id)
            title = escape(answers["title"].value) if "title" in answers else f"#{incident.id}"
            blocks = await adapter.checklist(incident, answers, pickers=True, lang=lang, tx=tx)
            blocks += timeline_blocks(entries, lang, room=posts.MAX_BLOCKS - len(blocks))  # the 経緯 below it
            return private(t("checklist.header", lang, title=title), blocks)

        await answer_in_ack(ack, deps.repo, locales, command["user_id"], surface.LEAK_STATUS, status)

    app.command(surface.LEAK_STATUS)(leak_status)

    # --- /leak-answer ----------------------------------------------------------------------------

    async def leak_answer_ack(ack: Any, command: dict[str, Any], context: Any) -> None:
        item_id = (command.get("text") or "").strip().lower()
        items = ", ".join(f"`{i}`" for i in ANSWERABLE)
        if not item_id:
            await say(ack, command, context, "cmd.answer_usage", items=items)
            return
        if item_id not in ITEMS:
            if not await screened_echo(ack, command, context, item_id):
                return
            await say(ack, command, context, "cmd.unknown_item", item=escape(item_id[:100]), items=items)
            return
        if await open_incident_or_say(command, context, ack) is not None:
            context["step_id"] = step_of(item_id).id
            await ack()

    @telling_failures("/leak-answer", locales)
    async def leak_answer_modal(command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        incident, step_id = context.get("incident"), context.get("step_id")
        if incident is None or step_id is None:
            return  # answered in the ack, or by replies.later
        await open_step(
            deps, locales, client, respond, command["trigger_id"], incident, STEP_BY_ID[step_id], command["user_id"]
        )

    app.command(surface.LEAK_ANSWER)(ack=leak_answer_ack, lazy=[replies.later("/leak-answer"), leak_answer_modal])

    # --- /leak-draft -----------------------------------------------------------------------------

    async def leak_draft(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident = await open_incident_or_say(command, context, ack, allow_closed=True)
        if incident is None:
            return
        words = (command.get("text") or "").strip().lower().split()
        asked_lang = next((w for w in words if w in LANGS), None)
        docs = [w for w in words if w not in LANGS]
        doc = docs[0] if docs else "public"
        if doc not in DOCS or len(docs) > 1:
            if not await screened_echo(ack, command, context, " ".join(docs)):
                return
            await say(ack, command, context, "draft.unknown_doc_any", doc=escape(" ".join(docs)[:50]))
            return
        try:
            await drafts.request_draft(
                deps,
                incident,
                user_id=command["user_id"],
                doc=doc,
                lang=asked_lang,
                request=command.get("trigger_id"),  # the same in Slack's retries of this command
            )
        except DraftNotReady as not_ready:
            missing = not_ready.missing
            await say(ack, command, context, "draft.missing", lambda lang: posts.missing_blocks(missing, lang))
            return
        except Unsafe as unsafe:  # two answers whose digits join up in the text: nothing stored or posted
            await say(ack, command, context, unsafe.key)
            return
        await ack()

    app.command(surface.LEAK_DRAFT)(ack=leak_draft, lazy=[replies.later("/leak-draft")])

    # --- /leak-close -----------------------------------------------------------------------------

    async def leak_close(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is not None and incident.closed:
            await say(ack, command, context, "close.already")
            return
        if await open_incident_or_say(command, context, ack) is None:
            return
        await say(ack, command, context, "close.question", posts.close_question_blocks)

    app.command(surface.LEAK_CLOSE)(ack=leak_close, lazy=[replies.later("/leak-close")])
