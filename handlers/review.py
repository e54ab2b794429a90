"""Review and publication listeners: /leak-reviewers and its checklist button, Approve, Request changes,
Publish, and their modals, and a reviewer's reminder by DM (its Approve, Request changes and snoozes).
Decisions and submissions are stored before the ack; a modal opens, and a reply is told, in a lazy
listener after it."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.answers import format_datetime
from bot.drafting import DOCS
from bot.i18n import Words, t
from bot.review import HOWS, MAX_COMMENT, valid_url
from bot.slack.locales import Locales
from bot.text import Unsafe, screen, screened_or_none
from bot.ui import review as ui
from bot.usecases import review, review_nudges
from bot.usecases.base import Deps
from handlers import surface
from handlers.after_ack import telling_failures
from handlers.commands import open_modal, private
from handlers.forms import modal_lang, raw_values
from handlers.replies import Replies
from storage.repository import Incident

log = logging.getLogger(__name__)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def register(app: AsyncApp, deps: Deps, locales: Locales) -> None:
    """Adds the review listeners to the app. What only one person sees is in their language: replies
    chosen in an ack are said after it (context["reply"] is a function of the language; a function is
    passed to the lazy listener as it is, not copied)."""

    replies = Replies(locales)

    def refused(error: review.Refused, lang: str) -> str:
        return t(error.key, lang, **ui.render_params(error.params, lang))

    async def tell(respond: Any, text: str) -> None:
        await respond(response_type="ephemeral", replace_original=False, text=text)

    async def reply_later(body: dict[str, Any], context: Any, respond: Any) -> None:
        if context.get("reply"):
            await tell(respond, context["reply"](await locales.lang_of(body["user"]["id"])))

    async def from_reminder(body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        """A button on a reviewer's reminder is clicked in the bot's DM, not in the incident's channel: the
        incident is the one it names (who may decide is checked as for a click in the channel)."""
        channel = (body.get("channel") or {}).get("id") or ""
        ref = ui.ReviewRef.load(action.get("value"))
        if context.get("incident") is None and channel.startswith("D") and ref is not None:
            async with deps.repo.read() as tx:
                context["incident"] = await tx.incident(ref.incident_id)

    def clicked(action: dict[str, Any], context: Any) -> ui.ReviewRef | None:
        """The button's reference when it names this channel's open incident; else the refusal goes in context."""
        ref = ui.ReviewRef.load(action.get("value"))
        incident: Incident | None = context.get("incident")
        if ref is None or incident is None or incident.id != ref.incident_id:
            log.warning(
                "refused a review button naming %s in a channel of incident %s",
                ref.incident_id if ref else None,
                incident.id if incident else None,
            )
            context["reply"] = Words("review.wrong_incident").say
            return None
        if incident.closed:
            context["reply"] = Words("cmd.closed").say
            return None
        return ref

    # --- naming reviewers ---------------------------------------------------------------------------

    async def reviewers_command_ack(ack: Any, command: dict[str, Any], context: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is None:
            await replies.give(
                ack,
                context,
                command["user_id"],
                lambda lang: private(t("cmd.not_incident_channel", lang, command=surface.LEAK_REVIEWERS)),
            )
        elif incident.closed:
            await replies.give(ack, context, command["user_id"], lambda lang: private(t("cmd.closed", lang)))
        else:
            await ack()

    async def open_reviewers(incident: Incident, user_id: str, trigger_id: str, client: Any, respond: Any) -> None:
        lang = await locales.lang_of(user_id)
        external_id = await review.prepare_view(deps, incident, review.REVIEWERS_STEP, user_id=user_id)
        view = ui.reviewers_modal(
            incident_id=incident.id, current=await review.current_reviewers(deps, incident), lang=lang
        )
        await open_modal(client, respond, trigger_id, view | {"external_id": external_id}, lang)

    @telling_failures(surface.LEAK_REVIEWERS, locales)
    async def reviewers_command_modal(command: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        incident: Incident | None = context.get("incident")
        if incident is not None and not incident.closed:
            await open_reviewers(incident, command["user_id"], command["trigger_id"], client, respond)

    app.command(surface.LEAK_REVIEWERS)(
        ack=reviewers_command_ack, lazy=[replies.later(surface.LEAK_REVIEWERS), reviewers_command_modal]
    )

    async def reviewers_button_ack(ack: Any, action: dict[str, Any], context: Any) -> None:
        clicked(action, context)
        await ack()

    @telling_failures(ui.REVIEWERS_ACTION, locales)
    async def reviewers_button_modal(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if context.get("reply"):
            await reply_later(body, context, respond)
            return
        await open_reviewers(context["incident"], body["user"]["id"], body["trigger_id"], client, respond)

    app.action(ui.REVIEWERS_ACTION)(ack=reviewers_button_ack, lazy=[reviewers_button_modal])

    @app.view(ui.REVIEWERS_CALLBACK)
    async def reviewers_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ref = ui.ReviewRef.load(view.get("private_metadata"))
        lang = modal_lang(view, locales.known(body["user"]["id"]))  # the modal's language
        raw = raw_values(view["state"]["values"])
        first = next(iter(raw), ui.REVIEWERS_BLOCKS["public"])
        chosen: dict[str, list[str]] = {}
        for doc in DOCS:
            users = raw.get(ui.REVIEWERS_BLOCKS[doc]) or []
            if not isinstance(users, list) or not all(isinstance(u, str) and _USER_ID.match(u) for u in users):
                await ack(response_action="errors", errors={ui.REVIEWERS_BLOCKS[doc]: t("error.users", lang)})
                return
            chosen[doc] = users
        if ref is None:
            await ack(response_action="errors", errors={first: t("review.form_unknown", lang)})
            return
        try:
            await review.set_reviewers(
                deps,
                external_id=view.get("external_id") or "",
                view_id=view["id"],
                incident_id=ref.incident_id,
                user_id=body["user"]["id"],
                reviewers=chosen,
            )
        except review.Refused as error:
            log.warning("refused reviewers for incident %s from %s: %s", ref.incident_id, body["user"]["id"], error.key)
            block = ui.REVIEWERS_BLOCKS.get(error.params.get("doc", ""), first)
            await ack(response_action="errors", errors={block: refused(error, lang)})
            return
        await ack()

    # --- decisions ----------------------------------------------------------------------------------

    async def approve_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        await from_reminder(body, action, context)
        ref = clicked(action, context)
        if ref is not None and ref.draft_id is not None:
            try:
                decided = await review.decide(
                    deps,
                    channel_incident=context["incident"],
                    incident_id=ref.incident_id,
                    draft_id=ref.draft_id,
                    user_id=body["user"]["id"],
                    approved=True,
                )
            except review.Refused as error:
                context["reply"] = lambda lang, e=error: refused(e, lang)
            else:
                context["reply"] = lambda lang, d=decided: said(d, lang)
        elif ref is not None:
            context["reply"] = Words("review.unknown_version").say
        await ack()

    def said(decided: review.Decided, lang: str) -> str:
        params = {"doc": ui.doc_name(decided.draft.doc, lang), "version": decided.draft.version}
        if decided.already:
            return t(
                "review.already",
                lang,
                decision=t("review.decision.approve" if decided.approved else "review.decision.changes", lang),
                **params,
            )
        return t("review.recorded_approve" if decided.approved else "review.recorded_changes", lang, **params)

    app.action(ui.APPROVE_ACTION)(ack=approve_ack, lazy=[telling_failures(ui.APPROVE_ACTION, locales)(reply_later)])

    async def changes_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        await from_reminder(body, action, context)
        ref = clicked(action, context)
        if ref is not None and ref.draft_id is not None:
            try:
                earlier = await review.check_decider(
                    deps,
                    channel_incident=context["incident"],
                    incident_id=ref.incident_id,
                    draft_id=ref.draft_id,
                    user_id=body["user"]["id"],
                )
            except review.Refused as error:
                context["reply"] = lambda lang, e=error: refused(e, lang)
            else:
                context["reply"] = (lambda lang, d=earlier: said(d, lang)) if earlier else None
                context["draft_id"] = ref.draft_id
        elif ref is not None:
            context["reply"] = Words("review.unknown_version").say
        await ack()

    @telling_failures(ui.REQUEST_CHANGES_ACTION, locales)
    async def changes_modal(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if context.get("reply") or context.get("draft_id") is None:
            await reply_later(body, context, respond)
            return
        lang = await locales.lang_of(body["user"]["id"])
        incident: Incident = context["incident"]
        async with deps.repo.read() as tx:
            draft = await tx.draft(context["draft_id"])
        assert draft is not None
        external_id = await review.prepare_view(
            deps, incident, review.changes_step(draft.id), user_id=body["user"]["id"]
        )
        await open_modal(
            client, respond, body["trigger_id"], ui.changes_modal(draft, lang) | {"external_id": external_id}, lang
        )

    app.action(ui.REQUEST_CHANGES_ACTION)(ack=changes_ack, lazy=[changes_modal])

    @app.view(ui.CHANGES_CALLBACK)
    async def changes_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ref = ui.ReviewRef.load(view.get("private_metadata"))
        lang = modal_lang(view, locales.known(body["user"]["id"]))  # the modal's language
        comment = str(raw_values(view["state"]["values"]).get(ui.COMMENT_BLOCK) or "").strip()
        if not comment:
            await ack(response_action="errors", errors={ui.COMMENT_BLOCK: t("review.comment_required", lang)})
            return
        if len(comment) > MAX_COMMENT:
            await ack(
                response_action="errors",
                errors={ui.COMMENT_BLOCK: t("review.comment_too_long", lang, length=len(comment), limit=MAX_COMMENT)},
            )
            return
        try:
            typed = screen(comment)
        except Unsafe as unsafe:
            await ack(response_action="errors", errors={ui.COMMENT_BLOCK: t(unsafe.key, lang)})
            return
        if ref is None or ref.draft_id is None:
            await ack(response_action="errors", errors={ui.COMMENT_BLOCK: t("review.form_unknown", lang)})
            return
        try:
            decided = await review.decide(
                deps,
                channel_incident=None,
                incident_id=ref.incident_id,
                draft_id=ref.draft_id,
                user_id=body["user"]["id"],
                approved=False,
                comment=typed,
                form=(view.get("external_id") or "", view["id"]),
            )
        except review.Refused as error:
            await ack(response_action="errors", errors={ui.COMMENT_BLOCK: refused(error, lang)})
            return
        if decided.already:
            await ack(response_action="errors", errors={ui.COMMENT_BLOCK: said(decided, lang)})
            return
        await ack()

    # --- a reviewer's reminder: snooze -----------------------------------------------------------------

    async def snooze_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        ref = ui.ReviewSnoozeRef.load(action.get("value"))
        context["reply"] = Words("review.nudge_bad").say
        if ref is not None:
            try:
                draft, until = await review_nudges.snooze(
                    deps,
                    incident_id=ref.incident_id,
                    draft_id=ref.draft_id,
                    user_id=body["user"]["id"],
                    seconds=ref.seconds,
                )
            except review.Refused as error:
                context["reply"] = lambda lang, e=error: refused(e, lang)
            except ValueError:
                log.warning("reviewer snooze with an unknown value refused")
            else:
                context["reply"] = lambda lang, d=draft, u=until: t(
                    "review.nudge_snoozed",
                    lang,
                    doc=ui.doc_name(d.doc, lang),
                    version=d.version,
                    until=format_datetime(u, lang),
                )
        await ack()

    app.action(re.compile(f"^{ui.REVIEW_SNOOZE_ACTION}_"))(
        ack=snooze_ack, lazy=[telling_failures(ui.REVIEW_SNOOZE_ACTION, locales)(reply_later)]
    )

    # --- publication --------------------------------------------------------------------------------

    async def publish_ack(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
        ref = clicked(action, context)
        if ref is not None and ref.draft_id is not None:
            try:
                await review.check_publishable(
                    deps,
                    channel_incident=context["incident"],
                    incident_id=ref.incident_id,
                    draft_id=ref.draft_id,
                    user_id=body["user"]["id"],
                )
            except review.Refused as error:
                context["reply"] = lambda lang, e=error: refused(e, lang)
            else:
                context["draft_id"] = ref.draft_id
        elif ref is not None:
            context["reply"] = Words("review.unknown_version").say
        await ack()

    @telling_failures(ui.PUBLISH_ACTION, locales)
    async def publish_modal(body: dict[str, Any], context: Any, client: Any, respond: Any) -> None:
        if context.get("reply") or context.get("draft_id") is None:
            await reply_later(body, context, respond)
            return
        lang = await locales.lang_of(body["user"]["id"])
        async with deps.repo.read() as tx:
            draft = await tx.draft(context["draft_id"])
        assert draft is not None
        external_id = await review.prepare_view(
            deps, context["incident"], review.publish_step(draft.id), user_id=body["user"]["id"]
        )
        view = ui.publish_modal(draft, now=deps.clock.now(), lang=lang) | {"external_id": external_id}
        await open_modal(client, respond, body["trigger_id"], view, lang)

    app.action(ui.PUBLISH_ACTION)(ack=publish_ack, lazy=[publish_modal])

    @app.view(ui.PUBLISH_CALLBACK)
    async def publish_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ref = ui.ReviewRef.load(view.get("private_metadata"))
        lang = modal_lang(view, locales.known(body["user"]["id"]))  # the modal's language
        raw = raw_values(view["state"]["values"])
        errors: dict[str, str] = {}
        when = raw.get(ui.PUBLISHED_AT)
        if not isinstance(when, int) or isinstance(when, bool) or not 0 < when < 2**33:
            errors[ui.PUBLISHED_AT] = t("review.bad_when", lang)
        how = raw.get(ui.PUBLISHED_HOW)
        if how not in HOWS:
            errors[ui.PUBLISHED_HOW] = t("error.choice", lang)
        url = None
        try:
            url = screened_or_none(str(raw.get(ui.PUBLISHED_URL) or "").strip())
        except Unsafe as unsafe:
            errors[ui.PUBLISHED_URL] = t(unsafe.key, lang)
        if url is not None and not valid_url(url):
            errors[ui.PUBLISHED_URL] = t("review.bad_url", lang)
        if not errors and (ref is None or ref.draft_id is None):
            errors[ui.PUBLISHED_AT] = t("review.form_unknown", lang)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        assert ref is not None and ref.draft_id is not None and isinstance(when, int)
        published = review.Published(at=datetime.fromtimestamp(when, tz=UTC), how=str(how), url=url)
        try:
            await review.publish(
                deps,
                external_id=view.get("external_id") or "",
                view_id=view["id"],
                incident_id=ref.incident_id,
                draft_id=ref.draft_id,
                user_id=body["user"]["id"],
                published=published,
            )
        except review.Refused as error:
            await ack(response_action="errors", errors={ui.PUBLISHED_AT: refused(error, lang)})
            return
        await ack()
